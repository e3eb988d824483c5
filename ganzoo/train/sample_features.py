"""The feature space in which the health monitor measures sample diversity and class spread.

1x28x28 data: the shipped MNIST / Fashion-MNIST classifier (128-d features, predicted classes
when the data has 10 labelled classes). Other shapes: pixels average-pooled to 8x8 per channel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset

from ..gan import GANBase
from ..metrics.classifier import load_classifier


class SampleFeatures:
    """Callable: images in [-1, 1] -> (features, predicted classes or None)."""

    def __init__(self, gan: GANBase, data: Dataset) -> None:
        self.data = data
        self.classifier = None
        self.num_classes = 0
        if gan.image_shape == (1, 28, 28):
            name = str(getattr(data, "name", "")).lower()
            dataset = "fashion-mnist" if "fashion" in name else "mnist"
            self.classifier = load_classifier(dataset)
            labelled = getattr(data, "labels", None) is not None
            if labelled and getattr(data, "num_classes", 0) == 10:
                self.num_classes = 10

    @torch.no_grad()
    def __call__(self, images: Tensor) -> tuple[Tensor, Tensor | None]:
        images = images.detach().float().cpu().clamp(-1, 1)
        if self.classifier is None:
            return F.adaptive_avg_pool2d(images, 8).flatten(1), None
        features = self.classifier.features(images)
        classes = self.classifier.head(features).argmax(1) if self.num_classes else None
        return features, classes

    def real_reference(self, n: int) -> Tensor:
        """Features of the first ``n`` training images (a fixed, RNG-free reference)."""
        n = min(n, len(self.data))
        pixels = getattr(self.data, "images", None)
        if pixels is not None and pixels.dtype == torch.uint8:
            images = pixels[:n].float() / 127.5 - 1
        else:
            images = torch.stack([self.data[i][0] for i in range(n)])
        return self(images)[0]
