"""StyleGAN2 building blocks (Karras et al., 2020).

Equalized learning rate (weights drawn N(0, 1) and scaled by He's constant at run time),
the mapping network, modulated/demodulated convolutions, per-layer noise inputs, the
[1, 3, 3, 1] FIR filter for 2x resampling and the minibatch standard deviation layer.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..utils.sharding import randn_like
from .conditioning import LabelEmbedding

SQRT2 = math.sqrt(2.0)


def lrelu(x: Tensor) -> Tensor:
    """Leaky ReLU (0.2) with StyleGAN's gain sqrt(2), which keeps unit variance."""
    return F.leaky_relu(x, 0.2) * SQRT2


def pixel_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    """Scale each row of ``x`` (N, D) to unit mean square."""
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + eps)


def _fir(x: Tensor, gain: float) -> Tensor:
    """The separable [1, 3, 3, 1] filter as a depthwise kernel (C, 1, 4, 4), summing to ``gain``."""
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0], device=x.device, dtype=x.dtype)
    kernel = torch.outer(taps, taps)
    return (kernel * (gain / kernel.sum())).expand(x.shape[1], 1, 4, 4)


def blur(x: Tensor, pad: int) -> Tensor:
    """Low-pass ``x`` with the [1, 3, 3, 1] filter after zero-padding ``pad`` on each side."""
    return F.conv2d(F.pad(x, [pad] * 4), _fir(x, 1.0), groups=x.shape[1])


def downsample2x(x: Tensor) -> Tensor:
    """Halve the resolution: [1, 3, 3, 1] low-pass, then keep every second pixel."""
    return F.conv2d(F.pad(x, [1] * 4), _fir(x, 1.0), stride=2, groups=x.shape[1])


def upsample2x(x: Tensor) -> Tensor:
    """Double the resolution: zero-insertion, then the [1, 3, 3, 1] filter (gain 4)."""
    return F.conv_transpose2d(x, _fir(x, 4.0), stride=2, padding=1, groups=x.shape[1])


