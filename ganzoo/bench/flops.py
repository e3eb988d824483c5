"""FLOPs per call, counted by ``torch.utils.flop_counter`` (matmuls, convolutions, attention)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from torch.utils.flop_counter import FlopCounterMode


class _NoModules(contextlib.nullcontext):
    """Stands in for FlopCounterMode's ModuleTracker: every count goes to the global total."""

    parents = frozenset({"Global"})
    is_bw = False


def count_flops(fn: Callable[[], object]) -> int:
    """Floating-point operations of one call of ``fn``, forward and backward.

    Counts what :class:`~torch.utils.flop_counter.FlopCounterMode` counts: matrix
    multiplications, convolutions (and their gradients) and attention, 2 FLOPs per
    multiply-add; elementwise ops, normalisation and optimizer updates are not counted. Run it
    on eager modules: the count does not depend on dtype or memory format. Only the total is
    kept: the per-module attribution hooks of FlopCounterMode break ``torch.autograd.grad`` on
    leaf inputs, which gradient penalties use.
    """
    counter = FlopCounterMode(display=False)
    if hasattr(counter, "mod_tracker"):
        counter.mod_tracker = _NoModules()
    with counter:
        fn()
    return int(counter.get_total_flops())
