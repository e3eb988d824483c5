"""Kept checkpoints: copies of a run's state that later checkpoints do not replace.

With ``keep_every`` a run keeps ``checkpoints/step_NNNNNNN.pt`` beside ``last.pt``. A new run can
start from one (``resume_from``): a run with a decaying learning rate, branched from a checkpoint
kept before its decay began, continues exactly as a longer run would have from that step
(resume is exact and a linear or cosine schedule is constant until its ``start``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import ConfigError
from ..utils.files import atomic_write
from .log import MetricsLog


def kept_path(checkpoint_dir: str | os.PathLike[str], step: int) -> Path:
    """Where the checkpoint kept at ``step`` lives: ``checkpoint_dir/step_NNNNNNN.pt``."""
    return Path(checkpoint_dir) / f"step_{step:07d}.pt"


def keep_copy(checkpoint: str | os.PathLike[str], step: int) -> Path:
    """Copy ``checkpoint`` (a run's ``last.pt``, written at ``step``) to its kept name, atomically."""
    source = Path(checkpoint)
    return atomic_write(kept_path(source.parent, step), lambda tmp: shutil.copyfile(source, tmp))


def check_branch(source: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path:
    """The checkpoint file a new run in ``out_dir`` starts from, or a ConfigError saying why not.

    ``out_dir`` must not hold a run yet: a branch is a new run, and once it has checkpointed it
    is continued with ``resume`` like any other (``resume`` wins over ``resume_from`` then).
    """
    path, out = Path(source), Path(out_dir)
    if (out / "checkpoints" / "last.pt").exists():
        raise ConfigError(
            f"{out} already holds a run: --resume-from starts a new run folder from a checkpoint. "
            "Choose an empty --out, or add --resume to continue the run there."
        )
    if path.is_dir():
        path = path / "checkpoints" / "last.pt"
    if not path.is_file():
        raise ConfigError(
            f"{source} is not a checkpoint: pass a .pt file a run kept (RUN/checkpoints/"
            "step_NNNNNNN.pt with keep_every, or RUN/checkpoints/last.pt) or a run folder."
        )
    return path


def seed_log(checkpoint: Path, out_dir: str | os.PathLike[str], step: int) -> None:
    """Start the log of a run branched from ``checkpoint`` with its source run's rows up to
    ``step``, so the branch's metrics (and a published card's FID history) cover the whole run.

    Does nothing when the checkpoint does not sit in a run folder's ``checkpoints/``.
    """
    source_run, out = checkpoint.parent.parent, Path(out_dir)
    if checkpoint.parent.name != "checkpoints" or source_run.resolve() == out.resolve():
        return
    out.mkdir(parents=True, exist_ok=True)
    for name in ("metrics.jsonl", "metrics.csv"):
        if (source_run / name).is_file():
            shutil.copyfile(source_run / name, out / name)
    MetricsLog(out).truncate_after(step)
