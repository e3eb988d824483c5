"""A trained run folder described for publishing: the model, its training record, its files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..gan import GANBase, TranslationGAN
from .checkpoint import load_checkpoint, load_gan, run_record


def describe_run(
    run_dir: str | os.PathLike[str],
) -> tuple[GANBase, dict[str, Any], dict[str, Path]]:
    """A trained run folder as (GAN, card/config extras, extra files) for publishing."""
    run_dir = Path(run_dir)
    state = load_checkpoint(run_dir)
    gan = load_gan(run_dir)
    run_config = run_record(run_dir)
    trainer = state.get("trainer", {})
    seconds = float(trainer.get("train_seconds", 0.0))
    extra: dict[str, Any] = {
        "training": {
            "steps": state["step"],
            "batch size": trainer.get("batch_size"),
            "training time": f"{seconds / 60:.1f} min",
            "hardware": trainer.get("hardware", "unknown"),
            "seed": trainer.get("seed"),
        }
    }
    data = run_config.get("data") or {}
    if data.get("name"):
        extra["dataset"] = data["name"]
    if run_config.get("source"):
        extra["command"] = f"ganzoo train {run_config['source']}"
    shown = (
        ("progress.gif", "samples.png") if isinstance(gan, TranslationGAN) else ("progress.gif",)
    )
    files = {name: run_dir / name for name in shown if (run_dir / name).exists()}
    return gan, extra, files
