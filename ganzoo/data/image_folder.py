"""A flat folder of image files as one tensor: images to measure, or to measure against."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import Tensor

from ..errors import DataError
from .images import resize, to_unit_range
from .pair_folders import decode_image_file, require_images


def load_image_folder(
    folder: str | os.PathLike[str], size: int, channels: int, limit: int | None = None
) -> Tensor:
    """The image files directly in ``folder`` (sorted by name; at most ``limit``), as one
    (N, ``channels``, ``size``, ``size``) tensor in [-1, 1]. Each file is checked and converted
    to grey (1 channel) or RGB (3), centre-cropped to a square and resized (antialiased
    bilinear), as torchvision's ImageFolder recipes do."""
    files = require_images(Path(folder))
    if limit is not None:
        if len(files) < limit:
            raise DataError(
                f"{folder} holds {len(files)} images; {limit} are needed. Add images or ask for "
                f"fewer (--n {len(files)})."
            )
        files = files[:limit]
    return to_unit_range(
        torch.cat(
            [resize(_centre_square(decode_image_file(p, channels))[None], size) for p in files]
        )
    )


def _centre_square(image: Tensor) -> Tensor:
    height, width = image.shape[-2:]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image[..., top : top + side, left : left + side]
