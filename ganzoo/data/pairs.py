"""Two-domain image data for translation models: paired (pix2pix) or unpaired (CycleGAN)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ..errors import DataError
from .images import convert_channels, resize, to_unit_range


@dataclass(eq=False)
class ImagePairs(Dataset):
    """Source-domain and target-domain images held as uint8 tensors (N, C, H, W).

    ``paired=True``: ``sources[i]`` translates to ``targets[i]`` (the two tensors have the same
    length). ``paired=False``: two unrelated collections (the lengths may differ); training
    draws a source for every target from its own seeded shuffle.
    Item ``i`` is ``(target, source)`` in [-1, 1]: the target is what the discriminator sees as
    real, the source is what the generator translates (unpaired: source ``i % len(sources)``).
    """

    sources: Tensor = field(repr=False)
    targets: Tensor = field(repr=False)
    paired: bool = True
    name: str = "pairs"
    num_classes: int = 0
    labels: None = None

    def __post_init__(self) -> None:
        for role, images in (("sources", self.sources), ("targets", self.targets)):
            if images.dtype != torch.uint8 or images.ndim != 4:
                raise DataError(
                    f"ImagePairs {role} must be uint8 (N, C, H, W) pixels, got "
                    f"{images.dtype} {tuple(images.shape)}."
                )
            if len(images) == 0:
                raise DataError(f"ImagePairs has no {role}.")
        if self.paired and len(self.sources) != len(self.targets):
            raise DataError(
                f"Paired data needs as many sources as targets, got {len(self.sources)} and "
                f"{len(self.targets)}; pass paired=False for unrelated collections."
            )
        if self.sources.shape[-2:] != self.targets.shape[-2:]:
            raise DataError(
                f"Sources are {tuple(self.sources.shape[-2:])} pixels but targets "
                f"{tuple(self.targets.shape[-2:])}; load both at one img_size."
            )

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape of a target image (what the generator makes)."""
        return tuple(self.targets.shape[1:])  # type: ignore[return-value]

    @property
    def source_shape(self) -> tuple[int, int, int]:
        """Shape of a source image (what the generator takes)."""
        return tuple(self.sources.shape[1:])  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        source = self.sources[index % len(self.sources)]
        return to_unit_range(self.targets[index]), to_unit_range(source)

    def reversed(self) -> ImagePairs:
        """The same data translated the other way (targets become sources)."""
        return ImagePairs(self.targets, self.sources, self.paired, f"{self.name} (reversed)")

    def formatted(
        self,
        img_size: int | None = None,
        channels: int | None = None,
        source_channels: int | None = None,
    ) -> ImagePairs:
        """A copy resized to ``img_size`` with targets converted to ``channels`` and sources to
        ``source_channels`` (each a no-op when it already matches)."""
        sources, targets = self.sources, self.targets
        if source_channels is not None:
            sources = convert_channels(sources, source_channels)
        if channels is not None:
            targets = convert_channels(targets, channels)
        if img_size is not None:
            sources, targets = resize(sources, img_size), resize(targets, img_size)
        return ImagePairs(sources, targets, self.paired, self.name)
