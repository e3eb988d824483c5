"""Named datasets: the embedded default, torchvision's MNIST / Fashion-MNIST / CIFAR-10,
CelebA-64, ImageFolder, image-to-image folders and the small translation tasks made from MNIST."""

from __future__ import annotations

import gzip
import os
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import DataError, unknown_name
from .celeba import load_celeba
from .images import TensorImages
from .pair_folders import (
    DEFAULT_PAIR_SIZE,
    detect_pair_layout,
    load_pair_folder,
    normalize_direction,
)
from .streaming import FolderImages
from .translation_tasks import TASK_ALIASES, TRANSLATION_TASKS, build_translation_task

DATASETS = (
    "default",
    "mnist",
    "fashion-mnist",
    "cifar10",
    "celeba",
    "imagefolder",
    *TRANSLATION_TASKS,
)
_ALIASES = {
    "embedded": "default",
    "mnist-test": "default",
    "fashion_mnist": "fashion-mnist",
    "fashionmnist": "fashion-mnist",
    "fmnist": "fashion-mnist",
    "cifar-10": "cifar10",
    "cifar": "cifar10",
    "celeba64": "celeba",
    "celeba-64": "celeba",
    "celeba_64": "celeba",
    "celeb-a": "celeba",
    "folder": "imagefolder",
    **TASK_ALIASES,
}
_TORCHVISION = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST", "cifar10": "CIFAR10"}
# (channels, height, width) each named dataset comes in (before img_size / channels apply)
IMAGE_SHAPES = {
    "default": (1, 28, 28),
    "mnist": (1, 28, 28),
    "fashion-mnist": (1, 28, 28),
    "cifar10": (3, 32, 32),
    "celeba": (3, 64, 64),
}


def canonical_name(name: str) -> str:
    """A dataset name with its alias resolved: ``CelebA-64`` -> ``celeba``."""
    key = name.strip().lower()
    return _ALIASES.get(key, key)


def default_data_root() -> Path:
    """Where torchvision datasets live: ``$GANZOO_DATA`` or ``~/.cache/ganzoo/data``."""
    return Path(os.environ.get("GANZOO_DATA", Path.home() / ".cache" / "ganzoo" / "data"))


def _read_idx(raw: bytes) -> np.ndarray:
    """Parse the IDX format MNIST ships in (big-endian dims, uint8 payload)."""
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataError("Embedded MNIST file is not a uint8 IDX file; reinstall ganzoo.")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_embedded() -> TensorImages:
    """The MNIST test split (10,000 digits, 28x28) shipped inside the package; works offline."""
    assets = resources.files("ganzoo.data") / "assets"
    with gzip.open(assets / "t10k-images-idx3-ubyte.gz") as f:
        images = _read_idx(f.read())
    with gzip.open(assets / "t10k-labels-idx1-ubyte.gz") as f:
        labels = _read_idx(f.read())
    return TensorImages(
        torch.from_numpy(images.copy()).unsqueeze(1),
        torch.from_numpy(labels.astype(np.int64)),
        num_classes=10,
        name="default (MNIST test split, embedded)",
    )


def _torchvision(name: str, root: Path, train: bool, download: bool) -> TensorImages:
    import torchvision

    cls = getattr(torchvision.datasets, _TORCHVISION[name])
    try:
        ds = cls(str(root), train=train, download=download)
    except Exception as err:
        folder = root / cls.__name__ if name != "cifar10" else root
        raise DataError(
            f"Could not load {cls.__name__} from {root} ({type(err).__name__}: {err}). "
            f"Put the dataset files in {folder} as torchvision lays them out, point --data-root "
            f"(or $GANZOO_DATA) at a folder that has them, or allow the download."
        ) from err
    data = torch.as_tensor(np.asarray(ds.data))
    images = data.unsqueeze(1) if data.ndim == 3 else data.permute(0, 3, 1, 2)
    labels = torch.as_tensor(np.asarray(ds.targets), dtype=torch.int64)
    split = "train" if train else "test"
    return TensorImages(images.contiguous(), labels, len(ds.classes), f"{name} ({split})")


def load_dataset(
    name: str = "default",
    root: str | os.PathLike[str] | None = None,
    train: bool = True,
    download: bool = True,
    img_size: int | None = None,
    channels: int | None = None,
    direction: str = "a2b",
) -> Dataset:
    """A dataset by name (``default``, ``mnist``, ``fashion-mnist``, ``cifar10``, ``celeba``
    (CelebA-64, see :mod:`ganzoo.data.celeba`), a translation task such as ``edges2mnist``) or a
    folder path.

    Images come out in [-1, 1], resized to ``img_size`` and converted to ``channels`` when given.
    A folder laid out as image-to-image data (``A/`` + ``B/``, ``trainA/`` + ``trainB/``, or
    side-by-side images) is read into :class:`ImagePairs` (default size 256, RGB); any other
    folder with torchvision's ImageFolder (one sub-folder per class; ``imagefolder`` forces it).
    ``direction`` (``a2b`` or ``b2a``) picks which domain of image-to-image data is the source.
    """
    key = canonical_name(name)
    direction = normalize_direction(direction)
    if key == "imagefolder" or key not in DATASETS:
        path = Path(root if key == "imagefolder" and root else name).expanduser()
        if path.is_dir() and key != "imagefolder" and detect_pair_layout(path):
            return load_pair_folder(
                path, train, img_size or DEFAULT_PAIR_SIZE, channels or 3, direction
            )
        if path.is_dir():
            return _single_domain(FolderImages(path, img_size or 64, channels or 3), direction)
        if key == "imagefolder" or os.sep in name or name.startswith("."):
            raise DataError(
                f"Dataset folder {str(path)!r} does not exist. Pass an existing folder of images "
                "(one sub-folder per class, as torchvision's ImageFolder expects), or of "
                "image-to-image data (A/ + B/, trainA/ + trainB/, or side-by-side images)."
            )
        raise unknown_name(
            "dataset", name, [*DATASETS, *_ALIASES], hint="Or pass a path to a folder of images."
        )
    root_path = Path(root) if root else default_data_root()
    if key in TRANSLATION_TASKS:
        pairs = build_translation_task(
            key,
            lambda dataset: _torchvision(dataset, root_path, train, download),
            "train" if train else "test",
            direction,
        )
        return pairs.formatted(img_size, channels, channels)
    if key == "default":
        data = load_embedded()
    elif key == "celeba":
        data = load_celeba(root_path, train, download)
    else:
        data = _torchvision(key, root_path, train, download)
    return _single_domain(data.formatted(img_size, channels), direction)


def _single_domain(data: Dataset, direction: str) -> Dataset:
    if direction != "a2b":
        raise DataError(
            f"direction={direction!r} applies to image-to-image data only; "
            f"{getattr(data, 'name', 'this dataset')} has one "
            "domain. Leave direction at 'a2b' or load a translation task or a folder of pairs."
        )
    return data
