"""ACGAN (Odena et al., 2017): a class-conditional generator and a discriminator that also
classifies, on DCGAN convolutions."""

from __future__ import annotations

from torch import Tensor, nn

from ..layers import LabelEmbedding, dcgan_init, maybe_spectral_norm, spatial_plan
from .base import AuxiliaryClassifierDiscriminator
from .dcgan import DCGANGenerator, strided_conv_layers


class ACGANGenerator(DCGANGenerator):
    """DCGAN's generator fed ``z * embed(label)``: a learned per-class vector scales the noise.

    The paper concatenates a one-hot label to z; on MNIST that generator learned to ignore z
    (one image per class) under the auxiliary class loss, while scaling z keeps the noise in
    every path the label takes (as the common PyTorch ACGAN implementations do).
    """

    def __init__(
        self,
        latent_dim: int = 100,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 10,
        width: int = 64,
        norm: str = "batch",
    ) -> None:
        super().__init__(latent_dim, img_size, channels, num_classes, width, norm, latent_dim)

    def _conditioning(self, latent_dim: int, num_classes: int, embed_dim: int) -> int:
        self.embed = LabelEmbedding(num_classes, latent_dim)
        return latent_dim

    def _input(self, z: Tensor, labels: Tensor | None) -> Tensor:
        return z * self.embed(labels)


class ACGANDiscriminator(AuxiliaryClassifierDiscriminator):
    """DCGAN's strided convs (labels are not an input), then two heads on the last feature map:
    a conv to one real/fake score and a conv to ``num_classes`` class logits."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 10,
        width: int = 64,
        norm: str = "batch",
        spectral: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(img_size, channels, num_classes)
        base, blocks = spatial_plan(img_size, "acgan discriminator")
        layers, ch = strided_conv_layers(channels, width, blocks, norm, spectral, dropout)
        self.net = nn.Sequential(*layers)
        self.score = maybe_spectral_norm(nn.Conv2d(ch, 1, base), spectral)
        self.classifier = maybe_spectral_norm(nn.Conv2d(ch, num_classes, base), spectral)
        dcgan_init(self)

    def heads(self, images: Tensor) -> tuple[Tensor, Tensor]:
        h = self.net(images)
        return self.score(h).flatten(), self.classifier(h).flatten(1)
