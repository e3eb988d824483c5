"""Base classes that every generator and discriminator in the zoo derives from."""

from __future__ import annotations

from torch import Tensor, nn

from ..errors import ConfigError


def check_image_format(model: str, img_size: int, channels: int) -> None:
    """Reject sizes and channel counts no architecture can take."""
    if not isinstance(channels, int) or isinstance(channels, bool) or channels < 1:
        raise ConfigError(
            f"{model}: channels must be a positive integer (1 or 3), got {channels!r}."
        )
    if not isinstance(img_size, int) or isinstance(img_size, bool) or img_size < 4:
        raise ConfigError(f"{model}: img_size must be an integer >= 4, got {img_size!r}.")


class Generator(nn.Module):
    """Maps latent codes (and, if conditional, class labels) to images in [-1, 1]."""

    def __init__(self, latent_dim: int, img_size: int, channels: int, num_classes: int = 0) -> None:
        super().__init__()
        check_image_format(type(self).__name__, img_size, channels)
        if latent_dim < 1:
            raise ConfigError(f"latent_dim must be >= 1, got {latent_dim}.")
        if num_classes < 0:
            raise ConfigError(f"num_classes must be >= 0 (0 = unconditional), got {num_classes}.")
        self.latent_dim = latent_dim
        self.img_size = img_size
        self.channels = channels
        self.num_classes = num_classes

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.img_size, self.img_size)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        raise NotImplementedError


class Discriminator(nn.Module):
    """Maps images (and, if conditional, labels) to one raw score per image, shape (N,)."""

    def __init__(self, img_size: int, channels: int, num_classes: int = 0) -> None:
        super().__init__()
        check_image_format(type(self).__name__, img_size, channels)
        if num_classes < 0:
            raise ConfigError(f"num_classes must be >= 0 (0 = unconditional), got {num_classes}.")
        self.img_size = img_size
        self.channels = channels
        self.num_classes = num_classes

    def forward(self, images: Tensor, labels: Tensor | None = None) -> Tensor:
        raise NotImplementedError


class AuxiliaryClassifierDiscriminator(Discriminator):
    """A discriminator with a second head that predicts the class of an image (ACGAN).

    Labels are not an input: the network predicts them. ``forward(images)`` returns the scores,
    shape (N,), like any discriminator, so penalties, the health monitor and benchmarks work
    unchanged; ``forward(images, return_logits=True)`` returns ``(scores, class logits)``, the
    logits shaped (N, num_classes), from one pass. Subclasses implement :meth:`heads`.
    """

    def __init__(self, img_size: int, channels: int, num_classes: int) -> None:
        super().__init__(img_size, channels, num_classes)
        if num_classes < 2:
            raise ConfigError(
                f"{type(self).__name__} classifies images: build it with num_classes >= 2, "
                f"got {num_classes}."
            )

    def heads(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Scores (N,) and class logits (N, num_classes) of ``images``."""
        raise NotImplementedError

    def forward(
        self, images: Tensor, labels: Tensor | None = None, return_logits: bool = False
    ) -> Tensor | tuple[Tensor, Tensor]:
        scores, logits = self.heads(images)
        return (scores, logits) if return_logits else scores


class Translator(nn.Module):
    """Maps source images (N, source_channels, H, W) in [-1, 1] to target images
    (N, channels, H, W) in [-1, 1] (image-to-image translation: pix2pix, CycleGAN)."""

    latent_dim = 0  # no latent codes: the source image is the input
    num_classes = 0

    def __init__(self, img_size: int, channels: int, source_channels: int) -> None:
        super().__init__()
        name = type(self).__name__
        check_image_format(name, img_size, channels)
        check_image_format(name, img_size, source_channels)
        self.img_size = img_size
        self.channels = channels
        self.source_channels = source_channels

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.img_size, self.img_size)

    @property
    def source_shape(self) -> tuple[int, int, int]:
        return (self.source_channels, self.img_size, self.img_size)

    def forward(self, source: Tensor) -> Tensor:
        raise NotImplementedError
