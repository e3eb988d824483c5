"""A trained run folder described for publishing: the model, its training record, its files."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..gan import GANBase, TranslationGAN
from .checkpoint import gan_from_state, load_checkpoint, run_record
from .log import MetricsLog
from .periodic_fid import FEATURES, METRIC, metric_name

CHECKPOINT_CHOICES = ("auto", "best", "last")

FID_NAMES = {metric_name("classifier"): "classifier FID", metric_name("inception"): "Inception FID"}


def published_checkpoint(run_dir: str | os.PathLike[str], which: str = "auto") -> Path:
    """The checkpoint of ``run_dir`` to publish: ``best`` (``checkpoints/best.pt``, the lowest
    periodic FID of a run trained with ``fid_every``), ``last``, or ``auto`` (best if the run
    kept one, else last)."""
    if which not in CHECKPOINT_CHOICES:
        raise ConfigError(
            f"checkpoint must be one of {', '.join(CHECKPOINT_CHOICES)}; got {which!r}."
        )
    folder = Path(run_dir) / "checkpoints"
    best = folder / "best.pt"
    if which == "best" and not best.exists():
        raise ConfigError(
            f"{run_dir} has no checkpoints/best.pt: only runs trained with fid_every keep one "
            "(ganzoo train ... --fid-every 500). Publish its last checkpoint instead."
        )
    return best if which == "best" or (which == "auto" and best.exists()) else folder / "last.pt"


def fid_history(run_dir: str | os.PathLike[str], last_step: int) -> dict[str, dict[str, Any]]:
    """The periodic FIDs ``run_dir`` logged up to ``last_step``, per metric
    (``fid_classifier`` / ``fid_inception``): ``{"samples": n, "steps": [...], "values": [...]}``.

    A step logged twice (a run resumed from an earlier checkpoint) keeps its last value, the one
    of the training that led to the published weights; a non-finite value (a diverged sample)
    is left out, as JSON has no NaN."""
    per_metric: dict[str, dict[int, tuple[float, Any]]] = {}
    for row in MetricsLog(run_dir).read():
        step = row.get("step")
        if not isinstance(step, int) or step > last_step:
            continue
        for key in map(metric_name, FEATURES):
            if isinstance(row.get(key), (int, float)) and math.isfinite(row[key]):
                per_metric.setdefault(key, {})[step] = (float(row[key]), row.get("fid_samples"))
    history = {}
    for key, measured in per_metric.items():
        steps = sorted(measured)
        history[key] = {
            "samples": measured[steps[-1]][1],
            "steps": steps,
            "values": [round(measured[s][0], 4) for s in steps],
        }
    return history


def changes_text(resumes: list[dict[str, Any]]) -> str:
    """The settings a run changed when it was resumed, as one line: ``at step 12,000:
    recipe.ema_decay 0.0 -> 0.999, steps 12000 -> 20000``; resumes separated by ``;``. A run
    branched from another run's checkpoint (``resume_from``) says so at the step it started."""

    def one(resume: dict[str, Any]) -> str:
        where = f"at step {resume['step']:,}"
        if resume.get("branched"):
            where += " (branched from another run's checkpoint)"
        changed = [f"{key} {old} -> {new}" for key, (old, new) in resume["changes"].items()]
        return f"{where}: {', '.join(changed) or 'same settings'}"

    return "; ".join(one(r) for r in resumes)


def describe_run(
    run_dir: str | os.PathLike[str], checkpoint: str = "auto"
) -> tuple[GANBase, dict[str, Any], dict[str, Path]]:
    """A trained run folder as (GAN, card/config extras, extra files) for publishing.

    ``checkpoint`` picks the weights (see :func:`published_checkpoint`); when the best one is
    published, the training record says at which step of how many and with which FID, and
    when the run was resumed with changed settings before those weights, which and where.
    ``fid_history`` holds the run's periodic FIDs (:func:`fid_history`)."""
    run_dir = Path(run_dir)
    path = published_checkpoint(run_dir, checkpoint)
    state = load_checkpoint(path)
    gan = gan_from_state(state)
    run_config = run_record(run_dir)
    trainer = state.get("trainer", {})
    seconds = float(trainer.get("train_seconds", 0.0))
    training: dict[str, Any] = {
        "steps": state["step"],
        "batch size": trainer.get("batch_size"),
        "training time": f"{seconds / 60:.1f} min",
        "hardware": trainer.get("hardware", "unknown"),
        "seed": trainer.get("seed"),
    }
    if trainer.get("steps"):
        training["planned steps"] = trainer["steps"]
    if (trainer.get("speed") or {}).get("note"):
        training["precision and speed"] = trainer["speed"]["note"]
    last = state
    if path.name == "best.pt":
        last = load_checkpoint(run_dir / "checkpoints" / "last.pt")
        best = trainer.get("best_fid") or {}
        value, space = best.get("value"), FID_NAMES.get(best.get("metric", METRIC), "FID")
        fid = f"{space} {value:.3f}" if value is not None else "lowest periodic FID"
        training["checkpoint"] = f"best of the run: {fid} at step {state['step']} of {last['step']}"
    if trainer.get("resumes"):
        training["changed on resume"] = changes_text(trainer["resumes"])
    extra: dict[str, Any] = {"training": training}
    history = fid_history(run_dir, last["step"])
    if history:
        extra["fid_history"] = history
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
