"""The original GAN: MLP generator and discriminator."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.vanilla import MLPDiscriminator, MLPGenerator
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(aliases=["gan"], tiny={"hidden": [32, 32], "d_hidden": [32]})
def vanilla(**overrides: Any) -> GAN:
    """The original GAN (Goodfellow et al., 2014): MLP generator and discriminator, non-saturating loss."""
    recipe = Recipe(steps=5000, batch_size=64)
    return build_gan(
        "vanilla",
        MLPGenerator,
        MLPDiscriminator,
        objective="non-saturating",
        recipe=recipe,
        overrides=overrides,
    )
