"""BEGAN (Berthelot et al., 2017): an autoencoder discriminator with an L1 reconstruction
error, and a generator with the architecture of its decoder.

Two architectures (``architecture=``): ``paper`` (the default) and ``dcgan``, a DCGAN generator
(transposed convs, batch norm, ReLU) against :class:`ShallowAutoencoder` (one conv layer, a
linear decoder), the setup common BEGAN re-implementations use for MNIST. The paper's
architecture collapsed onto one digit in every MNIST trial on a CPU budget (docs/models.md); the
``dcgan`` one trains there.

The paper's: 3x3 convolutions with ELU, ``width`` (n) filters per decoder layer,
nearest-neighbour upsampling; the encoder's filters grow linearly (n, 2n, 3n, ...) and
subsamples with stride-2 convolutions; fully connected maps to and from the embedding (h),
no batch norm. The base resolution is 8 (7 for 28x28 images).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from .autoencoder import AutoencoderDiscriminator
from .base import Generator

MAX_BASE = 8


def began_plan(img_size: int, model: str) -> tuple[int, int]:
    """Base resolution (3..8) and the number of 2x steps: 28 -> (7, 2), 32 -> (8, 2), 64 -> (8, 3)."""
    if not isinstance(img_size, int) or isinstance(img_size, bool) or img_size < 1:
        raise ConfigError(f"{model}: img_size must be a positive integer, got {img_size!r}.")
    base, steps = img_size, 0
    while base % 2 == 0 and base > MAX_BASE:
        base //= 2
        steps += 1
    if steps < 1 or not 3 <= base <= MAX_BASE:
        raise ConfigError(
            f"{model} cannot make {img_size}x{img_size} images: the size must be a base of 3 to "
            f"{MAX_BASE} doubled at least once (e.g. 28, 32, 48, 64, 128). Pick one of those, "
            "or resize your data with --img-size."
        )
    return base, steps


def _conv(c_in: int, c_out: int, stride: int = 1, batch_norm: bool = False) -> list[nn.Module]:
    if not batch_norm:
        return [nn.Conv2d(c_in, c_out, 3, stride, 1), nn.ELU(inplace=True)]
    return [
        nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ELU(inplace=True),
    ]


class BEGANDecoder(nn.Module):
    """h -> linear -> (n, base, base) -> [conv3x3-ELU x2, 2x nearest upsample] ... -> conv3x3
    to ``channels`` (linear output). ``batch_norm`` puts batch norm before every ELU."""

    def __init__(
        self,
        in_dim: int,
        channels: int,
        width: int,
        base: int,
        steps: int,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.width, self.base = width, base
        self.project = nn.Linear(in_dim, width * base * base)
        layers: list[nn.Module] = []
        for i in range(steps + 1):
            layers += _conv(width, width, batch_norm=batch_norm)
            layers += _conv(width, width, batch_norm=batch_norm)
            if i < steps:
                layers += [nn.Upsample(scale_factor=2, mode="nearest")]
        layers += [nn.Conv2d(width, channels, 3, 1, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, h: Tensor) -> Tensor:
        return self.net(self.project(h).view(-1, self.width, self.base, self.base))


class BEGANGenerator(Generator):
    """The decoder's architecture (own weights) from z, with tanh for images in [-1, 1].

    ``batch_norm=True`` adds batch norm before every ELU (not in the paper; see the MNIST
    recipe)."""

    def __init__(
        self,
        latent_dim: int = 64,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        batch_norm: bool = False,
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes)
        if num_classes:
            raise ConfigError(f"BEGAN is unconditional: use num_classes=0, got {num_classes}.")
        _check_width(width)
        if not isinstance(batch_norm, bool):
            raise ConfigError(f"batch_norm must be true or false, got {batch_norm!r}.")
        base, steps = began_plan(img_size, "began generator")
        self.decoder = BEGANDecoder(latent_dim, channels, width, base, steps, batch_norm)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return torch.tanh(self.decoder(z))


class BEGANDiscriminator(AutoencoderDiscriminator):
    """Encoder: conv3x3-ELU to n, then per scale i conv3x3-ELU x2 with (i+1)n filters and a
    stride-2 conv3x3-ELU to the next scale; a linear map to the ``code_dim`` embedding (h).
    Decoder: :class:`BEGANDecoder`. Score: minus the per-image mean absolute error."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        code_dim: int = 64,
    ) -> None:
        super().__init__(img_size, channels, num_classes, error="l1")
        _check_width(width, code_dim)
        base, steps = began_plan(img_size, "began discriminator")
        layers = _conv(channels, width)
        for i in range(steps + 1):
            ch = width * (i + 1)
            layers += _conv(ch, ch) + _conv(ch, ch)
            if i < steps:
                layers += _conv(ch, width * (i + 2), stride=2)
        top = width * (steps + 1)
        layers += [nn.Flatten(), nn.Linear(top * base * base, code_dim)]
        self.encoder = nn.Sequential(*layers)
        self.decoder = BEGANDecoder(code_dim, channels, width, base, steps)

    def encode(self, images: Tensor) -> Tensor:
        return self.encoder(images)

    def decode(self, embeddings: Tensor) -> Tensor:
        return self.decoder(embeddings)


class ShallowAutoencoder(AutoencoderDiscriminator):
    """Encoder: one 4x4 stride-2 conv with ``width`` filters and ReLU, then a linear map to the
    ``code_dim`` embedding; decoder: a linear map back and one 4x4 stride-2 transposed conv, so
    reconstructions are linear in the embedding. Score: minus the per-image mean absolute error.
    Needs an even image size."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        code_dim: int = 32,
    ) -> None:
        super().__init__(img_size, channels, num_classes, error="l1")
        _check_width(width, code_dim)
        if img_size % 2 or img_size < 4:
            raise ConfigError(
                f"began (architecture 'dcgan') needs an even image size of at least 4, got "
                f"{img_size}; resize your data with --img-size."
            )
        self.half, self.width = img_size // 2, width
        features = width * self.half * self.half
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1),
            nn.ReLU(inplace=True),
            nn.Flatten(),
            nn.Linear(features, code_dim),
        )
        self.expand = nn.Linear(code_dim, features)
        self.upsample = nn.ConvTranspose2d(width, channels, 4, 2, 1)

    def encode(self, images: Tensor) -> Tensor:
        return self.encoder(images)

    def decode(self, embeddings: Tensor) -> Tensor:
        return self.upsample(self.expand(embeddings).view(-1, self.width, self.half, self.half))


def _check_width(width: int, code_dim: int = 1) -> None:
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ConfigError(f"width must be a positive integer, got {width!r}.")
    if code_dim < 1:
        raise ConfigError(f"code_dim must be >= 1, got {code_dim}.")
