"""Image-to-image translation GANs: the generator translates source images instead of decoding
latent codes (pix2pix, CycleGAN). Trained by the same :class:`~ganzoo.train.Trainer`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from ..data.batch import Batch
from ..data.images import convert_channels
from ..errors import ConfigError, DataError
from ..models.base import Translator
from .base import GANBase, Preview

PREVIEW_EXAMPLES = 16  # source/translation(/target) columns in the progress grids


class TranslationGAN(GANBase):
    """A GAN whose generator is a :class:`~ganzoo.models.Translator`: it translates source
    images instead of decoding latent codes (a sibling of the noise :class:`~ganzoo.GAN`).

    Trained on :class:`~ganzoo.data.ImagePairs`: each batch's targets are the real images and
    its sources the generator's input. ``paired`` models (pix2pix) need aligned pairs and a
    discriminator that sees the source beside the image (``source_channels`` > 0 on the
    discriminator); unpaired ones (CycleGAN) take any two collections.
    Use :meth:`translate` where unconditional models use ``sample``.
    """

    task = "image-to-image"
    paired: bool = True

    def check_networks(self, generator: nn.Module, discriminator: nn.Module) -> None:
        if not isinstance(generator, Translator):
            raise ConfigError(
                f"A TranslationGAN needs a Translator generator, got {type(generator).__name__}."
            )
        d_shape = (discriminator.channels, discriminator.img_size, discriminator.img_size)
        if generator.image_shape != d_shape:
            raise ConfigError(
                f"Generator makes {generator.image_shape} images but the discriminator takes {d_shape}."
            )
        seen = getattr(discriminator, "source_channels", 0)
        if seen and seen != generator.source_channels:
            raise ConfigError(
                f"The discriminator sees {seen}-channel sources but the generator translates "
                f"{generator.source_channels}-channel ones: build both with one source_channels."
            )

    def check_data(self, data: Any) -> None:
        """Raise :class:`~ganzoo.errors.DataError` unless ``data`` holds image pairs that fit."""
        source_shape = getattr(data, "source_shape", None)
        if source_shape is None:
            raise DataError(
                f"{self.name} translates images: train it on two-domain data (ImagePairs: a "
                "translation task such as edges2mnist, or folders A/B, trainA/trainB)."
            )
        for role, have, want in (
            ("target", tuple(data.image_shape), self.image_shape),
            ("source", tuple(source_shape), self.source_shape),
        ):
            if have != want:
                raise DataError(
                    f"The data's {role} images are {'x'.join(map(str, have))} but {self.name} "
                    f"was built for {'x'.join(map(str, want))}; build the model with "
                    "img_size/channels/source_channels set to the data's."
                )
        if self.paired and not getattr(data, "paired", False):
            raise DataError(
                f"{self.name} learns from aligned pairs, and this data is unpaired; use paired "
                "data (A/B folders with matching names) or an unpaired model such as cyclegan."
            )

    @property
    def source_shape(self) -> tuple[int, int, int]:
        """Shape of one source image, (C, H, W)."""
        return self.generator.source_shape

    def check_source(self, source: Tensor | None, n: int | None = None) -> Tensor:
        """``source`` if it is a float batch of ``n`` source images of the right shape, else a
        ConfigError saying what this model translates."""
        if source is None or not torch.is_tensor(source) or not source.dtype.is_floating_point:
            raise ConfigError(
                f"{self.name} translates images: pass float source images shaped "
                f"(N, {', '.join(map(str, self.source_shape))}) in [-1, 1]."
            )
        if source.ndim != 4 or tuple(source.shape[1:]) != self.source_shape:
            c, h, w = self.source_shape
            raise ConfigError(
                f"{self.name} translates images of shape (N, {c}, {h}, {w}); got "
                f"{tuple(source.shape)}. Resize / convert the images (ganzoo translate does it)."
            )
        if n is not None and source.shape[0] != n:
            raise ConfigError(f"Expected {n} source images, got {source.shape[0]}.")
        return source

    def condition(self, batch: Batch) -> Tensor | None:
        """The batch's source images, which a paired model's discriminator sees beside the
        images it scores (None for an unpaired model)."""
        return batch.source if self.sees_source else None

    @property
    def sees_source(self) -> bool:
        """Whether the discriminator scores (image, source) pairs (pix2pix's conditional D)."""
        return bool(getattr(self.discriminator, "source_channels", 0))

    def discriminate(self, images: Tensor, condition: Tensor | None = None) -> Tensor:
        """Discriminator scores of ``images``; a paired model's discriminator also sees the
        source images (``condition``), as a class-conditional one sees labels."""
        self.check_images(images)
        if self.sees_source:
            return self.discriminator(images, self.check_source(condition, images.shape[0]))
        return self.discriminator(images)

    def fake_batch(self, batch: Batch, latent: Callable[[int], Tensor]) -> Tensor:
        """The batch's source images translated."""
        return self.generator(self.check_source(batch.source, len(batch)))

    def translate(self, images: Tensor, batch_size: int = 64, ema: bool = True) -> Tensor:
        """Translate source ``images`` (N, C, H, W) in [-1, 1] with the generator in eval mode
        (the EMA weights when kept and ``ema``); returns target-domain images in [-1, 1]."""
        images = self.check_source(torch.as_tensor(images))
        return run_in_eval(self.sampler if ema else self.generator, images, batch_size)

    def preview_inputs(self, data: Any, n: int, seed: int) -> Any:
        """The data's first sources (and their targets), shown translated in every grid."""
        count = min(n, PREVIEW_EXAMPLES, len(data))
        items = [data[i] for i in range(count)]
        targets = torch.stack([t for t, _ in items])
        sources = torch.stack([s for _, s in items])
        return sources, targets

    def preview(self, inputs: Any) -> Preview:
        """Rows of 8: sources, their translations and (paired data) the true targets."""
        sources, targets = inputs
        translated = self.translate(sources)
        shown = convert_channels(sources.cpu().float(), self.image_shape[0])  # RGB<->grey on CPU
        rows = [shown.to(translated), translated]
        if self.paired:
            rows.append(targets.to(translated))
        width = 8
        grid = torch.cat(
            [row[i : i + width] for i in range(0, len(translated), width) for row in rows]
        )
        return Preview(translated, grid, width)

    def _compile_example(self) -> Tensor:
        source = torch.zeros(2, *self.source_shape, device=self.device)
        return self.discriminate(self.generator(source), source).sum()


@torch.no_grad()
def run_in_eval(network: nn.Module, images: Tensor, batch_size: int) -> Tensor:
    """``network`` applied in eval mode to ``images`` in chunks on its device, clamped to
    [-1, 1]; its training mode is restored afterwards."""
    device = next(network.parameters()).device
    was_training = network.training
    network.eval()
    try:
        chunks = [network(c.to(device)).clamp_(-1, 1) for c in images.split(batch_size)]
    finally:
        network.train(was_training)
    return torch.cat(chunks)
