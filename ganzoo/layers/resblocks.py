"""Residual up/down blocks of the ResNet GANs (Miyato et al., 2018; as in Mimicry/StudioGAN).

Convolutions get Xavier-uniform init (gain sqrt(2) on the residual path, 1 on the shortcut)
before any spectral norm is attached, so the norm's power iteration starts from the real weights.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor, nn

from .conditioning import ConditionalBatchNorm2d
from .norm import maybe_spectral_norm


def xavier_conv(
    in_ch: int, out_ch: int, kernel: int, gain: float = 1.0, spectral: bool = False
) -> nn.Module:
    """A same-padding conv with Xavier-uniform weights and zero bias, optionally spectral-normed."""
    conv = nn.Conv2d(in_ch, out_ch, kernel, 1, kernel // 2)
    nn.init.xavier_uniform_(conv.weight, gain)
    nn.init.zeros_(conv.bias)
    return maybe_spectral_norm(conv, spectral)


def xavier_linear(in_dim: int, out_dim: int, spectral: bool = False) -> nn.Module:
    """A linear layer with Xavier-uniform weights and zero bias, optionally spectral-normed."""
    linear = nn.Linear(in_dim, out_dim)
    nn.init.xavier_uniform_(linear.weight)
    nn.init.zeros_(linear.bias)
    return maybe_spectral_norm(linear, spectral)


class _Norm(nn.Module):
    """Batch norm, class-conditional when ``num_classes`` > 0 (then it needs the labels)."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.bn = (
            ConditionalBatchNorm2d(channels, num_classes)
            if num_classes
            else nn.BatchNorm2d(channels)
        )

    def forward(self, x: Tensor, labels: Tensor | None) -> Tensor:
        return self.bn(x, labels) if isinstance(self.bn, ConditionalBatchNorm2d) else self.bn(x)


class UpBlock(nn.Module):
    """Generator block: BN-ReLU-upsample(2x nearest)-conv3x3-BN-ReLU-conv3x3, plus an upsampled
    1x1-conv shortcut. Batch norms are class-conditional when ``num_classes`` > 0."""

    def __init__(
        self, in_ch: int, out_ch: int, num_classes: int = 0, spectral: bool = False
    ) -> None:
        super().__init__()
        self.norm1 = _Norm(in_ch, num_classes)
        self.conv1 = xavier_conv(in_ch, out_ch, 3, math.sqrt(2), spectral)
        self.norm2 = _Norm(out_ch, num_classes)
        self.conv2 = xavier_conv(out_ch, out_ch, 3, math.sqrt(2), spectral)
        self.shortcut = xavier_conv(in_ch, out_ch, 1, 1.0, spectral)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = F.relu(self.norm1(x, labels))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.norm2(h, labels)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class DownBlock(nn.Module):
    """Discriminator block: ReLU-conv3x3-ReLU-conv3x3 (then 2x2 average pooling if
    ``downsample``), plus a 1x1-conv shortcut where the shape changes.

    ``first=True`` is the "optimized" input block: no leading ReLU, and the shortcut pools
    before its 1x1 conv. All convs are spectral-normed when ``spectral``.
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        downsample: bool = True,
        first: bool = False,
        spectral: bool = True,
    ) -> None:
        super().__init__()
        if first and not downsample:
            raise ValueError("The first (optimized) discriminator block always downsamples.")
        self.downsample = downsample
        self.first = first
        self.conv1 = xavier_conv(in_ch, out_ch, 3, math.sqrt(2), spectral)
        self.conv2 = xavier_conv(out_ch, out_ch, 3, math.sqrt(2), spectral)
        learnable = in_ch != out_ch or downsample
        self.shortcut = xavier_conv(in_ch, out_ch, 1, 1.0, spectral) if learnable else None

    def _pool(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, 2) if self.downsample else x

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv1(x if self.first else F.relu(x))
        h = self._pool(self.conv2(F.relu(h)))
        if self.shortcut is None:
            return h + x
        skip = self.shortcut(F.avg_pool2d(x, 2)) if self.first else self._pool(self.shortcut(x))
        return h + skip
