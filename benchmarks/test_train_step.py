"""Per-model training-step and sampling throughput, and dcgan against the classic PyTorch DCGAN
loop, with pytest-benchmark on the harness behind ``ganzoo bench`` (:mod:`ganzoo.bench`):

    python -m pytest benchmarks/test_train_step.py --benchmark-json train_step.json

One benchmarked call of ``test_train_step`` is one full trainer step (``Trainer.train_step()``:
n_critic discriminator updates and a generator update) followed by a device synchronisation.
``extra_info`` holds images and FLOPs per step (``torch.utils.flop_counter``) and, from the
fastest round, images/s, achieved FLOP/s and its fraction of the device's matmul peak measured
in this session. Images are 3x32x32 on the CPU and 3x64x64 on a GPU, batch 64;
``GANZOO_BENCH_SIZE`` and ``GANZOO_BENCH_BATCH`` change them. ``test_dcgan_vs_classic_loop``
puts ganzoo's dcgan and the classic loop in one group (pytest-benchmark shows their ratio):
default settings on the CPU, all speed switches at batch 128 on a GPU. ``ganzoo bench`` measures
the same with the two interleaved round by round, which a shared machine needs for a fair ratio.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import torch

import ganzoo
from ganzoo.bench import BenchTrainer, ClassicDCGAN, count_flops, matmul_peak_flops, synchronize
from ganzoo.bench.data import bench_data
from ganzoo.train import SpeedConfig

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
BATCH = int(os.environ.get("GANZOO_BENCH_BATCH", 64))
ROUNDS = 10
FAST = SpeedConfig(channels_last=True, precision="bf16", fused_optimizers=True, compile=True)


def _size(device: str) -> int:
    return int(os.environ.get("GANZOO_BENCH_SIZE", 64 if device == "cuda" else 32))


@pytest.fixture(scope="session")
def peak() -> Callable[[str, str], float]:
    """The device's matmul FLOP/s per precision, measured once per session."""
    cache: dict[tuple[str, str], float] = {}

    def get(device: str, precision: str = "fp32") -> float:
        if (device, precision) not in cache:
            cache[device, precision] = matmul_peak_flops(device, precision)
        return cache[device, precision]

    return get


def _synced(fn: Callable[[], object], device: str) -> Callable[[], None]:
    def run() -> None:
        fn()
        synchronize(device)

    return run


def _record(benchmark, images_per_step: int, flops: int, peak_flops: float) -> None:
    best = benchmark.stats.stats.min
    benchmark.extra_info.update(
        images_per_step=images_per_step,
        images_per_s=images_per_step / best,
        flops_per_step=flops,
        achieved_flops=flops / best,
        peak_flops=peak_flops,
        peak_fraction=flops / best / peak_flops,
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ganzoo.list_models())
def test_train_step(benchmark, name: str, device: str, peak) -> None:
    size = _size(device)
    with BenchTrainer(name, device=device, batch_size=BATCH, img_size=size) as bench:
        flops = count_flops(bench.step)  # also the first warm-up step
        for _ in range(2):
            bench.step()
        benchmark.group = f"train step, 3x{size}x{size}, batch {BATCH}, {device}"
        benchmark.pedantic(_synced(bench.step, device), rounds=ROUNDS, iterations=1)
        _record(benchmark, bench.images_per_step, flops, peak(device))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ganzoo.list_models())
def test_sample(benchmark, name: str, device: str) -> None:
    size = _size(device)
    with BenchTrainer(name, device=device, batch_size=BATCH, img_size=size) as bench:
        sample = _synced(lambda: bench.gan.sample(BATCH), device)
        sample()
        benchmark.group = f"sample, 3x{size}x{size}, batch {BATCH}, {device}"
        benchmark.pedantic(sample, rounds=ROUNDS, iterations=1)
        benchmark.extra_info["images_per_s"] = BATCH / benchmark.stats.stats.min


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("loop", ["ganzoo", "classic"])
def test_dcgan_vs_classic_loop(benchmark, loop: str, device: str, peak) -> None:
    gpu = device == "cuda"
    batch, speed = (128, FAST) if gpu else (BATCH, SpeedConfig())
    data = bench_data(64, 3, batch)
    if loop == "classic":
        bench = ClassicDCGAN(
            data, batch_size=batch, img_size=64, channels=3, device=device, workers=2 if gpu else 0
        )
        precision = "fp32"
    else:
        bench = BenchTrainer(
            "dcgan", device=device, batch_size=batch, img_size=64, speed=speed, data=data
        )
        precision = bench.trainer.speed.precision
    flops = count_flops(bench.step) if loop == "classic" or not speed.compile else None
    for _ in range(3):
        bench.step()
    benchmark.group = f"dcgan train step vs the classic loop, 3x64x64, batch {batch}, {device}"
    benchmark.pedantic(_synced(bench.step, device), rounds=ROUNDS, iterations=1)
    if flops is not None:
        _record(benchmark, batch, flops, peak(device, precision))
    else:  # compiled: FLOPs are counted on eager modules (see ganzoo bench)
        benchmark.extra_info["images_per_s"] = batch / benchmark.stats.stats.min
    if isinstance(bench, BenchTrainer):
        bench.close()
