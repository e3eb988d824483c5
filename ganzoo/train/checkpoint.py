"""Checkpoints: written atomically, loaded without pickle, checked against the model."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import torch
import yaml

from ..errors import CheckpointError
from ..factory import model_config, rebuild
from ..gan import GANBase
from ..utils.files import atomic_write

FORMAT = "ganzoo-checkpoint"
VERSION = 1


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> Path:
    """Atomically save a training state (tensors, numbers, strings, dicts, lists)."""
    payload = {"format": FORMAT, "version": VERSION, **state}
    return atomic_write(path, lambda tmp: torch.save(payload, tmp))


def run_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``run.yaml`` a run folder keeps (the config it was trained with), for a run folder
    or a checkpoint inside one (``checkpoints/last.pt``); empty when there is none."""
    path = Path(path)
    record = (path.parent.parent if path.suffix == ".pt" else path) / "run.yaml"
    return (yaml.safe_load(record.read_text()) or {}) if record.is_file() else {}


def _corrupt(path: Path, err: Exception) -> str:
    first = str(err).splitlines()[0] if str(err) else ""
    return (
        f"Checkpoint {path} is corrupt or not a ganzoo checkpoint ({type(err).__name__}: {first}). "
        "Use another checkpoint, or delete it to start afresh."
    )


def load_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """Load a checkpoint safely (``weights_only``), with clear errors for bad files."""
    path = Path(path)
    if path.is_dir():
        candidate = path / "checkpoints" / "last.pt"
        if not candidate.exists():
            raise CheckpointError(
                f"{path} is a folder without checkpoints/last.pt; pass a run folder or a .pt file."
            )
        path = candidate
    if not path.exists():
        raise CheckpointError(f"Checkpoint {path} does not exist.")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if "weights only" not in str(err).lower():
            raise CheckpointError(_corrupt(path, err)) from None
        raise CheckpointError(  # not torch's advice, which is the unsafe weights_only=False
            f"Checkpoint {path} holds Python objects other than tensors and plain values, which "
            "ganzoo never writes and refuses to unpickle (it could run code). Use a checkpoint "
            "written by ganzoo, or delete it to start afresh."
        ) from None
    except Exception as err:
        raise CheckpointError(_corrupt(path, err)) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not a ganzoo checkpoint (no '{FORMAT}' marker). Pass a checkpoint that "
            "ganzoo wrote (RUN/checkpoints/last.pt) or a run folder."
        )
    if state.get("version", 0) > VERSION:
        raise CheckpointError(
            f"{path} was written by a newer ganzoo (format {state['version']}); upgrade ganzoo."
        )
    state["path"] = str(path)
    return state


def _architecture(config: dict[str, Any], where: str = "a saved config") -> dict[str, Any]:
    """The model name and the arguments that shape its networks (all but the recipe)."""
    config = model_config(config, where)
    args = {k: v for k, v in config["args"].items() if k != "recipe"}
    return {"model": config["model"], **args}


def check_compatible(gan: GANBase, state: dict[str, Any]) -> None:
    """Raise a CheckpointError naming both models if ``state`` was not made by ``gan``'s model."""
    saved = _architecture(state.get("config") or {}, f"Checkpoint {state.get('path', '')}")
    current = _architecture(gan.model_config)
    if saved != current:
        diff = {
            k: (saved.get(k), current.get(k))
            for k in {*saved, *current}
            if saved.get(k) != current.get(k)
        }
        details = ", ".join(
            f"{k}: checkpoint={a!r} model={b!r}" for k, (a, b) in sorted(diff.items())
        )
        raise CheckpointError(
            f"Checkpoint {state.get('path', '')} belongs to {saved.get('model', '?')!r}, not to this "
            f"{current.get('model', '?')!r} model ({details}). Build the model the checkpoint was "
            "made with (ganzoo.train.load_gan does it for you) or use another run folder."
        )


def load_gan_state(gan: GANBase, state: dict[str, Any]) -> None:
    """Load the GAN's weights from a checkpoint state after checking it matches."""
    check_compatible(gan, state)
    try:
        gan.load_state_dict(state["gan"])
    except (RuntimeError, KeyError) as err:
        raise CheckpointError(
            f"Checkpoint {state.get('path', '')} does not fit this model: {err}"
        ) from None


def load_gan(path: str | os.PathLike[str], map_location: Any = "cpu") -> GANBase:
    """Rebuild the GAN saved in a checkpoint (or run folder) and load its weights."""
    return gan_from_state(load_checkpoint(path, map_location), map_location)


def gan_from_state(state: dict[str, Any], map_location: Any = "cpu") -> GANBase:
    """Rebuild the GAN of a loaded checkpoint state (:func:`load_checkpoint`) with its weights."""
    if not state.get("config"):
        raise CheckpointError(f"{state['path']} has no model config; it cannot be rebuilt.")
    gan = rebuild(state["config"], state["path"])
    load_gan_state(gan, state)
    return gan.to(map_location) if map_location is not None else gan
