"""SAGAN: self-attention and spectral norm, hinge loss, two time-scale updates."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.sagan import SAGANDiscriminator, SAGANGenerator
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(tiny={"width": 8})
def sagan(**overrides: Any) -> GAN:
    """SAGAN (Zhang et al., 2019): self-attention and spectral norm in both networks, hinge loss, TTUR (1e-4 / 4e-4)."""
    recipe = Recipe(
        steps=2000,
        batch_size=64,
        g_optimizer=OptimizerConfig(lr=1e-4, betas=(0.0, 0.9)),
        d_optimizer=OptimizerConfig(lr=4e-4, betas=(0.0, 0.9)),
    )
    return build_gan(
        "sagan",
        SAGANGenerator,
        SAGANDiscriminator,
        objective="hinge",
        recipe=recipe,
        overrides=overrides,
    )
