"""Trainer step throughput per model (pytest-benchmark): `python -m pytest benchmarks`.

One benchmarked call is one full trainer step (n_critic discriminator updates + one generator
update) at the model's default 28x28 size and batch 64 on the CPU.
"""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo.data import load_embedded


@pytest.fixture(scope="module")
def data():
    return load_embedded()


@pytest.mark.parametrize("name", ganzoo.list_models())
def test_train_step(benchmark, name, data, tmp_path) -> None:
    torch.manual_seed(0)
    trainer = ganzoo.Trainer(
        ganzoo.create(name), data, tmp_path, batch_size=64, progress=False, device="cpu"
    )
    trainer._setup()
    trainer._train_step()  # warm-up
    benchmark.extra_info["images_per_step"] = 64 * trainer.n_critic
    benchmark(trainer._train_step)
