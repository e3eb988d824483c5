"""Metrics on a classifier's predictions for generated samples: Inception Score, class coverage."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError
from ._inputs import ArrayLike, check_features, check_finite, check_positive_int, to_numpy

ROW_SUM_TOLERANCE = 1e-3


def inception_score(probs: ArrayLike, splits: int = 10) -> tuple[float, float]:
    """Mean and std (ddof=0) over ``splits`` of ``exp(E_x KL(p(y|x) || p(y)))`` (Salimans et al.).

    ``probs`` is (N, C) class probabilities (softmax outputs, not logits). Split i is rows
    ``i*N//splits`` to ``(i+1)*N//splits`` with p(y) its own mean, as in the original code.
    """
    p = to_numpy(probs, "inception_score", "probs")
    check_features(p, "inception_score", "probs")
    splits = check_positive_int(splits, "inception_score", "splits")
    if splits > len(p):
        raise ConfigError(
            f"inception_score: splits={splits} is more than the {len(p)} samples; use fewer splits."
        )
    _check_probabilities(p)
    n = len(p)
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        kl = _xlogy(part, part) - _xlogy(part, np.broadcast_to(marginal, part.shape))
        scores.append(np.exp(kl.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_coverage(
    probs_or_labels: ArrayLike, num_classes: int, min_fraction: float = 0.0
) -> dict[str, Any]:
    """Summary of the predicted-class histogram of generated samples (mode collapse check).

    ``probs_or_labels`` is (N,) integer labels or (N, C) scores (probabilities or logits; the
    argmax is the prediction). Returns ``histogram`` (counts per class), ``classes_covered``
    (classes with a fraction of the samples > 0 and >= ``min_fraction``), ``mode_count``
    (classes predicted at least once, the "modes" of Stacked-MNIST papers), ``kl_to_uniform``
    (KL(histogram || uniform), 0 when perfectly balanced) and ``num_samples``.
    """
    num_classes = check_positive_int(num_classes, "class_coverage", "num_classes")
    if not (np.isfinite(min_fraction) and 0 <= min_fraction <= 1):
        raise ConfigError(f"class_coverage: min_fraction must be in [0, 1], got {min_fraction!r}.")
    labels = _labels(probs_or_labels, num_classes)
    counts = np.bincount(labels, minlength=num_classes)
    n = len(labels)
    ratio = counts * num_classes / n  # exactly 1.0 for a balanced class
    kl = float(np.sum(_xlogy(counts / n, ratio)))
    return {
        "histogram": counts,
        "classes_covered": int(np.sum((counts > 0) & (counts >= min_fraction * n))),
        "mode_count": int(np.sum(counts > 0)),
        "kl_to_uniform": max(kl, 0.0),
        "num_samples": n,
    }


def _check_probabilities(p: np.ndarray) -> None:
    if (p < 0).any():
        raise ConfigError(
            "inception_score: probs has negative entries; pass softmax probabilities, not logits."
        )
    sums = p.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > ROW_SUM_TOLERANCE:
        raise ConfigError(
            f"inception_score: each row of probs must sum to 1 (tolerance {ROW_SUM_TOLERANCE}); "
            f"row {worst} sums to {sums[worst]:.6g}. Apply softmax to logits first."
        )


def _labels(x: ArrayLike, num_classes: int) -> np.ndarray:
    arr = to_numpy(x, "class_coverage", "probs_or_labels")
    if arr.ndim == 2:
        check_features(arr, "class_coverage", "probs_or_labels")
        if arr.shape[1] != num_classes:
            raise ConfigError(
                f"class_coverage: scores have shape {arr.shape} but num_classes={num_classes}; "
                f"the second dimension must equal num_classes."
            )
        return arr.argmax(axis=1)
    if arr.ndim != 1 or len(arr) == 0:
        raise ConfigError(
            f"class_coverage: expected (N,) labels or (N, {num_classes}) scores with N >= 1, "
            f"got shape {arr.shape}."
        )
    check_finite(arr, "class_coverage", "labels")
    if (arr != np.round(arr)).any() or arr.min() < 0 or arr.max() >= num_classes:
        raise ConfigError(
            f"class_coverage: labels must be integers in [0, {num_classes}), got values from "
            f"{arr.min():g} to {arr.max():g}."
        )
    return arr.astype(np.int64)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` for same-shape arrays, 0 where ``x == 0`` (so 0 log 0 = 0)."""
    out = np.zeros(x.shape)
    mask = x > 0
    out[mask] = x[mask] * np.log(y[mask])
    return out
