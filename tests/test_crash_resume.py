"""A run killed with SIGKILL at arbitrary moments resumes to exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from ganzoo.train import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]
STEPS = 150


def _command(out: Path, resume: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "ganzoo",
        "train",
        "dcgan",
        "--steps",
        str(STEPS),
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
        "50",
        "--set",
        "model_args.width=8",
    ]
    return command + (["--resume"] if resume else [])


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "OMP_NUM_THREADS": "2",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def _logged_steps(out: Path) -> int:
    log = out / "metrics.jsonl"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_sigkill_at_random_moments_then_resume_matches_an_uninterrupted_run(tmp_path) -> None:
    reference = tmp_path / "reference"
    subprocess.run(_command(reference, False), check=True, env=_env(), capture_output=True)

    out, rng, kills = tmp_path / "killed", random.Random(0), 0
    for _ in range(4):
        proc = subprocess.Popen(
            _command(out, resume=out.exists()),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seen = _logged_steps(out)
        deadline = time.monotonic() + 120
        while _logged_steps(out) <= seen and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until this attempt trains (and checkpoints every step)
        time.sleep(rng.uniform(0.0, 0.3))  # then kill it at an arbitrary moment
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        assert proc.wait() in (0, -signal.SIGKILL)
    assert kills >= 3  # most attempts were killed mid-run (a fast machine may finish the last)
    finished = subprocess.run(
        _command(out, resume=True), env=_env(), capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-3000:]

    final, expected = load_checkpoint(out), load_checkpoint(reference)
    assert final["step"] == expected["step"] == STEPS
    for key, value in expected["gan"].items():
        assert torch.equal(value, final["gan"][key]), key
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, STEPS + 1))
    assert not list((out / "checkpoints").glob("*.tmp"))
    assert (out / "progress.gif").exists()
