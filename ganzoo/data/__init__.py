"""Datasets (the embedded default, torchvision datasets, image folders, two-domain pairs) and
batch streams."""

from .datasets import DATASETS, default_data_root, load_dataset, load_embedded
from .images import TensorImages, to_unit_range
from .loader import BatchStream
from .pairs import ImagePairs
from .streaming import FolderImages

__all__ = [
    "DATASETS",
    "BatchStream",
    "FolderImages",
    "ImagePairs",
    "TensorImages",
    "default_data_root",
    "load_dataset",
    "load_embedded",
    "to_unit_range",
]
