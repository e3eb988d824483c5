"""The DCGAN family: dcgan, lsgan, wgan and wgan-gp (one architecture, four objectives)."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.dcgan import DCGANDiscriminator, DCGANGenerator
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from ._builder import build_gan


def _dcgan_family(
    name: str, objective: str, recipe: Recipe, overrides: dict[str, Any], **kw: Any
) -> GAN:
    return build_gan(
        name,
        DCGANGenerator,
        DCGANDiscriminator,
        objective=objective,
        recipe=recipe,
        overrides=overrides,
        **kw,
    )


@register_model(tiny={"width": 8})
def dcgan(**overrides: Any) -> GAN:
    """DCGAN (Radford et al., 2016): transposed-conv generator, strided-conv discriminator, batch norm, non-saturating loss."""
    return _dcgan_family("dcgan", "non-saturating", Recipe(steps=2000, batch_size=64), overrides)


@register_model(tiny={"width": 8})
def lsgan(**overrides: Any) -> GAN:
    """LSGAN (Mao et al., 2017): the DCGAN architecture trained with the least-squares objective."""
    return _dcgan_family("lsgan", "least-squares", Recipe(steps=2000, batch_size=64), overrides)


@register_model(tiny={"width": 8})
def wgan(**overrides: Any) -> GAN:
    """WGAN (Arjovsky et al., 2017): Wasserstein critic with weight clipping (0.01), RMSprop 5e-5, n_critic 5."""
    rmsprop = OptimizerConfig(name="rmsprop", lr=5e-5)
    recipe = Recipe(steps=3000, batch_size=64, n_critic=5, g_optimizer=rmsprop, d_optimizer=rmsprop)
    return _dcgan_family(
        "wgan",
        "wasserstein",
        recipe,
        overrides,
        regularizers=[{"name": "weight-clipping", "clip": 0.01}],
    )


@register_model(tiny={"width": 8})
def wgan_gp(**overrides: Any) -> GAN:
    """WGAN-GP (Gulrajani et al., 2017): Wasserstein loss with gradient penalty (10), no batch norm in the critic, n_critic 5."""
    adam = OptimizerConfig(lr=1e-4, betas=(0.0, 0.9))
    recipe = Recipe(steps=2000, batch_size=64, n_critic=5, g_optimizer=adam, d_optimizer=adam)
    return _dcgan_family(
        "wgan-gp",
        "wasserstein",
        recipe,
        overrides,
        defaults={"d_norm": "none"},
        regularizers=[{"name": "gradient-penalty", "weight": 10.0}],
    )
