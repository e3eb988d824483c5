"""``ganzoo eval`` works offline by default, checks every input before extracting features, and
never judges a model trained on the embedded default (MNIST's test split) silently on its own
training images."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.data import load_embedded
from ganzoo.metrics import evaluate

evaluate_module = importlib.import_module("ganzoo.metrics.evaluate")  # the function hides it

CLI = [sys.executable, "-m", "ganzoo"]


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_mnist_test_reference_is_the_embedded_copy(tmp_path, fresh_cache) -> None:
    empty = tmp_path / "no-data"
    empty.mkdir()
    torch.manual_seed(0)
    result = evaluate(ganzoo.create("dcgan", width=8), metrics=("fid",), n=200, data_root=empty)
    assert result["fid"] > 0 and result["reference"] == "mnist (test split)"
    assert list(empty.iterdir()) == []  # nothing downloaded, nothing looked up on disk
    embedded = (load_embedded().images[:200].float() / 127.5) - 1
    same = evaluate(embedded, metrics=("fid",), n=200, data_root=empty)
    assert same["fid"] < 1e-6  # the reference is exactly those images


def test_every_input_is_checked_before_any_feature_is_extracted(fresh_cache, monkeypatch) -> None:
    extracted = []
    monkeypatch.setattr(evaluate_module, "extract", lambda *a, **k: extracted.append(1))
    gan = ganzoo.create("dcgan", width=8)
    images = torch.zeros(50, 1, 28, 28)
    cases = [
        (dict(source=gan, n=20_000), "has 10000 images; asked for 20000"),
        (dict(source=gan, n=100, split="validation"), "split must be 'train' or 'test'"),
        (dict(source=gan, n=1), "n must be a whole number of samples >= 2"),
        (dict(source=images, n=100), "only 50 images were given"),
        (dict(source=images + 255, n=50), "Images must be in [-1, 1]"),
        (dict(source=images, n=50, metrics=("fdi",)), "fid"),
        (dict(source=ganzoo.create("pix2pix", width=8, img_size=32), n=50), "translates images"),
        (dict(source=gan, n=50, reference="mnsit"), "mnist"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ganzoo.GanzooError) as caught:
            evaluate(kwargs.pop("source"), **kwargs)
        assert expected in str(caught.value), (kwargs, str(caught.value))
    assert extracted == []


def _train_on_default(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    train = [
        *CLI,
        "train",
        "dcgan",
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--set",
        "model_args.width=8",
        "--out",
        str(run),
        "--no-progress",
    ]
    result = subprocess.run(train, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return run


def test_a_model_trained_on_the_embedded_data_is_held_out_or_loudly_flagged(
    tmp_path, data_root
) -> None:
    run = _train_on_default(tmp_path)
    env = {**os.environ, "GANZOO_CACHE": str(tmp_path / "cache")}
    common = ["eval", str(run), "--n", "200", "--metrics", "fid"]
    no_data = tmp_path / "no-data"
    no_data.mkdir()
    flagged = subprocess.run(
        [*CLI, *common, "--data-root", str(no_data), "--out", str(tmp_path / "a.json")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert flagged.returncode == 0, flagged.stderr
    assert "WARNING" in flagged.stderr and "its own training images" in flagged.stderr
    record = json.loads((tmp_path / "a.json").read_text())
    assert record["reference"] == "mnist (test split)" and record["reference_is_training_data"]

    held_out = subprocess.run(
        [*CLI, *common, "--data-root", str(data_root), "--out", str(tmp_path / "b.json")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert held_out.returncode == 0, held_out.stderr
    assert "WARNING" not in held_out.stderr and "training split instead" in held_out.stderr
    record = json.loads((tmp_path / "b.json").read_text())
    assert record["reference"] == "mnist (train split)"
    assert "reference_is_training_data" not in record
