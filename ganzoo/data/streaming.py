"""Folder datasets decoded on the fly (for data too large to hold in memory)."""

from __future__ import annotations

from pathlib import Path

from torch import Tensor
from torch.utils.data import Dataset

from ..errors import DataError
from .image_files import check_image_file, load_rgb


class FolderImages(Dataset):
    """torchvision's ImageFolder, resized/cropped to a square and scaled to [-1, 1]."""

    def __init__(self, root: str | Path, img_size: int, channels: int) -> None:
        from torchvision import datasets, transforms

        steps = [transforms.Resize(img_size), transforms.CenterCrop(img_size)]
        if channels == 1:
            steps.append(transforms.Grayscale(1))
        elif channels != 3:
            raise DataError(f"Folder images can be read as 1 or 3 channels, not {channels}.")
        steps += [transforms.ToTensor(), transforms.Normalize([0.5] * channels, [0.5] * channels)]
        try:
            self.folder = datasets.ImageFolder(
                str(root), transform=transforms.Compose(steps), loader=load_rgb
            )
        except (FileNotFoundError, OSError) as err:
            raise DataError(f"Cannot read images from {root}: {err}") from err
        for path, _ in self.folder.samples:  # a bad file: one line now, not a traceback mid-run
            check_image_file(path)
        self.num_classes = len(self.folder.classes)
        self.name = f"imagefolder ({root})"
        self.image_shape = (channels, img_size, img_size)

    def __len__(self) -> int:
        return len(self.folder)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        return self.folder[index]
