"""Data-parallel training over processes started by ``torchrun`` (or any launcher that sets
``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/``MASTER_PORT``).

Every rank holds the whole GAN and draws the same random numbers; each takes its slice of the
global batch (data and latent codes), so ``world_size`` ranks with a global batch ``B`` compute
what one process computes with batch ``B``. Gradients are averaged with one all-reduce per
network update instead of wrapping the networks in ``DistributedDataParallel``: a GAN step
back-propagates through a frozen discriminator and through gradient penalties
(``autograd.grad`` with ``create_graph``), which DDP's reducer does not follow.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from ..errors import DistributedError, GanzooError

logger = logging.getLogger("ganzoo")

DEFAULT_TIMEOUT_S = 600.0


def launched_distributed() -> bool:
    """True inside a multi-process launch (``WORLD_SIZE`` > 1 in the environment)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def _timeout() -> datetime.timedelta:
    seconds = float(os.environ.get("GANZOO_DIST_TIMEOUT", DEFAULT_TIMEOUT_S))
    return datetime.timedelta(seconds=seconds)


@dataclass
class Distributed:
    """This process's place in a data-parallel run; a single process has world_size 1."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    owns_group: bool = False  # this object started the process group and will end it
    control: Any = None  # a gloo group for CPU-side decisions (stop flags, objects)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0 writes samples, logs and checkpoints."""
        return self.rank == 0

    @classmethod
    def from_environment(cls, device: torch.device) -> Distributed:
        """Join the process group described by the environment (a no-op for one process)."""
        if not launched_distributed():
            return cls()
        owns = False
        if not dist.is_initialized():
            backend = "nccl" if device.type == "cuda" else "gloo"
            if device.type == "cuda":
                torch.cuda.set_device(device)
            dist.init_process_group(backend, timeout=_timeout())
            owns = True
        control = dist.new_group(backend="gloo") if dist.get_backend() != "gloo" else None
        return cls(
            dist.get_rank(),
            dist.get_world_size(),
            int(os.environ.get("LOCAL_RANK", 0)),
            owns,
            control,
        )

    def close(self) -> None:
        """End the process group if this object started it."""
        if self.owns_group and dist.is_initialized():
            dist.destroy_process_group()
            self.owns_group = False

    # ------------------------------------------------------------------------ collectives
    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Turn a failed collective (a rank died or hung) into a :class:`DistributedError`."""
        try:
            yield
        except RuntimeError as err:
            if not self.enabled or isinstance(err, GanzooError) or not _is_communication_error(err):
                raise
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise DistributedError(
                f"Rank {self.rank} of {self.world_size} lost contact with the other ranks during "
                f"{what} ({first[:300]}). Another rank has most likely died or stalled: see its "
                "log. The last checkpoint is intact; restart all ranks with --resume."
            ) from err

    def any(self, flag: bool) -> bool:
        """True on every rank if ``flag`` is true on any rank."""
        if not self.enabled:
            return flag
        value = torch.tensor([float(flag)])
        dist.all_reduce(value, op=dist.ReduceOp.MAX, group=self.control)
        return bool(value.item())

    def broadcast_object(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every rank (picklable objects; CPU tensors)."""
        if not self.enabled:
            return obj
        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0, group=self.control)
        return box[0]

    def broadcast_module(self, module: nn.Module) -> None:
        """Copy rank 0's parameters and buffers into every rank's ``module``."""
        if not self.enabled:
            return
        with torch.no_grad():
            for tensor in module.state_dict().values():
                if torch.is_tensor(tensor):
                    dist.broadcast(tensor, src=0)

    def average_gradients(self, parameters: Iterable[nn.Parameter]) -> None:
        """Replace each gradient by its mean over ranks (one all-reduce per dtype)."""
        if not self.enabled:
            return
        grads = [p.grad for p in parameters if p.grad is not None]
        by_dtype: dict[torch.dtype, list[Tensor]] = {}
        for grad in grads:
            by_dtype.setdefault(grad.dtype, []).append(grad)
        for group in by_dtype.values():
            flat = torch.cat([g.reshape(-1) for g in group])
            dist.all_reduce(flat)
            flat /= self.world_size
            offset = 0
            for grad in group:
                grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
                offset += grad.numel()

    def average(self, values: dict[str, Tensor]) -> dict[str, Tensor]:
        """The mean over ranks of each (scalar) value, in one all-reduce."""
        if not self.enabled or not values:
            return values
        stacked = torch.stack([v.detach().float().reshape(()) for v in values.values()])
        dist.all_reduce(stacked)
        stacked /= self.world_size
        return dict(zip(values, stacked.unbind(), strict=True))

    def check_in_sync(self, module: nn.Module, step: int) -> None:
        """Raise if the ranks' copies of ``module`` have drifted apart (they must be equal)."""
        if not self.enabled:
            return
        with torch.no_grad():
            total = sum((p.detach().double().sum() for p in module.parameters()), torch.zeros(()))
        mine = torch.tensor([float(total)], dtype=torch.float64)
        every = [torch.zeros_like(mine) for _ in range(self.world_size)]
        dist.all_gather(every, mine, group=self.control)
        values = [float(v) for v in every]
        if max(values) - min(values) > 1e-9 * max(1.0, max(abs(v) for v in values)):
            raise DistributedError(
                f"The ranks' weights differ at step {step} (parameter sums {values}); they must "
                "stay equal. Is every rank running the same code, config and data?"
            )


