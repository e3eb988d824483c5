"""The memorisation check: generated samples beside their nearest training images."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..data import load_dataset
from ..data.images import to_unit_range
from ..gan import GAN
from ..utils.images import save_grid
from .evaluate import REFERENCES, _reference_key, extract, prepare_images, reference_features


def nearest_neighbours(
    gan: GAN,
    path: str | os.PathLike[str],
    *,
    reference: str = "mnist",
    n: int = 8,
    k: int = 7,
    n_reference: int = 60_000,
    data_root: str | os.PathLike[str] | None = None,
    seed: int = 0,
) -> Path:
    """Write a PNG: each row is a generated sample, then its ``k`` nearest training images
    (Euclidean distance in the reference classifier's feature space)."""
    key = _reference_key(reference)
    data = load_dataset(key, data_root, train=True)
    n_reference = min(n_reference, len(data))
    real, _ = reference_features(key, n_reference, split="train", data_root=data_root)
    fake, _ = extract(gan, REFERENCES[key], n, seed=seed, batch_size=n)
    distances = torch.cdist(torch.from_numpy(fake), torch.from_numpy(real))
    nearest = distances.topk(k, largest=False).indices  # (n, k)
    rng = torch.Generator(device=gan.device).manual_seed(seed)
    labels = gan.sample_labels(n, generator=rng)
    z = gan.sample_latent(n, generator=rng)
    with torch.no_grad():
        gan.sampler.eval()
        samples = prepare_images(gan.generate(z, labels, ema=True).clamp(-1, 1).cpu())
    rows = []
    for i in range(n):
        neighbours = to_unit_range(data.images[nearest[i]])
        rows += [samples[i : i + 1], neighbours]
    return save_grid(torch.cat(rows), path, nrow=k + 1)
