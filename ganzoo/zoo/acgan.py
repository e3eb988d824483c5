"""ACGAN: a class-conditional generator against a discriminator that also classifies."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.acgan import ACGANDiscriminator, ACGANGenerator
from ..objectives import ACGANObjective
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(aliases=["auxiliary-classifier-gan"], tiny={"width": 8})
def acgan(**overrides: Any) -> GAN:
    """ACGAN (Odena et al., 2017): class-conditional DCGAN generator, discriminator with an auxiliary classifier head, non-saturating loss + class cross-entropy."""
    return build_gan(
        "acgan",
        ACGANGenerator,
        ACGANDiscriminator,
        objective="non-saturating",
        objective_class=ACGANObjective,
        recipe=Recipe(steps=2000, batch_size=64),
        defaults={"num_classes": 10},
        overrides=overrides,
    )
