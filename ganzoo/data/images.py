"""Image datasets as ganzoo uses them: uint8 pixels in memory (or streamed), labels optional."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset

from ..errors import DataError
from ..input_checks import check_in_memory_size

_LUMA = torch.tensor([0.299, 0.587, 0.114])


def to_unit_range(images: Tensor) -> Tensor:
    """uint8 pixels in [0, 255] -> float images in [-1, 1]."""
    return images.float().div_(127.5).sub_(1.0)


def convert_channels(images: Tensor, channels: int) -> Tensor:
    """Grey -> RGB by repetition, RGB -> grey by ITU-R 601 luma; (N, C, H, W) uint8 or float."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1:
        return images.expand(-1, channels, -1, -1).contiguous()
    if have == 3 and channels == 1:
        luma = (images.float() * _LUMA.view(1, 3, 1, 1)).sum(1, keepdim=True)
        return luma.round().to(images.dtype) if not images.dtype.is_floating_point else luma
    raise DataError(f"Cannot convert {have}-channel images to {channels} channels; use 1 or 3.")


def resize(images: Tensor, size: int) -> Tensor:
    """Resize a uint8 (N, C, H, W) batch to ``size`` x ``size`` (antialiased bilinear)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    out = []
    for chunk in images.split(2048):
        resized = F.interpolate(
            chunk.float(), size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
        out.append(resized.round_().clamp_(0, 255).to(torch.uint8))
    return torch.cat(out)


@dataclass(eq=False)
class TensorImages(Dataset):
    """A whole dataset held as a uint8 tensor (N, C, H, W) with optional integer labels."""

    images: Tensor
    labels: Tensor | None = None
    num_classes: int = 0
    name: str = "tensor"

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.ndim != 4:
            raise DataError(
                f"TensorImages needs uint8 (N, C, H, W) pixels, got {self.images.dtype} {tuple(self.images.shape)}."
            )
        if self.labels is not None and len(self.labels) != len(self.images):
            raise DataError(f"{len(self.images)} images but {len(self.labels)} labels.")

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        label = self.labels[index] if self.labels is not None else torch.tensor(-1)
        return to_unit_range(self.images[index]), label

    def formatted(self, img_size: int | None = None, channels: int | None = None) -> TensorImages:
        """A copy resized to ``img_size`` and converted to ``channels`` (no-op when they match)."""
        images = self.images
        if channels is not None:
            images = convert_channels(images, channels)
        if img_size is not None and tuple(images.shape[-2:]) != (img_size, img_size):
            check_in_memory_size(len(images), images.shape[1], img_size, self.name)
            images = resize(images, img_size)
        return TensorImages(images, self.labels, self.num_classes, self.name)
