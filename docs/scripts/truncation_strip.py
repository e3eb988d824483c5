"""Rows of the same latent codes at decreasing truncation psi, from a trained stylegan run.

    python docs/scripts/truncation_strip.py runs/stylegan_mnist stylegan_mnist_truncation

Writes docs/images/NAME.png: one row per psi (1, 0.7, 0.5, 0 by default), the same ``--n``
latent codes (``--seed``) in every row, from the EMA generator in eval mode.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

import ganzoo
from ganzoo.train import save_grid

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path, help="a run folder or checkpoint")
    parser.add_argument("name")
    parser.add_argument("--psi", type=float, nargs="+", default=[1.0, 0.7, 0.5, 0.0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    gan = ganzoo.load_gan(args.run)
    rows = [gan.sample(args.n, seed=args.seed, truncation=psi) for psi in args.psi]
    path = save_grid(torch.cat(rows), ROOT / "docs" / "images" / f"{args.name}.png", nrow=args.n)
    print(f"Wrote {path} (rows: psi = {', '.join(f'{p:g}' for p in args.psi)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
