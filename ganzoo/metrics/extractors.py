"""Feature extractors for the metrics, behind one interface.

``classifier``: our MNIST / Fashion-MNIST classifiers (128-d, offline, shipped with ganzoo).
``inception``: the standard Inception-v3 pool3 features (2048-d; the ``inception`` extra).
Each extractor has a ``cache_key`` naming its weights (by hash) and its input transform, so
cached reference statistics are never reused across extractors or resize rules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import torch
from torch import Tensor, nn

from ..errors import unknown_name
from ..utils.precision import autocast, check_precision
from .classifier import load_classifier, prepare_images, weights_file
from .inception import WEIGHTS_SHA1, inception_input, load_inception

EXTRACTORS = ("classifier", "inception")


@dataclass
class Extractor:
    """Maps images in [-1, 1] to features; ``batch_size`` bounds one forward pass."""

    name: str
    description: str
    cache_key: str
    model: nn.Module
    prepare: Callable[[Tensor], Tensor]  # images in [-1, 1] -> the model's input
    batch_size: int
    channels_last: bool = False
    precision: str = "fp32"  # bf16: the model runs under bf16 autocast (inputs prepared in fp32)

    @torch.no_grad()
    def __call__(self, images: Tensor) -> Tensor:
        """(N, D) float64 features on the CPU."""
        out = []
        for chunk in images.split(self.batch_size):
            x = self.prepare(chunk)
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            with autocast(self.precision, x.device):
                features = self.model(x)
            out.append(features.double().cpu())
        return torch.cat(out)


def classifier_extractor(dataset: str, device: str | torch.device = "cpu") -> Extractor:
    """The shipped classifier for ``dataset``: penultimate 128-d features."""
    model = load_classifier(dataset, device)
    weights = resources.files("ganzoo.metrics") / "weights" / weights_file(dataset)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    return Extractor(
        name="classifier",
        description=f"ganzoo {dataset} classifier (128-d features)",
        cache_key=f"classifier_{dataset}-{digest}-28px",
        model=_Features(model),
        prepare=prepare_images,
        batch_size=1000,
    )


def inception_extractor(device: str | torch.device = "cpu", precision: str = "fp32") -> Extractor:
    """Inception-v3 ``inception-2015-12-05`` pool3 (needs ``pip install "ganzoo[inception]"``).

    ``precision="bf16"`` is an opt-in for quick evaluations on hardware with native bf16 (AMX
    CPUs, recent GPUs): the network runs under bf16 autocast, which moves FID slightly (see
    docs/metrics.md); published FIDs use fp32. Its cached statistics are kept apart.
    """
    check_precision(precision, ("fp32", "bf16"))
    on_gpu = torch.device(device).type == "cuda"
    low = "" if precision == "fp32" else f", {precision} autocast"
    return Extractor(
        name="inception",
        description=f"Inception-v3 inception-2015-12-05 pool3 (2048-d), TF1-bilinear resize to 299{low}",
        cache_key=f"inception-2015-12-05-{WEIGHTS_SHA1[:12]}-tf1bilinear299"
        + ("" if precision == "fp32" else f"-{precision}"),
        model=load_inception(device),
        prepare=inception_input,
        batch_size=200 if on_gpu else 50,
        channels_last=True,
        precision=precision,
    )


def get_extractor(
    name: str, dataset: str, device: str | torch.device = "cpu", precision: str = "fp32"
) -> Extractor:
    """``classifier`` (for ``dataset``) or ``inception`` (``precision="bf16"``: opt-in bf16)."""
    key = name.strip().lower()
    if key == "classifier":
        return classifier_extractor(dataset, device)
    if key == "inception":
        return inception_extractor(device, precision)
    raise unknown_name("feature extractor", name, EXTRACTORS)


class _Features(nn.Module):
    """Exposes a classifier's ``features`` as ``forward``."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier.features(x)
