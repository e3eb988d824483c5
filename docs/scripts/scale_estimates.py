"""GPU-hours of the CIFAR-10 and CelebA-64 recipes, from FLOPs per training step measured with
ganzoo's counter (``ganzoo.bench.count_flops``, the "FLOP/step" of ``ganzoo bench``).

    PYTHONPATH=. python docs/scripts/scale_estimates.py            # measure, write the JSON + doc
    PYTHONPATH=. python docs/scripts/scale_estimates.py --doc-only # new anchors: JSON + doc

For each recipe the model is built at full size at its data's shape, inside the real Trainer
(``ganzoo.bench.BenchTrainer``: ``n_critic`` discriminator updates and one generator update per
step, the recipe's lazy regularizers included). FLOPs are counted over one whole period of the
lazy regularizers (StyleGAN2's R1 every 16 steps, path length every 4), so the per-step mean
holds each at its real frequency. The counter counts matrix multiplications, convolutions and
their gradients (2 FLOPs per multiply-add), not elementwise work or optimizer updates.

Counting runs the real computation, so on a CPU it is done at two small batch sizes (default 2
and 4) and extrapolated to the recipe's batch with the exact affine fit F(b) = a + c * b (every
counted operation is per image, or independent of the batch). The sizes are even because
StyleGAN2's path-length term runs on half the batch (rounded down: at batch 1 it would count a
whole image). ``--count-batches full`` counts at the recipe's own batch instead (a GPU does that
in seconds).

GPU-hours = steps x FLOPs/step / (peak x MFU) / 3600, for the devices in ``DEVICES`` at their
dense bf16 tensor-core peak and an assumed model FLOP utilisation ``MFU`` (see its comment).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import torch

from ganzoo.bench import BenchTrainer, count_flops, environment
from ganzoo.bench.environment import rerun_command
from ganzoo.data.datasets import IMAGE_SHAPES, canonical_name
from ganzoo.run import load_run_config
from ganzoo.train.speed import SpeedConfig
from ganzoo.utils.files import atomic_write
from ganzoo.utils.marked_blocks import replace_block, write_or_check

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "zoo" / "scale_estimates.json"
DOC = ROOT / "docs" / "zoo_scale.md"
RECIPES = (
    "dcgan_cifar10",
    "sngan_cifar10",
    "stylegan_cifar10",
    "dcgan_celeba",
    "sngan_celeba",
    "stylegan_celeba",
)
# Dense bf16 tensor-core peaks from the vendors' data sheets (without 2:4 sparsity).
DEVICES = {"A100 SXM": 312e12, "H100 SXM": 989e12}
# Assumed model FLOP utilisation. These GANs are small convolutional networks (at most ~1024
# channels, 4x4 to 64x64 feature maps) trained at batch 32-128, with spectral norm, batch norm,
# modulated convolutions and per-step optimizer/EMA work the counter leaves out; such steps
# reach a fraction of the peak that large transformer training (40-50 %) does. 30 % is a
# deliberately round middle; the hours scale as 1 / MFU (15 % doubles them).
MFU = 0.30
# Published anchor per recipe, as its zoo_configs/*.yaml header states it.
ANCHORS = {
    "dcgan_cifar10": (
        "50.28",
        "StudioGAN README (commit 007871e), CIFAR10 table, DCGAN; 10k fake vs 10k test",
    ),
    "sngan_cifar10": (
        "16.77 ± 0.04",
        "Mimicry README, CIFAR-10 results, SNGAN; 50k fake vs 50k train "
        "(SNGAN paper: 21.7 ± 0.21, 5k fake vs 10k real)",
    ),
    "stylegan_cifar10": (
        "2.42 (bound)",
        "StyleGAN2-ADA paper abstract: CIFAR-10 record, class-conditional with ADA",
    ),
    "dcgan_celeba": (
        "12.5 (reference)",
        "Heusel et al. 2017 (TTUR), DCGAN on CelebA 64x64; different crop and learning rates",
    ),
    "sngan_celeba": (
        "5.71 ± 0.02",
        "Mimicry README, CelebA results, 64 x 64 SNGAN; 50k fake vs 50k real, same 178 px crop",
    ),
    "stylegan_celeba": ("none found", "no published StyleGAN2 CelebA-64 FID at this protocol"),
}


def lazy_period(objective: Any, n_critic: int) -> int:
    """Generator steps after which every lazy regularizer has fired a whole number of times."""
    period = 1
    for reg in getattr(objective, "regularizers", ()):
        every = getattr(reg, "every", 1)
        period = math.lcm(period, every // math.gcd(every, n_critic))  # counted in D updates
    if getattr(objective, "pl_weight", 0):
        period = math.lcm(period, objective.pl_every)  # counted in G steps
    return period


def flops_per_step(name: str, batch: int, device: str) -> tuple[float, int, int]:
    """(mean FLOPs per step over one lazy period, the period, n_critic) of recipe ``name``
    trained at ``batch`` on ``device``, built at full size at its data's shape."""
    config = load_run_config(ROOT / "zoo_configs" / f"{name}.yaml")
    channels, size, _ = IMAGE_SHAPES[canonical_name(config.data.name)]
    model_args = {**config.model_args, "recipe": config.recipe}
    with BenchTrainer(
        config.model,
        device=device,
        batch_size=batch,
        img_size=size,
        channels=channels,
        model_args=model_args,
        speed=SpeedConfig(precision="fp32"),  # FLOP counts do not depend on the precision
    ) as bench:
        period = lazy_period(bench.gan.objective, bench.trainer.n_critic)
        total = count_flops(lambda: [bench.step() for _ in range(period)])
        return total / period, period, bench.trainer.n_critic