class EqualLinear(nn.Module):
    """Linear layer with equalized learning rate and an lr multiplier (the mapping net's 0.01).

    Stored weights are N(0, 1 / lr_mul); the forward pass scales them by lr_mul / sqrt(fan_in),
    so Adam's step on every weight is the same relative to its effective size.
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        bias: bool = True,
        bias_init: float = 0.0,
        lr_mul: float = 1.0,
        activate: bool = False,
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init))) if bias else None
        self.scale = lr_mul / math.sqrt(in_dim)
        self.lr_mul = lr_mul
        self.activate = activate

    def forward(self, x: Tensor) -> Tensor:
        bias = None if self.bias is None else self.bias * self.lr_mul
        out = F.linear(x, self.weight * self.scale, bias)
        return lrelu(out) if self.activate else out

    def extra_repr(self) -> str:
        out_dim, in_dim = self.weight.shape
        return f"{in_dim}, {out_dim}, lr_mul={self.lr_mul}, activate={self.activate}"


class EqualConv2d(nn.Module):
    """Same-padding conv with equalized learning rate; ``down=True`` halves the resolution
    (3x3: blur then stride-2 conv; 1x1: FIR downsample then conv), as StyleGAN2's discriminator."""

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel: int,
        bias: bool = True,
        activate: bool = False,
        down: bool = False,
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch)) if bias else None
        self.scale = 1.0 / math.sqrt(in_ch * kernel * kernel)
        self.kernel, self.activate, self.down = kernel, activate, down

    def forward(self, x: Tensor) -> Tensor:
        weight = self.weight * self.scale
        if self.down and self.kernel == 1:
            out = F.conv2d(downsample2x(x), weight, self.bias)
        elif self.down:  # pad 2 + 4 taps + 3x3 stride 2 maps H to H / 2
            out = F.conv2d(blur(x, 2), weight, self.bias, stride=2)
        else:
            out = F.conv2d(x, weight, self.bias, padding=self.kernel // 2)
        return lrelu(out) if self.activate else out


class MappingNetwork(nn.Module):
    """z -> w: pixel-normalised z (and, if conditional, the normalised label embedding
    concatenated to it) through ``num_layers`` equalized-lr linear layers with lr multiplier."""

    def __init__(
        self,
        latent_dim: int,
        w_dim: int,
        num_layers: int = 8,
        lr_mul: float = 0.01,
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        self.embed = LabelEmbedding(num_classes, w_dim) if num_classes else None
        dims = [latent_dim + (w_dim if num_classes else 0)] + [w_dim] * num_layers
        self.layers = nn.Sequential(
            *(EqualLinear(a, b, lr_mul=lr_mul, activate=True) for a, b in itertools.pairwise(dims))
        )

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        x = pixel_norm(z)
        if self.embed is not None:
            x = torch.cat([x, pixel_norm(self.embed(labels))], dim=1)
        return self.layers(x)


class ModulatedConv2d(nn.Module):
    """Conv whose weights are scaled per sample by a style ``affine(w)`` (init 1) over input
    channels and, with ``demodulate``, renormalised to unit L2 norm per output channel.

    ``fused=True`` runs it as one grouped conv over per-sample weights (the paper's form);
    the default scales the activations instead (input by the style, output by the
    demodulation coefficients), which is the same operation with one shared-weight conv.
    ``up=True`` doubles the resolution first ([1, 3, 3, 1] upsampling).
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel: int,
        w_dim: int,
        demodulate: bool = True,
        up: bool = False,
    ) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.affine = EqualLinear(w_dim, in_ch, bias_init=1.0)
        self.scale = 1.0 / math.sqrt(in_ch * kernel * kernel)
        self.demodulate, self.up, self.fused = demodulate, up, False

    def modulated_weight(self, styles: Tensor) -> Tensor:
        """Per-sample weights (N, out, in, k, k) for styles (N, in)."""
        weight = self.weight[None] * self.scale * styles[:, None, :, None, None]
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.square().sum(dim=(2, 3, 4), keepdim=True) + 1e-8)
        return weight

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        styles = self.affine(w)
        if self.up:
            x = upsample2x(x)
        n, _, h, width = x.shape
        pad = self.weight.shape[-1] // 2
        if self.fused:
            weight = self.modulated_weight(styles).flatten(0, 1)
            out = F.conv2d(x.reshape(1, -1, h, width), weight, padding=pad, groups=n)
            return out.view(n, -1, h, width)
        weight = self.weight * self.scale
        out = F.conv2d(x * styles[:, :, None, None], weight, padding=pad)
        if self.demodulate:
            energy = styles.square() @ weight.square().sum(dim=(2, 3)).T  # (N, out)
            out = out * torch.rsqrt(energy + 1e-8)[:, :, None, None]
        return out


class StyledConv(nn.Module):
    """Modulated 3x3 conv, then per-pixel noise times a learned strength (init 0), bias, lrelu.

    Training draws fresh noise per sample (through :mod:`ganzoo.utils.sharding`, so
    data-parallel ranks draw what one process draws); eval mode uses a fixed noise buffer,
    so sampling is a function of z alone.
    """

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, resolution: int, up: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, out_ch, 3, w_dim, up=up)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        x = self.conv(x, w)
        noise = randn_like(x[:, :1]) if self.training else self.noise_const
        return lrelu(x + self.noise_strength * noise + self.bias[None, :, None, None])


class ToRGB(nn.Module):
    """Modulated 1x1 conv to image channels (no demodulation) plus bias."""

    def __init__(self, in_ch: int, channels: int, w_dim: int) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None]


class SynthesisBlock(nn.Module):
    """Up-sampling styled conv, styled conv, and a toRGB output added to the upsampled image."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, resolution: int, channels: int):
        super().__init__()
        self.conv0 = StyledConv(in_ch, out_ch, w_dim, resolution, up=True)
        self.conv1 = StyledConv(out_ch, out_ch, w_dim, resolution)
        self.to_rgb = ToRGB(out_ch, channels, w_dim)

    def forward(self, x: Tensor, image: Tensor, ws: Tensor) -> tuple[Tensor, Tensor]:
        """``ws`` (N, 3, w_dim): styles of conv0, conv1 and toRGB."""
        x = self.conv1(self.conv0(x, ws[:, 0]), ws[:, 1])
        return x, upsample2x(image) + self.to_rgb(x, ws[:, 2])


def minibatch_std(x: Tensor, group_size: int = 4) -> Tensor:
    """Append one feature map: the mean over features of the standard deviation across each
    group of consecutive samples (the largest group size <= ``group_size`` dividing N)."""
    n = x.shape[0]
    g = next(s for s in range(min(group_size, n), 0, -1) if n % s == 0)
    y = x.to(torch.promote_types(x.dtype, torch.float32)).reshape(n // g, g, *x.shape[1:])
    std = (y.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (N / g,)
    feature = std.repeat_interleave(g).to(x.dtype)[:, None, None, None]
    return torch.cat([x, feature.expand(n, 1, *x.shape[2:])], dim=1)


class DiscriminatorBlock(nn.Module):
    """Residual block: conv3x3-lrelu, conv3x3-down-lrelu, plus a down-1x1 skip; sum * sqrt(1/2)."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.conv0 = EqualConv2d(in_ch, in_ch, 3, activate=True)
        self.conv1 = EqualConv2d(in_ch, out_ch, 3, activate=True, down=True)
        self.skip = EqualConv2d(in_ch, out_ch, 1, bias=False, down=True)

    def forward(self, x: Tensor) -> Tensor:
        return (self.skip(x) + self.conv1(self.conv0(x))) * math.sqrt(0.5)
