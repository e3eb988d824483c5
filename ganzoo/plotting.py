"""``ganzoo plot RUN``: a run's losses, in-training FID and health alerts against steps, as a PNG.

Everything comes from the run folder's ``metrics.jsonl``: the loss columns (``d_loss``,
``g_loss`` and every other column named ``*loss*``), the periodic FID rows (``fid_classifier``
or ``fid_inception``) and the ``health`` column, which lists on each log row the health detectors
active then (an alert is drawn where a detector becomes active). Drawing needs matplotlib (the
``plot`` extra).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, MissingExtraError
from .train.checkpoint import run_record
from .train.health import DETECTORS
from .train.log import MetricsLog
from .utils.files import atomic_write

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_HINT = 'Plots need matplotlib: pip install "ganzoo[plot]" (or pip install matplotlib).'
FID_KEYS = ("fid_classifier", "fid_inception", "fid")  # in-training FID columns, when logged
FIRST_LOSSES = ("d_loss", "g_loss")
PANEL_INCHES = (10.0, 3.5)  # width, height of one panel
DPI = 100

Series = tuple[list[int], list[float]]


@dataclass
class RunHistory:
    """What a run logged, per column: ``(steps, values)``; ``alerts`` are ``(step, detector)``
    where a health detector became active."""

    name: str
    losses: dict[str, Series] = field(default_factory=dict)
    fid: dict[str, Series] = field(default_factory=dict)
    alerts: list[tuple[int, str]] = field(default_factory=list)


def metrics_file(run: str | os.PathLike[str]) -> Path:
    """``RUN/metrics.jsonl`` (or RUN itself if it is that file), or a ConfigError naming the fix."""
    path = Path(run)
    if path.is_file() and path.name == "metrics.jsonl":
        return path
    if not path.exists():
        raise ConfigError(
            f"{run} does not exist: pass a run folder (the --out of `ganzoo train`), which holds "
            "metrics.jsonl."
        )
    if not (path / "metrics.jsonl").is_file():
        raise ConfigError(
            f"{run} has no metrics.jsonl: pass a run folder written by `ganzoo train` (it logs a "
            "row every --log-every steps)."
        )
    return path / "metrics.jsonl"


def read_history(run: str | os.PathLike[str]) -> RunHistory:
    """The losses, FID and health alerts logged in ``run`` (a run folder or its metrics.jsonl)."""
    log_file = metrics_file(run)
    rows = sorted(MetricsLog(log_file.parent).read(), key=lambda r: r.get("step", 0))
    folder = log_file.parent
    model = run_record(folder).get("model")  # recorded by runs from a config (ganzoo train)
    history = RunHistory(name=folder.name + (f" ({model})" if isinstance(model, str) else ""))
    active: set[str] = set()
    for row in rows:
        step = row.get("step")
        if not isinstance(step, int):
            continue
        for key, value in row.items():
            if not _number(value):
                continue
            if key in FID_KEYS:
                _append(history.fid, key, step, value)
            elif "loss" in key:
                _append(history.losses, key, step, value)
        if isinstance(row.get("health"), list):
            now = {str(d) for d in row["health"]}
            history.alerts += [(step, d) for d in sorted(now - active)]
            active = now
    if not history.losses and not history.fid:
        raise ConfigError(
            f"{log_file} holds no logged losses yet: let the run pass its first --log-every steps."
        )
    ordered = [k for k in FIRST_LOSSES if k in history.losses] + sorted(
        k for k in history.losses if k not in FIRST_LOSSES
    )
    history.losses = {k: history.losses[k] for k in ordered}
    return history


def plot_history(history: RunHistory) -> Figure:
    """A figure with a losses panel and, when FID was logged, an FID panel below it, sharing the
    step axis; health alerts are dashed vertical lines on every panel. Axes are titled
    ``losses`` and ``FID``."""
    require_matplotlib()
    from matplotlib.figure import Figure

    panels = [("losses", history.losses, "loss")]
    if history.fid:
        spaces = sorted({key.removeprefix("fid_") for key in history.fid if key != "fid"})
        panels.append(("FID", history.fid, f"FID ({', '.join(spaces) or 'periodic'} features)"))
    width, height = PANEL_INCHES
    fig = Figure(figsize=(width, height * len(panels)), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    colours = {d: f"C{i + 3}" for i, d in enumerate(DETECTORS)}
    for ax, (title, series, ylabel) in zip(axes, panels, strict=True):
        for key, (steps, values) in series.items():
            marker = "o" if title == "FID" else None
            ax.plot(steps, values, label=key, linewidth=1.2, marker=marker, markersize=3)
        shown: set[str] = set()
        for step, detector in history.alerts:
            label = None if detector in shown else f"alert: {detector}"
            shown.add(detector)
            ax.axvline(step, color=colours.get(detector, "red"), ls="--", lw=1, label=label)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1].set_xlabel("step")
    axes[-1].xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(history.name)
    return fig


def plot_run(run: str | os.PathLike[str]) -> Figure:
    """:func:`plot_history` of :func:`read_history`."""
    return plot_history(read_history(run))


def save_plot(run: str | os.PathLike[str] | RunHistory, out: str | os.PathLike[str]) -> Path:
    """Draw a run (a folder, its metrics.jsonl or a :class:`RunHistory`; see
    :func:`plot_history`) into the PNG ``out``, atomically: 1000 x 350 pixels per panel."""
    require_matplotlib()  # before reading anything: the missing extra is the first thing to fix
    fig = plot_history(run if isinstance(run, RunHistory) else read_history(run))
    return atomic_write(out, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))


def require_matplotlib() -> None:
    """Raise :class:`~ganzoo.errors.MissingExtraError` naming the pip command if it is absent."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingExtraError(PLOT_HINT) from None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _append(table: dict[str, Series], key: str, step: int, value: float) -> None:
    steps, values = table.setdefault(key, ([], []))
    steps.append(step)
    values.append(float(value))


__all__ = ["RunHistory", "plot_history", "plot_run", "read_history", "save_plot"]
