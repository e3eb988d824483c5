"""Small image-to-image tasks made from MNIST / Fashion-MNIST (for tests, demos and smoke runs).

Each task is a function of :class:`TensorImages` (whole uint8 tensors at once, deterministic):

- ``edges2mnist`` / ``edges2fashion`` (paired): source = a binary outline of the image, target =
  the image;
- ``thin2thick`` (unpaired): A = digits eroded thin, B = digits dilated thick, from disjoint
  halves of the split;
- ``mnist2fashion`` (unpaired): A = MNIST digits, B = Fashion-MNIST items.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import DataError
from .images import TensorImages
from .pair_folders import oriented
from .pairs import ImagePairs

EDGE_THRESHOLD = 128


def _max3(images: Tensor, dim: int) -> Tensor:
    """Max of each pixel and its two neighbours along ``dim`` (-1 or -2); outside counts as 0."""
    size = images.shape[dim]
    padded = F.pad(images, (1, 1) if dim == -1 else (0, 0, 1, 1))
    left, mid, right = (padded.narrow(dim, start, size) for start in range(3))
    return torch.maximum(torch.maximum(left, mid), right)


def dilate(images: Tensor) -> Tensor:
    """Grey-level dilation by a plus-shaped 3x3 element (each pixel: max of itself and its four
    neighbours); uint8 (N, C, H, W) in and out."""
    return torch.maximum(_max3(images, -1), _max3(images, -2))


def erode(images: Tensor) -> Tensor:
    """Grey-level erosion by the plus-shaped 3x3 element (min of a pixel and its neighbours)."""
    return 255 - dilate(255 - images)


def edge_map(images: Tensor, threshold: int = EDGE_THRESHOLD) -> Tensor:
    """A one-pixel binary outline (0 or 255): pixels at least ``threshold`` darker than the
    brightest of their 3x3 neighbourhood (the outer morphological gradient)."""
    gradient = _max3(_max3(images, -1), -2) - images  # uint8: the max is never below the pixel
    return torch.where(gradient >= threshold, 255, 0).to(torch.uint8)


def edges_task(data: TensorImages, name: str = "edges", direction: str = "a2b") -> ImagePairs:
    """Paired: A = :func:`edge_map` of each image, B = the image (pix2pix's edges2shoes, small)."""
    return oriented(edge_map(data.images), data.images, True, name, direction)


def thin2thick_task(
    data: TensorImages, name: str = "thin2thick", direction: str = "a2b"
) -> ImagePairs:
    """Unpaired: A = the first half of ``data`` eroded thin, B = the second half dilated thick
    (disjoint halves, so no image has its own counterpart)."""
    if len(data) < 2:
        raise DataError("thin2thick needs at least two images (one per domain).")
    half = len(data) // 2
    return oriented(erode(data.images[:half]), dilate(data.images[half:]), False, name, direction)


def domains_task(
    a: TensorImages, b: TensorImages, name: str = "a2b", direction: str = "a2b"
) -> ImagePairs:
    """Unpaired: two datasets as the two domains (``mnist2fashion``: digits -> clothes)."""
    return oriented(a.images, b.images, False, name, direction)


# name -> (the torchvision datasets it is made of, how to make it)
TRANSLATION_TASKS: dict[str, tuple[tuple[str, ...], Callable[..., ImagePairs]]] = {
    "edges2mnist": (("mnist",), edges_task),
    "edges2fashion": (("fashion-mnist",), edges_task),
    "thin2thick": (("mnist",), thin2thick_task),
    "mnist2fashion": (("mnist", "fashion-mnist"), domains_task),
}
TASK_ALIASES = {
    "edges2fashion-mnist": "edges2fashion",
    "edges2fashion_mnist": "edges2fashion",
    "mnist2fashion-mnist": "mnist2fashion",
    "mnist2fashion_mnist": "mnist2fashion",
    "thin2thick-mnist": "thin2thick",
}


def build_translation_task(
    name: str, load: Callable[[str], TensorImages], split: str = "train", direction: str = "a2b"
) -> ImagePairs:
    """Task ``name`` made from the datasets ``load(dataset_name)`` returns (one split of them)."""
    datasets, make = TRANSLATION_TASKS[name]
    parts = [load(dataset) for dataset in datasets]
    return make(*parts, name=f"{name} ({split})", direction=direction)
