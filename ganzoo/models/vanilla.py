"""Fully connected generator and discriminator (Goodfellow et al., 2014)."""

from __future__ import annotations

from collections.abc import Sequence

from einops import rearrange
from torch import Tensor, nn

from ..layers import LabelEmbedding, append_label_embedding, make_norm
from .base import Discriminator, Generator


class MLPGenerator(Generator):
    """z (+ label embedding) -> hidden layers (LeakyReLU, optional norm) -> tanh image."""

    def __init__(
        self,
        latent_dim: int = 100,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        hidden: Sequence[int] = (256, 512, 1024),
        norm: str = "batch",
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes)
        self.embed = LabelEmbedding(num_classes, num_classes) if num_classes else None
        layers: list[nn.Module] = []
        width = latent_dim + num_classes
        for i, out in enumerate(hidden):
            layers += [nn.Linear(width, out)]
            if i > 0:
                layers += [make_norm(norm, out, dims=1)]
            layers += [nn.LeakyReLU(0.2)]
            width = out
        layers += [nn.Linear(width, channels * img_size * img_size), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        z = append_label_embedding(z, self.embed, labels)
        return rearrange(self.net(z), "b (c h w) -> b c h w", c=self.channels, h=self.img_size)


class MLPDiscriminator(Discriminator):
    """Flattened image (+ label embedding) -> hidden layers (LeakyReLU, dropout) -> score."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        hidden: Sequence[int] = (512, 256),
        dropout: float = 0.0,
    ) -> None:
        super().__init__(img_size, channels, num_classes)
        self.embed = LabelEmbedding(num_classes, num_classes) if num_classes else None
        layers: list[nn.Module] = []
        width = channels * img_size * img_size + num_classes
        for out in hidden:
            layers += [nn.Linear(width, out), nn.LeakyReLU(0.2)]
            if dropout:
                layers += [nn.Dropout(dropout)]
            width = out
        layers += [nn.Linear(width, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        x = rearrange(images, "b c h w -> b (c h w)")
        x = append_label_embedding(x, self.embed, labels)
        return self.net(x).squeeze(1)
