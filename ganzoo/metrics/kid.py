"""Kernel Inception Distance (Bińkowski et al., 2018): unbiased MMD^2, polynomial kernel."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ._inputs import ArrayLike, check_positive_int, feature_pair

_METRIC = "KID"


def polynomial_kernel(
    x: np.ndarray, y: np.ndarray, degree: int = 3, gamma: float | None = None, coef0: float = 1
) -> np.ndarray:
    """``(gamma * x @ y.T + coef0) ** degree``; ``gamma`` defaults to 1 / D."""
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (x @ y.T * gamma + coef0) ** degree


def mmd2_unbiased(k_xx: np.ndarray, k_xy: np.ndarray, k_yy: np.ndarray) -> float:
    """Unbiased MMD^2 from m x m kernel matrices (diagonals of k_xx and k_yy left out)."""
    m = k_xx.shape[0]
    same = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(same - 2 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    real: ArrayLike,
    fake: ArrayLike,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1,
    seed: int = 0,
) -> tuple[float, float]:
    """Mean and std (ddof=0) of unbiased MMD^2 over ``subsets`` random subsets, as torch-fidelity.

    Each subset draws, in this order, ``m = min(subset_size, N, M)`` real then ``m`` fake rows
    without replacement from ``numpy.random.default_rng(seed)``.
    """
    a, b = feature_pair(real, fake, _METRIC, min_samples=2)
    subsets = check_positive_int(subsets, _METRIC, "subsets")
    subset_size = check_positive_int(subset_size, _METRIC, "subset_size", minimum=2)
    degree = check_positive_int(degree, _METRIC, "degree")
    if gamma is not None and not (np.isfinite(gamma) and gamma > 0):
        raise ConfigError(f"{_METRIC}: gamma must be a positive number or None, got {gamma!r}.")
    if not np.isfinite(coef0):
        raise ConfigError(f"{_METRIC}: coef0 must be a finite number, got {coef0!r}.")
    m = min(subset_size, len(a), len(b))
    rng = np.random.default_rng(seed)
    mmds = np.empty(subsets)
    for i in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        mmds[i] = mmd2_unbiased(
            polynomial_kernel(x, x, degree, gamma, coef0),
            polynomial_kernel(x, y, degree, gamma, coef0),
            polynomial_kernel(y, y, degree, gamma, coef0),
        )
    return float(mmds.mean()), float(mmds.std())
