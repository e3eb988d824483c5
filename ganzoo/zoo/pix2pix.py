"""pix2pix: paired image-to-image translation with a U-Net and a conditional PatchGAN."""

from __future__ import annotations

from typing import Any

from ..gan import TranslationGAN
from ..models.patchgan import PatchDiscriminator
from ..models.pix2pix import UNetTranslator
from ..objectives import Pix2PixObjective
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(
    aliases=["pix2pix-unet"], tiny={"width": 8}, datasets=("edges2mnist", "edges2fashion")
)
def pix2pix(**overrides: Any) -> TranslationGAN:
    """pix2pix (Isola et al., 2017): paired image-to-image translation, U-Net generator, conditional PatchGAN discriminator, non-saturating + 100 x L1."""
    recipe = Recipe(steps=2000, batch_size=16)  # Adam 2e-4, betas (0.5, 0.999) as the paper
    gan = build_gan(
        "pix2pix",
        UNetTranslator,
        PatchDiscriminator,
        objective="non-saturating",
        objective_class=Pix2PixObjective,
        gan_class=TranslationGAN,
        recipe=recipe,
        defaults={"source_channels": overrides.get("channels", 1)},
        overrides=overrides,
    )
    return gan
