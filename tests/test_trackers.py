"""Experiment trackers: tensorboard, csv and wandb (offline) receive the trainer's scalars,
sample grids and health messages; `ganzoo train --tracker/--tensorboard`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import ganzoo
from ganzoo.cli import main
from ganzoo.data import TensorImages, load_embedded
from ganzoo.errors import ConfigError
from ganzoo.run import load_run_config
from ganzoo.train.trackers import tracker_names

from .conftest import tiny_args


def _train(out: Path, steps: int = 4, **kwargs) -> ganzoo.TrainResult:
    data = load_embedded()
    digits = TensorImages(data.images[:64], data.labels[:64], 10, "digits")
    gan = ganzoo.create("dcgan", **tiny_args("dcgan"))
    trainer = ganzoo.Trainer(
        gan,
        digits,
        out,
        steps=steps,
        batch_size=8,
        log_every=1,
        sample_every=2,
        progress=False,
        num_samples=8,
        gif=False,
        **kwargs,
    )
    return trainer.fit()


def _scalars(out: Path) -> list[dict[str, str]]:
    with (out / "tracker" / "scalars.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_csv_and_tensorboard_get_every_logged_value(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard", reason="pip install 'ganzoo[tensorboard]'")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    _train(tmp_path, tracker=["csv"], tensorboard=True)
    logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    rows = _scalars(tmp_path)
    for record in logged:
        mine = {r["name"]: float(r["value"]) for r in rows if int(r["step"]) == record["step"]}
        assert mine["d_loss"] == pytest.approx(record["d_loss"])
        assert mine["g_loss"] == pytest.approx(record["g_loss"])
    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    assert [e.step for e in events.Scalars("d_loss")] == [r["step"] for r in logged]
    assert [e.step for e in events.Images("samples")] == [2, 4]


def test_a_resumed_run_continues_the_csv_without_repeats(tmp_path: Path) -> None:
    _train(tmp_path, steps=4, tracker="csv")
    _train(tmp_path, steps=6, tracker="csv", resume=True)
    steps = [int(r["step"]) for r in _scalars(tmp_path) if r["name"] == "d_loss"]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_wandb_logs_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip(
        "wandb",
        reason="WANDB TRACKER NOT TESTED: wandb is not installed (pip install 'ganzoo[wandb]')",
    )
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    _train(tmp_path, tracker="wandb")
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 1  # offline: a local run for `wandb sync`, nothing sent
    records = b"".join(p.read_bytes() for p in runs[0].glob("run-*.wandb"))
    assert b"d_loss" in records and b"g_loss" in records
    images = sorted(
        p.name.split("_")[1] for p in (runs[0] / "files" / "media" / "images").iterdir()
    )
    assert images == ["2", "4"]  # the sample grids of steps 2 and 4


def test_tracker_names_are_checked() -> None:
    assert tracker_names("csv, tensorboard", tensorboard=True) == ["csv", "tensorboard"]
    with pytest.raises(
        ConfigError, match="Unknown tracker 'mlflow'; choose from tensorboard, wandb, csv"
    ):
        tracker_names(["mlflow"])


def test_train_command_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    args = [
        "train",
        "dcgan",
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--out",
        str(out),
        "--no-progress",
        "--set",
        "model_args.width=8",
        "--tensorboard",
        "--tracker",
        "csv",
    ]
    assert main(args) == 0
    record = load_run_config(out / "run.yaml").train  # the train: section of the run's record
    assert record.tensorboard is True and record.tracker == ["csv"]
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))
    assert {r["name"] for r in _scalars(out)} >= {"d_loss", "g_loss"}
    capsys.readouterr()
    assert main(["train", "dcgan", "--tracker", "mlflow", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: Unknown tracker 'mlflow'")
