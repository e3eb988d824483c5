"""CycleGAN (Zhu et al., 2017): unpaired translation with two ResNet generators (A->B, B->A), two
PatchGAN discriminators, least-squares adversarial + cycle-consistency + identity losses."""

from __future__ import annotations

from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import dcgan_init, make_norm
from .base import Discriminator, Translator
from .patchgan import PatchDiscriminator


class ResidualBlock(nn.Module):
    """x + (reflect-pad, 3x3 conv, norm, ReLU, reflect-pad, 3x3 conv, norm)(x)."""

    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            make_norm(norm, channels),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            make_norm(norm, channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class ResNetTranslator(Translator):
    """Johnson et al.'s (2016) network as CycleGAN uses it: a 7x7 conv, two stride-2 convs down,
    ``blocks`` residual blocks, two transposed convs up, a 7x7 conv and tanh; instance norm,
    reflection padding. Needs a size divisible by 4."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        source_channels: int = 1,
        width: int = 64,
        blocks: int = 6,
        norm: str = "instance",
    ) -> None:
        super().__init__(img_size, channels, source_channels)
        if img_size % 4:
            raise ConfigError(
                f"ResNetTranslator halves the size twice: img_size must be divisible by 4, got {img_size}."
            )
        if not isinstance(blocks, int) or blocks < 0:
            raise ConfigError(f"blocks must be an integer >= 0, got {blocks!r}.")
        w = width
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(source_channels, w, 7),
            make_norm(norm, w),
            nn.ReLU(True),
            nn.Conv2d(w, 2 * w, 3, 2, 1),
            make_norm(norm, 2 * w),
            nn.ReLU(True),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1),
            make_norm(norm, 4 * w),
            nn.ReLU(True),
        ]
        layers += [ResidualBlock(4 * w, norm) for _ in range(blocks)]
        layers += [
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, 1, output_padding=1),
            make_norm(norm, 2 * w),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * w, w, 3, 2, 1, output_padding=1),
            make_norm(norm, w),
            nn.ReLU(True),
            nn.ReflectionPad2d(3),
            nn.Conv2d(w, channels, 7),
            nn.Tanh(),
        ]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, source: Tensor) -> Tensor:
        return self.net(source)


class CycleTranslators(Translator):
    """CycleGAN's two generators: ``a2b`` (sources -> targets, also this module's forward) and
    ``b2a`` (targets -> sources)."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        source_channels: int = 1,
        width: int = 64,
        blocks: int = 6,
        norm: str = "instance",
    ) -> None:
        super().__init__(img_size, channels, source_channels)
        self.a2b = ResNetTranslator(img_size, channels, source_channels, width, blocks, norm)
        self.b2a = ResNetTranslator(img_size, source_channels, channels, width, blocks, norm)

    def forward(self, source: Tensor) -> Tensor:
        return self.a2b(source)


class CycleDiscriminators(Discriminator):
    """CycleGAN's two PatchGAN discriminators: ``d_b`` judges target-domain images (also this
    module's forward), ``d_a`` source-domain ones. Neither sees the other domain."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        source_channels: int = 1,
        width: int = 64,
        layers: int | None = None,
        norm: str = "instance",
    ) -> None:
        super().__init__(img_size, channels)
        self.a_channels = source_channels
        self.d_b = PatchDiscriminator(img_size, channels, 0, width, layers, norm)
        self.d_a = PatchDiscriminator(img_size, source_channels, 0, width, layers, norm)

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.d_b(images)
