"""What every GAN container shares: the networks, the objective, the recipe and the EMA copy.

Noise models (:class:`~ganzoo.gan.GAN`) and image-to-image models
(:class:`~ganzoo.gan.TranslationGAN`) are siblings under :class:`GANBase`; the trainer, the
objectives and the Hub format talk only to this interface, so none of them knows which GAN it has.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

import torch
from torch import Tensor, nn

from ..data.batch import Batch
from ..errors import ConfigError
from ..hub.format import save_pretrained
from ..hub.publish import push_to_hub
from ..objectives import Objective
from ..recipe import Recipe


class Fakes(Protocol):
    """What :meth:`GANBase.fake_batch` returns: generated images (N, C, H, W) — a Tensor — or a
    structure of them that the model's objective knows (CycleGAN's ``CycleFakes``)."""

    def detach(self) -> Fakes: ...


class Preview(NamedTuple):
    """What the trainer shows of a model: ``samples`` (its outputs, for the health monitor) and
    a ``grid`` of images to save with ``nrow`` per row (None: the default)."""

    samples: Tensor
    grid: Tensor
    nrow: int | None


class GANBase(nn.Module, ABC):
    """A generator/discriminator pair with the objective and recipe that train it.

    ``config`` holds the registry name and the resolved arguments that rebuild this exact model
    (see :func:`ganzoo.rebuild`); it is saved with every checkpoint and Hub folder.
    ``task`` is the model's kind, in the Hub's pipeline-tag words.
    """

    task: ClassVar[str] = ""

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        objective: Objective,
        recipe: Recipe | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.check_networks(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.recipe = recipe or Recipe()
        self.config: dict[str, Any] = dict(config or {})
        self.generator_ema: nn.Module | None = None
        if self.recipe.ema_decay > 0:
            from timm.utils import ModelEmaV3  # heavy: imported only by models that keep an EMA

            self.generator_ema = ModelEmaV3(generator, decay=self.recipe.ema_decay, use_warmup=True)

    # ------------------------------------------------------------------ what subclasses define
    @abstractmethod
    def check_networks(self, generator: nn.Module, discriminator: nn.Module) -> None:
        """Raise a ConfigError if the generator and discriminator do not fit together."""

    @abstractmethod
    def check_data(self, data: Any) -> None:
        """Raise :class:`~ganzoo.errors.DataError` if ``data`` cannot train this model."""

    @abstractmethod
    def condition(self, batch: Batch) -> Tensor | None:
        """What the discriminator sees beside the images of ``batch``: class labels, source
        images, or None."""

    @abstractmethod
    def discriminate(self, images: Tensor, condition: Tensor | None = None) -> Tensor:
        """Raw discriminator scores of ``images`` under ``condition`` (see :meth:`condition`)."""

    @abstractmethod
    def fake_batch(self, batch: Batch, latent: Callable[[int], Tensor]) -> Fakes:
        """The generated counterpart of ``batch`` that a training step scores;
        ``latent(n)`` draws latent codes for noise models."""

    @abstractmethod
    def preview_inputs(self, data: Any, n: int, seed: int) -> Any:
        """Fixed inputs for the progress grids."""

    @abstractmethod
    def preview(self, inputs: Any) -> Preview:
        """Images of the sampling generator, in eval mode, for :meth:`preview_inputs`."""

    @abstractmethod
    def _compile_example(self) -> Tensor:
        """A tiny forward through both networks whose sum back-propagates."""

    # ------------------------------------------------------------------------- shared parts
    @property
    def name(self) -> str:
        return self.config.get("model", type(self).__name__)

    @property
    def model_config(self) -> dict[str, Any]:
        """The saved layout of :attr:`config`: ``{"model": name, "args": {...}}``, what
        :func:`ganzoo.rebuild` takes (checkpoints and Hub folders alike)."""
        return {"model": self.name, "args": {k: v for k, v in self.config.items() if k != "model"}}

    @property
    def latent_dim(self) -> int:
        """Size of the latent codes (0 for models that translate images)."""
        return self.generator.latent_dim

    @property
    def num_classes(self) -> int:
        """Number of classes the model is conditioned on (0: unconditional)."""
        return self.generator.num_classes

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape of one generated image, (C, H, W)."""
        return self.generator.image_shape

    @property
    def device(self) -> torch.device:
        return next(self.generator.parameters()).device

    @property
    def sampler(self) -> nn.Module:
        """The generator used for sampling: the EMA weights when the recipe keeps them."""
        return self.generator_ema.module if self.generator_ema is not None else self.generator

    def update_ema(self, step: int) -> None:
        """Fold the generator's current weights into the EMA copy (no-op without EMA)."""
        if self.generator_ema is not None:
            self.generator_ema.update(self.generator, step=step)

    def check_images(self, images: Tensor) -> None:
        """Raise a ConfigError unless ``images`` are shaped like this model's outputs."""
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            c, h, w = self.image_shape
            raise ConfigError(
                f"{self.name} takes images of shape (N, {c}, {h}, {w}); got {tuple(images.shape)}. "
                f"Resize the data or build the model with img_size={images.shape[-1]}, "
                f"channels={images.shape[1] if images.ndim == 4 else '?'}."
            )

    def compile_networks(self) -> None:
        """``torch.compile`` generator and discriminator in place (state dict keys unchanged).

        Compiles now with one forward/backward on a tiny batch, so a missing compiler raises
        here; weights, buffers and the RNG state are left as they were.
        """
        self.generator.compile()
        self.discriminator.compile()
        buffers = {k: v.clone() for k, v in self.named_buffers()}
        rng = torch.get_rng_state()
        try:
            self._compile_example().backward()
        except Exception:
            self.generator._compiled_call_impl = None  # back to eager
            self.discriminator._compiled_call_impl = None
            raise
        finally:
            self.zero_grad(set_to_none=True)
            with torch.no_grad():
                for k, v in self.named_buffers():
                    v.copy_(buffers[k])
            torch.set_rng_state(rng)

    def save_pretrained(self, folder: str | os.PathLike[str], **kwargs: Any) -> Path:
        """Write config.json + safetensors weights (see :func:`ganzoo.hub.save_pretrained`)."""
        return save_pretrained(self, folder, **kwargs)

    def push_to_hub(self, repo_id: str, **kwargs: Any) -> str:
        """Upload weights, config, samples and a model card (see :func:`ganzoo.hub.push_to_hub`)."""
        return push_to_hub(self, repo_id, **kwargs)
