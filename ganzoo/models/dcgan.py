"""DCGAN architecture (Radford et al., 2016): transposed convs up, strided convs down."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ..gan import GAN
from ..layers import (
    LabelEmbedding,
    append_label_embedding,
    dcgan_init,
    make_norm,
    maybe_spectral_norm,
    spatial_plan,
)
from ..recipe import OptimizerConfig, Recipe
from ..registry import register_model
from .base import Discriminator, Generator
from .builder import build_gan


class DCGANGenerator(Generator):
    """z -> (width * 2**(k-1), s, s) -> k transposed-conv blocks doubling resolution -> tanh.

    Conditional when ``num_classes`` > 0: a label embedding is concatenated to z.
    """

    def __init__(
        self,
        latent_dim: int = 100,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        norm: str = "batch",
        embed_dim: int = 50,
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes)
        base, blocks = spatial_plan(img_size, "dcgan generator")
        in_dim = self._conditioning(latent_dim, num_classes, embed_dim)
        ch = width * 2 ** (blocks - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(in_dim, ch, base, 1, 0, bias=norm == "none"),
            make_norm(norm, ch),
            nn.ReLU(True),
        ]
        for _ in range(blocks - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=norm == "none"),
                make_norm(norm, ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def _conditioning(self, latent_dim: int, num_classes: int, embed_dim: int) -> int:
        """Set up ``self.embed``; returns the input width of the network (z + the embedding)."""
        self.embed = LabelEmbedding(num_classes, embed_dim) if num_classes else None
        return latent_dim + (embed_dim if num_classes else 0)

    def _input(self, z: Tensor, labels: Tensor | None) -> Tensor:
        return append_label_embedding(z, self.embed, labels)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.net(self._input(z, labels)[:, :, None, None])


def strided_conv_layers(
    ch_in: int, width: int, blocks: int, norm: str, spectral: bool, dropout: float
) -> tuple[list[nn.Module], int]:
    """DCGAN's down path: ``blocks`` stride-2 conv4x4 blocks doubling the channels from
    ``width``, normalised after every conv but the first, LeakyReLU(0.2), optional dropout.
    Returns the layers and their output channel count."""
    layers: list[nn.Module] = []
    ch = width
    for i in range(blocks):
        conv = nn.Conv2d(ch_in, ch, 4, 2, 1, bias=i == 0 or norm == "none")
        layers += [maybe_spectral_norm(conv, spectral)]
        if i > 0:
            layers += [make_norm(norm, ch)]
        layers += [nn.LeakyReLU(0.2, True)]
        if dropout:
            layers += [nn.Dropout(dropout)]
        ch_in, ch = ch, ch * 2
    return layers, ch_in


class DCGANDiscriminator(Discriminator):
    """k strided-conv blocks halving resolution, LeakyReLU(0.2), then a conv to one score.

    ``norm`` picks the normalisation after every conv but the first (``none`` for WGAN-GP
    critics), ``spectral`` adds spectral norm. Conditional when ``num_classes`` > 0: the label's
    embedding, shaped as an extra image channel, is concatenated to the input.
    """

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        norm: str = "batch",
        spectral: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(img_size, channels, num_classes)
        base, blocks = spatial_plan(img_size, "dcgan discriminator")
        self.embed = LabelEmbedding(num_classes, img_size * img_size) if num_classes else None
        ch_in = channels + (1 if num_classes else 0)
        layers, ch = strided_conv_layers(ch_in, width, blocks, norm, spectral, dropout)
        layers += [maybe_spectral_norm(nn.Conv2d(ch, 1, base, 1, 0), spectral)]
        self.net = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        if self.embed is not None:
            label_map = self.embed(labels).view(-1, 1, self.img_size, self.img_size)
            images = torch.cat([images, label_map], dim=1)
        return self.net(images).flatten()


def _dcgan_family(
    name: str, objective: str, recipe: Recipe, overrides: dict[str, Any], **kw: Any
) -> GAN:
    return build_gan(name, DCGANGenerator, DCGANDiscriminator, objective=objective, recipe=recipe,
                     overrides=overrides, **kw)  # fmt: skip


@register_model
def dcgan(**overrides: Any) -> GAN:
    """DCGAN (Radford et al., 2016): transposed-conv generator, strided-conv discriminator, batch norm, non-saturating loss."""
    return _dcgan_family("dcgan", "non-saturating", Recipe(steps=2000, batch_size=64), overrides)


@register_model
def lsgan(**overrides: Any) -> GAN:
    """LSGAN (Mao et al., 2017): the DCGAN architecture trained with the least-squares objective."""
    return _dcgan_family("lsgan", "least-squares", Recipe(steps=2000, batch_size=64), overrides)


@register_model
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


@register_model
def wgan_gp(**overrides: Any) -> GAN:
    """WGAN-GP (Gulrajani et al., 2017): Wasserstein loss with gradient penalty (10), no batch norm in the critic, n_critic 5."""
    adam = OptimizerConfig(lr=1e-4, betas=(0.0, 0.9))
    recipe = Recipe(steps=2000, batch_size=64, n_critic=5, g_optimizer=adam, d_optimizer=adam)
    return _dcgan_family("wgan-gp", "wasserstein", recipe, overrides, defaults={"d_norm": "none"},
                         regularizers=[{"name": "gradient-penalty", "weight": 10.0}])  # fmt: skip
