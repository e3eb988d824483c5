"""EBGAN: an autoencoder discriminator whose reconstruction error is the energy."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.dcgan import DCGANGenerator
from ..models.ebgan import EBGANDiscriminator
from ..objectives.energy import EBGANObjective, EnergyMarginLoss
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(tiny={"width": 8, "code_dim": 16})
def ebgan(**overrides: Any) -> GAN:
    """EBGAN (Zhao et al., 2017): DCGAN generator, autoencoder discriminator (MSE energy), margin loss (m=1) + pulling-away term (0.1)."""
    adam = OptimizerConfig(lr=2e-4, betas=(0.5, 0.999))
    recipe = Recipe(steps=2000, batch_size=64, g_optimizer=adam, d_optimizer=adam)
    return build_gan(
        "ebgan",
        DCGANGenerator,
        EBGANDiscriminator,
        objective=EnergyMarginLoss(),
        objective_class=EBGANObjective,
        recipe=recipe,
        overrides=overrides,
    )
