"""Checking metric inputs (numpy arrays or torch tensors) and turning them into float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from ..errors import ConfigError, GanzooError

ArrayLike = Any  # numpy array, torch tensor or nested sequence of numbers


class MetricError(GanzooError, ValueError):
    """A metric that cannot be computed reliably from the given (valid-looking) inputs."""


def to_numpy(x: ArrayLike, metric: str, name: str) -> np.ndarray:
    """``x`` as a float64 numpy array (tensors are detached and moved to the CPU)."""
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float64).numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigError(
            f"{metric}: {name} must be a numeric array or tensor, got {type(x).__name__}."
        ) from err


def to_tensor(x: ArrayLike, metric: str, name: str, device: torch.device | None = None) -> Tensor:
    """``x`` as a float64 tensor on ``device`` (default: its own device, or the CPU)."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device or x.device, torch.float64)
    return torch.from_numpy(to_numpy(x, metric, name)).to(device or "cpu")


def check_features(x: np.ndarray | Tensor, metric: str, name: str, min_samples: int = 1) -> None:
    """Raise ConfigError unless ``x`` is a finite (N, D) array with N >= ``min_samples``."""
    shape = tuple(x.shape)
    if len(shape) != 2:
        raise ConfigError(
            f"{metric}: {name} must be a 2-d (N, D) array of per-sample features, got shape "
            f"{shape}. Flatten each sample first, e.g. x.reshape(len(x), -1)."
        )
    if shape[1] == 0:
        raise ConfigError(f"{metric}: {name} has shape {shape}; the feature dimension is empty.")
    if shape[0] < min_samples:
        raise ConfigError(
            f"{metric}: {name} needs at least {min_samples} samples, got {shape[0]} "
            f"(shape {shape})."
        )
    check_finite(x, metric, name)


def check_finite(x: np.ndarray | Tensor, metric: str, name: str) -> None:
    """Raise ConfigError if ``x`` holds NaN or infinite values."""
    finite = torch.isfinite(x) if isinstance(x, torch.Tensor) else np.isfinite(x)
    if not bool(finite.all()):
        bad = int((~finite).sum())
        raise ConfigError(
            f"{metric}: {name} contains {bad} NaN or infinite value(s); check the model or "
            f"feature extractor that produced them."
        )


def check_same_dim(real: np.ndarray | Tensor, fake: np.ndarray | Tensor, metric: str) -> None:
    """Raise ConfigError unless real and fake features have the same dimension D."""
    if real.shape[1] != fake.shape[1]:
        raise ConfigError(
            f"{metric}: real and fake features must have the same dimension, got real shape "
            f"{tuple(real.shape)} and fake shape {tuple(fake.shape)}. Extract both with the "
            f"same feature extractor."
        )


def feature_pair(
    real: ArrayLike, fake: ArrayLike, metric: str, min_samples: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Checked float64 numpy (N, D) and (M, D) arrays."""
    a, b = to_numpy(real, metric, "real"), to_numpy(fake, metric, "fake")
    check_features(a, metric, "real", min_samples)
    check_features(b, metric, "fake", min_samples)
    check_same_dim(a, b, metric)
    return a, b


def check_positive_int(value: Any, metric: str, name: str, minimum: int = 1) -> int:
    """``value`` as an int, or ConfigError if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{metric}: {name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)