def estimate(name: str, device: str, count_batches: list[int] | None) -> dict[str, Any]:
    """One recipe's row: FLOPs/step at its batch, total FLOPs and GPU-hours per device."""
    config = load_run_config(ROOT / "zoo_configs" / f"{name}.yaml")
    batch, steps = config.recipe.get("batch_size"), config.recipe.get("steps")
    start = time.perf_counter()
    counted: dict[int, float] = {}
    for b in count_batches or [batch]:
        counted[b], period, n_critic = flops_per_step(name, b, device)
    if len(counted) == 1:
        per_step, method = counted[batch], f"counted at batch {batch}"
    else:
        (b1, f1), (b2, f2) = sorted(counted.items())[:2]
        per_image = (f2 - f1) / (b2 - b1)
        per_step = f1 + per_image * (batch - b1)
        method = f"counted at batches {b1} and {b2}, extrapolated affinely to {batch}"
    total = per_step * steps
    return {
        "recipe": name,
        "model": config.model,
        "data": canonical_name(config.data.name),
        "steps": steps,
        "batch_size": batch,
        "n_critic": n_critic,
        "lazy_period_steps": period,
        "counted_flops_per_step": {str(b): f for b, f in counted.items()},
        "flops_per_step": per_step,
        "flops_method": method,
        "total_flops": total,
        "gpu_hours": {dev: total / (peak * MFU) / 3600 for dev, peak in DEVICES.items()},
        "anchor_fid": ANCHORS[name][0],
        "anchor_source": ANCHORS[name][1],
        "count_seconds": round(time.perf_counter() - start, 1),
    }


def _si(x: float) -> str:
    for unit, scale in (("P", 1e15), ("T", 1e12), ("G", 1e9)):
        if x >= scale:
            return f"{x / scale:.3g} {unit}"
    return f"{x:.3g} "


def _num(x: float) -> str:
    """Two significant digits below 100 (0.025, 0.84, 32), whole numbers with commas above."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.2g}"


def table(record: dict[str, Any]) -> str:
    """The doc's markdown table from a scale_estimates.json record."""
    devices = list(record["devices"])
    head = ["recipe", "steps", "batch", "FLOPs/step", "total PFLOPs"]
    head += [f"GPU-hours {d}" for d in devices] + ["published anchor FID", "source"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in record["rows"]:
        cells = [
            f"`{row['recipe']}`",
            f"{row['steps']:,}",
            str(row["batch_size"])
            + (f" (n_critic {row['n_critic']})" if row["n_critic"] > 1 else ""),
            _si(row["flops_per_step"]) + "FLOP",
            _num(row["total_flops"] / 1e15),
            *(_num(row["gpu_hours"][d]) for d in devices),
            row["anchor_fid"],
            row["anchor_source"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_doc(record: dict[str, Any]) -> None:
    """Replace the table between the markers in docs/zoo_scale.md."""
    fresh = {DOC: replace_block(DOC.read_text(), "scale-table", table(record))}
    write_or_check(fresh, check=False, remedy="python docs/scripts/scale_estimates.py --doc-only")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--count-batches",
        nargs="+",
        default=["2", "4"],
        help="two small batch sizes to extrapolate from, or 'full' (the recipe's batch)",
    )
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--doc-only", action="store_true", help="rewrite the doc from --out")
    args = parser.parse_args(argv)
    if args.doc_only:  # anchors are this script's constants: refreshed without recounting
        record = json.loads(args.out.read_text())
        for row in record["rows"]:
            row["anchor_fid"], row["anchor_source"] = ANCHORS[row["recipe"]]
        text = json.dumps(record, indent=2) + "\n"
        atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
        write_doc(record)
        return 0
    batches = None if args.count_batches == ["full"] else [int(b) for b in args.count_batches]
    torch.manual_seed(0)
    rows = []
    for name in args.recipes:
        rows.append(estimate(name, args.device, batches))
        print(f"{name}: {_si(rows[-1]['flops_per_step'])}FLOP/step ({rows[-1]['flops_method']})")
    record = {
        "command": rerun_command("docs/scripts/scale_estimates.py", argv or sys.argv[1:]),
        "environment": environment(args.device),
        "devices": {d: {"bf16_dense_peak_flops": p} for d, p in DEVICES.items()},
        "assumed_mfu": MFU,
        "gpu_hours_formula": "steps * flops_per_step / (peak * assumed_mfu) / 3600",
        "counter": "ganzoo.bench.count_flops (torch.utils.flop_counter: matmul, conv, attention)",
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=2) + "\n"))
    if args.out.resolve() == OUT.resolve() and DOC.is_file():
        write_doc(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
