"""Grey-level statistics of real MNIST / Fashion-MNIST test images and of each published tag.

    python docs/scripts/pixel_statistics.py [--n 2000]

For ``n`` images per source (the first ``n`` test images; ``n`` samples of each published noise
tag, seed 0, fp32, quantised to uint8 as the evaluation sees them) it counts the fraction of
pixels that are black (0), faint (1-10), mid-grey (11-244) and saturated (245-255). Cheap
(seconds); it says which low-level change docs/scripts/inception_sensitivity.py should try.
Writes docs/zoo/diagnostics/pixel_statistics.json with the command, CPU, threads and load.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

import ganzoo
from ganzoo.bench.environment import measurement_context, write_measurement
from ganzoo.data import load_embedded
from ganzoo.hub import CONFIG_NAME

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "zoo" / "diagnostics" / "pixel_statistics.json"
BANDS = {"black": (0, 0), "faint": (1, 10), "mid": (11, 244), "saturated": (245, 255)}


def grey_levels(pixels: torch.Tensor) -> dict[str, float]:
    """Fraction of uint8 pixels in each band of ``BANDS``, rounded to 4 places."""
    flat = pixels.flatten().to(torch.int16)
    return {
        band: round(float(((flat >= lo) & (flat <= hi)).float().mean()), 4)
        for band, (lo, hi) in BANDS.items()
    }


def as_pixels(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] -> uint8 pixels (round to nearest)."""
    return ((images + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--data-root", help="folder with FashionMNIST/ (else MNIST only)")
    args = parser.parse_args()
    sources: dict[str, dict[str, float]] = {
        "mnist test": grey_levels(load_embedded().images[: args.n])
    }
    if args.data_root:
        from ganzoo.data import load_dataset

        fashion = load_dataset("fashion-mnist", root=args.data_root, train=False)
        sources["fashion-mnist test"] = grey_levels(fashion.images[: args.n])
    index = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
    for tag, entry in index.items():
        folder = ROOT / entry["local_folder"]
        config = json.loads((folder / CONFIG_NAME).read_text())
        if config["dataset"] == "mnist" or (
            args.data_root and config["dataset"] == "fashion-mnist"
        ):
            gan = ganzoo.from_pretrained(folder)
            sources[tag] = grey_levels(as_pixels(gan.sample(args.n, seed=0, precision="fp32")))
    command = f"python docs/scripts/pixel_statistics.py --n {args.n}" + (
        " --data-root DATA_ROOT" if args.data_root else ""
    )
    record = {
        "what": f"fraction of pixels per grey band, {args.n} images per source",
        "bands": {band: list(limits) for band, limits in BANDS.items()},
        "sources": sources,
    } | measurement_context(command)
    write_measurement(OUT, record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
