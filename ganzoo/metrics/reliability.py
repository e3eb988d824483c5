"""Which metric values are too noisy or biased to trust at the sample count they used.

FID and KID need thousands of samples (papers use 10,000-50,000; FID's covariance is singular
below the feature dimension), precision/recall and density/coverage compare k-nearest-neighbour
balls that a few samples cannot estimate, and the Inception score splits its samples into ten
groups. :func:`unreliable` names each value computed from fewer samples than it needs.
"""

from __future__ import annotations

from typing import Any

# Result keys -> the fewest samples (generated and reference) they are meaningful with.
MIN_SAMPLES = {
    "fid": 2000,
    "kid": 1000,
    "kid_std": 1000,
    "is": 1000,
    "is_std": 1000,
    "precision": 1000,
    "recall": 1000,
    "density": 1000,
    "coverage": 1000,
    "classes_covered": 100,
    "class_kl_to_uniform": 100,
}


def unreliable(result: dict[str, Any]) -> dict[str, str]:
    """``{result key: why}`` for the values of an :func:`~ganzoo.metrics.evaluate` result
    computed from too few samples."""
    n = min(int(result.get("n", 0)), int(result.get("n_reference") or result.get("n", 0)))
    return {
        key: f"only {n} samples (needs >= {need}; use --n 10000 as papers do)"
        for key, need in MIN_SAMPLES.items()
        if key in result and n < need
    }
