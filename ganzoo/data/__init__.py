"""Datasets (the embedded default, torchvision datasets, CelebA-64, image folders, two-domain
pairs, translation tasks), a flat folder of images as a tensor, and batch streams."""

from .batch import Batch
from .celeba import load_celeba
from .datasets import DATASETS, default_data_root, load_dataset, load_embedded
from .image_folder import load_image_folder
from .images import TensorImages, to_unit_range
from .loader import BatchStream
from .pair_folders import (
    detect_pair_layout,
    load_pair_folder,
    load_paired_folders,
    load_side_by_side,
    load_unpaired_folders,
)
from .pairs import ImagePairs
from .streaming import FolderImages
from .translation_tasks import (
    TRANSLATION_TASKS,
    dilate,
    domains_task,
    edge_map,
    edges_task,
    erode,
    thin2thick_task,
)

__all__ = [
    "DATASETS",
    "TRANSLATION_TASKS",
    "Batch",
    "BatchStream",
    "FolderImages",
    "ImagePairs",
    "TensorImages",
    "default_data_root",
    "detect_pair_layout",
    "dilate",
    "domains_task",
    "edge_map",
    "edges_task",
    "erode",
    "load_celeba",
    "load_dataset",
    "load_embedded",
    "load_image_folder",
    "load_pair_folder",
    "load_paired_folders",
    "load_side_by_side",
    "load_unpaired_folders",
    "thin2thick_task",
    "to_unit_range",
]
