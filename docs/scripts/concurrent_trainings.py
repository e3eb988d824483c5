"""Two trainings at once on a small CPU: OpenMP's default waiting against ganzoo's passive one.

    python docs/scripts/concurrent_trainings.py [--rounds 3] [--steps 20] [--batch 64]

Each worker is a separate process training ganzoo's dcgan (28x28x1, fp32, torch's default
thread count: one per core) through the real Trainer and timing ``steps`` steps after two
warm-up steps. ``before`` imports torch before ganzoo, so the OpenMP runtime starts with its
default wait policy (ganzoo then leaves it alone), as ganzoo did before it set one;
``after`` imports ganzoo first, which sets ``OMP_WAIT_POLICY=PASSIVE``. Each round runs,
for both modes in turn, one training alone and then two trainings at once. The slowdown of a
pair is paired per round: (before's seconds per step) / (after's). Writes
docs/benchmarks/concurrent_trainings_cpu.json, quoted in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker(mode: str, steps: int, batch: int) -> None:
    first = "torch" if mode == "before" else "ganzoo"  # before: OpenMP's default wait policy
    importlib.import_module(first)
    torch = importlib.import_module("torch")
    BenchTrainer = importlib.import_module("ganzoo.bench.harness").BenchTrainer
    SpeedConfig = importlib.import_module("ganzoo.train").SpeedConfig

    with BenchTrainer(
        "dcgan", batch_size=batch, img_size=28, channels=1, speed=SpeedConfig(precision="fp32")
    ) as bench:
        for _ in range(2):
            bench.step()
        start = time.perf_counter()
        for _ in range(steps):
            bench.step()
        seconds = (time.perf_counter() - start) / steps
    policy = os.environ.get("OMP_WAIT_POLICY")
    print(
        json.dumps(
            {
                "seconds_per_step": seconds,
                "threads": torch.get_num_threads(),
                "omp_wait_policy": policy,
            }
        )
    )


def _launch(mode: str, count: int, steps: int, batch: int) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    command = [
        sys.executable,
        __file__,
        "--worker",
        mode,
        "--steps",
        str(steps),
        "--batch",
        str(batch),
    ]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) for _ in range(count)
    ]
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: {outs}")
    return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=["before", "after"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument(
        "--out", default=str(ROOT / "docs/benchmarks/concurrent_trainings_cpu.json")
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.steps, args.batch)
        return 0
    from ganzoo.bench.environment import environment

    started = environment("cpu")
    rows = []
    for r in range(args.rounds):
        row = {"round": r, "load_average_1min": os.getloadavg()[0]}
        for mode in ("before", "after"):
            row[f"{mode} alone"] = _launch(mode, 1, args.steps, args.batch)
            row[f"{mode} pair"] = _launch(mode, 2, args.steps, args.batch)
        print(json.dumps(row), flush=True)
        rows.append(row)

    def mean_step(row: dict, key: str) -> float:
        return statistics.mean(w["seconds_per_step"] for w in row[key])

    summary = {}
    for key in ("alone", "pair"):
        ratios = [mean_step(row, f"before {key}") / mean_step(row, f"after {key}") for row in rows]
        summary[f"{key}: before/after seconds per step"] = {
            "median": statistics.median(ratios),
            "min": min(ratios),
            "max": max(ratios),
        }
        for mode in ("before", "after"):
            summary[f"{mode} {key}: median seconds per step"] = statistics.median(
                mean_step(row, f"{mode} {key}") for row in rows
            )
    for mode in ("before", "after"):
        ratios = [mean_step(row, f"{mode} pair") / mean_step(row, f"{mode} alone") for row in rows]
        summary[f"{mode}: pair/alone seconds per step (median)"] = statistics.median(ratios)
    command = (
        f"python docs/scripts/concurrent_trainings.py --rounds {args.rounds} "
        f"--steps {args.steps} --batch {args.batch}"
    )
    result = {
        "command": command,
        "environment": started,
        "environment_at": "start",
        "summary": summary,
        "rounds": rows,
        "load_average_1min_at_end": os.getloadavg()[0],
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
