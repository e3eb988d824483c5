"""The ``ganzoo`` console script, run as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from PIL import Image

import ganzoo
from ganzoo.train import load_checkpoint

GANZOO = [sys.executable, "-m", "ganzoo"]  # the CLI of this interpreter, whatever PATH holds
TINY = ["--set", "model_args.width=8", "--batch-size", "16", "--no-progress"]


def run(*args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*GANZOO, *args], capture_output=True, text=True, timeout=timeout, **kw)


def test_list_and_info() -> None:
    out = run("list").stdout.split("\n")
    names = [line.split()[0] for line in out if line.strip()]
    assert names == [
        "acgan",
        "began",
        "cgan",
        "cyclegan",
        "dcgan",
        "ebgan",
        "lsgan",
        "pix2pix",
        "sagan",
        "sngan",
        "stylegan",
        "vanilla",
        "wgan",
        "wgan-gp",
    ]
    assert "Radford" in next(line for line in out if line.startswith("dcgan"))
    assert run("list", "wgan*").stdout.split()[0::1].count("wgan-gp") == 1
    info = json.loads(run("info", "wgan_gp").stdout)
    assert info["name"] == "wgan-gp" and info["recipe"]["n_critic"] == 5
    assert info["generator_params"] > 0


def test_unknown_model_exits_2_with_suggestion() -> None:
    result = run("info", "dcgn")
    assert result.returncode == 2
    assert "Unknown model 'dcgn'" in result.stderr and "Did you mean: dcgan" in result.stderr
    assert run("train", "sagn", "--steps", "1").returncode == 2


def test_train_from_yaml_then_sample(tmp_path: Path) -> None:
    config = {
        "model": "cgan",
        "model_args": {"width": 8},
        "data": {"name": "default"},
        "recipe": {"steps": 4, "batch_size": 16},
        "out_dir": str(tmp_path / "run"),
        "log_every": 2,
        "num_samples": 20,
    }
    path = tmp_path / "cgan.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run("train", str(path), "--no-progress", preexec_fn=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    run_dir = tmp_path / "run"
    for name in (
        "samples.png",
        "progress.gif",
        "metrics.jsonl",
        "metrics.csv",
        "run.yaml",
        "checkpoints/last.pt",
    ):
        assert (run_dir / name).is_file(), name
    record = yaml.safe_load((run_dir / "run.yaml").read_text())
    assert record["model"] == "cgan" and record["model_args"]["width"] == 8
    assert load_checkpoint(run_dir)["config"]["args"]["width"] == 8  # every resolved argument
    assert load_checkpoint(run_dir)["step"] == 4

    grid = tmp_path / "grid.png"
    result = run("sample", str(run_dir), "--n", "20", "--out", str(grid), "--labels", "3")
    assert result.returncode == 0, result.stderr
    image = Image.open(grid)
    assert image.size == (10 * 30 + 2, 2 * 30 + 2)  # conditional grids put one class per column
    written = ["samples.png", "progress.gif", "checkpoints/last.pt"]
    modes = {name: (run_dir / name).stat().st_mode & 0o777 for name in written}
    assert modes == dict.fromkeys(written, 0o644)  # the umask's mode, not mkstemp's 0600


def test_train_on_mnist_via_torchvision(tmp_path: Path, data_root: Path) -> None:
    out = tmp_path / "run"
    result = run(
        "train",
        "dcgan",
        "--dataset",
        "mnist",
        "--data-root",
        str(data_root),
        "--steps",
        "2",
        "--out",
        str(out),
        *TINY,
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((out / "run.yaml").read_text())["data"]["name"] == "mnist"


def test_bad_config_and_data_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: dcgan\nstpes: 10\n")
    result = run("train", str(bad))
    assert (
        result.returncode == 2
        and "unknown key 'stpes'" in result.stderr
        and "recipe.steps" in result.stderr
    )
    result = run("train", "dcgan", "--set", "recipe.batch_size=big", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "recipe.batch_size" in result.stderr
    result = run(
        "train",
        "dcgan",
        "--dataset",
        str(tmp_path / "missing_folder"),
        "--out",
        str(tmp_path / "y"),
    )
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = run("sample", str(tmp_path / "nothing.pt"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_ctrl_c_saves_and_the_run_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = [
        "train",
        "dcgan",
        "--steps",
        "100000",
        "--out",
        str(out),
        "--log-every",
        "1",
        "--checkpoint-every",
        "100000",
        *TINY,
    ]
    proc = subprocess.Popen(
        [*GANZOO, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    log = out / "metrics.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 3):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Resume with" in stderr
    step = load_checkpoint(out)["step"]
    assert step >= 3
    result = run(
        "train",
        "dcgan",
        "--steps",
        str(step + 2),
        "--out",
        str(out),
        "--log-every",
        "1",
        "--resume",
        *TINY,
    )
    assert result.returncode == 0, result.stderr
    steps = [json.loads(x)["step"] for x in log.read_text().splitlines()]
    assert steps == list(range(1, step + 3))
    assert (out / "progress.gif").exists()


def test_module_entry_point_works_without_the_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo.cli", "list", "*sa*"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert result.returncode == 0 and result.stdout.split()[0] == "sagan"


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ganzoo {ganzoo.__version__}"


# What a quick command must not pay for. (The families it lists need the GAN containers, which
# need the repo format and the Batch type: small modules of ganzoo.hub and ganzoo.data.)
HEAVY = ("ganzoo.train", "ganzoo.metrics", "ganzoo.bench", "ganzoo.run")
HEAVY += ("timm", "huggingface_hub", "torchvision", "scipy", "matplotlib")


def test_quick_commands_import_nothing_they_do_not_use() -> None:
    """--help, --version, list and info load the registry and the families at most, never the
    trainer, the Hub client, metrics, torchvision or timm."""
    code = (
        "import sys\nfrom ganzoo.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    for args in (["--help"], ["--version"], ["list"], ["info", "dcgan"]):
        command = [sys.executable, "-c", code, *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "[]", (args, result.stdout[-300:])


def test_keep_every_then_a_run_branched_from_a_kept_checkpoint(tmp_path: Path) -> None:
    tiny = [*TINY, "--log-every", "1"]
    first = run(
        "train", "dcgan", "--steps", "4", "--keep-every", "2", "--out", str(tmp_path / "a"), *tiny
    )
    assert first.returncode == 0, first.stderr
    kept = tmp_path / "a" / "checkpoints" / "step_0000002.pt"
    assert load_checkpoint(kept)["step"] == 2
    branch = ["train", "dcgan", "--steps", "6", "--out", str(tmp_path / "b"), *tiny]
    result = run(*branch, "--resume-from", str(kept))
    assert result.returncode == 0, result.stderr
    assert load_checkpoint(tmp_path / "b" / "checkpoints" / "last.pt")["step"] == 6
    log = (tmp_path / "b" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(row)["step"] for row in log] == [1, 2, 3, 4, 5, 6]
    again = run(*branch, "--resume-from", str(kept))  # the branch exists now: said, not redone
    errors = [line for line in again.stderr.splitlines() if line.startswith("error:")]
    assert again.returncode != 0 and len(errors) == 1 and "add --resume" in errors[0], again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_closed_pipe_ends_quietly(unbuffered: str) -> None:
    """`ganzoo list | head -1`: the reader leaves early and ganzoo stops without a traceback,
    whether Python buffers stdout (a pipe, by default) or not (PYTHONUNBUFFERED=1)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen(
        [*GANZOO, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before ganzoo writes a line
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
