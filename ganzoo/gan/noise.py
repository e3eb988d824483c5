"""Noise models: the generator decodes latent codes (and class labels) into images."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn

from ..data.batch import Batch
from ..errors import ConfigError, DataError
from ..input_checks import positive_int
from ..models.base import AuxiliaryClassifierDiscriminator
from ..utils.latent_paths import chain, lerp, slerp
from ..utils.precision import Hardware, autocast, resolve_precision
from .base import GANBase, Preview


class GAN(GANBase):
    """A GAN whose generator maps latent codes (and, if conditional, class labels) to images:
    :meth:`sample` and :meth:`generate` make images; class-conditional models see the batch's
    labels as their :meth:`condition`."""

    task = "unconditional-image-generation"

    def check_networks(self, generator: nn.Module, discriminator: nn.Module) -> None:
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

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` latent codes from the standard normal prior."""
        dtype = next(self.generator.parameters()).dtype  # a model cast by create(dtype=...)
        return torch.randn(n, self.latent_dim, device=self.device, dtype=dtype, generator=generator)

    def sample_labels(self, n: int, generator: torch.Generator | None = None) -> Tensor | None:
        """``n`` uniformly drawn class labels, or None for an unconditional model."""
        if not self.num_classes:
            return None
        return torch.randint(self.num_classes, (n,), device=self.device, generator=generator)

    def check_labels(self, labels: Tensor | None, n: int) -> Tensor | None:
        """``labels`` as a device tensor of ``n`` class ids, or a ConfigError saying what this
        model needs (none for an unconditional model)."""
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
        labels = self.check_labels(labels, z.shape[0])
        if truncation is None:
            return network(z, labels)
        if not getattr(network, "supports_truncation", False):
            raise ConfigError(
                f"{self.name} has no truncation trick (its generator, {type(network).__name__}, "
                "has no average latent); use a style-based model such as stylegan."
            )
        return network(z, labels, truncation=truncation)

    def condition(self, batch: Batch) -> Tensor | None:
        """The batch's class labels (None for an unconditional model)."""
        return batch.labels if self.num_classes else None

    def fake_batch(self, batch: Batch, latent: Callable[[int], Tensor]) -> Tensor:
        """Images from ``latent(n)`` codes for the batch's labels."""
        return self.generate(latent(len(batch)), self.condition(batch))

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

    def discriminate(self, images: Tensor, condition: Tensor | None = None) -> Tensor:
        """Raw discriminator scores, shape (N,), for images shaped like the generator's output
        and (conditional models) their class labels."""
        self.check_images(images)
        return self.discriminator(images, self.check_labels(condition, images.shape[0]))

    def discriminate_and_classify(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Raw scores (N,) and class logits (N, num_classes) from one pass of a discriminator
        with an auxiliary classifier (:class:`~ganzoo.models.AuxiliaryClassifierDiscriminator`)."""
        if not isinstance(self.discriminator, AuxiliaryClassifierDiscriminator):
            raise ConfigError(
                f"{self.name}'s discriminator ({type(self.discriminator).__name__}) has no "
                "auxiliary classifier; use a model such as acgan."
            )
        self.check_images(images)
        return self.discriminator(images, return_logits=True)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        labels: Tensor | list[int] | None = None,
        seed: int | None = None,
        batch_size: int = 256,
        truncation: float | None = None,
        precision: str = "auto",
    ) -> Tensor:
        """``n`` images in [-1, 1], shape (n, C, H, W), from the sampling generator in eval mode.

        Uses the EMA weights when the recipe keeps them. Conditional models cycle through the
        classes when ``labels`` is None. ``truncation`` is psi of the truncation trick (models
        whose generator supports it, such as stylegan). ``precision``: ``auto`` (the default)
        runs the generator under bf16 autocast where the device computes bf16 natively (AMX /
        AVX512-BF16 CPUs, bf16 GPUs) and the model does not opt out, else fp32; ``fp32`` always
        gives the exact fp32 images; ``bf16``/``fp16`` force autocast. Images come back fp32.
        """
        positive_int(n, "The number of samples (n)")
        positive_int(batch_size, "batch_size")
        if precision != "fp32":
            hardware = Hardware.detect(self.device)
            precision = resolve_precision(precision, hardware, model=self.name, use="sample")
        rng = None
        if seed is not None:
            rng = torch.Generator(device=self.device).manual_seed(seed)
        if labels is None and self.num_classes:
            labels = torch.arange(n, device=self.device) % self.num_classes
        if labels is not None:
            labels = self.check_labels(torch.as_tensor(labels), n)
        network = self.sampler
        was_training = network.training
        network.eval()
        try:
            chunks = []
            for start in range(0, n, batch_size):
                count = min(batch_size, n - start)
                z = self.sample_latent(count, generator=rng)
                chunk_labels = None if labels is None else labels[start : start + count]
                with autocast(precision, self.device):
                    images = self.generate(z, chunk_labels, ema=True, truncation=truncation)
                chunks.append(images.float())
            return torch.cat(chunks).clamp_(-1, 1)
        finally:
            network.train(was_training)

    @torch.no_grad()
    def interpolate(
        self,
        steps: int = 8,
        *,
        points: int = 2,
        seed: int = 0,
        latents: Tensor | None = None,
        label: int | None = None,
        truncation: float | None = None,
        return_latents: bool = False,
    ) -> Tensor | tuple[Tensor, Tensor]:
        """A walk through latent space: images in [-1, 1], shape (F, C, H, W), fp32.

        The waypoints are ``latents`` (K, latent_dim), or else the ``points`` codes that
        ``sample(points, seed=seed)`` draws, so the walk's waypoint images are those samples.
        Each leg has ``steps`` images counting both ends: F = (K - 1) * (steps - 1) + 1.
        Gaussian codes are joined by spherical interpolation
        (:func:`~ganzoo.utils.latent_paths.slerp`); style-based generators (stylegan) are walked
        in straight lines through their intermediate space W (the mapping network's output,
        which has no Gaussian shell to keep to). Conditional models keep one ``label``
        (default class 0) along the walk. Runs the sampling generator in eval mode without
        autocast: the same call gives the same images. ``return_latents=True`` also returns the path walked, (F, D): codes z, or w
        for stylegan.
        """
        waypoints = self._waypoints(latents, points, seed)
        labels = self._fixed_labels(label, waypoints.shape[0])
        network = self.sampler
        with self._sampling():
            if getattr(network, "has_w_space", False):
                path = chain(network.map_to_w(waypoints, labels), steps, lerp)
                images = network.from_w(path, truncation=truncation)
            else:
                path = chain(waypoints, steps, slerp)
                path_labels = None if labels is None else labels[:1].expand(path.shape[0])
                images = self.generate(path, path_labels, ema=True, truncation=truncation)
        images = images.float().clamp_(-1, 1)
        return (images, path) if return_latents else images

    @torch.no_grad()
    def class_sweep(
        self,
        n: int = 1,
        *,
        seed: int = 0,
        latents: Tensor | None = None,
        truncation: float | None = None,
    ) -> Tensor:
        """Each latent code in every class: images in [-1, 1], shape (n * num_classes, C, H, W),
        fp32, code-major (row i of a grid with ``num_classes`` columns is code i in classes
        0, 1, ...). The codes are ``latents`` (n, latent_dim), or else those that
        ``sample(n, seed=seed)`` draws. Conditional models only (cgan, acgan, ...)."""
        if not self.num_classes:
            raise ConfigError(
                f"{self.name} is unconditional: a class sweep needs a class-conditional model "
                "such as cgan or acgan."
            )
        codes = self._waypoints(latents, n, seed, least=1)
        k = self.num_classes
        labels = torch.arange(k, device=self.device).repeat(codes.shape[0])
        with self._sampling():
            images = self.generate(
                codes.repeat_interleave(k, dim=0), labels, ema=True, truncation=truncation
            )
        return images.float().clamp_(-1, 1)

    def _waypoints(self, latents: Tensor | None, count: int, seed: int, least: int = 2) -> Tensor:
        """``latents`` checked and on this device, or ``count`` codes drawn as ``sample`` does."""
        dtype = next(self.generator.parameters()).dtype
        if latents is None:
            positive_int(count, "The number of latent codes")
            if count < least:
                raise ConfigError(f"A walk needs at least {least} points, got {count}.")
            rng = torch.Generator(device=self.device).manual_seed(int(seed))
            return self.sample_latent(count, generator=rng)
        latents = torch.as_tensor(latents)
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim or len(latents) < least:
            raise ConfigError(
                f"Expected at least {least} latent codes of shape (K, {self.latent_dim}), got "
                f"{tuple(latents.shape)}."
            )
        return latents.to(self.device, dtype)

    def _fixed_labels(self, label: int | None, n: int) -> Tensor | None:
        """``n`` copies of ``label`` (class 0 by default) for a conditional model, else None."""
        if not self.num_classes:
            if label is not None:
                raise ConfigError(f"{self.name} is unconditional: walk it without a label.")
            return None
        label = 0 if label is None else label
        if (
            isinstance(label, bool)
            or not isinstance(label, numbers.Integral)
            or not 0 <= label < self.num_classes
        ):
            raise ConfigError(
                f"label must be a class id in [0, {self.num_classes}) for {self.name}, got {label!r}."
            )
        return torch.full((n,), int(label), device=self.device, dtype=torch.long)

    @contextmanager
    def _sampling(self) -> Iterator[None]:
        """The sampling generator in eval mode for the block, then back to its mode."""
        network = self.sampler
        was_training = network.training
        network.eval()
        try:
            yield
        finally:
            network.train(was_training)
