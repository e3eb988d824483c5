"""Fréchet distance between Gaussians fitted to features (FID; Heusel et al., 2017).

Follows pytorch-fid / torch-fidelity: ``np.cov(rowvar=False)`` statistics (ddof=1) and
``||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 S2))`` with ``scipy.linalg.sqrtm``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from ..errors import ConfigError
from ._inputs import ArrayLike, MetricError, check_features, check_finite, feature_pair, to_numpy

_METRIC = "FID"


class FewSamplesWarning(UserWarning):
    """Fewer samples than feature dimensions: the covariance is singular and FID unreliable."""


class SingularCovarianceWarning(RuntimeWarning):
    """``S1 S2`` is singular; eps was added to the covariance diagonals (pytorch-fid fallback)."""


def gaussian_stats(features: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of (N, D) ``features`` in float64, covariance with ddof=1.

    Warns with :class:`FewSamplesWarning` when N <= D (the covariance is then singular).
    """
    x = to_numpy(features, _METRIC, "features")
    check_features(x, _METRIC, "features", min_samples=2)
    _warn_if_few_samples(x.shape[1], {"features": len(x)})
    return _stats(x)


def frechet_distance(
    mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike, eps: float = 1e-6
) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), as pytorch-fid computes it.

    If ``sigma1 @ sigma2`` is singular (or its square root is not finite), ``eps * I`` is added
    to both covariances with a :class:`SingularCovarianceWarning`. A negligible imaginary part
    of the square root is dropped; a large one raises :class:`MetricError`. The result is not
    clipped, so it can be a tiny negative number for (near-)identical statistics.
    """
    return _frechet_distance(*_checked_stats(mu1, sigma1, mu2, sigma2), eps)


def fid_from_features(real: ArrayLike, fake: ArrayLike, eps: float = 1e-6) -> float:
    """FID between (N, D) ``real`` and (M, D) ``fake`` features (e.g. Inception pool3)."""
    a, b = feature_pair(real, fake, _METRIC, min_samples=2)
    _warn_if_few_samples(a.shape[1], {"real": len(a), "fake": len(b)})
    (mu1, sigma1), (mu2, sigma2) = _stats(a), _stats(b)
    return _frechet_distance(mu1, mu2, sigma1, sigma2, eps)


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), np.cov(x, rowvar=False)


def _warn_if_few_samples(dim: int, counts: dict[str, int]) -> None:
    few = {name: n for name, n in counts.items() if n <= dim}
    if few:
        given = ", ".join(f"{n} given ({name})" for name, n in few.items())
        warnings.warn(
            FewSamplesWarning(
                f"FID: covariance is singular; FID needs more than D={dim} samples, {given}; "
                f"use >= 10,000 as papers do."
            ),
            stacklevel=3,
        )


def _frechet_distance(
    mu1: np.ndarray, mu2: np.ndarray, sigma1: np.ndarray, sigma2: np.ndarray, eps: float
) -> float:
    if not (np.isfinite(eps) and eps > 0):
        raise ConfigError(f"{_METRIC}: eps must be a positive number, got {eps!r}.")
    diff = mu1 - mu2
    singular = _is_singular(sigma1) or _is_singular(sigma2)
    covmean = None if singular else _sqrtm(sigma1.dot(sigma2))
    if covmean is None or not np.isfinite(covmean).all():
        warnings.warn(
            SingularCovarianceWarning(
                f"FID: sigma1 @ sigma2 is singular; adding {eps} to the diagonal of both "
                f"covariance estimates."
            ),
            stacklevel=3,
        )
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = _sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            largest = np.max(np.abs(covmean.imag))
            raise MetricError(
                f"{_METRIC}: sqrtm(sigma1 @ sigma2) has a large imaginary component ({largest:.3g})"
                f"; the covariances are too ill-conditioned. Use more samples or a larger eps."
            )
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def _checked_stats(
    mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """mu1, mu2 as (D,) and sigma1, sigma2 as (D, D) finite float64 arrays."""
    mu1, mu2 = (np.atleast_1d(to_numpy(m, _METRIC, n)) for m, n in ((mu1, "mu1"), (mu2, "mu2")))
    d = mu1.shape[0]
    named = {"mu1": mu1, "mu2": mu2}
    named["sigma1"], named["sigma2"] = (
        np.atleast_2d(to_numpy(s, _METRIC, n)) for s, n in ((sigma1, "sigma1"), (sigma2, "sigma2"))
    )
    for name, arr in named.items():
        shape = (d,) if name.startswith("mu") else (d, d)
        if arr.shape != shape:
            raise ConfigError(
                f"{_METRIC}: statistics do not match: mu1 has shape {mu1.shape}, so {name} "
                f"must have shape {shape}, got {arr.shape}."
            )
        check_finite(arr, _METRIC, name)
    return mu1, mu2, named["sigma1"], named["sigma2"]


def _is_singular(sigma: np.ndarray) -> bool:
    """True unless ``sigma`` is numerically positive definite.

    Cholesky plus LAPACK's condition estimate (O(D^3 / 3), much cheaper than an eigen-
    decomposition); singular when the factorization fails or 1 / cond_1 < D * float64 eps.
    """
    from scipy.linalg import lapack

    factor, info = lapack.dpotrf(sigma, lower=False)
    if info != 0:
        return True
    rcond, info = lapack.dpocon(factor, np.abs(sigma).sum(axis=0).max())
    return info != 0 or rcond < sigma.shape[0] * np.finfo(np.float64).eps


def _sqrtm(a: np.ndarray) -> np.ndarray:
    """``scipy.linalg.sqrtm(a, disp=False)``; SciPy >= 1.16 deprecates ``disp`` (same result)."""
    try:
        import scipy
        from scipy import linalg
    except ImportError as err:  # pragma: no cover - scipy is installed with the metrics extra
        raise ImportError("FID needs scipy: pip install scipy") from err
    major, minor = (int(p) for p in re.findall(r"\d+", scipy.__version__)[:2])
    if (major, minor) < (1, 16):
        return linalg.sqrtm(a, disp=False)[0]
    return linalg.sqrtm(a)
