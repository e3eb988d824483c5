"""Record what every published tag samples (fixed seed, fp32) into tests/data/pretrained_samples.json.

    python docs/scripts/record_pretrained_samples.py         # add the tags not yet recorded
    python docs/scripts/record_pretrained_samples.py --all   # re-record every tag
    python docs/scripts/record_pretrained_samples.py --only dcgan.mnist  # re-record republished

Run once before a change that must not alter the published models (e.g. a restructure);
tests/test_pretrained_samples.py then checks that every tag still samples the same tensors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import ganzoo

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "pretrained_samples.json"
N, SEED, STRIDE = 4, 0, 97


def fingerprint(images: torch.Tensor) -> dict:
    """Shape, per-image sums and a strided subset of the pixels of ``images``."""
    flat = images.double().flatten()
    return {
        "shape": list(images.shape),
        "image_sums": [float(s) for s in images.double().flatten(1).sum(1)],
        "pixels": [float(v) for v in flat[::STRIDE]],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="re-record the tags already recorded")
    parser.add_argument("--only", action="append", default=[], help="re-record this tag")
    args = parser.parse_args()
    index = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
    torch.set_num_threads(1)
    record = {"n": N, "seed": SEED, "stride": STRIDE, "tags": {}}
    if OUT.exists() and not args.all:  # keep what was recorded: that is what the test guards
        record = json.loads(OUT.read_text())
    for tag, cfg in sorted(index.items()):
        if tag in record["tags"] and tag not in args.only:
            continue
        gan = ganzoo.from_pretrained(ROOT / cfg["local_folder"])
        if not isinstance(gan, ganzoo.GAN):  # translators have no noise to sample
            continue
        record["tags"][tag] = fingerprint(gan.sample(N, seed=SEED, precision="fp32"))
        print(tag, record["tags"][tag]["image_sums"])
    OUT.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
