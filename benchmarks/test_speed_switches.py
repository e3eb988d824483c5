"""The trainer's speed switches, each measured on one full DCGAN training step (batch 64, 28x28):
`python -m pytest benchmarks/test_speed_switches.py`. Runs on the CPU, and on CUDA when present.
"""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo.bench.timing import synchronize
from ganzoo.data import load_embedded
from ganzoo.train import SpeedConfig

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
SWITCHES = {
    "baseline": {},
    "channels_last": {"channels_last": True},
    "bf16": {"precision": "bf16"},
    "fp16": {"precision": "fp16"},
    "fused": {"fused_optimizers": True},
    "compile": {"compile": True},
    "dataloader": {"data_on_device": False},
    "all": {"channels_last": True, "precision": "bf16", "fused_optimizers": True, "compile": True},
}


@pytest.fixture(scope="module")
def data():
    return load_embedded()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("switch", list(SWITCHES))
def test_speed_switch(benchmark, switch, device, data, tmp_path) -> None:
    if switch == "fp16" and device == "cpu":
        pytest.skip("fp16 autocast is a GPU feature (the trainer falls back to fp32 on a CPU)")
    torch.manual_seed(0)
    trainer = ganzoo.Trainer(
        ganzoo.create("dcgan"),
        data,
        tmp_path,
        batch_size=64,
        progress=False,
        device=device,
        speed=SpeedConfig(**SWITCHES[switch]),
    )
    trainer.setup()

    def step() -> None:
        trainer.train_step()
        synchronize(device)

    for _ in range(3):  # warm-up (and compilation)
        step()
    benchmark.group = f"dcgan train step, batch 64, {device}"
    benchmark.extra_info["images_per_step"] = 64
    benchmark.pedantic(step, rounds=20, iterations=1)
