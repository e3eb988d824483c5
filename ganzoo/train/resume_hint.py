"""The command that resumes a run: from the run's own ``run.yaml``, so every setting is kept."""

from __future__ import annotations

import shlex
from pathlib import Path


def resume_hint(out_dir: str | Path, changes: bool = False) -> str:
    """``Resume with: ganzoo train OUT/run.yaml --resume`` for the run in ``out_dir``;
    ``changes=True`` adds how to change a setting on the way."""
    command = f"ganzoo train {shlex.quote(str(Path(out_dir) / 'run.yaml'))} --resume"
    if not changes:
        return f"Resume with: {command}"
    return (
        f"Resume with changes: {command} --set recipe.g_optimizer.lr=... "
        "--set recipe.d_optimizer.lr=... (any --set KEY=VALUE of the recipe)."
    )
