"""CycleGAN (Zhu et al., 2017): unpaired translation with two ResNet generators (A->B, B->A), two
PatchGAN discriminators, least-squares adversarial + cycle-consistency + identity losses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import dcgan_init, make_norm
from ..lr_schedule import LRSchedule
from ..objectives import CycleGANObjective
from ..objectives.translation import CycleFakes
from ..recipe import Recipe
from ..registry import register_model
from ..translation import TranslationGAN, run_in_eval
from .base import Discriminator, Translator
from .builder import build_gan
from .patchgan import PatchDiscriminator


class ResidualBlock(nn.Module):
    """x + (reflect-pad, 3x3 conv, norm, ReLU, reflect-pad, 3x3 conv, norm)(x)."""

    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), make_norm(norm, channels),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), make_norm(norm, channels),
        )  # fmt: skip

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
            nn.ReflectionPad2d(3), nn.Conv2d(source_channels, w, 7), make_norm(norm, w), nn.ReLU(True),
            nn.Conv2d(w, 2 * w, 3, 2, 1), make_norm(norm, 2 * w), nn.ReLU(True),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1), make_norm(norm, 4 * w), nn.ReLU(True),
        ]  # fmt: skip
        layers += [ResidualBlock(4 * w, norm) for _ in range(blocks)]
        layers += [
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, 1, output_padding=1), make_norm(norm, 2 * w),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * w, w, 3, 2, 1, output_padding=1), make_norm(norm, w), nn.ReLU(True),
            nn.ReflectionPad2d(3), nn.Conv2d(w, channels, 7), nn.Tanh(),
        ]  # fmt: skip
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


class CycleGAN(TranslationGAN):
    """A :class:`~ganzoo.translation.TranslationGAN` with both directions: ``translate(images)``
    maps A -> B, ``translate(images, direction="b2a")`` B -> A. Learns from unpaired data."""

    paired = False

    def fake_batch(
        self, real: Tensor, condition: Tensor | None, latent: Callable[[int], Tensor]
    ) -> CycleFakes:
        """Both translations of the step: the sources (A) to B and the targets (B) to A."""
        source = self._check_source(condition, real.shape[0])
        return CycleFakes(self.generator.a2b(source), self.generator.b2a(real))

    def translate(
        self, images: Tensor, batch_size: int = 64, ema: bool = True, direction: str = "a2b"
    ) -> Tensor:
        """Translate ``images`` A -> B (``direction="a2b"``) or B -> A (``"b2a"``)."""
        if direction == "a2b":
            return super().translate(images, batch_size, ema)
        if direction != "b2a":
            raise ConfigError(f"direction must be 'a2b' or 'b2a', got {direction!r}.")
        images = torch.as_tensor(images)
        self._check_images(images)  # B -> A takes target-domain images
        network = self.sampler if ema else self.generator
        return run_in_eval(network.b2a, images, batch_size)


@register_model
def cyclegan(**overrides: Any) -> CycleGAN:
    """CycleGAN (Zhu et al., 2017): unpaired translation, two ResNet generators, two PatchGAN discriminators, least-squares + 10 x cycle + 5 x identity, pool of 50 past fakes."""
    # Adam 2e-4, betas (0.5, 0.999), constant for the first half, then linearly to 0: the paper's.
    recipe = Recipe(steps=3000, batch_size=16, lr_schedule=LRSchedule("linear", start=0.5))
    gan = build_gan("cyclegan", CycleTranslators, CycleDiscriminators, objective="least-squares",
                    objective_class=CycleGANObjective, gan_class=CycleGAN, recipe=recipe,
                    defaults={"source_channels": overrides.get("channels", 1)}, overrides=overrides)  # fmt: skip
    g = gan.generator
    if gan.objective.identity_weight and g.channels != g.source_channels:
        raise ConfigError(
            f"cyclegan: the identity loss compares images of both domains, which have "
            f"{g.source_channels} and {g.channels} channels; set identity_weight=0."
        )
    return gan
