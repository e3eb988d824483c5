"""Whether a training state is finite: weights, buffers (batch-norm statistics, EMA copies,
objective state) and optimizer state, as a checkpoint worth keeping must be."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


def _tensors(state: Any, prefix: str) -> Iterable[tuple[str, torch.Tensor]]:
    if isinstance(state, torch.Tensor):
        yield prefix, state
    elif isinstance(state, dict):
        for key, value in state.items():
            yield from _tensors(value, f"{prefix}.{key}")
    elif isinstance(state, (list, tuple)):
        for i, value in enumerate(state):
            yield from _tensors(value, f"{prefix}.{i}")


def first_nonfinite(module: torch.nn.Module, optimizers: dict[str, Any]) -> str | None:
    """The name of the first parameter, buffer or optimizer-state tensor holding NaN/Inf, or
    None when all are finite."""
    named = [*module.named_parameters(), *module.named_buffers()]
    for name, optimizer in optimizers.items():
        named += list(_tensors(optimizer.state_dict()["state"], name))
    named = [(name, t) for name, t in named if t.is_floating_point() and t.numel()]
    if not named:
        return None
    finite = torch.stack([torch.isfinite(t).all().to(named[0][1].device) for _, t in named])
    if bool(finite.all()):  # one host sync for the whole state
        return None
    return named[int((~finite).nonzero()[0])][0]
