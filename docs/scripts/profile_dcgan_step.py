"""Where the time of one dcgan training step goes: torch.profiler, ops grouped by kind.

    python docs/scripts/profile_dcgan_step.py [--img-size 64] [--batch 64] [--steps 3]
        [--precision auto fp32 bf16] [--threads 1]

Profiles ``steps`` steps of the real Trainer (after two warm-up steps) for each precision and
sums the operators' self CPU time into: convolution forward, convolution backward, batch norm
(forward and backward), optimizer (Adam, fused or foreach), autocast casts and copies
(``aten::to``/``_to_copy``/``copy_``), layout changes (``contiguous``/``clone``), and the rest.
Writes docs/benchmarks/profile_dcgan_step_cpu.json and prints a table per precision.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

from ganzoo.bench.environment import environment, rerun_command
from ganzoo.bench.harness import BenchTrainer
from ganzoo.train import SpeedConfig

ROOT = Path(__file__).resolve().parents[2]
GROUPS = (
    ("convolution backward", ("convolution_backward",)),
    (
        "convolution forward",
        (
            "mkldnn_convolution",
            "_convolution",
            "convolution",
            "conv2d",
            "conv_transpose2d",
            "slow_conv",
        ),
    ),
    ("batch norm", ("batch_norm",)),
    ("optimizer", ("adam", "_foreach", "lerp", "addcdiv", "addcmul")),
    ("casts and copies", ("aten::to", "_to_copy", "copy_")),
    ("layout changes", ("contiguous", "clone")),
)


def group_of(name: str) -> str:
    lowered = name.lower()
    if "conv" in lowered and "backward" in lowered:  # oneDNN's or the slow path's
        return "convolution backward"
    for group, keys in GROUPS:
        if any(k in lowered for k in keys):
            return group
    return "other"


def profile_step(precision: str, img_size: int, batch: int, steps: int) -> dict:
    with BenchTrainer(
        "dcgan",
        batch_size=batch,
        img_size=img_size,
        channels=3,
        speed=SpeedConfig(precision=precision),
    ) as bench:
        for _ in range(2):
            bench.step()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(steps):
                bench.step()
        used = bench.trainer.speed
    totals: dict[str, float] = defaultdict(float)
    ops: dict[str, float] = defaultdict(float)
    for event in prof.key_averages():
        totals[group_of(event.key)] += event.self_cpu_time_total
        ops[event.key] += event.self_cpu_time_total
    total = sum(totals.values())
    top = sorted(ops.items(), key=lambda kv: -kv[1])[:12]
    return {
        "speed": used.describe(),
        "seconds_per_step": total / 1e6 / steps,
        "share": {g: t / total for g, t in sorted(totals.items(), key=lambda kv: -kv[1])},
        "top_ops": {k: v / total for k, v in top},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--img-size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--precision", nargs="+", default=["auto", "bf16"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks/profile_dcgan_step_cpu.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = {
        "command": rerun_command("docs/scripts/profile_dcgan_step.py", sys.argv[1:]),
        "environment": environment("cpu"),
        "profiles": {},
    }
    for precision in args.precision:
        found = profile_step(precision, args.img_size, args.batch, args.steps)
        result["profiles"][precision] = found
        print(
            f"\n{precision} ({found['speed']}): {found['seconds_per_step']:.3f} s/step (self CPU)"
        )
        for group, share in found["share"].items():
            print(f"  {group:<22} {100 * share:5.1f} %")
    result["load_average_1min_at_end"] = environment("cpu")["load_average_1min"]
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
