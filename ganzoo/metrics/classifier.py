"""Small classifiers trained by us on MNIST and Fashion-MNIST, shipped with the package.

They give offline metrics for 28x28 grey data: class probabilities (Inception Score, class
coverage, mode counting) and 128-d features (Fréchet distance, precision/recall in their space).
``docs/scripts/train_classifiers.py`` trains them and records their test accuracy in
``weights/classifiers.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import torch
from torch import Tensor, nn

from ..data.images import convert_channels
from ..errors import ConfigError, unknown_name

CLASSIFIER_DATASETS = ("mnist", "fashion-mnist")
CLASSIFIER_CLASSES = 10  # each shipped classifier tells ten classes apart
_ALIASES = {"fashion_mnist": "fashion-mnist", "fmnist": "fashion-mnist", "default": "mnist"}


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    ]


class DigitClassifier(nn.Module):
    """A 5-conv CNN for 1x28x28 images in [-1, 1]: 128-d pooled features, then 10 logits."""

    feature_dim = 128

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_block(1, 32),
            *_block(32, 32),
            nn.MaxPool2d(2),
            *_block(32, 64),
            *_block(64, 64),
            nn.MaxPool2d(2),
            *_block(64, self.feature_dim),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(self.feature_dim, num_classes)

    def _check(self, images: Tensor) -> None:
        if images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
            raise ConfigError(
                f"The MNIST-family classifiers take (N, 1, 28, 28) images in [-1, 1]; got "
                f"{tuple(images.shape)}. Resize/convert first (ganzoo.data.images.resize, convert_channels)."
            )

    def features(self, images: Tensor) -> Tensor:
        """(N, 128) penultimate features."""
        self._check(images)
        return self.body(images)

    def forward(self, images: Tensor) -> Tensor:
        """(N, 10) class logits."""
        return self.head(self.features(images))


def classifier_dataset(name: str) -> str | None:
    """The canonical name of ``name`` if a classifier is shipped for it (``"fashion_mnist"`` ->
    ``"fashion-mnist"``, the embedded ``"default"`` -> ``"mnist"``), else None."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in CLASSIFIER_DATASETS else None


def _canonical(dataset: str) -> str:
    key = classifier_dataset(dataset)
    if key is None:
        raise unknown_name("classifier dataset", dataset, CLASSIFIER_DATASETS)
    return key


def weights_file(dataset: str) -> str:
    """File name of the shipped weights for ``dataset``."""
    return f"{_canonical(dataset).replace('-', '_')}_classifier.safetensors"


def classifier_info() -> dict[str, Any]:
    """Training record of the shipped classifiers (test accuracy, epochs, ...)."""
    path = resources.files("ganzoo.metrics") / "weights" / "classifiers.json"
    return json.loads(path.read_text())


def load_classifier(dataset: str = "mnist", device: str | torch.device = "cpu") -> DigitClassifier:
    """The shipped classifier for ``mnist`` or ``fashion-mnist``, in eval mode."""
    from safetensors.torch import load_file

    path = resources.files("ganzoo.metrics") / "weights" / weights_file(dataset)
    if not path.is_file():
        raise ConfigError(
            f"The {dataset} classifier weights are missing from the package ({path}); reinstall ganzoo."
        )
    model = DigitClassifier()
    state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(path)).items()}
    model.load_state_dict(state)
    return model.eval().to(device)


def prepare_images(images: Tensor) -> Tensor:
    """Check the range and convert to the classifiers' 1x28x28 input (documented conversion:
    RGB -> grey by luma, then antialiased bilinear resize to 28x28)."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ConfigError(f"Expected images of shape (N, 1 or 3, H, W), got {tuple(images.shape)}.")
    check_range(float(images.min()), float(images.max()))
    images = convert_channels(images.float(), 1)
    if images.shape[-2:] != (28, 28):
        images = torch.nn.functional.interpolate(
            images, size=(28, 28), mode="bilinear", antialias=True
        )
    return images


def check_range(low: float, high: float) -> None:
    """Raise a ConfigError unless [low, high] lies in [-1, 1] (the range ganzoo images use)."""
    if low < -1.001 or high > 1.001:
        raise ConfigError(
            f"Images must be in [-1, 1] as ganzoo generators produce them; got values in "
            f"[{low:.3g}, {high:.3g}]. Convert [0, 1] images with x * 2 - 1, and uint8 [0, 255] "
            "with x / 127.5 - 1."
        )
