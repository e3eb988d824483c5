"""The PatchGAN discriminator (Isola et al., 2017): a score per overlapping image patch."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import dcgan_init, make_norm
from .base import Discriminator


def default_patch_layers(img_size: int) -> int:
    """Strided layers: 3 (the paper's 70x70 patches) from 64 pixels up, 2 below (34x34)."""
    return 3 if img_size >= 64 else 2


class PatchDiscriminator(Discriminator):
    """``layers`` stride-2 4x4 convs (widths ``width`` x 1, 2, 4, 8 ...), a stride-1 conv, then a
    conv to one logit per patch: output (N, 1, h, w). With ``source_channels`` > 0 it judges an
    image beside its source image (pix2pix's conditional discriminator)."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        source_channels: int = 0,
        width: int = 64,
        layers: int | None = None,
        norm: str = "batch",
    ) -> None:
        super().__init__(img_size, channels)
        layers = default_patch_layers(img_size) if layers is None else layers
        if not isinstance(layers, int) or layers < 1 or img_size // 2**layers < 3:
            raise ConfigError(
                f"PatchDiscriminator: {layers!r} stride-2 layers do not fit {img_size}x{img_size} "
                f"images (each halves the size; at least 3 pixels must remain)."
            )
        self.source_channels = source_channels
        blocks: list[nn.Module] = []
        ch_in, ch = channels + source_channels, width
        for i in range(layers + 1):
            stride = 2 if i < layers else 1
            blocks.append(nn.Conv2d(ch_in, ch, 4, stride, 1, bias=i == 0 or norm == "none"))
            if i:
                blocks.append(make_norm(norm, ch))
            blocks.append(nn.LeakyReLU(0.2, inplace=True))
            ch_in, ch = ch, width * min(2 ** (i + 1), 8)
        blocks.append(nn.Conv2d(ch_in, 1, 4, 1, 1))
        self.net = nn.Sequential(*blocks)
        dcgan_init(self)

    def forward(self, images: Tensor, source: Tensor | None = None) -> Tensor:
        if self.source_channels:
            if source is None:
                raise ConfigError(
                    "This discriminator judges images beside their sources: pass them."
                )
            images = torch.cat([source.to(images.dtype), images], dim=1)
        return self.net(images)
