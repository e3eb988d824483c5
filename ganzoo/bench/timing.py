"""Wall-clock timing with device synchronisation: warm-up, then interleaved rounds."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from statistics import median

import torch


def synchronize(device: torch.device | str) -> None:
    """Wait for all queued work on ``device`` (a no-op on the CPU, where ops are synchronous)."""
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def time_rounds(
    calls: Mapping[str, Callable[[], object]],
    device: torch.device | str,
    *,
    steps: int,
    rounds: int = 1,
    warmup: int | Mapping[str, int] = 0,
) -> dict[str, list[float]]:
    """Seconds per call of each of ``calls``, one value per round.

    Each callable first runs ``warmup`` times (an int, or a count per name, missing names 0); then ``rounds`` rounds follow, in which each
    callable in turn runs ``steps`` times between two synchronisations of ``device``. Calls
    inside a round are not synchronised one by one, so asynchronous devices keep their queue
    full. Interleaving the callables round by round lets background load fall on all of them
    alike, which keeps their ratios fair on a shared machine.
    """
    if steps < 1 or rounds < 1:
        raise ValueError(f"need steps >= 1 and rounds >= 1; got {steps}, {rounds}")
    for name, fn in calls.items():
        for _ in range(warmup if isinstance(warmup, int) else warmup.get(name, 0)):
            fn()
    synchronize(device)
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, fn in calls.items():
            synchronize(device)
            start = time.perf_counter()
            for _ in range(steps):
                fn()
            synchronize(device)
            seconds[name].append((time.perf_counter() - start) / steps)
    return seconds


def median_rate(seconds_per_call: list[float], per_call: float = 1.0) -> float:
    """``per_call`` units (e.g. images) per second from the median round."""
    return per_call / median(seconds_per_call)


def paired_speedup(
    seconds: list[float], per_call: float, baseline: list[float], baseline_per_call: float
) -> tuple[float, float, float]:
    """(median, min, max) of the per-round ratios of two interleaved callables' rates.

    Round ``i`` of each ran back to back (:func:`time_rounds`), under the same background load,
    so the ratio of their rates in that round cancels the load; the median of those ratios is
    robust to a round disturbed for one of them, unlike a ratio of medians, which pairs rounds
    run under different loads.
    """
    if len(seconds) != len(baseline) or not seconds:
        raise ValueError(f"need paired rounds; got {len(seconds)} and {len(baseline)}")
    ratios = [
        (per_call / s) / (baseline_per_call / b) for s, b in zip(seconds, baseline, strict=True)
    ]
    return median(ratios), min(ratios), max(ratios)
