"""DiffAugment with little data: dcgan on 10% of MNIST's training split, with and without it.

    python docs/scripts/diffaugment_low_data.py --data-root DATA --steps 3000 \\
        [--fraction 0.1] [--policy color,translation,cutout] [--n 10000] [--fid-every 500] \\
        [--seed 0] [--threads 1] [--runs runs/diffaugment_low_data] \\
        [--out docs/benchmarks/diffaugment_low_data.json]

1. A seeded random ``fraction`` of the 60,000 MNIST training images (6,000 at 10%).
2. Two dcgan runs from the same seed and the zoo recipe (zoo_configs/dcgan_mnist.yaml), for
   ``steps`` generator steps: one plain, one with DiffAugment ``policy`` applied to every image
   the discriminator sees. Runs go to ``runs/<plain|policy>`` and resume if interrupted
   (rerun the same command).
3. For each, the FID of ``n`` samples of the final generator against ``n`` MNIST test images in
   the shipped classifier's features (10,000 vs 10,000 by default), and class coverage; with
   ``--fid-every`` also the best periodic FID of the run and its step (checkpoints/best.pt).

Writes the command, the environment (hardware, threads, load average) and the results to
``--out`` (docs/benchmarks/diffaugment_low_data.json by default).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

import ganzoo
from ganzoo.bench.environment import environment, rerun_command
from ganzoo.data import TensorImages, load_dataset
from ganzoo.metrics import evaluate
from ganzoo.run import zoo_config
from ganzoo.train import TrainConfig
from ganzoo.utils.files import atomic_write

ROOT = Path(__file__).resolve().parents[2]


def subset(data_root: str | None, fraction: float, seed: int) -> TensorImages:
    """A seeded random ``fraction`` of MNIST's training images (with their labels)."""
    full = load_dataset("mnist", data_root, train=True)
    count = max(1, round(fraction * len(full)))
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(seed))[:count]
    order = order.sort().values
    name = f"mnist (train, {fraction:.0%} subset of {count} images, seed {seed})"
    return TensorImages(full.images[order], full.labels[order], full.num_classes, name)


def train_one(data: TensorImages, policy: str, args: argparse.Namespace) -> dict:
    config = zoo_config("dcgan", "mnist")
    c, h, _ = data.image_shape
    torch.manual_seed(args.seed)  # as `ganzoo train` builds a run's model
    gan = ganzoo.create(
        config.model, img_size=h, channels=c, **config.model_args, recipe=config.recipe
    )
    train = config.train.updated(
        steps=args.steps,
        seed=args.seed,
        diffaugment=policy,
        fid_every=args.fid_every or None,
        fid_samples=args.fid_samples,
        progress=False,
        device=args.device,
    )
    out = Path(args.runs) / (policy.replace(",", "+") or "plain")
    started = time.perf_counter()
    result = ganzoo.Trainer(gan, data, out, train, resume=True).fit()
    if result.interrupted:
        sys.exit(f"{out} was interrupted at step {result.step}; rerun the command to resume it.")
    wall = time.perf_counter() - started
    state = torch.load(out / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)
    metrics = evaluate(
        gan,
        reference="mnist",
        metrics=("fid", "coverage"),
        extractor="classifier",
        n=args.n,
        split="test",
        data_root=args.data_root,
        seed=args.seed,
        device=args.device,
        precision="fp32",
    )
    return {
        "diffaugment": policy or None,
        "run": str(out.relative_to(ROOT)) if out.is_relative_to(ROOT) else str(out),
        "steps": result.step,
        "train_seconds_total": round(state["trainer"]["train_seconds"], 1),
        "wall_seconds_this_session": round(wall, 1),
        "hardware": state["trainer"]["hardware"],
        "fid_classifier": metrics["fid"],
        "classes_covered": metrics["classes_covered"],
        "n": metrics["n"],
        "n_reference": metrics["n_reference"],
        "reference": metrics["reference"],
        "extractor": metrics["extractor"],
        "unreliable": metrics.get("unreliable"),
        "best_periodic_fid": result.best_fid,
        "best_periodic_fid_step": result.best_step,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", help="where torchvision's MNIST lives ($GANZOO_DATA)")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--policy", default="color,translation,cutout")
    parser.add_argument("--n", type=int, default=10_000, help="samples and test images for FID")
    parser.add_argument("--fid-every", type=int, default=0, help="periodic FID (0: off)")
    parser.add_argument("--fid-samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--runs", default=str(ROOT / "runs" / "diffaugment_low_data"))
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks/diffaugment_low_data.json"))
    args = parser.parse_args()
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be in (0, 1]")
    torch.set_num_threads(args.threads)
    policy = TrainConfig(diffaugment=args.policy).diffaugment  # checked, canonical order
    if not policy:
        parser.error("--policy names no DiffAugment operation")
    data = subset(args.data_root, args.fraction, args.seed)
    record = {
        "command": rerun_command("docs/scripts/diffaugment_low_data.py", sys.argv[1:]),
        "environment": environment(args.device),
        "data": {"name": data.name, "images": len(data), "fraction": args.fraction},
        "model": "dcgan (zoo_configs/dcgan_mnist.yaml recipe)",
        "steps": args.steps,
        "runs": [],
    }
    for which in ("", policy):
        record["runs"].append(train_one(data, which, args))
        print(json.dumps(record["runs"][-1], indent=1), flush=True)
    plain, augmented = (run["fid_classifier"] for run in record["runs"])
    record["fid_change_with_diffaugment"] = augmented - plain
    record["load_average_1min_at_end"] = environment(args.device).get("load_average_1min")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=2) + "\n"))
    print(f"plain FID {plain:.2f}, with DiffAugment {augmented:.2f}; wrote {out}")


if __name__ == "__main__":
    main()
