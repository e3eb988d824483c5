"""DCGAN architecture (Radford et al., 2016): transposed convs up, strided convs down."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..layers import (
    LabelEmbedding,
    LatentProjection,
    append_label_embedding,
    dcgan_init,
    make_norm,
    maybe_spectral_norm,
    spatial_plan,
)
from .base import Discriminator, Generator


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
            LatentProjection(in_dim, ch, base, bias=norm == "none"),
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
