"""The latent-walk and class-sweep pictures of docs/models.md, from the published tags.

    python docs/scripts/latent_pictures.py

Runs ``ganzoo interpolate`` (the command users run) for each picture in PICTURES and writes it
under docs/images/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ganzoo.cli import main as ganzoo

IMAGES = Path(__file__).resolve().parents[1] / "images"
STRIP = ["--points", "3", "--steps", "6", "--seed", "1", "--scale", "2"]  # the two PNG walks
PICTURES = {
    "stylegan_mnist_walk.png": ["stylegan.mnist", *STRIP],
    "dcgan_mnist_walk.png": ["dcgan.mnist", *STRIP],
    "dcgan_mnist_walk.gif": ["dcgan.mnist", "--points", "4", "--steps", "8", "--scale", "3"],
    "cgan_mnist_class_sweep.png": [
        "cgan.mnist",
        "--classes",
        "--points",
        "4",
        "--seed",
        "2",
        "--scale",
        "2",
    ],
}


def main() -> int:
    for name, args in PICTURES.items():
        code = ganzoo(["interpolate", *args, "--out", str(IMAGES / name)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
