"""Training images/s against batch size, fp32 and bf16 side by side: a plot and its JSON.

    python docs/scripts/precision_batch_plot.py [--img-size 28] [--batch 16 32 64 128]
        [--steps 2] [--rounds 3] [--threads 1]

For each batch size, ganzoo's dcgan (3 channels) is trained by the real Trainer in fp32 and in
bf16 (autocast + channels_last + fused Adam: what ``precision="auto"`` picks on a CPU with
native bf16), the two interleaved round by round. A 512x512 matmul in fp32 and in bf16 is
timed first (best of 3 rounds), to show what this CPU's bf16 kernels can do. images/s is batch / the median round's
seconds per step; the bf16/fp32 ratio is the median of the per-round paired ratios. Writes
docs/benchmarks/precision_batch_cpu.json (``--out``) and its picture in docs/images/
(precision_vs_batch_cpu.png).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import torch

from ganzoo.bench.environment import environment, rerun_command
from ganzoo.bench.harness import BenchTrainer
from ganzoo.bench.peak import Matmul
from ganzoo.bench.timing import paired_speedup, time_rounds
from ganzoo.train import SpeedConfig

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "fp32": SpeedConfig(precision="fp32"),
    "bf16 + channels_last + fused": SpeedConfig(
        precision="bf16", channels_last=True, fused_optimizers=True
    ),
}


def measure(batch: int, img_size: int, steps: int, rounds: int) -> dict:
    trainers = {
        name: BenchTrainer("dcgan", batch_size=batch, img_size=img_size, speed=speed)
        for name, speed in SETTINGS.items()
    }
    try:
        calls = {name: t.step for name, t in trainers.items()}
        seconds = time_rounds(calls, "cpu", steps=steps, rounds=rounds, warmup=1)
    finally:
        for t in trainers.values():
            t.close()
    row = {
        "batch": batch,
        "round_seconds": seconds,
        "images_per_s": {n: batch / statistics.median(s) for n, s in seconds.items()},
    }
    low, fp32 = list(SETTINGS)[1], "fp32"
    mid, lo, hi = paired_speedup(seconds[low], batch, seconds[fp32], batch)
    row["bf16_vs_fp32"] = {"median": mid, "min": lo, "max": hi}
    return row


def plot(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    batches = [r["batch"] for r in rows]
    for name in SETTINGS:
        ax.plot(batches, [r["images_per_s"][name] for r in rows], marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.set_xlabel("batch size")
    ax.set_ylabel("training images/s")
    ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def _title(result: dict) -> str:
    env, size = result["environment"], result.get("img_size", 28)
    return (
        f"dcgan 3x{size}x{size} training, one torch thread\n{env['device']}\n"
        f"1-minute load average {env['load_average_1min']} to "
        f"{result['load_average_1min_at_end']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--img-size", type=int, default=28)
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 32, 64, 128])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plot-only", action="store_true", help="redraw from the JSON")
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks/precision_batch_cpu.json"))
    args = parser.parse_args()
    out = Path(args.out)
    picture = (
        ROOT / "docs/images" / (out.stem.replace("precision_batch", "precision_vs_batch") + ".png")
    )
    if args.plot_only:
        result = json.loads(out.read_text())
        plot(result["rows"], picture, _title(result))
        return 0
    torch.set_num_threads(args.threads)
    env = environment("cpu")
    peaks = {p: Matmul("cpu", p, size=512) for p in ("fp32", "bf16")}
    peak_seconds = time_rounds(peaks, "cpu", steps=1, rounds=3, warmup=1)
    matmul = {
        p: {"kernel": mm.kernel, "gflops_best_round": mm.flops / min(peak_seconds[p]) / 1e9}
        for p, mm in peaks.items()
    }
    print(json.dumps(matmul), flush=True)
    rows = []
    for batch in args.batch:
        rows.append(measure(batch, args.img_size, args.steps, args.rounds))
        print(
            json.dumps({k: rows[-1][k] for k in ("batch", "images_per_s", "bf16_vs_fp32")}),
            flush=True,
        )
    command = rerun_command("docs/scripts/precision_batch_plot.py", sys.argv[1:])
    end = environment("cpu")
    result = {
        "command": command,
        "img_size": args.img_size,
        "environment": env,
        "load_average_1min_at_end": end["load_average_1min"],
        "matmul": matmul,
        "rows": rows,
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    plot(rows, picture, _title(result))
    print(f"Wrote {out} and {picture}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
