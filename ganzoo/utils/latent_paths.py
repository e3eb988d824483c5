"""Paths through latent space: spherical steps for Gaussian codes, straight ones for style vectors.

A path visits its waypoints exactly (the waypoints are copied in, not recomputed), so the first
and last images of a walk are the images of the codes it started from.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch
from torch import Tensor

from ..errors import ConfigError

Mix = Callable[[Tensor, Tensor, Tensor], Tensor]

_PARALLEL = 1e-6  # below this angle (radians) two directions are the same: step straight


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Points ``a + t (b - a)`` for codes ``a``, ``b`` (D,) and fractions ``t`` (S,): (S, D)."""
    a64, b64 = a.double(), b.double()
    return (a64 + (b64 - a64) * t.double()[:, None]).to(a.dtype)


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation for codes ``a``, ``b`` (D,) at fractions ``t`` (S,): (S, D).

    The direction turns along the great circle from ``a``'s to ``b``'s at constant angular speed
    and the norm goes linearly from ``|a|`` to ``|b|``, so a walk between two Gaussian codes stays
    on the shell where such codes lie (a straight line cuts through the unlikely middle).
    ``t = 0`` and ``t = 1`` give ``a`` and ``b`` exactly. Opposite codes have no single great
    circle between them and are refused.
    """
    a64, b64, t64 = a.double(), b.double(), t.double()[:, None]
    norm_a, norm_b = a64.norm(), b64.norm()
    if norm_a == 0 or norm_b == 0:
        path = a64 + (b64 - a64) * t64
    else:
        unit_a, unit_b = a64 / norm_a, b64 / norm_b
        omega = torch.acos((unit_a @ unit_b).clamp(-1.0, 1.0))
        if omega > math.pi - _PARALLEL:
            raise ConfigError(
                "The two latent codes point in opposite directions: no single great circle joins "
                "them. Use another pair (different seeds) or insert a waypoint between them."
            )
        if omega < _PARALLEL:
            direction = unit_a + (unit_b - unit_a) * t64
            direction = direction / direction.norm(dim=1, keepdim=True)
        else:
            weight_a = torch.sin((1 - t64) * omega) / torch.sin(omega)
            weight_b = torch.sin(t64 * omega) / torch.sin(omega)
            direction = weight_a * unit_a + weight_b * unit_b
        path = direction * (norm_a + (norm_b - norm_a) * t64)
    path = torch.where(t64 == 0, a64, torch.where(t64 == 1, b64, path))
    return path.to(a.dtype)


def chain(waypoints: Tensor, steps: int, mix: Mix) -> Tensor:
    """A path through ``waypoints`` (K, D), K >= 2, with ``steps`` points per leg counting both
    ends: ``(K - 1) * (steps - 1) + 1`` codes, waypoint ``i`` at index ``i * (steps - 1)``.
    ``mix`` is :func:`slerp` or :func:`lerp`."""
    if waypoints.ndim != 2 or waypoints.shape[0] < 2:
        raise ConfigError(
            f"A latent path needs at least 2 waypoints shaped (K, D); got {tuple(waypoints.shape)}."
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ConfigError(f"steps must be a whole number >= 2 (both ends count), got {steps!r}.")
    t = torch.linspace(0, 1, steps, dtype=torch.float64, device=waypoints.device)
    legs = [mix(a, b, t)[:-1] for a, b in itertools.pairwise(waypoints)]
    return torch.cat([*legs, waypoints[-1:]])


__all__ = ["chain", "lerp", "slerp"]
