"""What a user meets after a run goes wrong: resuming with changes, a checked last good
checkpoint, one writer per run folder, hostile inputs, and one clear line for each mistake."""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

import ganzoo
from ganzoo.cli import main
from ganzoo.data import TensorImages, load_embedded
from ganzoo.errors import CheckpointError, ConfigError
from ganzoo.train import load_checkpoint

from .conftest import stopping_trainer

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": path}


@pytest.fixture(scope="module")
def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:128], data.labels[:128], 10, "digits")


def _trainer(digits, out, steps=4, recipe=None, cls=ganzoo.Trainer, **kw):
    torch.manual_seed(0)
    gan = ganzoo.create("dcgan", width=8, recipe=recipe or {})
    kw = {"batch_size": 8, "log_every": 1, "progress": False, "num_samples": 8, "gif": False, **kw}
    return cls(gan, digits, out, steps=steps, **kw)


# ---------------------------------------------------------------- 1. resume with changes
def test_resume_applies_a_changed_learning_rate_and_says_so(digits, tmp_path, caplog) -> None:
    _trainer(digits, tmp_path, steps=2).fit()
    recipe = {"g_optimizer": {"lr": 0.1, "betas": [0.0, 0.9]}}
    with caplog.at_level(logging.WARNING, logger="ganzoo"):
        trainer = _trainer(digits, tmp_path, steps=3, recipe=recipe, resume=True)
        trainer.setup()
    group = trainer.g_optimizer.param_groups[0]
    assert group["lr"] == 0.1 and group["betas"] == (0.0, 0.9)
    assert trainer.d_optimizer.param_groups[0]["lr"] == 2e-4  # unchanged
    lines = [r.getMessage() for r in caplog.records if "with changes" in r.getMessage()]
    assert len(lines) == 1
    assert "recipe.g_optimizer.lr 0.0002 -> 0.1" in lines[0] and "steps 2 -> 3" in lines[0]
    trainer.fit()
    saved = load_checkpoint(tmp_path)["g_optimizer"]["param_groups"][0]
    assert saved["lr"] == 0.1


def test_each_changed_resume_is_kept_and_published(digits, tmp_path) -> None:
    """Two resumes with changes and one without: the checkpoint keeps the two, in order, and
    the published training record says what changed where."""
    from ganzoo.train.publishing import describe_run

    _trainer(digits, tmp_path, steps=2).fit()
    _trainer(digits, tmp_path, steps=3, recipe={"ema_decay": 0.99}, resume=True).fit()
    _trainer(digits, tmp_path, steps=3, recipe={"ema_decay": 0.99}, resume=True).fit()
    _trainer(digits, tmp_path, 4, {"ema_decay": 0.99}, diffaugment="cutout", resume=True).fit()
    assert load_checkpoint(tmp_path)["trainer"]["resumes"] == [
        {"step": 2, "changes": {"recipe.ema_decay": [0.0, 0.99], "steps": [2, 3]}},
        {"step": 3, "changes": {"steps": [3, 4], "diffaugment": ["off", "cutout"]}},
    ]
    assert describe_run(tmp_path)[1]["training"]["changed on resume"] == (
        "at step 2: recipe.ema_decay 0.0 -> 0.99, steps 2 -> 3; "
        "at step 3: steps 3 -> 4, diffaugment off -> cutout"
    )
    fresh = tmp_path / "fresh"
    _trainer(digits, fresh, steps=2).fit()
    assert "changed on resume" not in describe_run(fresh)[1]["training"]


def test_resume_applies_a_changed_schedule_at_the_current_step(digits, tmp_path) -> None:
    linear = {"lr_schedule": {"name": "linear"}}
    _trainer(digits, tmp_path, steps=10, recipe=linear, cls=stopping_trainer(5)).fit()
    recipe = {"g_optimizer": {"lr": 1e-3}, **linear}
    trainer = _trainer(digits, tmp_path, steps=10, recipe=recipe, resume=True)
    trainer.setup()
    assert trainer.g_optimizer.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5)
    assert trainer.d_optimizer.param_groups[0]["lr"] == pytest.approx(2e-4 * 0.5)
    trainer.fit()
    assert load_checkpoint(tmp_path)["g_optimizer"]["param_groups"][0]["lr"] == pytest.approx(0.0)


