"""The Markdown tables of docs/benchmarks.md's "Precision and threads" section, rendered from
the JSON files the measuring scripts wrote (so every number there comes from a file):

    python docs/scripts/precision_report.py          # rewrite the blocks in place
    python docs/scripts/precision_report.py --print  # print them
    python docs/scripts/precision_report.py --check  # exit 1 if a block is stale (the tests)

Each block sits between ``<!-- precision:NAME:begin -->`` and ``<!-- precision:NAME:end -->``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType

from ganzoo.utils.marked_blocks import has_block, replace_block, write_or_check

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks"


def _load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.is_file() else None


def _where(data: dict) -> str:
    env = data["environment"]
    end = data.get("load_average_1min_at_end")
    return (
        f"`{data['command']}` — {env['device']}, torch {env['torch']}, {env['date'][:16]} "
        f"UTC, load average {env['load_average_1min']} at the start, {end} at the end."
    )


def concurrent(name: str) -> None:
    data = _load(name)
    if not data:
        return
    s = data["summary"]
    env, loads = data["environment"], [row["load_average_1min"] for row in data["rounds"]]
    print(
        f"`{data['command']}` — {env['device']}, torch {env['torch']}, "
        f"{'started' if data.get('environment_at') == 'start' else 'finished'} "
        f"{env['date'][:16]} UTC; 1-minute load average {min(loads):.1f} to {max(loads):.1f} "
        f"at the rounds' starts, {data['load_average_1min_at_end']:.1f} at the end.\n"
    )
    print(
        "| dcgan 28x28, batch 64, fp32, 2 threads each | before (OpenMP default) | after (PASSIVE) | before/after, paired per round |"
    )
    print("|---|--:|--:|--:|")
    for key in ("alone", "pair"):
        ratio = s[f"{key}: before/after seconds per step"]
        print(
            f"| {'one training alone' if key == 'alone' else 'two trainings at once'}, s/step "
            f"| {s[f'before {key}: median seconds per step']:.2f} "
            f"| {s[f'after {key}: median seconds per step']:.2f} "
            f"| {ratio['median']:.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f}) |"
        )
    print(
        f"\nA pair against one alone: {s['before: pair/alone seconds per step (median)']:.2f}x "
        f"the seconds per step before, {s['after: pair/alone seconds per step (median)']:.2f}x after.\n"
    )


def batch_plot(name: str) -> None:
    data = _load(name)
    if not data:
        return
    print(_where(data), "\n")
    mm = data["matmul"]
    print(
        f"Matmul, best of 3 rounds: {mm['fp32']['kernel']} {mm['fp32']['gflops_best_round']:.2f} "
        f"GFLOP/s; {mm['bf16']['kernel']} {mm['bf16']['gflops_best_round']:.2f} GFLOP/s "
        f"({_times(mm['bf16']['gflops_best_round'] / mm['fp32']['gflops_best_round'])}).\n"
    )
    names = list(data["rows"][0]["images_per_s"])
    print(
        "| batch | " + " | ".join(f"{n} img/s" for n in names) + " | bf16/fp32, paired per round |"
    )
    print("|--:|" + "--:|" * (len(names) + 1))
    for row in data["rows"]:
        r = row["bf16_vs_fp32"]
        cells = " | ".join(f"{row['images_per_s'][n]:.1f}" for n in names)
        print(f"| {row['batch']} | {cells} | {r['median']:.2f}x ({r['min']:.2f}-{r['max']:.2f}) |")
    print()


def profile(name: str) -> None:
    data = _load(name)
    if not data:
        return
    print(_where(data), "\n")
    profiles = data["profiles"]
    groups = list(next(iter(profiles.values()))["share"])
    print(
        "| share of self CPU time | "
        + " | ".join(f"{k} ({v['speed']})" for k, v in profiles.items())
        + " |"
    )
    print("|---|" + "--:|" * len(profiles))
    for g in groups:
        print(
            f"| {g} | "
            + " | ".join(f"{100 * v['share'].get(g, 0):.1f} %" for v in profiles.values())
            + " |"
        )
    print(
        "| seconds per step (under the load above) | "
        + " | ".join(f"{v['seconds_per_step']:.2f}" for v in profiles.values())
        + " |\n"
    )
    for k, v in profiles.items():
        top = ", ".join(
            f"`{op}` {100 * share:.0f} %" for op, share in list(v["top_ops"].items())[:4]
        )
        print(f"- {k}: {top}")
    print()


def inception(name: str) -> None:
    data = _load(name)
    if not data:
        return
    print(_where(data), "\n")
    print("| Inception-v3 pool3, CPU | images/s | vs fp32 eager, paired per round |")
    print("|---|--:|--:|")
    for name, v in data["speed"].items():
        ratio = v.get("vs_fp32_eager")
        rel = (
            f"{ratio['median']:.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f})" if ratio else "1.00x"
        )
        print(f"| {name} | {v['images_per_s']:.2f} | {rel} |")
    fid = data.get("fid")
    if fid:
        print(
            f"\n{fid['what']}: fp32 features {fid['fid_fp32']:.4f}, bf16 features "
            f"{fid['fid_bf16']:.4f} ({fid['bf16']}): relative change {100 * fid['relative_change']:+.2f} %; "
            f"largest feature difference {fid['max_abs_feature_difference']:.3g}."
        )
    print()


def _module(path: Path) -> ModuleType:
    """The Python file at ``path``, imported (the benchmarks' targets live in their tests)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pytest_where(data: dict, test_file: str, name: str, threads_key: str) -> str:
    """The command, CPU, threads and date of a ``pytest --benchmark-json`` file."""
    threads = data["benchmarks"][0]["extra_info"][threads_key]
    return (
        f"`python -m pytest {test_file} --benchmark-json docs/benchmarks/{name}` — "
        f"{data['machine_info']['cpu']['brand_raw']}, {threads}, {data['datetime'][:16]} UTC.\n"
    )


def targets(name: str) -> None:
    """Issue 17's targets from ``benchmarks/test_precision_targets.py --benchmark-json``."""
    data = _load(name)
    if not data:
        return
    print(_pytest_where(data, "benchmarks/test_precision_targets.py", name, "threads_note"))
    print(
        "| dcgan, batch 64 | default step | vs classic fp32 loop, paired per round | target | % of bf16 matmul peak | target |"
    )
    print("|---|---|--:|--:|--:|--:|")
    benchmark = _module(RESULTS.parents[1] / "benchmarks" / "test_precision_targets.py")
    for bench in data["benchmarks"]:
        e, size = bench["extra_info"], bench["params"]["img_size"]
        switches = [e["precision"]] + [k for k in ("channels_last", "fused") if e[k]]
        low, high = e["speedup_range"]
        print(
            f"| 3x{size}x{size} | {' + '.join(switches)} | {e['speedup']:.2f}x ({low:.2f}-{high:.2f}) "
            f"| {benchmark.TARGETS[size]}x | {100 * e['peak_fraction']:.1f} % "
            f"| {100 * benchmark.PEAK_TARGET:.0f} % |"
        )
    print()


def projection(name: str) -> None:
    """``benchmarks/test_latent_projection.py --benchmark-json``: the speed-up per precision."""
    data = _load(name)
    if not data:
        return
    print(_pytest_where(data, "benchmarks/test_latent_projection.py", name, "threads"))
    print(
        "| first generator layer, batch 64, forward + backward | LatentProjection vs ConvTranspose2d, paired per round |"
    )
    print("|---|--:|")
    for bench in data["benchmarks"]:
        e = bench["extra_info"]
        low, high = e["speedup_range"]
        print(f"| {e['precision']} | {e['speedup']:.2f}x ({low:.2f}-{high:.2f}) |")
    print()


def layers(name: str) -> None:
    """``docs/scripts/layer_speedups.py``: each layer's fp32 and bf16 time and bf16 FLOP/s."""
    data = _load(name)
    if not data:
        return
    print(_where(data), "\n")
    peak = data["bf16_matmul_peak"]
    print(
        f"bf16 matmul peak in the same run: {peak['kernel']}, {peak['flops_per_s'] / 1e9:.0f} GFLOP/s.\n"
    )
    for size, rows in data["sizes"].items():
        total = {k: sum(r[k] for r in rows.values()) for k in ("fp32_ms", "bf16_ms")}
        print(
            f"| 3x{size}x{size}, batch {data['batch']}: layer | input | fp32 ms | bf16 ms | bf16/fp32, paired | bf16 % of peak |"
        )
        print("|---|---|--:|--:|--:|--:|")
        for layer, r in rows.items():
            share = (
                f"{100 * r['bf16_flops_per_s'] / peak['flops_per_s']:.1f} %" if r["flops"] else "—"
            )
            low, high = r["speedup_range"]
            print(
                f"| {layer} ({r['layer']}) | {'x'.join(map(str, r['input'][1:]))} | {r['fp32_ms']:.2f} "
                f"| {r['bf16_ms']:.2f} | {r['speedup']:.2f}x ({low:.2f}-{high:.2f}) | {share} |"
            )
        print(
            f"| all of them | | {total['fp32_ms']:.2f} | {total['bf16_ms']:.2f} "
            f"| {total['fp32_ms'] / total['bf16_ms']:.2f}x (of the sums) | |\n"
        )


def _times(ratio: float) -> str:
    """bf16's rate against fp32's in words: ``5.3x faster`` or ``64x slower``."""
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.0f}x slower"


