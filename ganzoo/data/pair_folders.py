"""Image-to-image data from folders, read fully into memory as :class:`ImagePairs`.

Layouts (``ROOT`` is the folder given; ``SPLIT`` is ``train``, or ``test`` / ``val`` for the
test split):

- paired folders: ``ROOT/A`` + ``ROOT/B``, optionally split as ``ROOT/A/SPLIT`` + ``ROOT/B/SPLIT``
  or ``ROOT/SPLIT/A`` + ``ROOT/SPLIT/B``; files pair up by name (stem, any extension);
- side-by-side: image files directly in ``ROOT`` (or ``ROOT/SPLIT``), each A on the left half and
  B on the right half (the pix2pix datasets: ``facades/train/1.jpg``);
- unpaired: ``ROOT/trainA`` + ``ROOT/trainB`` (``testA`` + ``testB`` for the test split), the
  CycleGAN datasets.

Every image is squashed to ``img_size`` x ``img_size`` (antialiased bilinear, as pix2pix and
CycleGAN resize) and converted to 1 (grey) or 3 (RGB) channels.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from ..errors import DataError, unknown_name
from .image_files import check_image_file
from .images import resize
from .pairs import ImagePairs

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
DEFAULT_PAIR_SIZE = 256  # the size pix2pix and CycleGAN train at
DIRECTIONS = ("a2b", "b2a")
_DIRECTION_ALIASES = {"atob": "a2b", "btoa": "b2a", "a->b": "a2b", "b->a": "b2a"}
_TEST_SPLITS = ("test", "val")
PathLike = str | os.PathLike[str]


class PairLayout(NamedTuple):
    """A detected folder layout: ``kind`` and the folders holding domain A and domain B (for
    ``side-by-side`` both are the one folder of double-width images)."""

    kind: str  # "paired", "side-by-side" or "unpaired"
    a: Path
    b: Path


def normalize_direction(direction: str) -> str:
    """``a2b`` or ``b2a`` (pix2pix's ``AtoB`` / ``BtoA`` are accepted too)."""
    key = direction.strip().lower()
    key = _DIRECTION_ALIASES.get(key, key)
    if key not in DIRECTIONS:
        raise unknown_name("direction", direction, [*DIRECTIONS, "AtoB", "BtoA"])
    return key


def oriented(a: Tensor, b: Tensor, paired: bool, name: str, direction: str = "a2b") -> ImagePairs:
    """Domains A and B as :class:`ImagePairs`: ``a2b`` translates A (source) into B (target)."""
    if normalize_direction(direction) == "b2a":
        a, b, name = b, a, f"{name} b2a"
    return ImagePairs(sources=a, targets=b, paired=paired, name=name)


def image_files(folder: Path) -> list[Path]:
    """The image files directly in ``folder`` (not hidden), sorted by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def require_images(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DataError(f"Image folder {folder} does not exist.")
    files = image_files(folder)
    if not files:
        raise DataError(
            f"No images ({', '.join(IMAGE_SUFFIXES)}) directly in {folder}; put the image files "
            "there (sub-folders are not searched)."
        )
    return files


def decode_image_file(path: Path, channels: int) -> Tensor:
    """One image file as uint8 (C, H, W) with ``channels`` 1 (grey) or 3 (RGB)."""
    from PIL import Image, UnidentifiedImageError

    if channels not in (1, 3):
        raise DataError(f"Image folders can be read as 1 or 3 channels, not {channels}.")
    try:
        check_image_file(path)
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise DataError(f"Cannot decode {path} ({err}); remove or replace the file.") from err
    tensor = torch.from_numpy(pixels.copy())
    return tensor.unsqueeze(0) if channels == 1 else tensor.permute(2, 0, 1).contiguous()


def read_images(paths: list[Path], img_size: int, channels: int) -> Tensor:
    """Decode ``paths`` into one uint8 (N, C, img_size, img_size) tensor."""
    out = torch.empty((len(paths), channels, img_size, img_size), dtype=torch.uint8)
    for i, path in enumerate(paths):
        out[i] = resize(decode_image_file(path, channels).unsqueeze(0), img_size)[0]
    return out


def load_paired_folders(
    a_dir: PathLike,
    b_dir: PathLike,
    img_size: int = DEFAULT_PAIR_SIZE,
    channels: int = 3,
    direction: str = "a2b",
) -> ImagePairs:
    """Paired data from two folders whose files match by name (``A/12.png`` <-> ``B/12.jpg``)."""
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    sides = {folder: _by_stem(require_images(folder)) for folder in (a_dir, b_dir)}
    a_files, b_files = sides[a_dir], sides[b_dir]
    for here, there in ((a_dir, b_dir), (b_dir, a_dir)):
        lonely = sorted(set(sides[here]) - set(sides[there]))
        if lonely:
            names = ", ".join(sides[here][s].name for s in lonely[:5])
            more = f" and {len(lonely) - 5} more" if len(lonely) > 5 else ""
            raise DataError(
                f"{len(lonely)} file(s) in {here} have no file of the same name in {there}: "
                f"{names}{more}. Paired folders must hold the same file names (the extension "
                "may differ); add or remove them, or lay the data out unpaired (trainA/trainB). "
                "If A and B are classes, load the folder as 'imagefolder'."
            )
    stems = sorted(a_files)
    a = read_images([a_files[s] for s in stems], img_size, channels)
    b = read_images([b_files[s] for s in stems], img_size, channels)
    return oriented(a, b, True, f"pairs ({a_dir} + {b_dir})", direction)


def _by_stem(files: list[Path]) -> dict[str, Path]:
    by_stem: dict[str, Path] = {}
    for path in files:
        if path.stem in by_stem:
            raise DataError(
                f"{by_stem[path.stem].name} and {path.name} in {path.parent} have the same name; "
                "paired files are matched by name, so keep one of them."
            )
        by_stem[path.stem] = path
    return by_stem


def load_side_by_side(
    folder: PathLike,
    img_size: int = DEFAULT_PAIR_SIZE,
    channels: int = 3,
    direction: str = "a2b",
) -> ImagePairs:
    """Paired data from images holding A on the left half and B on the right (width = 2 x height)."""
    folder = Path(folder)
    files = require_images(folder)
    a = torch.empty((len(files), channels, img_size, img_size), dtype=torch.uint8)
    b = torch.empty_like(a)
    for i, path in enumerate(files):
        image = decode_image_file(path, channels)
        height, width = image.shape[-2:]
        if width != 2 * height:
            raise DataError(
                f"{path} is {width}x{height} pixels; side-by-side images hold A and B as two "
                f"squares, so the width must be twice the height ({2 * height}). Split them into "
                "A/ and B/ folders of matching names for other shapes."
            )
        a[i] = resize(image[None, ..., :height], img_size)[0]
        b[i] = resize(image[None, ..., height:], img_size)[0]
    return oriented(a, b, True, f"pairs ({folder})", direction)


def load_unpaired_folders(
    a_dir: PathLike,
    b_dir: PathLike,
    img_size: int = DEFAULT_PAIR_SIZE,
    channels: int = 3,
    direction: str = "a2b",
) -> ImagePairs:
    """Unpaired data: two unrelated folders of images (the counts may differ)."""
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    a = read_images(require_images(a_dir), img_size, channels)
    b = read_images(require_images(b_dir), img_size, channels)
    return oriented(a, b, False, f"unpaired ({a_dir} + {b_dir})", direction)


def _is_double_width(folder: Path) -> bool:
    """Whether ``folder`` holds image files and no sub-folders, the first image twice as wide
    as high (reads only its header)."""
    from PIL import Image

    if not folder.is_dir() or any(p.is_dir() for p in folder.iterdir()):
        return False
    files = image_files(folder)
    if not files:
        return False
    try:
        with Image.open(files[0]) as image:
            width, height = image.size
    except OSError:
        return False
    return width == 2 * height


def detect_pair_layout(root: PathLike) -> str | None:
    """``"unpaired"``, ``"paired"``, ``"side-by-side"`` or None (not image-to-image data)."""
    root = Path(root)
    if not root.is_dir():
        return None
    splits = ("train", *_TEST_SPLITS)
    if any((root / f"{s}{d}").is_dir() for s in splits for d in "AB"):
        return "unpaired"
    if (root / "A").is_dir() and (root / "B").is_dir():
        return "paired"
    if any((root / s / "A").is_dir() and (root / s / "B").is_dir() for s in splits):
        return "paired"
    subfolders = [p for p in root.iterdir() if p.is_dir()]
    if not subfolders and image_files(root):
        return "side-by-side"  # a flat folder can only be pairs; width errors come on reading
    if any(_is_double_width(root / s) for s in splits):
        return "side-by-side"
    return None


def _split_dir(parent: Path, train: bool, suffix: str = "") -> Path:
    """``parent/train`` or, for the test split, ``parent/test`` falling back to ``parent/val``."""
    names = ("train",) if train else _TEST_SPLITS
    candidates = [parent / f"{name}{suffix}" for name in names]
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        split = "train" if train else "test"
        wanted = " or ".join(str(c) for c in candidates)
        raise DataError(f"No {split} split in {parent}: expected the folder {wanted}.")
    return found


def resolve_pair_layout(root: PathLike, train: bool = True) -> PairLayout:
    """The layout of ``root`` and the folders of the requested split (see the module doc).

    Folders without a split level are read as they are, whatever ``train`` says.
    """
    root = Path(root)
    kind = detect_pair_layout(root)
    if kind == "unpaired":
        return PairLayout(kind, _split_dir(root, train, "A"), _split_dir(root, train, "B"))
    if kind == "paired":
        if (root / "A").is_dir() and (root / "B").is_dir():
            if image_files(root / "A") or not any(p.is_dir() for p in (root / "A").iterdir()):
                return PairLayout(kind, root / "A", root / "B")
            return PairLayout(kind, _split_dir(root / "A", train), _split_dir(root / "B", train))
        split = _split_dir(root, train)
        return PairLayout(kind, split / "A", split / "B")
    if kind == "side-by-side":
        if not any(p.is_dir() for p in root.iterdir()):
            return PairLayout(kind, root, root)
        split = _split_dir(root, train)
        return PairLayout(kind, split, split)
    raise DataError(
        f"{root} is not laid out as image-to-image data. Use A/ + B/ (files paired by name), "
        "trainA/ + trainB/ (unpaired), or a folder of side-by-side images (A left, B right)."
    )


def load_pair_folder(
    root: PathLike,
    train: bool = True,
    img_size: int = DEFAULT_PAIR_SIZE,
    channels: int = 3,
    direction: str = "a2b",
) -> ImagePairs:
    """Image-to-image data from ``root`` in any of the layouts, detected (see the module doc)."""
    layout = resolve_pair_layout(root, train)
    loader = {
        "paired": load_paired_folders,
        "unpaired": load_unpaired_folders,
        "side-by-side": lambda a, _b, *args: load_side_by_side(a, *args),
    }[layout.kind]
    return loader(layout.a, layout.b, img_size, channels, direction)
