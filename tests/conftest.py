"""Shared fixtures: real datasets copied from ../shared/data, tiny models, quiet logging."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# The suite's expectations are fp32 numbers: pin precision="auto" to fp32 on every machine
# (bf16 on AMX CPUs otherwise); tests/test_precision.py unsets it to test auto itself.
os.environ.setdefault("GANZOO_AUTO_PRECISION", "fp32")


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of ../shared/data (torchvision unpacks the .gz files in place)."""
    if not (SHARED_DATA / "MNIST" / "raw").is_dir():
        pytest.fail(f"Development data missing: expected MNIST under {SHARED_DATA}")
    root = tmp_path_factory.mktemp("data")
    for name in ("MNIST", "FashionMNIST"):
        shutil.copytree(SHARED_DATA / name, root / name)
        for f in (root / name / "raw").iterdir():
            f.chmod(0o644)
    return root


# Under pytest-xdist each worker has a core: two workers at two threads each would thrash.
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2


@pytest.fixture(autouse=True)
def _deterministic() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)


def noise_models() -> list[str]:
    """Registered models that generate from noise (translation models have their own tests:
    tests/test_translation.py)."""
    import ganzoo

    return [
        name
        for name in ganzoo.list_models()
        if isinstance(ganzoo.create(name, **tiny_args(name)), ganzoo.GAN)
    ]


def tiny_args(name: str) -> dict:
    """Constructor overrides that make model ``name`` small with its real architecture's shapes,
    as its family declares them (``register_model(tiny=...)``; none for plugin models)."""
    from ganzoo.registry import find_entry

    return dict(find_entry(name).tiny)


def train_tiny(name: str, out_dir: Path, steps: int, n: int = 256, **kwargs) -> tuple:
    """Train a tiny ``name`` (seeded) on ``n`` embedded digits for ``steps`` steps, logging every
    step; returns ``(gan, result)``. ``kwargs`` go to ``ganzoo.create``."""
    import ganzoo
    from ganzoo.data import TensorImages, load_embedded

    data = load_embedded()
    digits = TensorImages(data.images[:n], data.labels[:n], 10, "digits")
    torch.manual_seed(0)
    gan = ganzoo.create(name, **{**tiny_args(name), **kwargs})
    trainer = ganzoo.Trainer(
        gan,
        digits,
        out_dir,
        steps=steps,
        batch_size=16,
        log_every=1,
        progress=False,
        num_samples=20,
        gif=False,
    )
    return gan, trainer.fit()


def stopping_trainer(at: int):
    """A Trainer class whose runs stop after ``at`` steps the way Ctrl-C stops one (finish the
    step, save a checkpoint), so a resumed run continues the same planned run (schedules that
    depend on the run's length included)."""
    import ganzoo

    class StopAfter(ganzoo.Trainer):
        def train_step(self):
            logs = super().train_step()
            self._stop_requested = self.step + 1 >= at
            return logs

    return StopAfter


def train_recipe_one_step(recipe: str, data_root: Path, out_dir: Path) -> dict:
    """Train zoo recipe ``recipe`` narrowed (its family's tiny args) and shortened to one step
    of batch 4 on ``data_root``; returns the model args its checkpoint records."""
    from ganzoo.run import ZOO_CONFIGS, apply_overrides, load_run_config, train
    from ganzoo.train import load_checkpoint

    config = load_run_config(ZOO_CONFIGS / f"{recipe}.yaml")
    tiny = [f"model_args.{k}={v}" for k, v in tiny_args(config.model).items()]
    short = ["recipe.steps=1", "recipe.batch_size=4", "train.sample_every=1", "train.num_samples=4"]
    config = apply_overrides(config, [*tiny, *short, f"data.root={data_root}"])
    config.out_dir = str(out_dir)
    assert train(config, progress=False).step == 1
    return load_checkpoint(config.out_dir)["config"]["args"]
