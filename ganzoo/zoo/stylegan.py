"""StyleGAN2: mapping network, modulated convolutions, lazy R1, optional path length."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.stylegan import StyleGANDiscriminator, StyleGANGenerator
from ..objectives.path_length import StyleGANObjective
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan

R1_GAMMA = 0.1
R1_EVERY = 16


def lazy_adam(lr: float, beta2: float, every: int) -> OptimizerConfig:
    """Adam (0, beta2) corrected for a regularizer applied every ``every`` steps (StyleGAN2,
    Appendix B): lr and betas raised to the power c = every / (every + 1); ``every=0``: none."""
    c = every / (every + 1) if every else 1.0
    return OptimizerConfig(lr=lr * c, betas=(0.0, beta2**c))


@register_model(tiny={"width": 8, "max_width": 16, "w_dim": 16, "mapping_layers": 2})
def stylegan(**overrides: Any) -> GAN:
    """StyleGAN2 (Karras et al., 2020): mapping network, modulated convs, noise, skip toRGB, style mixing, truncation; residual discriminator with minibatch std; non-saturating loss + lazy R1."""
    # Path length regularization is off by default at these sizes (as in StyleGAN2-ADA's CIFAR
    # setup); with pl_weight > 0, G's Adam gets the same lazy correction as D's.
    pl_every = overrides.get("pl_every", 4) if overrides.get("pl_weight") else 0
    pl_every = pl_every if isinstance(pl_every, int) and pl_every > 0 else 0  # else: its error
    recipe = Recipe(
        steps=5000,
        batch_size=32,
        g_optimizer=lazy_adam(0.0025, 0.99, pl_every),
        d_optimizer=lazy_adam(0.0025, 0.99, R1_EVERY),
        ema_decay=0.999,
    )
    r1 = {"name": "r1", "weight": R1_GAMMA, "every": R1_EVERY}
    return build_gan(
        "stylegan",
        StyleGANGenerator,
        StyleGANDiscriminator,
        objective="non-saturating",
        regularizers=[r1],
        recipe=recipe,
        objective_class=StyleGANObjective,
        overrides=overrides,
    )
