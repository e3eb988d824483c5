"""Translate a folder of image files with a trained translation model (``ganzoo translate``)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from .data.images import convert_channels, resize, to_unit_range
from .errors import ConfigError, DataError
from .translation import TranslationGAN

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def list_images(folder: Path) -> list[Path]:
    """The image files directly in ``folder``, sorted by name."""
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder of images.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)}).")
    return files


def read_image(path: Path, channels: int) -> Tensor:
    """One file as uint8 (channels, H, W)."""
    from torchvision.io import ImageReadMode, decode_image

    mode = ImageReadMode.GRAY if channels == 1 else ImageReadMode.RGB
    try:
        image = decode_image(str(path), mode=mode)
    except (RuntimeError, ValueError) as err:
        raise DataError(f"Cannot decode {path}: {err}") from None
    return convert_channels(image[None], channels)[0]


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
    files = list_images(Path(in_dir))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from torchvision.io import write_png

    written = []
    for start in range(0, len(files), batch_size):
        chunk = files[start : start + batch_size]
        originals = [read_image(p, c_in) for p in chunk]
        batch = torch.cat([resize(image[None], size) for image in originals])
        source = to_unit_range(batch)
        kwargs = {"direction": direction} if direction == "b2a" else {}
        translated = gan.translate(source, batch_size=batch_size, **kwargs).cpu()
        for path, original, image in zip(chunk, originals, translated, strict=True):
            if keep_size and tuple(original.shape[-2:]) != tuple(image.shape[-2:]):
                image = F.interpolate(image[None], size=original.shape[-2:], mode="bilinear",
                                      antialias=True, align_corners=False)[0]  # fmt: skip
            target = out / f"{path.stem}.png"
            write_png(to_uint8(image), str(target))
            written.append(target)
    return written
