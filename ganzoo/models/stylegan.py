"""StyleGAN2 (Karras et al., 2020), scaled to 28x28, 32x32 and 64x64 images.

Generator: an 8-layer mapping network (lr multiplier 0.01) turns z into w; a learned constant
(4x4, or 7x7 for 28x28 so MNIST needs no resizing) goes through modulated/demodulated 3x3
convolutions with per-layer noise, doubling resolution per block, and skip toRGB outputs are
summed over resolutions. During training a second latent takes over the styles from a random
layer on with probability ``mixing_prob`` (style mixing), and ``w_avg`` tracks the mean w for
the truncation trick (``gan.sample(n, truncation=0.7)``). Discriminator: residual blocks with
[1, 3, 3, 1] downsampling, minibatch standard deviation, two linear layers. Equalized learning
rate throughout.

Channels follow resolution: ``min(max_width, width * img_size / res)``, so ``width`` channels
at full resolution, doubling per halving up to ``max_width``.

Divergences from the paper, all for small images on small machines: tanh on the output (the
zoo's generators end in [-1, 1]); upsample-then-conv instead of the fused transposed conv; a
7x7 constant for 28x28; per-sample mixing crossover points (the paper draws one per batch) and
minibatch-std groups of consecutive samples, so data-parallel ranks compute what one process
computes; R1 is added to the discriminator loss of every 16th step (scaled by 16) instead of a
separate optimizer step; path length regularization (``pl_weight``, every 4th generator step
on half the batch, :class:`~ganzoo.objectives.path_length.StyleGANObjective`) is off by default,
as in StyleGAN2-ADA's small-image (CIFAR) configuration; ``pl_weight=2`` is the paper's.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import projection_score
from ..layers.style import (
    DiscriminatorBlock,
    EqualConv2d,
    EqualLinear,
    MappingNetwork,
    StyledConv,
    SynthesisBlock,
    ToRGB,
    minibatch_std,
)
from ..utils.sharding import batch_mean, per_sample, rand_like
from .base import Discriminator, Generator

# img_size -> (resolution of the constant input, number of 2x blocks)
LAYOUTS = {28: (7, 2), 32: (4, 3), 64: (4, 4)}


def style_layout(img_size: int, model: str) -> tuple[int, int]:
    """``(base resolution, blocks)`` for a supported size; a ConfigError otherwise."""
    if isinstance(img_size, bool) or img_size not in LAYOUTS:
        raise ConfigError(
            f"{model} cannot make {img_size}x{img_size} images: supported sizes are 28 (a 7x7 "
            "constant input), 32 and 64. Resize your data with --img-size 32 or 64."
        )
    return LAYOUTS[img_size]


def style_channels(img_size: int, res: int, width: int, max_width: int) -> int:
    """Feature channels at resolution ``res``: ``width`` at full size, doubling per halving."""
    if width < 1 or max_width < 1:
        raise ConfigError(f"width and max_width must be >= 1, got {width}, {max_width}.")
    return min(max_width, width * img_size // res)


def check_truncation(psi: Any) -> float:
    """``psi`` as a float in [0, 1] (1 = no truncation, 0 = the average image)."""
    if isinstance(psi, bool) or not isinstance(psi, numbers.Real) or not 0.0 <= psi <= 1.0:
        raise ConfigError(f"truncation psi must be a number in [0, 1], got {psi!r}.")
    return float(psi)


class StyleGANGenerator(Generator):
    """Mapping network + synthesis network (see the module docstring).

    ``forward(z, labels, truncation=psi)`` pulls every w towards ``w_avg`` by ``1 - psi``.
    Training mode mixes styles, draws per-sample noise and updates ``w_avg``; eval mode uses the
    fixed noise buffers, so images depend on z (and the labels) only.
    """

    supports_truncation = True
    has_w_space = True  # map_to_w / from_w: walks interpolate in W (GAN.interpolate)

    def __init__(
        self,
        latent_dim: int = 128,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        max_width: int = 256,
        w_dim: int = 128,
        mapping_layers: int = 8,
        mapping_lr_mul: float = 0.01,
        mixing_prob: float = 0.9,
        w_avg_beta: float = 0.995,
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes)
        base, blocks = style_layout(img_size, "stylegan generator")
        if not 0.0 <= mixing_prob <= 1.0:
            raise ConfigError(f"mixing_prob must be in [0, 1], got {mixing_prob}.")
        if mapping_layers < 1 or w_dim < 1:
            raise ConfigError(
                f"mapping_layers and w_dim must be >= 1, got {mapping_layers}, {w_dim}."
            )
        res = [base * 2**i for i in range(blocks + 1)]
        chs = [style_channels(img_size, r, width, max_width) for r in res]
        self.mapping = MappingNetwork(
            latent_dim, w_dim, mapping_layers, mapping_lr_mul, num_classes
        )
        self.const = nn.Parameter(torch.randn(chs[0], base, base))
        self.conv = StyledConv(chs[0], chs[0], w_dim, base)
        self.to_rgb = ToRGB(chs[0], channels, w_dim)
        self.blocks = nn.ModuleList(
            SynthesisBlock(chs[i], chs[i + 1], w_dim, res[i + 1], channels) for i in range(blocks)
        )
        self.num_ws = 2 + 2 * blocks  # each block's toRGB style is the next block's first one
        self.mixing_prob = mixing_prob
        self.w_avg_beta = w_avg_beta
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(
        self, z: Tensor, labels: Tensor | None = None, truncation: float | None = None
    ) -> Tensor:
        return self.synthesis(self.styles(z, labels, truncation))

    def styles(
        self, z: Tensor, labels: Tensor | None = None, truncation: float | None = None
    ) -> Tensor:
        """Per-layer styles (N, num_ws, w_dim) of ``z``: mapped, and in training mode mixed and
        tracked in ``w_avg``; pulled towards ``w_avg`` when ``truncation`` is given."""
        w = self.mapping(z, labels)
        if self.training:
            with torch.no_grad():
                mean = batch_mean(w.detach().float()).to(self.w_avg.dtype)
                self.w_avg.copy_(mean.lerp(self.w_avg, self.w_avg_beta))
        ws = w[:, None].expand(-1, self.num_ws, -1)
        if self.training:
            ws = self.mix_styles(ws, z, labels)
        if truncation is not None:
            ws = self.truncate(ws, truncation)
        return ws

    def map_to_w(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        """The intermediate latents w (N, w_dim) of ``z``: the mapping network alone (no style
        mixing, no ``w_avg`` update)."""
        return self.mapping(z, labels)

    def from_w(self, w: Tensor, truncation: float | None = None) -> Tensor:
        """Images in [-1, 1] from intermediate latents ``w`` (N, w_dim), every layer given the same
        style; in eval mode ``from_w(map_to_w(z, labels))`` is ``forward(z, labels)``."""
        ws = w[:, None].expand(-1, self.num_ws, -1)
        if truncation is not None:
            ws = self.truncate(ws, truncation)
        return self.synthesis(ws)

    def mix_styles(self, ws: Tensor, z: Tensor, labels: Tensor | None) -> Tensor:
        """Style mixing: per sample, with probability ``mixing_prob``, the styles from a random
        layer ``1..num_ws-1`` on come from a second latent. The draws happen even at
        ``mixing_prob=0``, so the random stream does not depend on it."""
        n = z.shape[0]
        z2 = per_sample(lambda s: torch.randn(s, device=z.device, dtype=z.dtype), z.shape)
        cutoff = per_sample(lambda s: torch.randint(1, self.num_ws, s, device=z.device), (n,))
        mixed = rand_like(z[:, 0]) < self.mixing_prob
        if not self.mixing_prob:
            return ws
        w2 = self.mapping(z2, labels)
        layer = torch.arange(self.num_ws, device=z.device)
        second = mixed[:, None] & (layer[None] >= cutoff[:, None])  # (N, num_ws)
        return torch.where(second[..., None], w2[:, None], ws)

    def truncate(self, ws: Tensor, psi: float) -> Tensor:
        """``w_avg + psi * (ws - w_avg)``; ``psi`` in [0, 1]."""
        psi = check_truncation(psi)
        return ws if psi == 1.0 else self.w_avg.to(ws.dtype).lerp(ws, psi)

    def synthesis(self, ws: Tensor) -> Tensor:
        """Images in [-1, 1] from per-layer styles ``ws`` (N, num_ws, w_dim)."""
        x = self.const[None].expand(ws.shape[0], -1, -1, -1)
        x = self.conv(x, ws[:, 0])
        image = self.to_rgb(x, ws[:, 1])
        for i, block in enumerate(self.blocks):
            x, image = block(x, image, ws[:, 2 * i + 1 : 2 * i + 4])
        return torch.tanh(image)


class StyleGANDiscriminator(Discriminator):
    """fromRGB, residual down blocks to the base resolution, minibatch std, conv3x3, two
    linear layers; a projection term on the last features when conditional."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        max_width: int = 256,
        mbstd_group: int = 4,
    ) -> None:
        super().__init__(img_size, channels, num_classes)
        base, blocks = style_layout(img_size, "stylegan discriminator")
        res = [img_size // 2**i for i in range(blocks + 1)]
        chs = [style_channels(img_size, r, width, max_width) for r in res]
        self.from_rgb = EqualConv2d(channels, chs[0], 1, activate=True)
        self.blocks = nn.Sequential(
            *(DiscriminatorBlock(chs[i], chs[i + 1]) for i in range(blocks))
        )
        self.mbstd_group = mbstd_group
        self.conv = EqualConv2d(chs[-1] + 1, chs[-1], 3, activate=True)
        self.fc = EqualLinear(chs[-1] * base * base, chs[-1], activate=True)
        self.score = EqualLinear(chs[-1], 1)
        self.embed = None
        if num_classes:
            self.embed = nn.Embedding(num_classes, chs[-1])
            nn.init.normal_(self.embed.weight, std=chs[-1] ** -0.5)

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        x = self.blocks(self.from_rgb(images))
        x = self.conv(minibatch_std(x, self.mbstd_group))
        return projection_score(self.fc(x.flatten(1)), self.score, self.embed, labels)


__all__ = ["StyleGANDiscriminator", "StyleGANGenerator", "check_truncation"]
