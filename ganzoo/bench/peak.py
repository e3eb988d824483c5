"""The device's peak FLOP/s, measured in the same run with a large matrix multiplication."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor

from .timing import time_rounds

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def _seconds(fn: Callable[[], object]) -> float:
    fn()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Matmul:
    """A callable ``size`` x ``size`` matmul in ``precision`` on ``device``; ``flops`` per call.

    ``size`` defaults to 8192 on a GPU and 2048 on a CPU, large enough to run at the device's
    peak. On a GPU it is ``torch.mm`` under the process settings (e.g.
    ``torch.backends.cuda.matmul.allow_tf32`` for fp32). On a CPU it is the faster of
    ``torch.mm`` (BLAS) and oneDNN's matmul, the library behind CPU convolutions: MKL's sgemm
    takes its AVX2 path on AMD processors, at about half of what oneDNN reaches there.
    ``kernel`` names the one used.
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
        self.flops = 2 * n**3
        self.kernel = f"torch.mm, {n}x{n} {precision}"
        self._run: Callable[[], Tensor] = lambda: torch.mm(self.a, self.b)
        if self.device.type == "cpu" and torch.backends.mkldnn.is_available():
            self._try_onednn(f"oneDNN matmul, {n}x{n} {precision}")

    def _try_onednn(self, kernel: str) -> None:
        try:
            a, b_t = self.a.to_mkldnn(), self.b.t().contiguous().to_mkldnn()

            def onednn() -> Tensor:
                return torch._C._nn.mkldnn_linear(a, b_t)

            faster = _seconds(onednn) < _seconds(self._run)
        except (RuntimeError, AttributeError):  # a build without it
            return
        if faster:
            self._run, self.kernel = onednn, kernel

    def __call__(self) -> None:
        self._run()


class MatmulPeak(NamedTuple):
    """The measured peak: FLOP/s and the kernel that reached it (see :class:`Matmul`)."""

    flops_per_s: float
    kernel: str


def measure_matmul_peak(
    device: torch.device | str, precision: str = "fp32", size: int | None = None, rounds: int = 3
) -> MatmulPeak:
    """The fastest of ``rounds`` rounds of :class:`Matmul` calls, on its own."""
    mm = Matmul(device, precision, size)
    steps = 10 if mm.device.type == "cuda" else 1
    seconds = time_rounds({"mm": mm}, device, steps=steps, rounds=rounds, warmup=2)["mm"]
    return MatmulPeak(mm.flops / min(seconds), mm.kernel)


def matmul_peak_flops(
    device: torch.device | str, precision: str = "fp32", size: int | None = None, rounds: int = 3
) -> float:
    """FLOP/s of the fastest of ``rounds`` rounds of :class:`Matmul` calls, on its own."""
    return measure_matmul_peak(device, precision, size, rounds).flops_per_s
