"""CPU threads without thrash: passive OpenMP waiting by default, an explicit thread count.

OpenMP threads that finish their share of a parallel region spin (busy-wait) for the next one
by default. When several processes share few cores (two trainings, a training beside a test
run), the spinning threads take the cores the working ones need: two trainings on 2 busy
cores ran 6.6x slower per step than at one thread each (issue 17). ``OMP_WAIT_POLICY=PASSIVE``
makes them sleep instead. The OpenMP runtime reads it once, when torch loads it, so
:func:`prefer_passive_waiting` must run before ``import torch``: ``ganzoo`` calls it first
thing on import. This module imports no torch at module level.
"""

from __future__ import annotations

import os
import sys

from ..errors import ConfigError

WAIT_POLICY = "OMP_WAIT_POLICY"


def prefer_passive_waiting() -> bool:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the user chose a policy or torch is already
    loaded (then it is too late to matter); returns whether it set it."""
    if WAIT_POLICY in os.environ or "torch" in sys.modules:
        return False
    os.environ[WAIT_POLICY] = "PASSIVE"
    return True


def set_threads(threads: int | None) -> None:
    """Use ``threads`` intra-op CPU threads (None: leave torch's default, one per core)."""
    if threads is None:
        return
    import torch  # not at the top: this module runs before torch is first imported

    if threads < 1:
        raise ConfigError(f"--threads must be at least 1; got {threads}.")
    torch.set_num_threads(threads)


def load_average() -> float | None:
    """The 1-minute load average (None where the OS has none): other work skews CPU timings."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def thread_note() -> str:
    """E.g. ``2 torch threads, OMP_WAIT_POLICY=PASSIVE, load average 1.20``."""
    import torch

    load = load_average()
    policy = os.environ.get(WAIT_POLICY, "unset (OpenMP's default: spin, then sleep)")
    where = f", load average {load:.2f}" if load is not None else ""
    return f"{torch.get_num_threads()} torch threads, {WAIT_POLICY}={policy}{where}"
