"""DCGAN's first generator layer, z (a 1x1 image) to a 7x7 map: ``LatentProjection`` (the
matrix product) against ``nn.ConvTranspose2d`` with the same weights, forward and backward,
interleaved round by round in one run, in fp32 and under bf16 autocast with channels_last
weights (what the trainer runs on a CPU with native bf16):

    python -m pytest benchmarks/test_latent_projection.py

``extra_info`` holds the median of the per-round paired speed-ups with its range; the test
asserts only that the two compute the same map.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganzoo.bench.timing import paired_speedup, time_rounds
from ganzoo.layers import LatentProjection
from ganzoo.utils.precision import autocast
from ganzoo.utils.threads import thread_note


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_latent_projection_vs_transposed_conv(benchmark, precision: str) -> None:
    torch.manual_seed(0)
    projection = LatentProjection(100, 128, 7, bias=False)
    conv = nn.ConvTranspose2d(100, 128, 7, 1, 0, bias=False)
    conv.load_state_dict(projection.state_dict())
    if precision == "bf16":  # as the trainer runs bf16: channels_last weights
        projection, conv = (m.to(memory_format=torch.channels_last) for m in (projection, conv))
    z = torch.randn(64, 100, 1, 1, requires_grad=True)
    grad = torch.randn(64, 128, 7, 7)

    def step(layer: nn.Module) -> None:
        with autocast(precision, "cpu"):
            out = layer(z)
        out.backward(grad.to(out.dtype))

    with torch.no_grad():
        torch.testing.assert_close(projection(z), conv(z), rtol=1e-5, atol=1e-5)
    calls = {"projection": lambda: step(projection), "conv": lambda: step(conv)}
    found: dict[str, list[float]] = {}

    def measure() -> None:
        found.update(time_rounds(calls, "cpu", steps=20, rounds=7, warmup=3))

    benchmark.pedantic(measure, rounds=1, iterations=1)
    median, low, high = paired_speedup(found["projection"], 1, found["conv"], 1)
    benchmark.group = "latent projection vs ConvTranspose2d, 64x100 -> 64x128x7x7, cpu"
    benchmark.extra_info.update(
        precision=precision, speedup=median, speedup_range=[low, high], threads=thread_note()
    )
