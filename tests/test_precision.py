"""precision="auto": what it picks on each kind of hardware, what training records and keeps
in fp32, and the thread settings. The decision is a pure function of the hardware's
capabilities, so the CUDA and AMX branches are tested here on any CPU."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

import ganzoo
from ganzoo.errors import ConfigError
from ganzoo.train import SpeedConfig
from ganzoo.train.speed import resolve_speed
from ganzoo.utils.precision import AUTO_ENV, FP32_WHEN_AUTO, Hardware, resolve_precision

from .conftest import tiny_args

ROOT = Path(__file__).resolve().parents[1]
AMX = Hardware.for_cpu("AVX512", amx=True, avx512_bf16=True)
AVX512_NO_BF16 = Hardware.for_cpu("AVX512", amx=False, avx512_bf16=False)
AVX2 = Hardware.for_cpu("AVX2", amx=False, avx512_bf16=False)
GRAVITON3 = Hardware.for_cpu("DEFAULT", amx=False, avx512_bf16=False, arm_bf16=True)
H100, T4 = Hardware("cuda", True), Hardware("cuda", False)


@pytest.fixture
def auto_unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTO_ENV, raising=False)  # conftest pins auto to fp32 for the suite


@pytest.mark.usefixtures("auto_unpinned")
@pytest.mark.parametrize(
    ("hardware", "expected"),
    [
        (AMX, "bf16"),
        (AVX512_NO_BF16, "fp32"),
        (AVX2, "fp32"),
        (GRAVITON3, "bf16"),
        (H100, "bf16"),
        (T4, "fp32"),
        (Hardware("mps", False), "fp32"),
    ],
    ids=["amx", "avx512-without-bf16", "avx2", "arm-bf16", "cuda-bf16", "cuda-no-bf16", "mps"],
)
def test_auto_is_bf16_only_where_the_hardware_computes_it(hardware, expected) -> None:
    assert resolve_precision("auto", hardware, model="dcgan") == expected
    assert resolve_precision("auto", hardware, model="dcgan", use="sample") == expected


@pytest.mark.usefixtures("auto_unpinned")
def test_stylegan_sampling_opts_out_of_bf16_but_not_its_training() -> None:
    assert FP32_WHEN_AUTO["stylegan"] == {"sample"}
    assert resolve_precision("auto", AMX, model="stylegan", use="sample") == "fp32"
    assert resolve_precision("auto", H100, model="stylegan.mnist", use="sample") == "fp32"
    assert resolve_precision("auto", AMX, model="stylegan", use="train") == "bf16"
    assert resolve_precision("bf16", AMX, model="stylegan", use="sample") == "bf16"  # explicit


@pytest.mark.usefixtures("auto_unpinned")
def test_explicit_precisions_pass_and_bad_ones_say_which_exist(monkeypatch) -> None:
    for precision in ("fp32", "bf16", "fp16"):
        assert resolve_precision(precision, AVX2) == precision
    with pytest.raises(ConfigError, match="auto, fp32, bf16, fp16"):
        resolve_precision("fp8", AMX)
    monkeypatch.setenv(AUTO_ENV, "fp32")
    assert resolve_precision("auto", AMX) == "fp32"
    assert resolve_precision("bf16", AMX) == "bf16"  # the pin only decides auto
    monkeypatch.setenv(AUTO_ENV, "auto")
    with pytest.raises(ConfigError, match="fp32, bf16, fp16"):
        resolve_precision("auto", AMX)


def test_this_cpu_is_described_by_torch_capabilities() -> None:
    found = Hardware.detect("cpu")
    amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
    avx512_bf16 = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    if amx or avx512_bf16:
        assert (found.bf16_native and "AMX" in found.what) or "AVX512-BF16" in found.what
    elif os.uname().machine == "x86_64":
        assert not found.bf16_native
        assert torch.backends.cpu.get_cpu_capability() in found.what


@pytest.mark.usefixtures("auto_unpinned")
def test_auto_speed_turns_on_channels_last_and_fused_optimizers_with_bf16(monkeypatch) -> None:
    cpu = torch.device("cpu")
    monkeypatch.setattr(Hardware, "detect", classmethod(lambda cls, device: AMX))
    fast = resolve_speed(SpeedConfig(), cpu, "dcgan")
    assert (fast.precision, fast.channels_last, fast.fused_optimizers) == ("bf16", True, True)
    kept = resolve_speed(SpeedConfig(channels_last=False), cpu, "dcgan")
    assert (kept.precision, kept.channels_last, kept.fused_optimizers) == ("bf16", False, True)
    monkeypatch.setattr(Hardware, "detect", classmethod(lambda cls, device: AVX2))
    plain = resolve_speed(SpeedConfig(), cpu, "dcgan")
    assert (plain.precision, plain.channels_last, plain.fused_optimizers) == ("fp32", False, False)
    assert resolve_speed(SpeedConfig(precision="fp32", fused_optimizers=True), cpu).fused_optimizers


def _float_tensors(state: object, where: str = "") -> list[tuple[str, torch.dtype]]:
    if isinstance(state, torch.Tensor):
        return [(where, state.dtype)] if state.is_floating_point() else []
    if isinstance(state, dict):
        return [t for k, v in state.items() for t in _float_tensors(v, f"{where}.{k}")]
    if isinstance(state, (list, tuple)):
        return [t for i, v in enumerate(state) for t in _float_tensors(v, f"{where}[{i}]")]
    return []


def test_training_says_what_it_used_and_records_it(tmp_path, caplog) -> None:
    from ganzoo.data import TensorImages, load_embedded
    from ganzoo.run import load_run_config

    data = load_embedded()
    digits = TensorImages(data.images[:64], data.labels[:64], 10, "digits")
    gan = ganzoo.create("dcgan", **tiny_args("dcgan"))
    trainer = ganzoo.Trainer(
        gan,
        digits,
        tmp_path,
        steps=2,
        batch_size=16,
        progress=False,
        gif=False,
        num_samples=16,
        device="cpu",
        run_config={"model": "dcgan"},
    )
    with caplog.at_level(logging.INFO, logger="ganzoo"):
        trainer.fit()
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("dcgan on cpu"))
    assert "(precision auto:" in line and "torch threads" in line and "OMP_WAIT_POLICY" in line
    state = torch.load(tmp_path / "checkpoints" / "last.pt", weights_only=False)
    used = state["trainer"]["speed"]
    assert used["precision"] in ("fp32", "bf16") and used["note"] in line
    assert isinstance(used["channels_last"], bool) and isinstance(used["fused_optimizers"], bool)
    record = (tmp_path / "run.yaml").read_text()
    assert record.startswith(f"# speed used: {used['note']}\n")
    assert yaml.safe_load(record) == {"model": "dcgan"}
    assert load_run_config(tmp_path / "run.yaml").model == "dcgan"


def test_sample_precision_fp32_is_exact_and_auto_follows_the_hardware(monkeypatch) -> None:
    gan = ganzoo.create("dcgan", **tiny_args("dcgan"))
    fp32 = gan.sample(4, seed=0, precision="fp32")
    with torch.no_grad():
        gan.sampler.eval()
        direct = gan.generate(gan.sample_latent(4, torch.Generator().manual_seed(0)), ema=True)
    assert torch.equal(fp32, direct.clamp(-1, 1))
    bf16 = gan.sample(4, seed=0, precision="bf16")
    assert bf16.dtype == torch.float32  # images come back fp32
    assert 0 < (bf16 - fp32).abs().max() < 0.1  # bf16 rounding, not another image
    monkeypatch.delenv(AUTO_ENV, raising=False)
    monkeypatch.setattr(Hardware, "detect", classmethod(lambda cls, device: AMX))
    assert torch.equal(gan.sample(4, seed=0), bf16)
    monkeypatch.setattr(Hardware, "detect", classmethod(lambda cls, device: AVX2))
    assert torch.equal(gan.sample(4, seed=0), fp32)
    with pytest.raises(ConfigError, match="precision must be one of"):
        gan.sample(4, precision="half")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ganzoo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )


def test_cli_precision_and_threads_flags(tmp_path) -> None:
    out = tmp_path / "run"
    done = _cli(
        "train",
        "dcgan",
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--set",
        "model_args.width=8",
        "--out",
        str(out),
        "--no-progress",
        "--precision",
        "fp32",
        "--threads",
        "1",
        "--sample-every",
        "2",
    )
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "dcgan on cpu:" in line]
    assert said == [
        "INFO: dcgan on cpu: fp32 (precision fp32); 1 torch threads, OMP_WAIT_POLICY=PASSIVE, "
        + said[0].split("OMP_WAIT_POLICY=PASSIVE, ")[1]
    ]
    assert "load average" in said[0]
    grid = tmp_path / "grid.png"
    done = _cli("sample", str(out), "--n", "4", "--out", str(grid), "--precision", "bf16")
    assert done.returncode == 0, done.stderr
    assert grid.is_file()
    done = _cli("sample", str(out), "--threads", "0")
    assert (
        done.returncode == 2
        and done.stderr.strip() == "error: --threads must be at least 1; got 0."
    )
    done = _cli("sample", str(out), "--precision", "fp8")
    assert done.returncode == 2 and "invalid choice: 'fp8'" in done.stderr


def test_passive_waiting_is_set_before_torch_loads_unless_chosen() -> None:
    code = "import os, ganzoo, sys; print(os.environ.get('OMP_WAIT_POLICY'))"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.stdout.strip() == "PASSIVE", run.stderr
    env["OMP_WAIT_POLICY"] = "ACTIVE"  # the user's choice stands
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.stdout.strip() == "ACTIVE", run.stderr
    env.pop("OMP_WAIT_POLICY")  # torch first: too late for OpenMP, so ganzoo leaves it unset
    late = "import torch, os, ganzoo; print(os.environ.get('OMP_WAIT_POLICY'))"
    run = subprocess.run(
        [sys.executable, "-c", late], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.stdout.strip() == "None", run.stderr


def _late_means(history: list[dict], keys=("d_loss", "g_loss")) -> dict[str, float]:
    late = history[len(history) // 2 :]
    return {k: sum(row[k] for row in late) / len(late) for k in keys}


def test_bf16_training_matches_fp32_as_closely_as_another_seed_and_keeps_fp32_state(
    tmp_path,
) -> None:
    """A 60-step tiny dcgan in bf16 and in fp32 from one seed, and in fp32 from a second seed.
    Tolerance: bf16 may differ from fp32 by at most twice what changing the seed does (with a
    small floor, in case two seeds happen to agree): bf16 rounding must move the run less than
    the run's own randomness, whichever trajectory each takes. Compared: the late-half mean
    losses and the classifier FID of 500 samples against 1,000 held-out digits."""
    from ganzoo.data import TensorImages, load_embedded
    from ganzoo.metrics import fid_from_features
    from ganzoo.metrics.evaluate import extract

    data = load_embedded()
    digits = TensorImages(data.images[:1024], data.labels[:1024], 10, "digits")
    real, _ = extract(TensorImages(data.images[5000:6000]), "mnist", 1000)
    runs = {}
    for name, precision, seed in (("fp32", "fp32", 0), ("seed1", "fp32", 1), ("bf16", "bf16", 0)):
        torch.manual_seed(seed)
        gan = ganzoo.create("dcgan", recipe={"ema_decay": 0.9}, **tiny_args("dcgan"))
        result = ganzoo.Trainer(
            gan,
            digits,
            tmp_path / name,
            steps=60,
            batch_size=32,
            log_every=5,
            progress=False,
            gif=False,
            num_samples=16,
            device="cpu",
            seed=seed,
            speed=SpeedConfig(precision=precision),
        ).fit()
        fake, _ = extract(gan, "mnist", 500, precision="fp32")
        runs[name] = {**_late_means(result.history), "fid": fid_from_features(real, fake)}
        assert not result.alerts, (name, result.alerts)
    for key, floor in (("d_loss", 0.05), ("g_loss", 0.05), ("fid", 0.05 * runs["fp32"]["fid"])):
        seed_spread = abs(runs["seed1"][key] - runs["fp32"][key])
        assert abs(runs["bf16"][key] - runs["fp32"][key]) <= max(2 * seed_spread, floor), runs
    state = torch.load(tmp_path / "bf16" / "checkpoints" / "last.pt", weights_only=False)
    assert state["trainer"]["speed"]["precision"] == "bf16"
    floats = _float_tensors({k: state[k] for k in ("gan", "g_optimizer", "d_optimizer")})
    assert any("generator_ema" in where for where, _ in floats)  # EMA, weights, Adam moments
    assert any("exp_avg_sq" in where for where, _ in floats)
    assert {dtype for _, dtype in floats} == {torch.float32}, [
        w for w, d in floats if d != torch.float32
    ]
