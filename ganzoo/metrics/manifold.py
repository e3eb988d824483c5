"""k-NN manifold metrics: precision/recall (Kynkäänniemi 2019), density/coverage (Naeem 2020).

A sample's radius is the distance to its k-th nearest neighbour in its own set, itself excluded.
Distances are float64 ``torch.cdist`` computed ``batch_size`` rows at a time (memory
O(batch_size * N)), on the device of ``real`` when it is a tensor. Precision/recall count a
point on the sphere as inside (``<=``, as Kynkäänniemi's code); density/coverage use ``<``, as
Naeem's ``prdc``, which makes density exactly 1 when fake equals real.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..errors import ConfigError
from ._inputs import ArrayLike, check_features, check_positive_int, check_same_dim, to_tensor


def precision_recall(
    real: ArrayLike, fake: ArrayLike, k: int = 3, batch_size: int = 1024
) -> tuple[float, float]:
    """Precision: fraction of fake samples within the k-NN radius of at least one real sample.

    Recall: fraction of real samples within the k-NN radius of at least one fake sample.
    """
    a, b = _pair(real, fake, k, batch_size, "precision_recall")
    real_radii, fake_radii = _radii(a, k, batch_size), _radii(b, k, batch_size)
    fake_in_real = torch.zeros(len(b), dtype=torch.bool, device=a.device)
    real_in_fake = torch.zeros(len(a), dtype=torch.bool, device=a.device)
    for start in range(0, len(a), batch_size):
        dist = torch.cdist(a[start : start + batch_size], b)
        fake_in_real |= (dist <= real_radii[start : start + batch_size, None]).any(dim=0)
        real_in_fake[start : start + batch_size] = (dist <= fake_radii[None, :]).any(dim=1)
    return fake_in_real.double().mean().item(), real_in_fake.double().mean().item()


def density_coverage(
    real: ArrayLike, fake: ArrayLike, k: int = 5, batch_size: int = 1024
) -> tuple[float, float]:
    """Density: (1 / kM) sum over fake j and real i of 1[fake_j in B(real_i, r_i)].

    Coverage: fraction of real samples whose k-NN ball contains at least one fake sample.
    """
    a, b = _pair(real, fake, k, batch_size, "density_coverage")
    inside, covered = 0, 0
    for start in range(0, len(a), batch_size):
        rows = a[start : start + batch_size]
        # Radii from the same row block as the real-fake distances, so fake == real is exact.
        radii = _kth_distance(torch.cdist(rows, a), k)
        dist = torch.cdist(rows, b)
        inside += int((dist < radii[:, None]).sum())
        covered += int((dist.min(dim=1).values < radii).sum())
    return inside / (k * len(b)), covered / len(a)


def _pair(
    real: ArrayLike, fake: ArrayLike, k: int, batch_size: int, metric: str
) -> tuple[Tensor, Tensor]:
    k = check_positive_int(k, metric, "k")
    check_positive_int(batch_size, metric, "batch_size")
    a = to_tensor(real, metric, "real")
    b = to_tensor(fake, metric, "fake", device=a.device)
    check_features(a, metric, "real")
    check_features(b, metric, "fake")
    check_same_dim(a, b, metric)
    for x, name in ((a, "real"), (b, "fake")):
        if len(x) <= k:
            raise ConfigError(
                f"{metric}: k={k} nearest neighbours need more than k samples per set; {name} has "
                f"{len(x)}. Use a smaller k or more samples."
            )
    return a, b


def _radii(x: Tensor, k: int, batch_size: int) -> Tensor:
    """Distance from each row of ``x`` to its k-th nearest other row."""
    return torch.cat(
        [
            _kth_distance(torch.cdist(x[start : start + batch_size], x), k)
            for start in range(0, len(x), batch_size)
        ]
    )


def _kth_distance(dist: Tensor, k: int) -> Tensor:
    """The (k+1)-th smallest entry per row: the k-th neighbour, the point itself (0) excluded."""
    return dist.topk(k + 1, dim=1, largest=False).values[:, -1]
