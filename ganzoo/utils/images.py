"""Sample grids and the progress GIF."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from torch import Tensor

from .files import atomic_write


def grid_image(images: Tensor, nrow: int | None = None) -> Image.Image:
    """A PIL image tiling ``images`` in [-1, 1] (N, C, H, W), ``nrow`` per row."""
    from torchvision.utils import make_grid  # torchvision is slow to import; only needed here

    nrow = nrow or max(1, int(math.sqrt(images.shape[0])))
    grid = make_grid(
        images.detach().float().cpu(), nrow=nrow, padding=2, normalize=True, value_range=(-1, 1)
    )
    array = grid.mul(255).add_(0.5).clamp_(0, 255).byte().permute(1, 2, 0).numpy()
    return Image.fromarray(array.squeeze(-1) if array.shape[-1] == 1 else array)


def save_grid(images: Tensor, path: str | os.PathLike[str], nrow: int | None = None) -> Path:
    """Write a sample grid as PNG (atomically)."""
    image = grid_image(images, nrow)
    return atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))


def save_gif(
    frames: Sequence[str | os.PathLike[str]], path: str | os.PathLike[str], ms_per_frame: int = 300
) -> Path:
    """Assemble PNG frames into a looping GIF; the last frame is held longer."""
    images = [Image.open(f).convert("RGB") for f in frames]
    if not images:
        raise ValueError("No frames to assemble into a GIF.")
    durations = [ms_per_frame] * (len(images) - 1) + [ms_per_frame * 5]
    return atomic_write(
        path,
        lambda tmp: images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
        ),
    )
