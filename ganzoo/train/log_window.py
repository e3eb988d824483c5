"""The log window in progress (sums of the values logged since the last row), kept in
checkpoints so that the first row after a resume averages the same steps as an uninterrupted
run's."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def window_state(totals: dict[str, Tensor], counts: dict[str, int]) -> dict[str, Any]:
    """The window as checkpoint data (CPU tensors and ints)."""
    return {"totals": {k: v.detach().cpu() for k, v in totals.items()}, "counts": dict(counts)}


def restore_window(
    state: dict[str, Any] | None, device: torch.device
) -> tuple[dict[str, Tensor], dict[str, int]]:
    """``(totals, counts)`` from :func:`window_state` data (empty for a new run or an older
    checkpoint without it)."""
    if not state:
        return {}, {}
    return {k: v.to(device) for k, v in state["totals"].items()}, dict(state["counts"])
