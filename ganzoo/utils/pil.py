"""Generated images as PIL images: ``ganzoo.to_pil(gan.sample(8))``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from torch import Tensor

from ..errors import ConfigError

if TYPE_CHECKING:
    from PIL import Image


def to_pil(images: Tensor) -> Image.Image | list[Image.Image]:
    """Images in [-1, 1] as PIL images: one for a (C, H, W) tensor, a list for (N, C, H, W).

    One channel gives mode ``L``, three give ``RGB``.
    """
    from PIL import Image

    if images.ndim not in (3, 4) or images.shape[-3] not in (1, 3):
        raise ConfigError(
            f"to_pil expects images of shape (N, C, H, W) or (C, H, W) with 1 or 3 channels in "
            f"[-1, 1], as gan.sample() returns; got shape {tuple(images.shape)}."
        )
    batch = images.unsqueeze(0) if images.ndim == 3 else images
    pixels = ((batch.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().byte()
    pixels = pixels.permute(0, 2, 3, 1).numpy()
    out = [Image.fromarray(p[..., 0] if p.shape[-1] == 1 else p) for p in pixels]
    return out[0] if images.ndim == 3 else out
