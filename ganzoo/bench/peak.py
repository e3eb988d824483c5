"""The device's peak FLOP/s, measured in the same run with a large matrix multiplication."""

from __future__ import annotations

import torch

from .timing import time_rounds

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


class Matmul:
    """A callable ``size`` x ``size`` matmul in ``precision`` on ``device``; ``flops`` per call.

    ``size`` defaults to 8192 on a GPU and 2048 on a CPU, large enough to run at the device's
    peak. The process settings apply (e.g.
    ``torch.backends.cuda.matmul.allow_tf32`` for fp32 on a GPU).
    """

    def __init__(
        self, device: torch.device | str, precision: str = "fp32", size: int | None = None
    ) -> None:
        self.device = torch.device(device)
        n = size or (8192 if self.device.type == "cuda" else 2048)
        dtype = DTYPES[precision]
        gen = torch.Generator().manual_seed(0)
        self.a = torch.randn(n, n, generator=gen).to(self.device, dtype)
        self.b = torch.randn(n, n, generator=gen).to(self.device, dtype)
        self.out = torch.empty(n, n, device=self.device, dtype=dtype)
        self.flops = 2 * n**3

    def __call__(self) -> None:
        torch.mm(self.a, self.b, out=self.out)


def matmul_peak_flops(
    device: torch.device | str, precision: str = "fp32", size: int | None = None, rounds: int = 3
) -> float:
    """FLOP/s of the fastest of ``rounds`` rounds of :class:`Matmul` calls, on its own."""
    mm = Matmul(device, precision, size)
    steps = 10 if mm.device.type == "cuda" else 1
    seconds = time_rounds({"mm": mm}, device, steps=steps, rounds=rounds, warmup=2)["mm"]
    return mm.flops / min(seconds)
