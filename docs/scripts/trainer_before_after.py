"""Compare the trainer step of an earlier revision with the working tree's, in one process.

    python docs/scripts/trainer_before_after.py --before 2b8a4a1 wgan-gp --batch-size 64 --img-size 28

Loads ``ganzoo/train/trainer.py`` as it was at ``--before`` (git show) beside the current one,
builds the same model and data for both, and times full trainer steps in interleaved rounds
(median ms per step), so load on the machine hits both alike. Also reports the peak live
tensor bytes of one step (CPU) and whether both trainers give identical weights after three
steps from one seed. Only the trainer module differs between the two; the rest of ganzoo is
the working tree's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import torch

import ganzoo
from ganzoo.bench.data import bench_data
from ganzoo.bench.memory import LiveTensorBytes, tensors_of

ROOT = Path(__file__).resolve().parents[2]


def trainer_module_at(revision: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{revision}:ganzoo/train/trainer.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "trainer_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("ganzoo.train.trainer_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--before", required=True, help="git revision of the 'before' trainer")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--img-size", type=int, default=28)
    parser.add_argument("--model-arg", action="append", default=[], help="key=value (YAML value)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5, help="steps per round")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import yaml

    torch.set_num_threads(args.threads)
    model_args = {k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in args.model_arg)}
    data = bench_data(args.img_size, 1, args.batch_size)
    modules = {"before": trainer_module_at(args.before), "after": ganzoo.train.trainer}

    def make(module: ModuleType):
        torch.manual_seed(0)
        gan = ganzoo.create(args.model, img_size=args.img_size, channels=1, **model_args)
        trainer = module.Trainer(
            gan, data, tempfile.mkdtemp(), batch_size=args.batch_size, progress=False, device="cpu"
        )
        trainer.setup()
        return trainer

    def step(trainer) -> None:
        trainer.train_step()
        trainer.step += 1

    trainers = {k: make(m) for k, m in modules.items()}
    for trainer in trainers.values():
        for _ in range(2):
            step(trainer)
    times: dict[str, list[float]] = {k: [] for k in trainers}
    for _ in range(args.rounds):
        for key, trainer in trainers.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                step(trainer)
            times[key].append((time.perf_counter() - start) / args.steps * 1e3)
    median = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    peak = {}
    for key, t in trainers.items():
        resident = tensors_of(t.gan, t.g_optimizer, t.d_optimizer, t.stream._images, t.stream._perm)
        with LiveTensorBytes(torch.device("cpu"), resident) as memory:
            step(t)
        peak[key] = memory.peak
    weights = {}
    for key, module in modules.items():
        trainer = make(module)
        torch.manual_seed(1)
        for _ in range(3):
            step(trainer)
        weights[key] = trainer.gan.state_dict()
    identical = all(
        torch.equal(weights["before"][k], weights["after"][k]) for k in weights["after"]
    )
    result = {
        "model": args.model,
        "model_args": model_args,
        "batch_size": args.batch_size,
        "img_size": args.img_size,
        "before": args.before,
        "threads": args.threads,
        "ms_per_step": {k: round(v, 1) for k, v in median.items()},
        "speed_up": round(median["before"] / median["after"], 3),
        "peak_live_mib": {k: round(v / 2**20, 1) for k, v in peak.items()},
        "identical_weights_after_3_steps": identical,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
