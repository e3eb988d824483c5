"""pix2pix (Isola et al., 2017): paired image-to-image translation with a U-Net generator and a
conditional PatchGAN discriminator, adversarial + L1."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import dcgan_init, make_norm
from .base import Translator


def unet_depth(img_size: int, most: int = 8) -> int:
    """Down-samplings of a U-Net: as many halvings as keep the size whole, at most ``most``
    (256 -> 8 as in the paper, 64 -> 6, 32 -> 5, 28 -> 2)."""
    depth = 0
    while depth < most and img_size % 2 ** (depth + 1) == 0:
        depth += 1
    return depth


class UNetTranslator(Translator):
    """The pix2pix U-Net: ``depth`` 4x4 stride-2 conv blocks down (widths ``width`` x 1, 2, 4, 8,
    8 ...; LeakyReLU 0.2), mirrored transposed-conv blocks up (ReLU), each up block concatenated
    with its mirror's output (skip connections), tanh out. Dropout 0.5 in up to three up blocks
    next to the bottleneck, the generator's only noise (it is off in eval mode, i.e. when
    translating)."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        source_channels: int = 1,
        width: int = 64,
        depth: int | None = None,
        norm: str = "batch",
        dropout: float = 0.5,
    ) -> None:
        super().__init__(img_size, channels, source_channels)
        depth = unet_depth(img_size) if depth is None else depth
        if not isinstance(depth, int) or depth < 1 or img_size % 2**depth:
            raise ConfigError(
                f"UNetTranslator: depth {depth!r} does not fit {img_size}x{img_size} images (each "
                f"level halves the size exactly; {img_size} allows up to {unet_depth(img_size, 99)})."
            )
        widths = [width * min(2**i, 8) for i in range(depth)]
        bias = norm == "none"
        self.down = nn.ModuleList()
        for i, ch in enumerate(widths):
            ch_in = source_channels if i == 0 else widths[i - 1]
            block: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2, inplace=True)]
            block.append(nn.Conv2d(ch_in, ch, 4, 2, 1, bias=bias or i in (0, depth - 1)))
            if 0 < i < depth - 1:
                block.append(make_norm(norm, ch))
            self.down.append(nn.Sequential(*block))
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):
            ch_in = widths[i] if i == depth - 1 else 2 * widths[i]
            ch_out = channels if i == 0 else widths[i - 1]
            block = [
                nn.ReLU(inplace=True),
                nn.ConvTranspose2d(ch_in, ch_out, 4, 2, 1, bias=bias or i == 0),
            ]
            if i == 0:
                block.append(nn.Tanh())
            else:
                block.append(make_norm(norm, ch_out))
                if dropout and depth - 4 <= i <= depth - 2:  # the three blocks after the innermost
                    block.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*block))
        dcgan_init(self)

    def forward(self, source: Tensor) -> Tensor:
        skips = []
        h = source
        for block in self.down:
            h = block(h)
            skips.append(h)
        skips.pop()  # the bottleneck feeds the first up block directly
        for block in self.up:
            h = block(h)
            if skips:
                h = torch.cat([h, skips.pop()], dim=1)
        return h