def test_an_unchanged_resume_reports_nothing(digits, tmp_path, caplog) -> None:
    _trainer(digits, tmp_path, steps=4, cls=stopping_trainer(2)).fit()
    with caplog.at_level(logging.WARNING, logger="ganzoo"):
        _trainer(digits, tmp_path, steps=4, resume=True).setup()
    assert not [r for r in caplog.records if "with changes" in r.getMessage()]


def test_resume_that_turns_the_ema_on_starts_it_from_the_restored_generator(
    digits, tmp_path, caplog
) -> None:
    _trainer(digits, tmp_path, steps=2).fit()
    with caplog.at_level(logging.WARNING, logger="ganzoo"):
        trainer = _trainer(digits, tmp_path, steps=3, recipe={"ema_decay": 0.99}, resume=True)
        trainer.setup()
    generator, average = trainer.gan.generator, trainer.gan.generator_ema.module
    restored = load_checkpoint(tmp_path)["gan"]
    for name, value in generator.state_dict().items():
        assert torch.equal(value, restored[f"generator.{name}"])
        assert torch.equal(average.state_dict()[name], value)
    messages = [r.getMessage() for r in caplog.records]
    assert any("EMA of the generator the run did not keep" in m for m in messages)
    assert any("recipe.ema_decay 0.0 -> 0.99" in m for m in messages)
    trainer.fit()
    saved = load_checkpoint(tmp_path)["gan"]
    assert any(key.startswith("generator_ema.module.") for key in saved)


def test_resume_that_turns_the_ema_off_drops_the_average(digits, tmp_path, caplog) -> None:
    _trainer(digits, tmp_path, steps=2, recipe={"ema_decay": 0.99}).fit()
    with caplog.at_level(logging.WARNING, logger="ganzoo"):
        trainer = _trainer(digits, tmp_path, steps=3, resume=True)
        trainer.setup()
    assert trainer.gan.generator_ema is None
    assert any("its average is dropped" in r.getMessage() for r in caplog.records)
    trainer.fit()
    assert not any(k.startswith("generator_ema.") for k in load_checkpoint(tmp_path)["gan"])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"batch_size": 16}, "--batch-size 8"),
        ({"seed": 3}, "--seed 0"),
        ({"recipe": {"g_optimizer": {"name": "sgd"}}}, "recipe.g_optimizer.name=adam"),
    ],
)
def test_changes_that_cannot_apply_are_refused(digits, tmp_path, change, words) -> None:
    _trainer(digits, tmp_path, steps=2).fit()
    with pytest.raises(ConfigError, match="Cannot resume") as err:
        _trainer(digits, tmp_path, steps=3, resume=True, **change).setup()
    assert words in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------- 4. the resume hint
