"""EBGAN (Zhao et al., 2017): a DCGAN generator against an autoencoder discriminator whose
energy is the per-image mean squared reconstruction error."""

from __future__ import annotations

from torch import Tensor, nn

from ..errors import ConfigError
from ..layers import dcgan_init, make_norm, spatial_plan
from .autoencoder import AutoencoderDiscriminator
from .dcgan import strided_conv_layers


class EBGANDiscriminator(AutoencoderDiscriminator):
    """Encoder: DCGAN's strided convs (``width`` doubling per block, LeakyReLU 0.2) and a linear
    map to a ``code_dim`` embedding. Decoder: linear back to the last feature map, then
    transposed convs (norm, ReLU) doubling resolution to the image channels, linear output.
    Energy: the per-image mean squared reconstruction error."""

    def __init__(
        self,
        img_size: int = 28,
        channels: int = 1,
        num_classes: int = 0,
        width: int = 64,
        code_dim: int = 64,
        norm: str = "batch",
    ) -> None:
        super().__init__(img_size, channels, num_classes, error="mse")
        if code_dim < 1:
            raise ConfigError(f"code_dim must be >= 1, got {code_dim}.")
        base, blocks = spatial_plan(img_size, "ebgan discriminator")
        layers, ch = strided_conv_layers(channels, width, blocks, norm, False, 0.0)
        self.base, self.top = base, ch
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(ch * base * base, code_dim))
        self.expand = nn.Sequential(
            nn.Linear(code_dim, ch * base * base), nn.BatchNorm1d(ch * base * base), nn.ReLU(True)
        )
        up: list[nn.Module] = []
        for _ in range(blocks - 1):
            up += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=norm == "none"),
                make_norm(norm, ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        up += [nn.ConvTranspose2d(ch, channels, 4, 2, 1)]
        self.decoder = nn.Sequential(*up)
        dcgan_init(self)

    def encode(self, images: Tensor) -> Tensor:
        return self.encoder(images)

    def decode(self, embeddings: Tensor) -> Tensor:
        h = self.expand(embeddings).view(-1, self.top, self.base, self.base)
        return self.decoder(h)
