"""The ganzoo model-repo format: ``config.json`` + safetensors weights, in a folder or Hub repo.

``config.json`` names the registered model and every resolved argument, so the exact
architecture is rebuilt before any weight is read. Weights are safetensors only (never pickle):
``generator.safetensors`` (what sampling needs; the EMA weights when the recipe kept them) and,
optionally, ``model.safetensors`` with the whole GAN (both networks, EMA, objective state) to
continue training.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save

from ..errors import CheckpointError, ConfigError
from ..utils.files import atomic_write

if TYPE_CHECKING:
    from ..gan import GANBase

LIBRARY = "ganzoo"
FORMAT_VERSION = 1
CONFIG_NAME = "config.json"
GENERATOR_WEIGHTS = "generator.safetensors"
FULL_WEIGHTS = "model.safetensors"
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tensors(state: dict[str, torch.Tensor], dtype: torch.dtype | None) -> dict[str, torch.Tensor]:
    out = {}
    for key, value in state.items():
        value = value.detach().cpu()
        if dtype is not None and value.is_floating_point():
            value = value.to(dtype)
        out[key] = value.contiguous().clone()
    return out


def canonical_safetensors(blob: bytes) -> bytes:
    """``blob`` (a safetensors file) with its JSON header written with sorted keys.

    safetensors writes the metadata in hash order, which differs from one process to the next,
    so the same weights would get a new sha256 at every export; sorted, they get the same one."""
    size = int.from_bytes(blob[:8], "little")
    header = json.dumps(json.loads(blob[8 : 8 + size]), sort_keys=True, separators=(",", ":"))
    text = header.encode() + b" " * (-len(header) % 8)  # the data stays 8-byte aligned
    return len(text).to_bytes(8, "little") + text + blob[8 + size :]


def save_weights(
    tensors: dict[str, torch.Tensor], path: str | os.PathLike[str], metadata: dict[str, str]
) -> Path:
    """Write ``tensors`` as a safetensors file, atomically and byte-for-byte reproducibly."""
    blob = canonical_safetensors(save(tensors, metadata))
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(blob))


def save_pretrained(
    gan: GANBase,
    folder: str | os.PathLike[str],
    *,
    dtype: str = "float32",
    full: bool = True,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``gan`` in the ganzoo repo format; returns the folder.

    ``dtype`` (float32, float16 or bfloat16) applies to ``generator.safetensors``; the full
    state in ``model.safetensors`` stays float32 so training can continue exactly.
    """
    if dtype not in _DTYPES:
        raise ConfigError(f"dtype must be one of {', '.join(_DTYPES)}, got {dtype!r}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {"format": "pt", "library": LIBRARY, "model": gan.name}
    save_weights(
        _tensors(gan.sampler.state_dict(), _DTYPES[dtype]), folder / GENERATOR_WEIGHTS, metadata
    )
    files = {"generator": GENERATOR_WEIGHTS}
    if full:
        save_weights(_tensors(gan.state_dict(), None), folder / FULL_WEIGHTS, metadata)
        files["full"] = FULL_WEIGHTS
    config = {
        "library": LIBRARY,
        "format_version": FORMAT_VERSION,
        "model": gan.name,
        "args": {k: v for k, v in gan.config.items() if k != "model"},
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "num_classes": gan.num_classes,
        "generator_dtype": dtype,
        "files": files,
        "sha256": {name: sha256_of(folder / name) for name in files.values()},
        **(extra or {}),
    }
    (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
    return folder


def read_config(path: str | os.PathLike[str], where: str = "") -> dict[str, Any]:
    """Parse and check a ganzoo ``config.json``."""
    where = where or str(path)
    try:
        config = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{where}: config.json is unreadable ({err}).") from None
    if not isinstance(config, dict) or config.get("library") != LIBRARY or "model" not in config:
        raise CheckpointError(
            f'{where} is not a ganzoo model: its config.json lacks "library": "ganzoo" and a '
            '"model" name. ganzoo repos hold config.json (written by save_pretrained / push_to_hub) '
            "and generator.safetensors."
        )
    if config.get("format_version", 0) > FORMAT_VERSION:
        raise CheckpointError(
            f"{where} uses format {config['format_version']}; upgrade ganzoo to load it."
        )
    return config


def load_weights(
    gan: GANBase, path: str | os.PathLike[str], *, generator_only: bool, where: str = ""
) -> None:
    """Load safetensors weights into ``gan`` (the generator and its EMA copy, or everything)."""
    try:
        state = load_file(str(path))
        with safe_open(str(path), "pt") as f:
            made_for = (f.metadata() or {}).get("model", "an unknown model")
    except Exception as err:
        raise CheckpointError(
            f"{where or path}: the weights file is corrupt or not safetensors ({err})."
        ) from None
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    targets = [
        gan.generator,
        *([gan.generator_ema.module] if gan.generator_ema is not None else []),
    ]
    try:
        if generator_only:
            for module in targets:
                module.load_state_dict(state)
        else:
            gan.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).splitlines()[0]
        raise CheckpointError(
            f"{where or path}: these weights were made for {made_for} and do not fit {gan.name} "
            f"{'x'.join(map(str, gan.image_shape))} ({first}). Load them into the architecture "
            "and size they were trained with."
        ) from None


def safe_file_name(name: Any, where: str) -> str:
    """``name`` when it is a plain file name (letters, digits, ``._-``; no folders, no ``..``),
    as file names read from an untrusted config.json must be before joining a local folder."""
    if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or ".." in name:
        raise CheckpointError(
            f"{where}: its config.json lists the file name {name!r}, which is not a plain file name "
            "(letters, digits, '.', '_', '-'; no folders); ganzoo refuses to write it. Use a repo "
            "written by ganzoo."
        )
    return name
