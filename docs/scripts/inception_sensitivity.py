"""How far Inception FID moves when MNIST digits are changed in one low-level way.

    python docs/scripts/inception_sensitivity.py [--n 1000] [--variant NAME ...]

Every variant is ``n`` images measured by Inception FID against test images ``n..2n`` (from the
cached 10k test features); ``unchanged`` (test images ``0..n``) is the baseline at that size.
Variants of real test digits change one thing a generator might get wrong:

- ``background+2``: the exactly-black background raised to grey level 2;
- ``speckle``: 8% of the background pixels set to random grey levels 1-10 (the published MNIST
  tags' samples have 5-20% of their pixels at 1-10, real digits 0.7%: see pixel_statistics.py);
- ``blur``: strokes softened by a 3x3 Gaussian (sigma 0.6).

Variants of generated digits (``cgan.mnist`` from ``pretrained/``, seed 0, fp32):

- ``cgan.mnist``: as sampled, quantised to uint8;
- ``cgan.mnist,clean``: the same images with every pixel at grey level 10 or below set to 0.

Writes docs/zoo/diagnostics/inception_sensitivity.json with the command, CPU, threads and load.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

import ganzoo
from ganzoo.bench.environment import measurement_context, write_measurement
from ganzoo.data import load_embedded
from ganzoo.data.images import to_unit_range
from ganzoo.metrics.evaluate import reference_features
from ganzoo.metrics.extractors import inception_extractor
from ganzoo.metrics.frechet import fid_from_features

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "zoo" / "diagnostics" / "inception_sensitivity.json"
SPECKLE_FRACTION = 0.08
DARK = 10  # grey levels counted as speckle


def background_plus_2(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 digits with every exactly-black pixel raised to grey level 2."""
    return torch.where(pixels == 0, torch.full_like(pixels, 2), pixels)


def speckle(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 digits with a random 8% of their black pixels set to grey levels 1..10."""
    rng = torch.Generator().manual_seed(0)
    chosen = torch.rand(pixels.shape, generator=rng) < SPECKLE_FRACTION
    noise = torch.randint(1, DARK + 1, pixels.shape, generator=rng, dtype=pixels.dtype)
    return torch.where((pixels == 0) & chosen, noise, pixels)


def blur(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 digits convolved with a normalised 3x3 Gaussian of sigma 0.6."""
    axis = torch.exp(-(torch.tensor([-1.0, 0.0, 1.0]) ** 2) / (2 * 0.6**2))
    kernel = torch.outer(axis, axis)
    kernel = (kernel / kernel.sum()).view(1, 1, 3, 3)
    smoothed = F.conv2d(pixels.float(), kernel, padding=1)
    return smoothed.round().clamp(0, 255).to(torch.uint8)


def generated(n: int) -> torch.Tensor:
    """``n`` cgan.mnist samples (seed 0, fp32) as uint8 pixels."""
    gan = ganzoo.from_pretrained(ROOT / "pretrained" / "cgan-mnist")
    images = gan.sample(n, seed=0, precision="fp32")
    return ((images + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)


def clean(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels with every grey level up to 10 set to 0."""
    return torch.where(pixels <= DARK, torch.zeros_like(pixels), pixels)


VARIANTS: dict[str, Callable[[int], torch.Tensor]] = {
    "background+2": lambda n: background_plus_2(load_embedded().images[:n]),
    "speckle": lambda n: speckle(load_embedded().images[:n]),
    "blur": lambda n: blur(load_embedded().images[:n]),
    "cgan.mnist": generated,
    "cgan.mnist,clean": lambda n: clean(generated(n)),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    args = parser.parse_args()
    n = args.n
    started = time.time()
    test = reference_features("mnist", 10_000, split="test", extractor="inception")[0]
    others = test[n : 2 * n]
    fids = {"unchanged": round(float(fid_from_features(test[:n], others)), 3)}
    extract = inception_extractor("cpu")
    for name in args.variant or list(VARIANTS):
        features = extract(to_unit_range(VARIANTS[name](n)))
        fids[name] = round(float(fid_from_features(features.numpy(), others)), 3)
        print(f"{name}: {fids[name]}", flush=True)
    chosen = "".join(f" --variant {v}" for v in args.variant or [])
    command = f"python docs/scripts/inception_sensitivity.py --n {n}{chosen}"
    record = {
        "what": f"Inception FID of {n} changed images vs MNIST test images {n}..{2 * n}",
        "fid": fids,
    } | measurement_context(command, started)
    write_measurement(OUT, record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
