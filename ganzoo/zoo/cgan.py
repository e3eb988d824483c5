"""Conditional GAN: the DCGAN networks with label embeddings."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.dcgan import DCGANDiscriminator, DCGANGenerator
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(aliases=["conditional-gan"], tiny={"width": 8})
def cgan(**overrides: Any) -> GAN:
    """Conditional GAN (Mirza & Osindero, 2014): label embeddings enter both networks (DCGAN convs), non-saturating loss."""
    return build_gan(
        "cgan",
        DCGANGenerator,
        DCGANDiscriminator,
        objective="non-saturating",
        recipe=Recipe(steps=1500, batch_size=64),
        defaults={"num_classes": 10},
        overrides=overrides,
    )
