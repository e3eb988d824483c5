"""The GAN container: generator, discriminator, objective and recipe in one module."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import torch
from timm.utils import ModelEmaV3
from torch import Tensor, nn

from .errors import ConfigError, DataError
from .input_checks import positive_int
from .models.base import AuxiliaryClassifierDiscriminator, Discriminator, Generator
from .objectives import Objective
from .recipe import Recipe


class Preview(NamedTuple):
    """What the trainer shows of a model: ``samples`` (its outputs, for the health monitor) and
    a ``grid`` of images to save with ``nrow`` per row (None: the default)."""

    samples: Tensor
    grid: Tensor
    nrow: int | None


class GAN(nn.Module):
    """A generator/discriminator pair with the objective and recipe that train it.

    ``config`` holds the registry name and the resolved arguments that rebuild this exact model
    with :func:`ganzoo.create`; it is saved with every checkpoint.
    """

    def __init__(
        self,
        generator: Generator,
        discriminator: Discriminator,
        objective: Objective,
        recipe: Recipe | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._check_networks(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.recipe = recipe or Recipe()
        self.config: dict[str, Any] = dict(config or {})
        self.generator_ema: ModelEmaV3 | None = None
        if self.recipe.ema_decay > 0:
            self.generator_ema = ModelEmaV3(generator, decay=self.recipe.ema_decay, use_warmup=True)

    def _check_networks(self, generator: nn.Module, discriminator: nn.Module) -> None:
        """Refuse a generator and discriminator that do not fit together."""
        d_shape = (discriminator.channels, discriminator.img_size, discriminator.img_size)
        if generator.image_shape != d_shape:
            raise ConfigError(
                f"Generator makes {generator.image_shape} images but the discriminator takes {d_shape}."
            )
        if generator.num_classes != discriminator.num_classes:
            raise ConfigError(
                f"Generator has {generator.num_classes} classes, discriminator "
                f"{discriminator.num_classes}: build both with the same num_classes."
            )

    def check_data(self, data: Any) -> None:
        """Raise :class:`~ganzoo.errors.DataError` if ``data`` cannot train this model."""
        shape = getattr(data, "image_shape", None)
        if shape is not None and tuple(shape) != self.image_shape:
            c, h, w = shape
            raise DataError(
                f"The data has {c}x{h}x{w} images but {self.name} was built for "
                f"{'x'.join(map(str, self.image_shape))}. Build the model with "
                f"img_size={h}, channels={c}, or load the data with img_size/channels set to the model's."
            )
        if getattr(data, "source_shape", None) is not None:
            raise DataError(
                f"The data holds image pairs for translation, but {self.name} generates from noise; "
                "train pix2pix or cyclegan on it, or load a single-domain dataset."
            )
        if self.num_classes:
            data_classes = getattr(data, "num_classes", 0)
            labelled = getattr(data, "labels", True) is not None
            if not data_classes or not labelled:
                raise DataError(
                    f"{self.name} is conditional: it needs labelled data, and this dataset has no labels."
                )
            if data_classes > self.num_classes:
                raise DataError(
                    f"The data has {data_classes} classes but {self.name} was built for "
                    f"{self.num_classes}; build it with num_classes={data_classes}."
                )

    @property
    def sampler(self) -> Generator:
        """The generator used for sampling: the EMA weights when the recipe keeps them."""
        return self.generator_ema.module if self.generator_ema is not None else self.generator

    def update_ema(self, step: int) -> None:
        """Fold the generator's current weights into the EMA copy (no-op without EMA)."""
        if self.generator_ema is not None:
            self.generator_ema.update(self.generator, step=step)

    @property
    def name(self) -> str:
        return self.config.get("model", type(self).__name__)

    @property
    def latent_dim(self) -> int:
        return self.generator.latent_dim

    @property
    def num_classes(self) -> int:
        return self.generator.num_classes

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.generator.image_shape

    @property
    def device(self) -> torch.device:
        return next(self.generator.parameters()).device

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` latent codes from the standard normal prior."""
        return torch.randn(n, self.latent_dim, device=self.device, generator=generator)

    def sample_labels(self, n: int, generator: torch.Generator | None = None) -> Tensor | None:
        """``n`` uniformly drawn class labels, or None for an unconditional model."""
        if not self.num_classes:
            return None
        return torch.randint(self.num_classes, (n,), device=self.device, generator=generator)

    def _check_labels(self, labels: Tensor | None, n: int) -> Tensor | None:
        if not self.num_classes:
            if labels is not None:
                raise ConfigError(f"{self.name} is unconditional: call it without labels.")
            return None
        if labels is None:
            raise ConfigError(
                f"{self.name} is conditional on {self.num_classes} classes: pass labels "
                f"(a tensor of {n} class ids in [0, {self.num_classes}))."
            )
        labels = torch.as_tensor(labels, device=self.device)
        if labels.shape != (n,) or labels.dtype.is_floating_point:
            raise ConfigError(
                f"Expected {n} integer labels, got {labels.dtype} of shape {tuple(labels.shape)}."
            )
        return labels

    def generate(
        self,
        z: Tensor,
        labels: Tensor | None = None,
        *,
        ema: bool = False,
        truncation: float | None = None,
    ) -> Tensor:
        """Images in [-1, 1] for latent codes ``z`` (and labels, if conditional).

        ``ema=True`` uses the sampling generator (the EMA weights, when kept). ``truncation``
        (psi in [0, 1]) applies the truncation trick of generators that support it (stylegan).
        """
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ConfigError(
                f"Expected latent codes of shape (N, {self.latent_dim}), got {tuple(z.shape)}."
            )
        network = self.sampler if ema else self.generator
        labels = self._check_labels(labels, z.shape[0])
        if truncation is None:
            return network(z, labels)
        if not getattr(network, "supports_truncation", False):
            raise ConfigError(
                f"{self.name} has no truncation trick (its generator, {type(network).__name__}, "
                "has no average latent); use a style-based model such as stylegan."
            )
        return network(z, labels, truncation=truncation)

    def fake_batch(
        self, real: Tensor, condition: Tensor | None, latent: Callable[[int], Tensor]
    ) -> Any:
        """The generated batch a training step scores against ``real``: here images from
        ``latent(n)`` codes and the batch's labels (``condition``); translation models translate
        the batch's source images instead."""
        return self.generate(latent(real.shape[0]), condition)

    def preview_inputs(self, data: Any, n: int, seed: int) -> Any:
        """Fixed inputs for the progress grids: ``n`` seeded latent codes (and cycling labels)."""
        z = torch.randn(n, self.latent_dim, generator=torch.Generator().manual_seed(seed))
        labels = torch.arange(n) % self.num_classes if self.num_classes else None
        return z, labels

    @torch.no_grad()
    def preview(self, inputs: Any) -> Preview:
        """Images of the sampling generator, in eval mode, for :meth:`preview_inputs`."""
        z, labels = inputs
        network = self.sampler
        was_training = network.training
        network.eval()
        try:
            labels = None if labels is None else labels.to(self.device)
            images = self.generate(z.to(self.device), labels, ema=True)
        finally:
            network.train(was_training)
        return Preview(images, images, self.num_classes or None)

    def _compile_example(self) -> Tensor:
        """A tiny forward/backward that makes ``torch.compile`` compile both networks."""
        labels = self.sample_labels(2)
        return self.discriminate(self.generate(self.sample_latent(2), labels), labels).sum()

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

    def _check_images(self, images: Tensor) -> None:
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            c, h, w = self.image_shape
            raise ConfigError(
                f"{self.name} takes images of shape (N, {c}, {h}, {w}); got {tuple(images.shape)}. "
                f"Resize the data or build the model with img_size={images.shape[-1]}, "
                f"channels={images.shape[1] if images.ndim == 4 else '?'}."
            )

    def discriminate(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        """Raw discriminator scores, shape (N,), for images shaped like the generator's output."""
        self._check_images(images)
        return self.discriminator(images, self._check_labels(labels, images.shape[0]))

    def discriminate_and_classify(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Raw scores (N,) and class logits (N, num_classes) from one pass of a discriminator
        with an auxiliary classifier (:class:`~ganzoo.models.AuxiliaryClassifierDiscriminator`)."""
        if not isinstance(self.discriminator, AuxiliaryClassifierDiscriminator):
            raise ConfigError(
                f"{self.name}'s discriminator ({type(self.discriminator).__name__}) has no "
                "auxiliary classifier; use a model such as acgan."
            )
        self._check_images(images)
        return self.discriminator(images, return_logits=True)

    def save_pretrained(self, folder: str | os.PathLike[str], **kwargs: Any) -> Path:
        """Write config.json + safetensors weights (see :func:`ganzoo.hub.save_pretrained`)."""
        from .hub import save_pretrained

        return save_pretrained(self, folder, **kwargs)

    def push_to_hub(self, repo_id: str, **kwargs: Any) -> str:
        """Upload weights, config, samples and a model card (see :func:`ganzoo.hub.push_to_hub`)."""
        from .hub import push_to_hub

        return push_to_hub(self, repo_id, **kwargs)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        labels: Tensor | list[int] | None = None,
        seed: int | None = None,
        batch_size: int = 256,
        truncation: float | None = None,
    ) -> Tensor:
        """``n`` images in [-1, 1], shape (n, C, H, W), from the sampling generator in eval mode.

        Uses the EMA weights when the recipe keeps them. Conditional models cycle through the
        classes when ``labels`` is None. ``truncation`` is psi of the truncation trick (models
        whose generator supports it, such as stylegan).
        """
        positive_int(n, "The number of samples (n)")
        positive_int(batch_size, "batch_size")
        rng = None
        if seed is not None:
            rng = torch.Generator(device=self.device).manual_seed(seed)
        if labels is None and self.num_classes:
            labels = torch.arange(n, device=self.device) % self.num_classes
        if labels is not None:
            labels = self._check_labels(torch.as_tensor(labels), n)
        network = self.sampler
        was_training = network.training
        network.eval()
        try:
            chunks = []
            for start in range(0, n, batch_size):
                count = min(batch_size, n - start)
                z = self.sample_latent(count, generator=rng)
                chunk_labels = None if labels is None else labels[start : start + count]
                chunks.append(self.generate(z, chunk_labels, ema=True, truncation=truncation))
            return torch.cat(chunks).clamp_(-1, 1)
        finally:
            network.train(was_training)
