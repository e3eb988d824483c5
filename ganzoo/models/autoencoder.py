"""Autoencoder discriminators (EBGAN, BEGAN): the score of an image is its negative
reconstruction error, so "higher = more real" holds as for every other discriminator."""

from __future__ import annotations

from torch import Tensor

from ..errors import ConfigError
from .base import Discriminator

ERRORS = ("mse", "l1")


class AutoencoderDiscriminator(Discriminator):
    """Encoder -> embedding -> decoder. ``forward(images)`` returns ``-error(images,
    reconstruct(images))`` per image, shape (N,), the error being the mean squared (``mse``) or
    absolute (``l1``) difference over pixels. Subclasses implement :meth:`encode` and
    :meth:`decode`. Unconditional: labels are not an input.
    """

    def __init__(self, img_size: int, channels: int, num_classes: int = 0, error: str = "mse"):
        super().__init__(img_size, channels, num_classes)
        if num_classes:
            raise ConfigError(
                f"{type(self).__name__} is unconditional: build it with num_classes=0, "
                f"got {num_classes}."
            )
        if error not in ERRORS:
            raise ConfigError(f"error must be one of {', '.join(ERRORS)}, got {error!r}.")
        self.error = error

    def encode(self, images: Tensor) -> Tensor:
        """Embeddings of ``images``, shape (N, code_dim)."""
        raise NotImplementedError

    def decode(self, embeddings: Tensor) -> Tensor:
        """Images decoded from (N, code_dim) ``embeddings``, shaped like the input images."""
        raise NotImplementedError

    def reconstruct(self, images: Tensor) -> Tensor:
        """The autoencoder's reconstruction of ``images``."""
        return self.decode(self.encode(images))

    def reconstruction_error(self, images: Tensor, reconstruction: Tensor) -> Tensor:
        """Per-image mean squared or absolute error, shape (N,)."""
        diff = (reconstruction - images).flatten(1)
        return diff.square().mean(1) if self.error == "mse" else diff.abs().mean(1)

    def score_and_embed(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Scores (N,) = -reconstruction error, and the embeddings (N, code_dim), in one pass."""
        embeddings = self.encode(images)
        return -self.reconstruction_error(images, self.decode(embeddings)), embeddings

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.score_and_embed(images)[0]
