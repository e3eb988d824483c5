"""SNGAN: ResNet networks, spectral norm in the discriminator, hinge loss."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.sngan import SNGANDiscriminator, SNGANGenerator
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(tiny={"width": 8})
def sngan(**overrides: Any) -> GAN:
    """SNGAN (Miyato et al., 2018): ResNet generator, spectral-norm ResNet discriminator, hinge loss, n_critic 5."""
    adam = OptimizerConfig(lr=2e-4, betas=(0.0, 0.9))
    recipe = Recipe(steps=2000, batch_size=64, n_critic=5, g_optimizer=adam, d_optimizer=adam)
    return build_gan(
        "sngan",
        SNGANGenerator,
        SNGANDiscriminator,
        objective="hinge",
        recipe=recipe,
        overrides=overrides,
    )
