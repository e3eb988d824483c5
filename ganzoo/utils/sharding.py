"""Per-sample random draws that do not change when a batch is split over data-parallel ranks.

All ranks share one random stream. Each draws the numbers for the whole global batch and keeps
its own slice, so the samples of different ranks get independent noise and N ranks draw exactly
what one process draws for the global batch. The trainer sets the shard for its steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import torch
import torch.distributed as dist
from torch import Tensor

_shard: ContextVar[tuple[int, int]] = ContextVar("ganzoo_batch_shard", default=(0, 1))


@contextmanager
def batch_shard(rank: int, world_size: int) -> Iterator[None]:
    """Within this context, batches are slice ``rank`` of ``world_size`` equal slices."""
    token = _shard.set((rank, world_size))
    try:
        yield
    finally:
        _shard.reset(token)


def per_sample(draw: Callable[[tuple[int, ...]], Tensor], shape: Sequence[int]) -> Tensor:
    """``draw(shape)`` for this rank's samples: its slice of the global batch's draw."""
    rank, world_size = _shard.get()
    if world_size == 1:
        return draw(tuple(shape))
    n = shape[0]
    return draw((n * world_size, *shape[1:]))[rank * n : (rank + 1) * n]


def rand_like(x: Tensor) -> Tensor:
    """Uniform [0, 1) noise shaped like the batch ``x``, drawn per sample as described above."""
    return per_sample(lambda s: torch.rand(s, device=x.device, dtype=x.dtype), x.shape)


def randn_like(x: Tensor) -> Tensor:
    """Standard normal noise shaped like the batch ``x``, drawn per sample as described above."""
    return per_sample(lambda s: torch.randn(s, device=x.device, dtype=x.dtype), x.shape)


def batch_mean(x: Tensor) -> Tensor:
    """The mean of ``x`` over its first dimension across the global batch: inside a
    data-parallel step, the mean of the ranks' equal slices (one all-reduce)."""
    mean = x.mean(dim=0)
    _, world_size = _shard.get()
    if world_size > 1 and dist.is_available() and dist.is_initialized():
        mean = mean.contiguous()
        dist.all_reduce(mean)
        mean = mean / world_size
    return mean
