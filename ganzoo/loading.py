"""``ganzoo.load``: one call for every place a trained model can be."""

from __future__ import annotations

import os
from pathlib import Path

from .factory import HF_HUB_PREFIX, create, from_pretrained
from .gan import GANBase
from .hub import CONFIG_NAME
from .registry import is_model
from .train.checkpoint import load_gan


def load(source: str | os.PathLike[str], device: str = "cpu") -> GANBase:
    """A trained GAN from ``source``, on ``device``:

    - a run folder (``runs/dcgan``) or a checkpoint file (``.../checkpoints/last.pt``);
    - a folder in the ganzoo repo format (``config.json`` + safetensors);
    - a pretrained tag (``"dcgan.mnist"``);
    - a Hub repo id (``"user/repo"`` or ``"hf-hub:user/repo"``).
    """
    text = str(source)
    path = Path(source)
    if path.is_dir() and (path / CONFIG_NAME).is_file():
        return from_pretrained(path).to(device)
    if path.exists() or path.suffix == ".pt":
        return load_gan(path, map_location=device)
    if text.startswith(HF_HUB_PREFIX):
        return from_pretrained(text).to(device)
    if "." in text and "/" not in text and is_model(text):
        return create(text, pretrained=True).to(device)
    if text.count("/") == 1:
        return from_pretrained(text).to(device)
    return load_gan(path, map_location=device)  # raises a clear "does not exist"
