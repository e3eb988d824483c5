"""Translate a folder of image files with a trained translation model (``ganzoo translate``)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from .data.images import resize, to_unit_range
from .data.pair_folders import decode_image_file, require_images
from .errors import ConfigError
from .gan import TranslationGAN


def to_uint8(images: Tensor) -> Tensor:
    """Images in [-1, 1] -> uint8 pixels."""
    return ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def translate_folder(
    gan: TranslationGAN,
    in_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    direction: str = "a2b",
    batch_size: int = 32,
    keep_size: bool = False,
) -> list[Path]:
    """Translate every image in ``in_dir`` and write ``out_dir/<name>.png``.

    Inputs are resized to the model's square size (antialiased bilinear) and converted to its
    channel count; ``keep_size`` resizes each output back to its input's size. ``direction``
    ``"b2a"`` runs a CycleGAN backwards.
    """
    if not isinstance(gan, TranslationGAN):
        raise ConfigError(
            f"{gan.name} generates from noise; `ganzoo translate` needs a translation model "
            "(pix2pix, cyclegan). Use `ganzoo sample` for it."
        )
    if direction not in ("a2b", "b2a"):
        raise ConfigError(f"direction must be 'a2b' or 'b2a', got {direction!r}.")
    if direction == "b2a" and not hasattr(gan.generator, "b2a"):
        raise ConfigError(f"{gan.name} translates one way only (a2b); drop --direction b2a.")
    c_in, size, _ = gan.image_shape if direction == "b2a" else gan.source_shape
    files = require_images(Path(in_dir))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    written = []
    for start in range(0, len(files), batch_size):
        chunk = files[start : start + batch_size]
        originals = [decode_image_file(p, c_in) for p in chunk]
        batch = torch.cat([resize(image[None], size) for image in originals])
        source = to_unit_range(batch)
        kwargs = {"direction": direction} if direction == "b2a" else {}
        translated = gan.translate(source, batch_size=batch_size, **kwargs).cpu()
        for path, original, image in zip(chunk, originals, translated, strict=True):
            if keep_size and tuple(original.shape[-2:]) != tuple(image.shape[-2:]):
                image = F.interpolate(
                    image[None],
                    size=original.shape[-2:],
                    mode="bilinear",
                    antialias=True,
                    align_corners=False,
                )[0]
            target = out / f"{path.stem}.png"
            pixels = to_uint8(image).permute(1, 2, 0).squeeze(-1).numpy()
            Image.fromarray(pixels).save(target)
            written.append(target)
    return written
