"""The FID a run measures while it trains, to rank its own checkpoints.

Every ``fid_every`` steps the trainer samples ``fid_samples`` images from the sampling generator
(the EMA weights when the recipe keeps them) from one fixed seed, and measures their Fréchet
distance to the test images of the run's dataset (MNIST or Fashion-MNIST, 10,000 by default)
in one of two feature spaces (``fid_features``):

* ``classifier`` (default): the 128-d features of the classifier shipped for the dataset; cheap
  on any CPU, logged as ``fid_classifier``. It sees shapes and classes, not stroke texture.
* ``inception``: Inception-v3 pool3 in fp32, the published metric, logged as ``fid_inception``
  (needs ``ganzoo[inception]``). On MNIST the two rank checkpoints differently (docs/zoo.md);
  use it where Inception is affordable (a GPU; on a CPU 2,000 samples take minutes).

The reference statistics are computed once and cached on disk
(:func:`ganzoo.metrics.reference_features`). Sampling runs under a forked RNG and restores the
networks' modes, so a run with periodic FIDs trains, and resumes, exactly as one without.
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
from ..metrics import (
    classifier_dataset,
    extract,
    frechet_distance,
    gaussian_stats,
    reference_features,
)
from ..metrics.extractors import classifier_extractor, inception_extractor

REFERENCE_IMAGES = 10_000  # the whole test split of MNIST and of Fashion-MNIST
FEATURES = ("classifier", "inception")  # the feature spaces of a periodic FID


def metric_name(features: str = "classifier") -> str:
    """The key of a periodic FID in metrics.jsonl rows: ``fid_classifier`` or ``fid_inception``."""
    return f"fid_{features}"


METRIC = metric_name()  # the default key, for readers of older logs


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
    dataset = classifier_dataset(name.split(" (")[0])  # "mnist (train)", "fashion-mnist (test)"
    if dataset is not None:
        return dataset
    raise ConfigError(
        f"fid_every needs MNIST or Fashion-MNIST data (the periodic FID uses the classifiers "
        f"shipped for them); this run's data is {getattr(data, 'name', type(data).__name__)!r}. "
        "Leave fid_every unset for it."
    )


@dataclass
class BestFID:
    """The lowest periodic FID of a run so far, the step that reached it and its metric."""

    value: float | None = None
    step: int | None = None
    metric: str = METRIC

    def improved_by(self, value: float) -> bool:
        return bool(np.isfinite(value)) and (self.value is None or value < self.value)

    def state_dict(self) -> dict[str, Any]:
        return {"value": self.value, "step": self.step, "metric": self.metric}

    def load_state_dict(self, state: dict[str, Any] | None) -> bool:
        """Take the saved best; False (and no best) when it was measured in another feature
        space, whose values cannot be compared with this run's."""
        state = state or {}
        if state.get("value") is not None and state.get("metric", METRIC) != self.metric:
            self.value = self.step = None
            return False
        self.value, self.step = state.get("value"), state.get("step")
        return True


def check_features(features: str) -> str:
    """``features`` if it names a periodic FID's feature space, else a one-line ConfigError."""
    if features not in FEATURES:
        raise ConfigError(
            f"fid_features must be one of {', '.join(FEATURES)} (the shipped classifier, or "
            f"Inception-v3 as papers publish); got {features!r}."
        )
    return features


class PeriodicFID:
    """Callable: a GAN -> the FID of ``n`` of its samples to the reference's test images.

    ``dataset`` is ``mnist`` or ``fashion-mnist`` (see :func:`reference_dataset`); ``seed`` fixes
    the latent codes and labels, the same at every evaluation. ``features`` is ``classifier`` or
    ``inception``; ``reference_images`` the number of test images (the first ones) compared with
    (None: all 10,000).
    """

    def __init__(
        self,
        dataset: str,
        n: int,
        seed: int,
        device: torch.device,
        data_root: str | os.PathLike[str] | None = None,
        features: str = "classifier",
        reference_images: int | None = None,
    ) -> None:
        self.dataset, self.n, self.seed, self.device = dataset, n, seed, device
        self.data_root = data_root
        self.metric = metric_name(check_features(features))
        self.reference_images = reference_images or REFERENCE_IMAGES
        self.extractor = (
            classifier_extractor(dataset, device)
            if features == "classifier"
            else inception_extractor(device)
        )
        self._reference: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def description(self) -> str:
        return (
            f"{self.n} samples vs the {self.reference_images:,} {self.dataset} test images, "
            f"{self.extractor.description}"
        )

    def prepare(self) -> None:
        """Load (or compute once, then cache) the reference statistics."""
        if self._reference is None:
            with torch.random.fork_rng(devices=[]):
                features, _ = reference_features(
                    self.dataset,
                    self.reference_images,
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
