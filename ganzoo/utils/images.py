"""Sample grids, the progress GIF and animated latent walks."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from torch import Tensor

from ..errors import ConfigError
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
    return _write_gif(images, path, durations)


def upscale(images: Tensor, scale: int) -> Tensor:
    """``images`` (N, C, H, W) enlarged ``scale`` times by repeating pixels (nearest)."""
    if scale == 1:
        return images
    return images.repeat_interleave(scale, dim=-1).repeat_interleave(scale, dim=-2)


def save_sweep(
    images: Tensor,
    path: str | os.PathLike[str],
    nrow: int,
    *,
    scale: int = 1,
    ms_per_frame: int = 150,
    bounce: bool = False,
) -> Path:
    """Write ``images`` (N, C, H, W) in [-1, 1], laid out ``nrow`` per row, atomically: a ``.png``
    of that grid, or a ``.gif`` whose frame j is the grid's column j (a single image when the grid
    is one row), looping; ``bounce`` plays the frames forward then back (a walk that returns).
    ``scale`` enlarges each image by repeating pixels. GIF players show consecutive identical
    frames as one (Pillow merges them)."""
    path = Path(path)
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ConfigError(f"scale must be a whole number >= 1, got {scale!r}.")
    big = upscale(images.detach().float().cpu(), scale)
    if path.suffix.lower() == ".png":
        return save_grid(big, path, nrow)
    if path.suffix.lower() != ".gif":
        raise ConfigError(f"Write the walk as .gif (animated) or .png (a strip), not {path.name}.")
    frames = [grid_image(big[j::nrow], nrow=1).convert("RGB") for j in range(nrow)]
    if bounce and len(frames) > 2:
        frames += frames[-2:0:-1]
    return _write_gif(frames, path, [ms_per_frame] * len(frames))


def _write_gif(
    images: list[Image.Image], path: str | os.PathLike[str], durations: list[int]
) -> Path:
    return atomic_write(
        path,
        lambda tmp: images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
        ),
    )
