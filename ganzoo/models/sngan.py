"""SNGAN (Miyato et al., 2018): the ResNet generator/discriminator pair with spectral norm.

The two standard configurations (the paper's appendix; Mimicry's ``sngan_32``/``sngan_64``):

* up to 32x32 (CIFAR-10): generator ``width`` 256 in every block; discriminator ``width`` 128,
  an optimized down block, one more down block and two blocks at constant resolution.
* above 32x32 (64x64 and up): generator channels halve per block from ``16 * width`` down to
  ``width`` (64: 1024 -> 64); discriminator channels double per block from ``width`` (64 -> 1024),
  downsampling while the resolution is even.

Conditional when ``num_classes`` > 0: class-conditional batch norm in the generator and a
projection discriminator (Miyato & Koyama, 2018).
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..layers import DownBlock, UpBlock, maybe_spectral_norm, projection_score, spatial_plan
from ..layers.resblocks import xavier_conv, xavier_linear
from .base import Discriminator, Generator

SMALL = 32  # sizes up to this use the CIFAR configuration, larger ones the 64x64 one


def generator_channels(img_size: int, width: int, blocks: int) -> list[int]:
    """Feature channels before each up block and after the last one (``blocks + 1`` values)."""
    if img_size <= SMALL:
        return [width] * (blocks + 1)
    return [width * 2 ** (blocks - i) for i in range(blocks + 1)]


def discriminator_plan(img_size: int, width: int) -> list[tuple[int, bool]]:
    """``(out_channels, downsample)`` per discriminator block."""
    if img_size <= SMALL:
        return [(width, True), (width, True), (width, False), (width, False)]
    _, blocks = spatial_plan(img_size, "sngan discriminator")
    plan, res = [], img_size
    for i in range(blocks + 1):
        down = res % 2 == 0
        res = res // 2 if down else res
        plan.append((width * 2**i, down))
    return plan


class SNGANGenerator(Generator):
    """Linear z -> (C, s, s), residual up blocks, BN-ReLU-conv3x3, tanh.

    ``width`` defaults to 256 up to 32x32 and to 64 above (see the module docstring).
    """

    def __init__(
        self,
        latent_dim: int = 128,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int | None = None,
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes)
        base, blocks = spatial_plan(img_size, "sngan generator")
        width = width or (256 if img_size <= SMALL else 64)
        chs = generator_channels(img_size, width, blocks)
        self.base = base
        self.project = xavier_linear(latent_dim, chs[0] * base * base)
        self.blocks = nn.ModuleList(
            UpBlock(c_in, c_out, num_classes) for c_in, c_out in itertools.pairwise(chs)
        )
        self.out_norm = nn.BatchNorm2d(chs[-1])
        self.to_image = xavier_conv(chs[-1], channels, 3)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.project(z).view(z.shape[0], -1, self.base, self.base)
        for block in self.blocks:
            h = block(h, labels)
        return torch.tanh(self.to_image(F.relu(self.out_norm(h))))


class SNGANDiscriminator(Discriminator):
    """Spectral-norm residual down blocks, ReLU, global sum pooling, SN-linear score; a
    projection term ``<embed(y), h>`` when conditional.

    ``width`` defaults to 128 up to 32x32 and to 64 above (see the module docstring).
    """

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int | None = None,
    ) -> None:
        super().__init__(img_size, channels, num_classes)
        spatial_plan(img_size, "sngan discriminator")  # same size rules as the generator
        width = width or (128 if img_size <= SMALL else 64)
        blocks: list[nn.Module] = []
        ch_in = channels
        for i, (ch, down) in enumerate(discriminator_plan(img_size, width)):
            blocks.append(DownBlock(ch_in, ch, downsample=down, first=i == 0))
            ch_in = ch
        self.blocks = nn.Sequential(*blocks)
        self.score = xavier_linear(ch_in, 1, spectral=True)
        self.embed = None
        if num_classes:
            embed = nn.Embedding(num_classes, ch_in)
            nn.init.xavier_uniform_(embed.weight)
            self.embed = maybe_spectral_norm(embed, True)

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        h = F.relu(self.blocks(images)).sum(dim=(2, 3))
        return projection_score(h, self.score, self.embed, labels)
