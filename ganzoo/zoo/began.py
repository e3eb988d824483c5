"""BEGAN: autoencoder discriminator, boundary equilibrium between the two losses."""

from __future__ import annotations

from typing import Any

from ..errors import unknown_name
from ..gan import GAN
from ..lr_schedule import LRSchedule
from ..models.autoencoder import AutoencoderDiscriminator
from ..models.base import Generator
from ..models.began import BEGANDiscriminator, BEGANGenerator, ShallowAutoencoder
from ..models.dcgan import DCGANGenerator
from ..objectives.energy import BEGANObjective, BoundaryEquilibriumLoss
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan

ARCHITECTURES: dict[str, tuple[type[Generator], type[AutoencoderDiscriminator]]] = {
    "paper": (BEGANGenerator, BEGANDiscriminator),
    "dcgan": (DCGANGenerator, ShallowAutoencoder),
}


@register_model(tiny={"width": 8, "code_dim": 16})
def began(architecture: str = "paper", **overrides: Any) -> GAN:
    """BEGAN (Berthelot et al., 2017): ELU conv autoencoder discriminator (L1), decoder-shaped generator, equilibrium k_t (gamma 0.5, lambda_k 0.001), lr halved when M stalls."""
    if not isinstance(architecture, str) or architecture not in ARCHITECTURES:
        raise unknown_name("began architecture", str(architecture), ARCHITECTURES)
    generator, discriminator = ARCHITECTURES[architecture]
    adam = OptimizerConfig(lr=1e-4, betas=(0.5, 0.999))
    stalled_m = LRSchedule("plateau", metric="convergence", patience=2000, factor=0.5)
    recipe = Recipe(
        steps=2000, batch_size=16, g_optimizer=adam, d_optimizer=adam, lr_schedule=stalled_m
    )
    return build_gan(
        "began",
        generator,
        discriminator,
        objective=BoundaryEquilibriumLoss(),
        objective_class=BEGANObjective,
        recipe=recipe,
        overrides=overrides,
        builder_args={"architecture": architecture},
    )
