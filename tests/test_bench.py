"""The benchmark harness runs and its numbers are sane. No timing is asserted here: timings live
in benchmarks/ and docs/benchmarks.md."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from ganzoo.bench import (
    BenchResult,
    ClassicDCGAN,
    LiveTensorBytes,
    benchmark_model,
    count_flops,
    format_table,
    load_results,
    plot_results,
    run_suite,
    save_results,
    time_rounds,
)
from ganzoo.bench.data import bench_data
from ganzoo.bench.report import require_matplotlib
from ganzoo.bench.timing import median_rate, paired_speedup
from ganzoo.errors import MissingExtraError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
TINY = {"steps": 1, "rounds": 1, "warmup": 1, "model_args": {"width": 8}}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)  # two OpenMP threads on a busy 2-core machine stall each other


@pytest.fixture(scope="module")
def results() -> list[BenchResult]:
    """dcgan beside the classic loop at two batch sizes, wgan-gp (n_critic 5), one skipped size."""
    torch.set_num_threads(1)
    return run_suite(
        ["dcgan", "wgan-g*"], batch_sizes=[4, 8], img_sizes=[32, 30], **{**TINY, "rounds": 2}
    )


def _positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def test_linear_flops_equal_formula() -> None:
    n, d_in, d_out = 8, 20, 30
    layer = nn.Linear(d_in, d_out)
    x = torch.randn(n, d_in)
    assert count_flops(lambda: layer(x)) == 2 * n * d_in * d_out
    x.requires_grad_(True)  # backward: the weight's gradient and the input's, each as much again
    assert count_flops(lambda: layer(x).sum().backward()) == 3 * 2 * n * d_in * d_out


@pytest.mark.parametrize("cls", [nn.Conv2d, nn.ConvTranspose2d])
def test_conv_flops_equal_formula(cls: type[nn.Module]) -> None:
    n, c_in, c_out, k, size = 2, 3, 8, 4, 16
    layer = cls(c_in, c_out, k, stride=2, padding=1)
    x = torch.randn(n, c_in, size, size)
    out = layer(x)
    # c_in * c_out * k * k multiply-adds per pixel of the strided side: a conv's output, a
    # transposed conv's input
    strided = out if cls is nn.Conv2d else x
    forward = 2 * n * strided.shape[2] * strided.shape[3] * c_in * c_out * k * k
    assert count_flops(lambda: layer(x)) == forward
    assert count_flops(lambda: layer(x.requires_grad_()).sum().backward()) == 3 * forward


def test_live_tensor_bytes_follows_allocations_and_frees() -> None:
    mib = 2**20
    w = torch.randn(256, 1024, requires_grad=True)  # 1 MiB
    with LiveTensorBytes("cpu", [w]) as memory:
        a = torch.ones(256, 1024)  # 2 MiB live
        b = a * 2  # 3
        del a  # 2
        c = torch.ones(512, 1024)  # 4: the peak
        del b, c  # 1
        (w * 3).sum().backward()  # w.grad stays: 2
    assert memory.peak == 4 * mib
    assert abs(memory.live - 2 * mib) < 64


def test_time_rounds_interleaves_warmup_and_rounds() -> None:
    calls: list[str] = []
    seconds = time_rounds(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        "cpu",
        steps=2,
        rounds=3,
        warmup={"a": 1},
    )
    assert calls == ["a"] + ["a", "a", "b", "b"] * 3
    assert all(len(v) == 3 and all(s >= 0 for s in v) for v in seconds.values())


def test_speedup_is_the_median_of_paired_round_ratios() -> None:
    subject, baseline = [1.0, 2.0, 3.0], [3.0, 1.0, 2.0]  # seconds per call, round by round
    # per-round ratios of rates: 3/1, 1/2, 2/3 -> median 2/3; a ratio of medians would say 1
    assert paired_speedup(subject, 8, baseline, 8) == pytest.approx((2 / 3, 0.5, 3.0))
    assert median_rate(subject) / median_rate(baseline) == 1.0
    assert paired_speedup([1.0], 16, [1.0], 8) == (2.0, 2.0, 2.0)  # images per call count
    with pytest.raises(ValueError, match="paired"):
        paired_speedup([1.0], 1, [1.0, 2.0], 1)


def test_cli_bench_reports_threads_and_load() -> None:
    from ganzoo.bench import environment

    info = environment("cpu")
    assert info["threads"] == torch.get_num_threads() >= 1
    assert f"{info['threads']} torch threads" in info["threads_note"]
    assert "OMP_WAIT_POLICY=" in info["threads_note"]
    assert "load average" in info["threads_note"] and info["load_average_1min"] >= 0


def test_classic_loop_trains() -> None:
    loop = ClassicDCGAN(
        bench_data(32, 3, 8), batch_size=8, img_size=32, channels=3, model_args={"width": 8}
    )
    before = [p.detach().clone() for p in loop.netG.parameters()]
    logs = loop.step()
    assert set(logs) == {"Loss_D", "Loss_G", "D(x)", "D(G(z))_1", "D(G(z))_2"}
    assert all(math.isfinite(v) for v in logs.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, loop.netG.parameters(), strict=True))


def test_suite_numbers_are_sane(results: list[BenchResult]) -> None:
    ok = [r for r in results if r.ok]
    assert [(r.model, r.batch_size) for r in ok] == [
        ("dcgan", 4),
        ("dcgan", 8),
        ("wgan-gp", 4),
        ("wgan-gp", 8),
    ]
    for r in ok + [r.reference for r in ok if r.reference]:
        for key in (
            "steps_per_s",
            "images_per_s",
            "achieved_flops",
            "peak_flops",
            "peak_fraction",
            "flops_per_step",
            "peak_memory_bytes",
        ):
            assert _positive(getattr(r, key)), (r.model, key, getattr(r, key))
        assert "matmul" in r.peak_kernel or "torch.mm" in r.peak_kernel
        assert r.images_per_s == pytest.approx(r.steps_per_s * r.images_per_step)
        assert r.achieved_flops == pytest.approx(r.flops_per_step * r.steps_per_s)
    for r in ok:
        assert _positive(r.sample_images_per_s)
        # the switches in effect, auto decided (pinned to fp32 by conftest): no None left
        assert (r.precision, r.channels_last, r.fused_optimizers) == ("fp32", False, False)
        assert r.images_per_step == r.batch_size * (5 if r.model == "wgan-gp" else 1)
    dcgan = ok[0]
    assert dcgan.reference is not None and dcgan.reference.model == "dcgan (classic loop)"
    ref = dcgan.reference
    ratios = sorted(
        (dcgan.images_per_step / s) / (ref.images_per_step / b)
        for s, b in zip(dcgan.step_seconds, ref.step_seconds, strict=True)
    )
    assert len(ratios) == dcgan.rounds
    assert dcgan.vs_reference == pytest.approx(statistics.median(ratios))  # not a ratio of medians
    assert dcgan.vs_reference_range == pytest.approx([ratios[0], ratios[-1]])
    # The same networks: the classic loop also computes D's weight gradients in the G update.
    assert 0.8 < dcgan.flops_per_step / dcgan.reference.flops_per_step < 1.0
    assert ok[2].reference is None and ok[2].vs_reference is None


def test_unsupported_size_is_skipped_with_the_reason(results: list[BenchResult]) -> None:
    skipped = [r for r in results if not r.ok]
    assert {(r.model, r.img_size) for r in skipped} == {("dcgan", 30), ("wgan-gp", 30)}
    assert all("cannot make 30x30" in r.skipped for r in skipped)
    assert all(r.images_per_s is None for r in skipped)
    table = format_table(results)
    assert "skipped: dcgan" in table and "dcgan (classic loop)" in table


def test_json_round_trip_and_tables(results: list[BenchResult], tmp_path: Path) -> None:
    path = save_results(tmp_path / "out" / "bench.json", results, {"command": "ganzoo bench"})
    assert json.loads(path.read_text())["meta"] == {"command": "ganzoo bench"}
    meta, loaded = load_results(path)
    assert loaded == results and meta["command"] == "ganzoo bench"
    markdown = format_table(loaded, markdown=True).splitlines()
    assert len(markdown) == 2 + len(results) + 2  # header, rule, rows, two classic-loop rows
    assert len({line.count("|") for line in markdown}) == 1  # every row has every column


def test_plots_written(results: list[BenchResult], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = plot_results(results, tmp_path / "plots")
    assert [p.name for p in paths] == [
        "images_per_s_vs_batch.png",
        "images_per_s_vs_resolution.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(MissingExtraError, match=r'pip install "ganzoo\[bench\]"'):
        require_matplotlib()


def test_unknown_model_raises() -> None:
    with pytest.raises(UnknownNameError, match="dcgan"):
        benchmark_model("dcgn", **TINY)
    with pytest.raises(UnknownNameError, match="zz"):
        run_suite(["zz*"], **TINY)


def test_cli_bench_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = [
        "bench",
        "dcgan",
        "--model-arg",
        "width=8",
        "--batch-size",
        "4",
        "--img-size",
        "32",
        "--steps",
        "1",
        "--rounds",
        "1",
        "--warmup",
        "1",
        "--json",
        str(out),
    ]
    if sys.modules.get("matplotlib") or _has_matplotlib():
        args += ["--plot", str(tmp_path / "plots")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "dcgan (classic loop)" in result.stdout and "train img/s" in result.stdout
    meta, loaded = load_results(out)
    assert meta["command"].startswith("ganzoo bench dcgan --device cpu --batch-size 4")
    assert meta["torch"] == torch.__version__ and meta["date"]
    assert loaded[0].ok and loaded[0].vs_reference > 0
    if "--plot" in args:
        assert (tmp_path / "plots" / "images_per_s_vs_batch.png").is_file()


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_docs_tables_are_current() -> None:
    script = ROOT / "docs" / "scripts" / "bench_table.py"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr


def test_a_measurement_record_says_how_to_rerun_and_weigh_it(tmp_path) -> None:
    import json
    import time

    from ganzoo.bench.environment import measurement_context, write_measurement

    context = measurement_context("python docs/scripts/x.py --n 5", time.time() - 2.0)
    assert context["command"] == "python docs/scripts/x.py --n 5"
    assert 2.0 <= context["seconds"] < 60
    assert "torch threads" in context["hardware"] and len(context["load_average_at_end"]) == 3
    assert "seconds" not in measurement_context("cmd")
    path = tmp_path / "deep" / "result.json"
    write_measurement(path, {"fid": 1.5} | context)
    assert json.loads(path.read_text())["fid"] == 1.5
    assert [p.name for p in path.parent.iterdir()] == ["result.json"]  # no temporary left


def test_a_rerun_command_names_no_local_data_folder() -> None:
    from ganzoo.bench.environment import rerun_command

    argv = ["--data-root", "/home/me/data", "--only", "dcgan.mnist", "--policy", "a b"]
    assert rerun_command("docs/scripts/x.py", argv) == (
        "python docs/scripts/x.py --data-root DATA_ROOT --only dcgan.mnist --policy 'a b'"
    )
    assert rerun_command("x.py", ["--data-root"]) == "python x.py --data-root"


def test_measured_matmul_peak_names_its_kernel() -> None:
    from ganzoo.bench import Matmul, measure_matmul_peak

    peak = measure_matmul_peak("cpu", "fp32", size=128, rounds=1)
    assert peak.flops_per_s > 0 and math.isfinite(peak.flops_per_s)
    # which kernel wins is timed, and at 128x128 the two are close: either may, under load
    kernels = {"torch.mm, 128x128 fp32", "oneDNN matmul, 128x128 fp32"}
    assert peak.kernel in kernels and Matmul("cpu", "fp32", size=128).kernel in kernels


@pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="a build without oneDNN")
@pytest.mark.parametrize(("onednn_seconds", "kernel"), [(1.0, "oneDNN matmul"), (3.0, "torch.mm")])
def test_the_cpu_matmul_uses_the_faster_kernel(monkeypatch, onednn_seconds, kernel) -> None:
    from ganzoo.bench import Matmul, peak

    timings = iter([onednn_seconds, 2.0])  # oneDNN is timed first, then torch.mm
    monkeypatch.setattr(peak, "_seconds", lambda fn: next(timings))
    matmul = Matmul("cpu", "fp32", size=16)
    assert matmul.kernel == f"{kernel}, 16x16 fp32"
    matmul()  # the chosen kernel runs
