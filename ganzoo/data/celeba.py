"""CelebA-64: the aligned-and-cropped CelebA faces, centre-cropped and resized to 64x64.

The protocol is Mimicry's (Lee & Town, 2020), whose SNGAN CelebA-64 FID is the anchor of
``zoo_configs/sngan_celeba.yaml``: each 178x218 image of ``img_align_celeba`` is cropped to its
central 178x178 square (the full width: 20 rows off the top and bottom), then resized to 64x64
(antialiased bilinear, as torchvision's ``Resize`` on PIL images). The split follows
``list_eval_partition.txt`` (0 train: 162,770 images, 1 valid: 19,867, 2 test: 19,962).

Files are read from torchvision's layout, ``ROOT/celeba/img_align_celeba/*.jpg`` and
``ROOT/celeba/list_eval_partition.txt``, with PIL; torchvision's ``CelebA`` is used only to
download them (its reader checks the md5 of every annotation file, which small test files
cannot pass). The decoded split is cached beside the files as a ``.npy`` array, so later runs
skip the JPEG decoding (a few minutes for the 162,770 training images).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from ..errors import DataError
from ..utils.files import atomic_write
from .images import TensorImages

CELEBA_CROP = 178  # central square of the 178x218 aligned images (Mimicry's CelebA protocol)
CELEBA_SIZE = 64
FOLDER = "celeba"
IMAGES = "img_align_celeba"
PARTITION_FILE = "list_eval_partition.txt"
PARTITIONS = {"train": 0, "valid": 1, "test": 2}
_CACHE = "ganzoo-cache"


def celeba_folder(root: str | os.PathLike[str]) -> Path:
    """Where torchvision keeps CelebA under ``root``: ``root/celeba``."""
    return Path(root) / FOLDER


def missing_files(folder: Path) -> list[str]:
    """The parts of the CelebA layout that ``folder`` lacks (empty when complete)."""
    missing = []
    if not (folder / IMAGES).is_dir():
        missing.append(f"{IMAGES}/")
    if not (folder / PARTITION_FILE).is_file():
        missing.append(PARTITION_FILE)
    return missing


def read_partition(path: Path) -> list[tuple[str, int]]:
    """``(file name, partition)`` pairs of ``list_eval_partition.txt`` (``000001.jpg 0`` lines)."""
    pairs = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or fields[1] not in ("0", "1", "2"):
            raise DataError(
                f"{path} line {number} is {line.strip()!r}, not 'FILE.jpg PARTITION' with "
                "PARTITION 0, 1 or 2; replace the file with CelebA's list_eval_partition.txt."
            )
        pairs.append((fields[0], int(fields[1])))
    return pairs


def crop_and_resize(path: Path, crop: int = CELEBA_CROP, size: int = CELEBA_SIZE) -> np.ndarray:
    """One image as uint8 (3, size, size): the central ``crop`` square, resized to ``size``."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
    except Exception as err:  # PIL raises OSError, SyntaxError, ValueError, ...
        raise DataError(
            f"Cannot decode CelebA image {path} ({type(err).__name__}: {err}); replace it with "
            "the file from img_align_celeba."
        ) from None
    width, height = image.size
    if width < crop or height < crop:
        raise DataError(
            f"CelebA image {path} is {width}x{height}, smaller than the {crop}x{crop} centre "
            "crop; use the aligned-and-cropped images (img_align_celeba, 178x218)."
        )
    left, top = round((width - crop) / 2), round((height - crop) / 2)  # as torchvision's
    square = image.crop((left, top, left + crop, top + crop))
    resized = square.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8).transpose(2, 0, 1)


def _decode(folder: Path, names: list[str], crop: int, size: int) -> np.ndarray:
    """Decode ``names`` in order into one uint8 (N, 3, size, size) array (threads: PIL releases
    the GIL while decoding)."""
    out = np.empty((len(names), 3, size, size), dtype=np.uint8)

    def fill(i: int) -> None:
        out[i] = crop_and_resize(folder / IMAGES / names[i], crop, size)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(fill, range(len(names))))
    return out


def _download(root: Path) -> str:
    """Fetch CelebA with torchvision into ``root/celeba``; the failure as text, or ''."""
    try:
        import torchvision

        torchvision.datasets.CelebA(str(root), split="all", target_type=[], download=True)
    except Exception as err:  # no network, Google Drive quota, gdown missing, ...
        return f"{type(err).__name__}: {err}".splitlines()[0]
    return ""


def load_celeba(
    root: str | os.PathLike[str],
    train: bool = True,
    download: bool = True,
    crop: int = CELEBA_CROP,
    size: int = CELEBA_SIZE,
) -> TensorImages:
    """CelebA's train (``train=True``, partition 0) or test split (partition 2), uint8
    (N, 3, ``size``, ``size``) in memory, unlabelled; [-1, 1] when indexed."""
    root = Path(root)
    folder = celeba_folder(root)
    failure = ""
    if missing_files(folder) and download:
        failure = _download(root)
    missing = missing_files(folder)
    if missing:
        tried = f" (the download failed: {failure})" if failure else ""
        tried = tried if download else " (download=False)"
        raise DataError(
            f"CelebA is not in {folder}: {' and '.join(missing)} missing{tried}. Put "
            f"{IMAGES}/ (the aligned-and-cropped JPEGs, 000001.jpg ...) and {PARTITION_FILE} "
            f"there, as torchvision's CelebA lays them out, or point --data-root (or "
            f"$GANZOO_DATA) at a folder whose {FOLDER}/ has them."
        )
    split = "train" if train else "test"
    names = [n for n, p in read_partition(folder / PARTITION_FILE) if p == PARTITIONS[split]]
    if not names:
        raise DataError(
            f"{folder / PARTITION_FILE} lists no {split} images (partition "
            f"{PARTITIONS[split]}); replace it with CelebA's list_eval_partition.txt."
        )
    images = _cached(folder, names, split, crop, size)
    return TensorImages(torch.from_numpy(images), None, 0, f"celeba ({split}, {size}x{size})")


def _cached(folder: Path, names: list[str], split: str, crop: int, size: int) -> np.ndarray:
    """The decoded split, from the cache when it matches (same count), else decoded and saved."""
    cache = folder / _CACHE / f"{split}-{len(names)}-crop{crop}-{size}px.npy"
    if cache.is_file():
        images = np.load(cache)
        if images.shape == (len(names), 3, size, size) and images.dtype == np.uint8:
            return images
    images = _decode(folder, names, crop, size)

    def save(tmp: str) -> None:
        with open(tmp, "wb") as f:
            np.save(f, images)

    with contextlib.suppress(OSError):  # a read-only data folder: decode again next time
        atomic_write(cache, save)
    return images