def test_the_resume_hint_resumes_the_run_with_its_own_settings(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    original = ganzoo.Trainer.train_step

    def stop_after_two(self):  # as Ctrl-C at step 2 does
        logs = original(self)
        self._stop_requested = self.step + 1 >= 2
        return logs

    monkeypatch.setattr(ganzoo.Trainer, "train_step", stop_after_two)
    args = [
        "train",
        "dcgan",
        "--steps",
        "5",
        "--batch-size",
        "8",
        "--out",
        str(out),
        "--log-every",
        "1",
        "--no-progress",
        "--set",
        "model_args.width=8",
    ]
    assert main(args) == 130
    hint = capsys.readouterr().err.strip().splitlines()[-1]
    assert hint == f"Resume with: ganzoo train {out / 'run.yaml'} --resume"
    monkeypatch.undo()
    assert main(hint.split()[3:]) == 0
    state = load_checkpoint(out)
    assert state["step"] == 5 and state["trainer"]["batch_size"] == 8


# ---------------------------------------------------------------- 2. the last good checkpoint
def _all_finite(state: dict) -> bool:
    from ganzoo.train.finite import _tensors

    tensors = [
        *_tensors(state["gan"], "gan"),
        *_tensors(state["g_optimizer"], "g"),
        *_tensors(state["d_optimizer"], "d"),
    ]
    return all(bool(t.isfinite().all()) for _, t in tensors if t.is_floating_point())


def test_the_last_good_checkpoint_after_divergence_is_finite(digits, tmp_path) -> None:
    sgd = {"name": "sgd", "lr": 1e3}
    trainer = _trainer(
        digits,
        tmp_path,
        steps=30,
        checkpoint_every=1,
        recipe={"g_optimizer": sgd, "d_optimizer": sgd},
    )
    with pytest.raises(ganzoo.errors.TrainingDiverged, match="last good checkpoint") as err:
        trainer.fit()
    assert "\n" not in str(err.value)
    state = load_checkpoint(tmp_path)
    assert state["step"] < trainer.step and _all_finite(state)


# ---------------------------------------------------------------- 3. one writer per run folder
def _hold_lock(folder) -> subprocess.Popen:
    """Another process holding ``folder``'s run lock until killed."""
    code = (
        "import sys, time; from ganzoo.train.lock import RunLock; RunLock.acquire(sys.argv[1]);"
        " print('held', flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True, env=_env()
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_run_folder_in_use_is_refused_naming_the_pid(digits, tmp_path) -> None:
    holder = _hold_lock(tmp_path)
    try:
        with pytest.raises(
            CheckpointError, match=f"in use by another ganzoo run \\(pid {holder.pid}"
        ):
            _trainer(digits, tmp_path, steps=2).fit()
        assert not (tmp_path / "metrics.jsonl").exists()
    finally:
        holder.kill()
        holder.wait()
    _trainer(digits, tmp_path, steps=2).fit()  # the holder died: its stale lock is taken over


def test_a_stale_lock_of_a_dead_process_is_taken_over(digits, tmp_path, caplog) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (tmp_path / "run.lock").write_text(f"{dead.stdout.strip()} {socket.gethostname()}\n")
    with caplog.at_level(logging.INFO, logger="ganzoo"):
        _trainer(digits, tmp_path, steps=2).fit()
    assert any("Took over the stale lock" in r.getMessage() for r in caplog.records)
    assert (tmp_path / "run.lock").read_text() == ""  # released at the end


def test_two_cli_runs_into_one_folder_leave_one_clean_log(tmp_path) -> None:
    args = [
        sys.executable,
        "-m",
        "ganzoo",
        "train",
        "dcgan",
        "--steps",
        "30",
        "--batch-size",
        "8",
        "--out",
        str(tmp_path),
        "--log-every",
        "1",
        "--no-progress",
        "--device",
        "cpu",
        "--set",
        "model_args.width=8",
    ]
    procs = [subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=_env()) for _ in "ab"]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert refused.strip().splitlines()[-1].startswith(f"error: {tmp_path} is in use")
    steps = [
        json.loads(line)["step"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()
    ]
    assert steps == list(range(1, 31))


def test_a_new_run_keeps_an_earlier_log_aside_and_says_so(digits, tmp_path, caplog) -> None:
    (tmp_path / "metrics.jsonl").write_text('{"step": 1, "d_loss": 1.0}\n')
    with caplog.at_level(logging.WARNING, logger="ganzoo"):
        _trainer(digits, tmp_path, steps=2).fit()
    assert (tmp_path / "metrics.jsonl.old").read_text() == '{"step": 1, "d_loss": 1.0}\n'
    assert any("earlier attempt" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- 6. hostile configs
HOSTILE = {"pretrained": True, "cache_dir": "EVIL"}


def test_a_hostile_config_json_cannot_trigger_a_download(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = ganzoo.create("dcgan", width=8).save_pretrained(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    evil = tmp_path / "evil"
    config["args"].update({**HOSTILE, "cache_dir": str(evil)})
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        CheckpointError, match="sets 'pretrained', which is not an argument of dcgan"
    ):
        ganzoo.from_pretrained(folder)
    assert not evil.exists()


def test_a_hostile_checkpoint_config_is_refused_before_create(digits, tmp_path) -> None:
    from ganzoo.train import load_gan, save_checkpoint

    _trainer(digits, tmp_path / "run", steps=1).fit()
    state = load_checkpoint(tmp_path / "run")
    evil = tmp_path / "evil"
    state["config"].update({**HOSTILE, "cache_dir": str(evil)})
    save_checkpoint(tmp_path / "hostile.pt", {k: v for k, v in state.items() if k != "path"})
    with pytest.raises(CheckpointError, match=r"hostile\.pt: its config sets 'pretrained'") as err:
        load_gan(tmp_path / "hostile.pt")
    assert not evil.exists() and "\n" not in str(err.value)


def test_a_pickled_object_is_refused_without_pointing_at_the_unsafe_fix(tmp_path) -> None:
    torch.save({"format": "ganzoo-checkpoint", "x": Path("/")}, tmp_path / "pickle.pt")
    with pytest.raises(CheckpointError, match="refuses to unpickle") as err:
        load_checkpoint(tmp_path / "pickle.pt")
    message = str(err.value)
    assert "weights_only" not in message and "can still be loaded" not in message
    assert "\n" not in message


def test_file_names_in_an_untrusted_config_json_are_checked_by_ganzoo(tmp_path, monkeypatch):
    from ganzoo.hub import pull

    from .hub_server import HubServer

    folder = ganzoo.create("dcgan", width=8).save_pretrained(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    config["files"]["generator"] = "../../outside.safetensors"
    with HubServer(tmp_path / "server") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        hub.add_files("eve/model", {"config.json": json.dumps(config).encode()})
        with pytest.raises(CheckpointError, match="not a plain file name") as err:
            pull("eve/model", local_dir=tmp_path / "local", cache_dir=tmp_path / "cache")
    assert "try again" not in str(err.value) and "../../outside" in str(err.value)
    assert not list(tmp_path.rglob("outside*"))


def test_a_refused_hub_path_does_not_say_try_again(tmp_path, monkeypatch) -> None:
    from ganzoo.hub.download import fetch

    from .hub_server import HubServer

    with HubServer(tmp_path / "server") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        hub.add_files("eve/model", {"a.txt": b"x"})
        with pytest.raises(CheckpointError, match="not a network problem") as err:
            fetch("eve/model", "../a.txt", None, tmp_path / "cache", None)
    assert "try again" not in str(err.value)


# ---------------------------------------------------------------- 10. a dead generator
def test_a_dead_generator_is_reported_early_with_a_remedy_for_its_loss(tmp_path) -> None:
    data = load_embedded()
    digits = TensorImages(data.images[:256], data.labels[:256], 10, "digits")
    adam = {"lr": 1e3}
    trainer = _trainer(
        digits,
        tmp_path,
        steps=15,
        sample_every=5,
        num_samples=32,
        recipe={"g_optimizer": adam, "d_optimizer": adam},
    )
    with pytest.warns(ganzoo.train.TrainingHealthWarning):
        alerts = {a.detector: a for a in trainer.fit().alerts}
    assert alerts["vanishing_gradients"].step <= 10  # was 100, the end of the warm-up
    message = alerts["vanishing_gradients"].message
    assert "generator is dead" in message and "minimax" not in message  # non-saturating here


# ---------------------------------------------------------------- 7. one line, not a traceback
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["train", "dcgan", "--img-size", "0"], "img_size must be a positive integer, got 0"),
        (["train", "dcgan", "--img-size", "-1"], "img_size must be a positive integer, got -1"),
        (["train", "dcgan", "--img-size", "1024"], "choose a smaller --img-size"),
        (["train", "dcgan", "--set", "model_args.width=0"], "width must be a positive integer"),
        (["train", "dcgan", "--set", "recipe.g_optimizer.lr=.nan"], "finite positive number"),
        (["train", "dcgan", "--steps", "0"], "steps"),
        (["sample", "dcgan.mnist", "--n", "0"], "number of samples (n) must be a positive"),
    ],
)
def test_bad_numbers_give_one_line(args, words, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    if args[0] == "sample":  # a local run folder stands in for the Hub model
        _trainer(TensorImages(load_embedded().images[:16], None, 0, "d"), tmp_path / "r", 1).fit()
        args = ["sample", str(tmp_path / "r"), *args[2:]]
    assert main([*args, "--no-progress"] if args[0] == "train" else args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and words in err, err
    assert not (tmp_path / "runs").exists()  # refused before anything was written


def test_python_api_counts_are_checked_not_replaced(digits, tmp_path) -> None:
    gan = ganzoo.create("dcgan", width=8)
    for bad in ({"steps": 0}, {"batch_size": 0}, {"steps": -5}, {"log_every": 0}):
        with pytest.raises(ConfigError, match=f"{next(iter(bad))} must be a positive integer"):
            ganzoo.Trainer(gan, digits, tmp_path, **bad)
    with pytest.raises(ConfigError, match="number of samples"):
        gan.sample(0)


def test_a_collapse_after_diverse_samples_is_reported_during_warm_up() -> None:
    from ganzoo.train.health import HealthMonitor

    torch.manual_seed(0)
    monitor = HealthMonitor()
    monitor.set_real_reference(torch.randn(32, 16))
    alike = torch.randn(1, 16).expand(32, 16) + 1e-6 * torch.randn(32, 16)
    assert monitor.observe_samples(5, alike)[0] == []  # a fresh generator: alike, not collapsed
    assert monitor.observe_samples(10, torch.randn(32, 16))[0] == []
    alerts, _ = monitor.observe_samples(15, alike)
    assert [a.detector for a in alerts] == ["mode_collapse"]  # step 15 < warm-up (100)


# ---------------------------------------------------------------- 8. logs across a resume
def test_the_interrupted_log_window_averages_like_an_uninterrupted_run(digits, tmp_path) -> None:
    _trainer(digits, tmp_path / "whole", steps=10, log_every=5).fit()
    _trainer(digits, tmp_path / "cut", steps=10, log_every=5, cls=stopping_trainer(3)).fit()
    _trainer(digits, tmp_path / "cut", steps=10, log_every=5, resume=True).fit()

    def rows(run: str) -> list[dict]:
        lines = (tmp_path / run / "metrics.jsonl").read_text().splitlines()
        return [{k: v for k, v in json.loads(x).items() if k != "images_per_s"} for x in lines]

    assert [r["step"] for r in rows("cut")] == [5, 10]
    assert rows("cut") == rows("whole")


# ---------------------------------------------------------------- 9. too few samples
def test_eval_with_few_samples_flags_its_metrics(digits, tmp_path, data_root, capsys, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    _trainer(digits, tmp_path / "run", steps=1).fit()
    out = tmp_path / "eval.json"
    args = [
        "eval",
        str(tmp_path / "run"),
        "--n",
        "10",
        "--metrics",
        "fid,pr,coverage",
        "--reference",
        "mnist",
        "--data-root",
        str(data_root),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    record = json.loads(out.read_text())
    assert {"fid", "precision", "recall", "classes_covered"} <= set(record["unreliable"])
    assert "only 10 samples" in record["unreliable"]["fid"]
    assert all(line.endswith("(unreliable)") for line in printed.splitlines() if "  fid " in line)
    assert "warning: fid, precision, recall" in printed


# ---------------------------------------------------------------- 5. the corrupt-input corpus
def _png(path: Path, size=(8, 8), mode="L") -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, 200 if mode != "1" else 1).save(path)
    return path


def _bad_image(kind: str, folder: Path) -> Path:
    path = folder / "digits" / f"{kind}.png"
    if kind == "zero-byte":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = _png(path, (32, 32), "RGB").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "not-an-image":
        path.write_text("<html>404</html>")
    elif kind == "bomb":  # 400 Mpixels in a few kB, beyond PIL's safe limit
        _png(path, (20_000, 20_000), "1")
    return path


@pytest.mark.parametrize("kind", ["zero-byte", "truncated", "not-an-image", "bomb"])
def test_a_bad_image_in_a_folder_is_one_line_naming_it(kind, tmp_path, capsys) -> None:
    for i in range(4):
        _png(tmp_path / "data" / "digits" / f"good{i}.png")
    bad = _bad_image(kind, tmp_path / "data")
    args = [
        "train",
        "dcgan",
        "--dataset",
        str(tmp_path / "data"),
        "--img-size",
        "16",
        "--steps",
        "1",
        "--batch-size",
        "2",
        "--out",
        str(tmp_path / "run"),
        "--no-progress",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert str(bad) in err and "remove or replace the file" in err
    bad.unlink()  # the fix
    assert main([*args, "--resume"]) == 0


def test_wrong_mode_images_are_converted_not_refused(tmp_path) -> None:
    from PIL import Image

    from ganzoo.data import load_dataset

    folder = tmp_path / "data" / "x"
    _png(folder / "rgba.png", mode="RGBA")
    _png(folder / "palette.png", mode="P")
    _png(folder / "cmyk.jpg", mode="CMYK")
    Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16)).save(folder / "grey16.png")
    data = load_dataset(str(tmp_path / "data"), img_size=8, channels=3)
    images = torch.stack([data[i][0] for i in range(len(data))])
    assert images.shape == (4, 3, 8, 8) and images.min() >= -1 and images.max() <= 1
    assert images[[i for i, (p, _) in enumerate(data.folder.samples) if "grey16" in p]].min() == 1


# ---------------------------------------------------------------- SIGKILL at random moments
def _kill_command(out: Path, resume: bool, steps: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "ganzoo",
        "train",
        "dcgan",
        "--steps",
        str(steps),
        "--batch-size",
        "16",
        "--out",
        str(out),
        "--device",
        "cpu",
        "--no-progress",
        "--checkpoint-every",
        "1",
        "--log-every",
        "1",
        "--sample-every",
        "5",
        "--set",
        "model_args.width=8",
    ]
    return command + (["--resume"] if resume else [])


def _rows(out: Path) -> int:
    log = out / "metrics.jsonl"
    return len(log.read_text().splitlines()) if log.exists() else 0


def _assert_nothing_corrupt(out: Path, steps: int | None = None) -> None:
    """Every file a kill can leave behind is whole (a torn last log line is repaired on resume);
    ``steps`` of a finished run: its logs hold every step once, no temporary file is left."""
    finished = steps is not None
    from PIL import Image

    if (out / "checkpoints" / "last.pt").exists():
        assert load_checkpoint(out)["format"] == "ganzoo-checkpoint"
    if (out / "run.yaml").exists():
        assert yaml.safe_load((out / "run.yaml").read_text())["model"] == "dcgan"
    for png in (out / "samples").glob("step_*.png"):
        with Image.open(png) as image:
            image.load()
    lines = (
        (out / "metrics.jsonl").read_text().splitlines() if (out / "metrics.jsonl").exists() else []
    )
    for line in lines if finished else lines[:-1]:
        json.loads(line)
    if finished:
        assert not list(out.rglob("*.tmp"))
        csv_rows = (out / "metrics.csv").read_text().splitlines()[1:]
        assert len(csv_rows) == len(lines) == steps


def _kill_and_resume(tmp_path: Path, kills: int, seed: int, steps: int) -> None:
    reference = tmp_path / "reference"
    command = functools.partial(_kill_command, steps=steps)
    subprocess.run(command(reference, False), check=True, env=_env(), capture_output=True)
    out, rng, killed = tmp_path / "killed", random.Random(seed), 0
    for _ in range(kills):
        proc = subprocess.Popen(
            command(out, resume=out.exists()),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        seen, deadline = _rows(out), time.monotonic() + 120
        while _rows(out) <= seen and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # until this attempt trains (a checkpoint and a row every step)
        time.sleep(rng.uniform(0.0, 0.25))  # then anywhere: a step, a row, a grid, a checkpoint
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        code = proc.wait()
        assert code in (0, -signal.SIGKILL), proc.stderr.read()[-2000:]
        proc.stderr.close()
        _assert_nothing_corrupt(out)
    assert killed >= kills - 1  # a fast machine may finish during the last attempt
    final = subprocess.run(command(out, True), env=_env(), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-3000:]
    _assert_nothing_corrupt(out, steps)
    state, expected = load_checkpoint(out), load_checkpoint(reference)
    assert state["step"] == expected["step"] == steps
    for key, value in expected["gan"].items():
        assert torch.equal(value, state["gan"][key]), key
    for name in ("g_optimizer", "d_optimizer"):
        assert json.dumps(str(state[name]["param_groups"])) == json.dumps(
            str(expected[name]["param_groups"])
        )
    logged = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert logged == list(range(1, steps + 1))
    assert (out / "progress.gif").stat().st_size > 0


def test_five_sigkills_then_resume_equal_an_uninterrupted_run(tmp_path) -> None:
    _kill_and_resume(tmp_path, kills=5, seed=1, steps=40)


@pytest.mark.slow
def test_twenty_sigkills_then_resume_equal_an_uninterrupted_run(tmp_path) -> None:
    _kill_and_resume(tmp_path, kills=20, seed=2, steps=150)


# ---------------------------------------------------------------- a rank dies
def test_when_rank_0_dies_the_other_rank_exits_with_a_clear_error(tmp_path) -> None:
    """The writer (and store host) is killed mid-run; the survivor must not hang."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **_env(),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
        "WORLD_SIZE": "2",
        "GANZOO_DIST_TIMEOUT": "60",
    }
    worker = ROOT / "tests" / "ddp_worker.py"
    command = [
        sys.executable,
        str(worker),
        str(tmp_path / "ddp"),
        str(tmp_path / "res"),
        "dcgan",
        "8",
        "--signal-at",
        "4",
        "--signal-rank",
        "0",
    ]
    procs = [
        subprocess.Popen(
            command,
            env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in (0, 1)
    ]
    started = time.monotonic()
    try:
        procs[0].communicate(timeout=240)
        _, err1 = procs[1].communicate(timeout=120)  # well within the 60 s + start-up
    finally:
        for proc in procs:
            proc.kill()
    assert procs[0].returncode == -signal.SIGKILL
    assert procs[1].returncode != 0
    last = err1.strip().splitlines()[-1]
    assert "DistributedError" in err1 and "--resume" in err1, err1[-3000:]
    assert "lost contact with the other ranks" in err1 or "stalled" in err1, last
    assert time.monotonic() - started < 200
    assert load_checkpoint(tmp_path / "ddp")["step"] == 2  # the last checkpoint is whole


# ---------------------------------------------------------------- the corrupt-checkpoint corpus
def _bad_checkpoint(kind: str, run: Path) -> Path:
    path = run / "checkpoints" / "last.pt"
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "zero-byte":
        path.write_bytes(b"")
    elif kind == "foreign":  # a plain state dict, not a ganzoo checkpoint
        torch.save({"weight": torch.zeros(2)}, path)
    elif kind == "pickle":
        torch.save({"format": "ganzoo-checkpoint", "x": Path("/")}, path)
    elif kind == "hostile-config":
        state = load_checkpoint(run)
        state["config"]["cache_dir"] = str(run / "evil")
        torch.save({k: v for k, v in state.items() if k != "path"}, path)
    elif kind == "hostile-config.json":
        ganzoo.create("dcgan", width=8).save_pretrained(run / "model")
        config = json.loads((run / "model" / "config.json").read_text())
        config["args"]["pretrained"] = True
        (run / "model" / "config.json").write_text(json.dumps(config))
        return run / "model"
    return path


@pytest.mark.parametrize(
    ("kind", "fix"),
    [
        ("truncated", "Use another checkpoint, or delete it"),
        ("zero-byte", "Use another checkpoint, or delete it"),
        ("foreign", "Pass a checkpoint that ganzoo wrote"),
        ("pickle", "Use a checkpoint written by ganzoo"),
        ("hostile-config", "Use a config written by ganzoo"),
        ("hostile-config.json", "Use a config written by ganzoo"),
    ],
)
def test_a_bad_checkpoint_or_config_is_one_line_naming_it(kind, fix, digits, tmp_path, capsys):
    run = tmp_path / "run"
    _trainer(digits, run, steps=1).fit()
    path = _bad_checkpoint(kind, run)
    capsys.readouterr()
    assert main(["sample", str(path), "--out", str(tmp_path / "grid.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and str(path) in err, err
    assert fix in err and "weights_only" not in err
    assert not (run / "evil").exists()


def test_an_average_started_at_step_12000_forgets_its_start_by_step_20000() -> None:
    """The weight docs/training.md and zoo_configs/dcgan_mnist.yaml quote (3e-6): the product of
    the decays timm's warm-up applies to the updates of steps 12,000-19,999 at decay 0.999."""
    import math

    from timm.utils import ModelEmaV3

    ema = ModelEmaV3(torch.nn.Linear(1, 1), decay=0.999, use_warmup=True)
    weight = math.prod(ema.get_decay(step + 1) for step in range(12_000, 20_000))
    assert f"{weight:.0e}" == "3e-06"