def _is_communication_error(err: RuntimeError) -> bool:
    dist_error = getattr(dist, "DistError", None)
    if dist_error is not None and isinstance(err, dist_error):
        return True
    text = str(err).lower()
    return any(
        marker in text
        for marker in ("gloo", "nccl", "connection", "timed out", "timeout", "broken pipe")
    )


class _SumOverRanks(torch.autograd.Function):
    """A differentiable all-reduce (sum): the gradient of a sum over ranks is the sum of the
    ranks' gradients."""

    @staticmethod
    def forward(ctx: Any, tensor: Tensor) -> Tensor:
        tensor = tensor.clone()
        dist.all_reduce(tensor)
        return tensor

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


class DistributedBatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch norm whose training statistics span the global batch of all ranks.

    For the gloo backend on the CPU, where ``torch.nn.SyncBatchNorm`` does not run; the
    all-reduce is differentiable, so gradients flow through the shared statistics.
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2-d input, got {input.dim()}-d")

    def forward(self, input: Tensor) -> Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized()):
            return super().forward(input)
        channels = input.shape[1]
        dims = [0, *range(2, input.dim())]
        count = input.new_tensor([input.numel() / channels])
        stats = _SumOverRanks.apply(torch.cat([input.sum(dims), (input * input).sum(dims), count]))
        total = stats[-1]
        mean = stats[:channels] / total
        var = (stats[channels : 2 * channels] / total - mean * mean).clamp_min(0)
        if self.track_running_stats and self.running_mean is not None:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                momentum = (
                    1.0 / float(self.num_batches_tracked)
                    if self.momentum is None
                    else self.momentum
                )
                unbiased = var * total / (total - 1).clamp_min(1)
                self.running_mean.lerp_(mean.detach(), momentum)
                self.running_var.lerp_(unbiased.detach(), momentum)
        shape = (1, channels) + (1,) * (input.dim() - 2)
        out = (input - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out


def synchronize_batchnorm(module: nn.Module, device: torch.device) -> nn.Module:
    """Make every batch norm in ``module`` use global-batch statistics (in place where possible).

    CUDA: ``torch.nn.SyncBatchNorm``; CPU (gloo): :class:`DistributedBatchNorm`. Parameter and
    buffer names are unchanged, so checkpoints load either way.
    """
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    for name, child in module.named_children():
        if isinstance(child, nn.modules.batchnorm._BatchNorm) and not isinstance(
            child, (DistributedBatchNorm, nn.SyncBatchNorm)
        ):
            replacement = DistributedBatchNorm(
                child.num_features,
                child.eps,
                child.momentum,
                child.affine,
                child.track_running_stats,
            )
            replacement.load_state_dict(child.state_dict())
            replacement.train(child.training)
            replacement.to(device)
            setattr(module, name, replacement)
        else:
            synchronize_batchnorm(child, device)
    return module
