"""Peak memory of a training step: the CUDA allocator's peak, or live tensor bytes on the CPU.

On CUDA, ``torch.cuda.max_memory_allocated`` is exact and costs nothing. The CPU allocator keeps
no statistics, and the process's peak RSS is the wrong measure: it includes the interpreter and
libraries, and the C allocator keeps freed blocks resident, so a second step reuses the first
one's memory without raising the peak. :class:`LiveTensorBytes` instead follows every tensor
storage that exists while a step runs (weights, gradients, optimizer state and data it is given,
plus every op's output, forward and backward) and frees it when torch frees it. Its peak is the
CPU counterpart of ``max_memory_allocated``; kernel workspaces that never become tensors are not
counted. It slows the step down, so it runs on an untimed step.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.weak import WeakIdKeyDictionary


def tensors_of(*objects: Any) -> list[torch.Tensor]:
    """The tensors held by modules (parameters, gradients, buffers), optimizers (state) and
    plain tensors among ``objects``."""
    found: list[torch.Tensor] = []
    for obj in objects:
        if isinstance(obj, torch.Tensor):
            found.append(obj)
        elif isinstance(obj, torch.nn.Module):
            for p in obj.parameters():
                found += [p] if p.grad is None else [p, p.grad]
            found += list(obj.buffers())
        elif isinstance(obj, torch.optim.Optimizer):
            for state in obj.state.values():
                found += [v for v in state.values() if isinstance(v, torch.Tensor)]
    return found


class LiveTensorBytes(TorchDispatchMode):
    """Tracks the bytes of live tensor storages on one device; ``peak`` is their maximum.

    ``resident`` are the tensors alive when tracking starts (see :func:`tensors_of`); every
    storage an op creates is added while it lives. Storages an op merely reads or updates in
    place and that were not given as resident are ignored.
    """

    def __init__(self, device: torch.device | str, resident: Iterable[torch.Tensor] = ()) -> None:
        super().__init__()
        self.device = torch.device(device)
        self.live = 0
        self.peak = 0
        self._seen: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self._refs: list[weakref.ref] = []
        for tensor in resident:
            self._track(tensor)

    def _track(self, tensor: torch.Tensor) -> None:
        if tensor.device.type != self.device.type or tensor.is_meta:
            return
        storage = tensor.untyped_storage()
        if storage in self._seen:
            return
        nbytes = storage.nbytes()
        self._seen[storage] = nbytes
        self._refs.append(weakref.ref(storage, lambda _ref, n=nbytes: self._free(n)))
        self.live += nbytes
        self.peak = max(self.peak, self.live)

    def _free(self, nbytes: int) -> None:
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **(kwargs or {}))
        inputs = {
            id(t.untyped_storage())
            for t in tree_flatten((args, kwargs))[0]
            if isinstance(t, torch.Tensor)
        }
        for tensor in tree_flatten(out)[0]:
            if isinstance(tensor, torch.Tensor) and id(tensor.untyped_storage()) not in inputs:
                self._track(tensor)
        return out


def cuda_peak_bytes(fn: Any, device: torch.device | str) -> int:
    """``torch.cuda.max_memory_allocated`` over one call of ``fn`` (everything on the GPU)."""
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    fn()
    torch.cuda.synchronize(device)
    return torch.cuda.max_memory_allocated(device)
