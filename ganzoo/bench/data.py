"""In-memory benchmark data: embedded MNIST digits at any image size and channel count."""

from __future__ import annotations

from functools import lru_cache

from ..data import ImagePairs, TensorImages, load_embedded
from ..gan import GANBase

MAX_BYTES = 64 * 2**20  # keeps 128x128 RGB data small while leaving several batches per epoch


def dataset_size(img_size: int, channels: int, batch_size: int) -> int:
    """How many images to hold: up to 64 MiB of pixels, at least 4 batches, at most 10,000."""
    fits = MAX_BYTES // (channels * img_size * img_size)
    return max(4 * batch_size, min(10_000, fits))


@lru_cache(maxsize=4)
def _embedded() -> TensorImages:
    return load_embedded()


@lru_cache(maxsize=4)
def bench_data(img_size: int, channels: int, batch_size: int) -> TensorImages:
    """Labelled uint8 images shaped ``channels`` x ``img_size`` x ``img_size``, held in memory.

    The embedded MNIST digits, resized (antialiased bilinear) and repeated across channels, so
    conditional models get real labels. Pixel content does not change throughput; the size of
    the dataset does (the classic loop's DataLoader restarts every epoch), so it holds many
    batches (see :func:`dataset_size`), cycling the 10,000 digits if a batch size needs more.
    """
    digits = _embedded()
    n = dataset_size(img_size, channels, batch_size)
    repeats = -(-n // len(digits))
    images = digits.images.repeat(repeats, 1, 1, 1)[:n]
    labels = digits.labels.repeat(repeats)[:n] if digits.labels is not None else None
    subset = TensorImages(images, labels, digits.num_classes, "bench (embedded MNIST digits)")
    return subset.formatted(img_size, channels)


def pairs_for(data: TensorImages, gan: GANBase) -> ImagePairs:
    """``data`` as two-domain pairs shaped for translation model ``gan`` (sources: the same
    images in the generator's source channels; paired or not as the model trains)."""
    sources = data.formatted(channels=gan.source_shape[0]).images
    return ImagePairs(sources, data.images, paired=gan.paired, name=f"{data.name} as pairs")
