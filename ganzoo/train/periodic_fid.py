"""The FID a run measures while it trains: cheap, in the shipped classifier's feature space.

Every ``fid_every`` steps the trainer samples ``fid_samples`` images from the sampling generator
(the EMA weights when the recipe keeps them) from one fixed seed, and measures their Fréchet
distance to the 10,000 test images of the run's dataset (MNIST or Fashion-MNIST) in the 128-d
features of the classifier shipped for that dataset. The reference statistics are computed once
and cached on disk (:func:`ganzoo.metrics.reference_features`). Sampling runs under a forked
RNG and restores the networks' modes, so a run with periodic FIDs trains, and resumes, exactly
as one without.

These values rank a run's own checkpoints; they are not the Inception FIDs papers publish.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import ConfigError
from ..gan import GAN, GANBase
from ..metrics import extract, frechet_distance, gaussian_stats, reference_features
from ..metrics.extractors import classifier_extractor

REFERENCE_IMAGES = 10_000  # the whole test split of MNIST and of Fashion-MNIST
METRIC = "fid_classifier"  # the key of the value in metrics.jsonl rows
# Dataset names (before " (split)") -> the classifier and test split that measure them.
_DATASETS = {
    "mnist": "mnist",
    "default": "mnist",  # the embedded MNIST test split
    "fashion-mnist": "fashion-mnist",
    "fashion_mnist": "fashion-mnist",
}


def reference_dataset(gan: GANBase, data: Dataset) -> str:
    """``mnist`` or ``fashion-mnist``: the dataset whose test split is the run's FID
    reference, or a ConfigError saying why this run cannot measure a periodic FID."""
    if not isinstance(gan, GAN):
        raise ConfigError(
            f"fid_every measures samples of models that generate from noise; {gan.name} "
            "translates images. Leave fid_every unset and evaluate its translations afterwards "
            "(ganzoo eval CHECKPOINT --translate TASK)."
        )
    name = str(getattr(data, "name", "")).strip().lower()
    dataset = _DATASETS.get(name.split(" (")[0])  # "mnist (train)", "fashion-mnist (test)"
    if dataset is not None:
        return dataset
    raise ConfigError(
        f"fid_every needs MNIST or Fashion-MNIST data (the periodic FID uses the classifiers "
        f"shipped for them); this run's data is {getattr(data, 'name', type(data).__name__)!r}. "
        "Leave fid_every unset for it."
    )


@dataclass
class BestFID:
    """The lowest periodic FID of a run so far and the step that reached it."""

    value: float | None = None
    step: int | None = None

    def improved_by(self, value: float) -> bool:
        return bool(np.isfinite(value)) and (self.value is None or value < self.value)

    def state_dict(self) -> dict[str, Any]:
        return {"value": self.value, "step": self.step}

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        state = state or {}
        self.value, self.step = state.get("value"), state.get("step")


class PeriodicFID:
    """Callable: a GAN -> the FID of ``n`` of its samples to the reference (classifier features).

    ``dataset`` is ``mnist`` or ``fashion-mnist`` (see :func:`reference_dataset`); ``seed`` fixes
    the latent codes and labels, the same at every evaluation.
    """

    def __init__(
        self,
        dataset: str,
        n: int,
        seed: int,
        device: torch.device,
        data_root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.dataset, self.n, self.seed, self.device = dataset, n, seed, device
        self.data_root = data_root
        self.extractor = classifier_extractor(dataset, device)
        self._reference: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def description(self) -> str:
        return (
            f"{self.n} samples vs the {REFERENCE_IMAGES:,} {self.dataset} test images, "
            f"{self.extractor.description}"
        )

    def prepare(self) -> None:
        """Load (or compute once, then cache) the reference statistics."""
        if self._reference is None:
            with torch.random.fork_rng(devices=[]):
                features, _ = reference_features(
                    self.dataset,
                    REFERENCE_IMAGES,
                    split="test",
                    extractor=self.extractor,
                    data_root=self.data_root,
                    device=self.device,
                )
            self._reference = gaussian_stats(features)

    def __call__(self, gan: GANBase) -> float:
        self.prepare()
        assert self._reference is not None
        cuda = [self.device] if self.device.type == "cuda" else []
        networks = [m for m in gan.modules() if m is not gan]
        modes = {id(m): m.training for m in networks}
        try:
            with torch.random.fork_rng(devices=cuda):
                features, _ = extract(
                    gan,
                    self.dataset,
                    self.n,
                    extractor=self.extractor,
                    seed=self.seed,
                    device=self.device,
                    precision="fp32",
                )
        finally:
            for m in networks:
                m.train(modes[id(m)])
        mu, sigma = self._reference
        return frechet_distance(mu, sigma, *gaussian_stats(features))
