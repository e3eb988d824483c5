"""Data-parallel training: 2 real processes (gloo on the CPU) against single-process training."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.data import BatchStream, TensorImages
from ganzoo.errors import DataError
from ganzoo.train import load_checkpoint

from .ddp_worker import build, digits, trainer_kwargs

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "ddp_worker.py"


def _env() -> dict[str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GANZOO_DIST_TIMEOUT": "120"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _torchrun(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=_env())


def _run_ranks(out: Path, results: Path, model: str, steps: int, *extra: str):
    proc = _torchrun(str(WORKER), str(out), str(results), model, str(steps), *extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [torch.load(results / f"rank{r}.pt", weights_only=False) for r in (0, 1)]


def _single(
    model: str, out: Path, steps: int, create: dict | None = None
) -> tuple[ganzoo.GAN, list[dict]]:
    gan = build(model, create)
    result = ganzoo.Trainer(gan, digits(), out, **trainer_kwargs(steps)).fit()
    return gan, result.history


def _assert_close_states(a: dict, b: dict, atol: float, outliers: float = 0.002) -> None:
    """Every tensor equal within ``atol`` but for at most ``outliers`` of its elements.

    Adam moves a weight by about lr whatever the size of its gradient; where a gradient is ~0
    (a label embedding row no sample of the batch used), the rounding of a sum split over ranks
    decides the sign of that step, and which kernels a CPU picks decides the rounding. Those few
    coordinates may differ by up to lr per step; any real divergence moves many more.
    """
    assert a.keys() == b.keys()
    for key in a:
        if not a[key].numel():
            continue
        far = (a[key].double() - b[key].double()).abs() > atol
        share = far.double().mean().item()
        assert share <= outliers, f"{key}: {far.sum().item()} of {far.numel()} elements differ"


@pytest.mark.parametrize(
    ("model", "create"),
    [
        ("dcgan", {}),
        ("wgan-gp", {}),
        ("cgan", {}),
        ("stylegan", {}),
        ("stylegan", {"pl_weight": 2.0, "pl_every": 2}),
    ],  # path length: per-sample draws, pl_mean
    ids=["dcgan", "wgan-gp", "cgan", "stylegan", "stylegan-pl"],
)
def test_two_ranks_stay_in_sync_and_equal_one_process(model, create, tmp_path) -> None:
    extra = ("--create", json.dumps(create)) if create else ()
    rank0, rank1 = _run_ranks(tmp_path / "ddp", tmp_path / "res", model, 4, *extra)
    for key, value in rank0["state"].items():  # the ranks hold identical weights
        assert torch.equal(value, rank1["state"][key]), key
    single, history = _single(model, tmp_path / "single", 4, create)
    # batch norm statistics span both ranks and gradients are averaged: one process's training
    _assert_close_states(single.state_dict(), rank0["state"], atol=1e-4)
    assert len(rank0["history"]) == len(history) == 4
    for mine, theirs in zip(rank0["history"], history, strict=True):
        for key in ("d_loss", "g_loss"):
            assert mine[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-5), key
    # only rank 0 wrote the run folder: one log row per step, one checkpoint
    rows = (tmp_path / "ddp" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["step"] for r in rows] == [1, 2, 3, 4]
    assert (tmp_path / "ddp" / "progress.gif").exists()
    state = load_checkpoint(tmp_path / "ddp")
    assert state["step"] == 4 and state["trainer"]["world_size"] == 2


def test_two_ranks_resume_a_one_process_run_and_refuse_an_existing_run(tmp_path) -> None:
    out = tmp_path / "ddp"
    _single("dcgan", out, 2)  # the number of processes may change between sessions
    refused = _torchrun(str(WORKER), str(out), str(tmp_path / "x"), "dcgan", "4")
    assert refused.returncode != 0
    assert "already holds a run" in refused.stderr
    rank0, _ = _run_ranks(out, tmp_path / "resumed", "dcgan", 4, "--resume")
    assert rank0["step"] == 4
    single, _ = _single("dcgan", tmp_path / "single", 4)
    _assert_close_states(single.state_dict(), rank0["state"], atol=1e-4)
    steps = [json.loads(r)["step"] for r in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]


def test_sigterm_on_one_rank_stops_all_ranks_at_the_same_step_with_a_checkpoint(tmp_path) -> None:
    rank0, rank1 = _run_ranks(
        tmp_path / "ddp", tmp_path / "res", "dcgan", 8, "--signal-at", "3", "--kind", "TERM"
    )
    assert rank0["interrupted"] and rank1["interrupted"]
    assert rank0["step"] == rank1["step"] == load_checkpoint(tmp_path / "ddp")["step"] == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_rank_makes_the_other_exit_with_a_clear_error(tmp_path) -> None:
    """Launched without torchrun's agent (which would kill the survivors itself)."""
    env = {
        **_env(),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(_free_port()),
        "WORLD_SIZE": "2",
    }
    out = tmp_path / "ddp"
    procs = []
    for rank in (0, 1):
        command = [
            sys.executable,
            str(WORKER),
            str(out),
            str(tmp_path / "res"),
            "dcgan",
            "8",
            "--signal-at",
            "4",
        ]
        procs.append(
            subprocess.Popen(
                command,
                env={**env, "RANK": str(rank), "LOCAL_RANK": str(rank)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    started = time.monotonic()
    _, err0 = procs[0].communicate(timeout=240)
    procs[1].communicate(timeout=60)
    assert procs[1].returncode == -9  # SIGKILL
    assert procs[0].returncode != 0
    assert "lost contact with the other ranks" in err0, err0[-3000:]
    assert "--resume" in err0
    assert time.monotonic() - started < 200  # it did not wait for the 120 s timeout twice
    state = load_checkpoint(out)  # the step-2 checkpoint survived intact
    assert state["step"] == 2


def test_torchrun_runs_the_cli(tmp_path) -> None:
    out = tmp_path / "run"
    proc = _torchrun(
        "-m",
        "ganzoo",
        "train",
        "dcgan",
        "--steps",
        "3",
        "--batch-size",
        "16",
        "--out",
        str(out),
        "--device",
        "cpu",
        "--no-progress",
        "--set",
        "model_args.width=8",
        "--log-every",
        "1",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 3
    assert (out / "run.yaml").exists() and (out / "samples.png").exists()
    assert load_checkpoint(out)["trainer"]["world_size"] == 2


@pytest.mark.parametrize("in_memory", [True, False])
def test_ranks_split_each_global_batch(in_memory) -> None:
    images = torch.arange(40, dtype=torch.uint8).view(40, 1, 1, 1).expand(40, 1, 2, 2)
    data = TensorImages(images.contiguous(), torch.arange(40), 40, "numbers")
    if not in_memory:
        data = torch.utils.data.TensorDataset(data.images.float(), data.labels)
    single = BatchStream(data, 8, seed=3)
    ranks = [BatchStream(data, 8, seed=3, rank=r, world_size=2) for r in (0, 1)]
    for _ in range(7):  # crosses an epoch boundary (5 batches per epoch)
        whole = single.next().labels
        parts = [stream.next().labels for stream in ranks]
        assert parts[0].shape == (4,) and torch.equal(torch.cat(parts), whole)


def test_global_batch_must_divide_over_ranks() -> None:
    data = TensorImages(torch.zeros(20, 1, 2, 2, dtype=torch.uint8), None, 0, "zeros")
    with pytest.raises(DataError, match="divisible"):
        BatchStream(data, 9, rank=0, world_size=2)
