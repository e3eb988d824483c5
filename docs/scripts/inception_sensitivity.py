"""How far Inception FID moves when real MNIST test digits are changed in one low-level way.

    python docs/scripts/inception_sensitivity.py [--n 1000]

Takes the first ``n`` test images, changes them (``background+2``: the exact-zero background
raised by 2 grey levels, as a tanh generator's near-black background quantises), extracts their
Inception features, and measures FID against the next ``n`` test images' features (from the
cached 10k test features). The unchanged first ``n`` give the baseline at that size. Writes
docs/zoo/diagnostics/inception_sensitivity.json with the command, CPU, threads and load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from ganzoo.bench.environment import device_name
from ganzoo.data import load_embedded
from ganzoo.data.images import to_unit_range
from ganzoo.metrics.evaluate import reference_features
from ganzoo.metrics.extractors import inception_extractor
from ganzoo.metrics.frechet import fid_from_features

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "zoo" / "diagnostics" / "inception_sensitivity.json"


def background_plus_2(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 digits with every exactly-black pixel raised to grey level 2."""
    return torch.where(pixels == 0, torch.full_like(pixels, 2), pixels)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    n = args.n
    started = time.time()
    test = reference_features("mnist", 10_000, split="test", extractor="inception")[0]
    baseline = fid_from_features(test[:n], test[n : 2 * n])
    pixels = load_embedded().images[:n]
    features = inception_extractor("cpu")(to_unit_range(background_plus_2(pixels)))
    changed = fid_from_features(features.numpy(), test[n : 2 * n])
    record = {
        "what": f"Inception FID of {n} MNIST test digits vs the next {n} test digits",
        "unchanged": round(float(baseline), 3),
        "background+2": round(float(changed), 3),
        "seconds": round(time.time() - started, 1),
        "hardware": device_name("cpu"),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "command": f"python docs/scripts/inception_sensitivity.py --n {n}",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