# block name -> (renderer, the JSON it renders); the ``_amx`` blocks were measured on a CPU
# with AMX and AVX512-BF16, the others on one without native bf16
SECTIONS = {
    "concurrent": (concurrent, "concurrent_trainings_cpu.json"),
    "batch": (batch_plot, "precision_batch_cpu.json"),
    "profile": (profile, "profile_dcgan_step_cpu.json"),
    "inception": (inception, "inception_bf16_cpu.json"),
    "batch_amx": (batch_plot, "precision_batch_cpu_amx.json"),
    "profile_amx": (profile, "profile_dcgan_step_cpu_amx.json"),
    "inception_amx": (inception, "inception_bf16_cpu_amx.json"),
    "targets_amx": (targets, "precision_targets_cpu_amx.json"),
    "projection_amx": (projection, "latent_projection_cpu_amx.json"),
    "layers_amx": (layers, "layer_speedups_cpu_amx.json"),
}
DOC = RESULTS.parent / "benchmarks.md"


def main() -> int:
    text = DOC.read_text()
    for name, (section, source) in SECTIONS.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            section(source)
        rendered = out.getvalue().strip()
        if "--print" in sys.argv:
            print(rendered, "\n")
        elif rendered and has_block(text, f"precision:{name}"):
            text = replace_block(text, f"precision:{name}", rendered)
    if "--print" in sys.argv:
        return 0
    remedy = "python docs/scripts/precision_report.py"
    return write_or_check({DOC: text}, check="--check" in sys.argv, remedy=remedy)


if __name__ == "__main__":
    raise SystemExit(main())
