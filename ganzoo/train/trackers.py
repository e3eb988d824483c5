"""Experiment trackers: where a run's scalars, sample grids and health messages go besides the
run folder's own ``metrics.jsonl`` / ``metrics.csv``.

One small interface, :class:`Tracker`; built in: ``tensorboard`` (``out_dir/tensorboard``),
``wandb`` (Weights & Biases in offline mode, ``out_dir/wandb``; ``wandb sync`` uploads it later)
and ``csv`` (``out_dir/tracker/scalars.csv``: one ``step,name,value`` row per value, so keys that
appear mid-run are kept, and ``events.csv`` for health messages). The trainer talks to one
:class:`Trackers` object that fans out to the chosen ones.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from torch import Tensor

from ..errors import ConfigError, MissingExtraError

TRACKERS = ("tensorboard", "wandb", "csv")


class Tracker:
    """Receives a run's logs. ``grid`` images are (3, H, W) or (1, H, W) floats in [0, 1]."""

    def log_scalars(self, step: int, values: dict[str, float]) -> None: ...

    def log_image(self, step: int, name: str, grid: Tensor) -> None: ...

    def log_text(self, step: int, name: str, text: str) -> None: ...

    def close(self) -> None: ...


class TensorBoardTracker(Tracker):
    def __init__(self, out_dir: Path) -> None:
        from .tensorboard import open_writer

        self.writer = open_writer(out_dir / "tensorboard")

    def log_scalars(self, step: int, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, step)

    def log_image(self, step: int, name: str, grid: Tensor) -> None:
        self.writer.add_image(name, grid, step)

    def log_text(self, step: int, name: str, text: str) -> None:
        self.writer.add_text(name, text, step)

    def close(self) -> None:
        self.writer.close()


class WandbTracker(Tracker):
    """Weights & Biases, always offline: nothing leaves the machine during training."""

    def __init__(self, out_dir: Path, config: dict[str, Any] | None = None) -> None:
        try:
            import wandb
        except ImportError as err:
            raise MissingExtraError(
                'The wandb tracker needs wandb: pip install "ganzoo[wandb]"'
            ) from err
        self.wandb = wandb
        out_dir.mkdir(parents=True, exist_ok=True)
        self.run = wandb.init(
            mode="offline",
            dir=str(out_dir),
            project=os.environ.get("WANDB_PROJECT", "ganzoo"),
            name=out_dir.name,
            config=config or {},
            reinit="create_new",
        )

    def log_scalars(self, step: int, values: dict[str, float]) -> None:
        self.run.log(values, step=step)

    def log_image(self, step: int, name: str, grid: Tensor) -> None:
        self.run.log({name: self.wandb.Image(grid.permute(1, 2, 0).numpy())}, step=step)

    def log_text(self, step: int, name: str, text: str) -> None:
        self.run.log({name: text}, step=step)

    def close(self) -> None:
        self.run.finish()


class CsvTracker(Tracker):
    """``scalars.csv`` (step, name, value) and ``events.csv`` (step, name, text); appends, so a
    resumed run continues the files (rows past the resumed step are dropped first)."""

    def __init__(self, out_dir: Path, from_step: int = 0) -> None:
        folder = out_dir / "tracker"
        folder.mkdir(parents=True, exist_ok=True)
        self.scalars = folder / "scalars.csv"
        self.events = folder / "events.csv"
        for path, header in ((self.scalars, "step,name,value"), (self.events, "step,name,text")):
            _keep_rows_until(path, from_step, header)

    def log_scalars(self, step: int, values: dict[str, float]) -> None:
        with self.scalars.open("a", newline="") as f:
            csv.writer(f).writerows([step, k, repr(float(v))] for k, v in values.items())

    def log_text(self, step: int, name: str, text: str) -> None:
        with self.events.open("a", newline="") as f:
            csv.writer(f).writerow([step, name, text])


def _keep_rows_until(path: Path, step: int, header: str) -> None:
    rows = []
    if step > 0 and path.is_file():
        with path.open(newline="") as f:
            rows = [
                r for r in list(csv.reader(f))[1:] if r and r[0].isdigit() and int(r[0]) <= step
            ]
    with path.open("w", newline="") as f:
        f.write(header + "\n")
        csv.writer(f).writerows(rows)


class Trackers(Tracker):
    """Several trackers as one (what the Trainer holds)."""

    def __init__(self, trackers: Iterable[Tracker] = ()) -> None:
        self.trackers = list(trackers)

    def __bool__(self) -> bool:
        return bool(self.trackers)

    def log_scalars(self, step: int, values: dict[str, float]) -> None:
        for tracker in self.trackers:
            tracker.log_scalars(step, values)

    def log_image(self, step: int, name: str, grid: Tensor) -> None:
        for tracker in self.trackers:
            tracker.log_image(step, name, grid)

    def log_text(self, step: int, name: str, text: str) -> None:
        for tracker in self.trackers:
            tracker.log_text(step, name, text)

    def close(self) -> None:
        for tracker in self.trackers:
            tracker.close()


def tracker_names(spec: str | Sequence[str] | None, tensorboard: bool = False) -> list[str]:
    """``"tensorboard,csv"`` or ``["wandb"]`` (plus ``tensorboard`` when that flag is set) as a
    checked list without repeats."""
    if spec is None:
        names: list[str] = []
    elif isinstance(spec, str):
        names = [n.strip() for n in spec.split(",") if n.strip()]
    else:
        names = [str(n).strip() for n in spec]
    if tensorboard:
        names.append("tensorboard")
    unknown = [n for n in names if n not in TRACKERS]
    if unknown:
        raise ConfigError(
            f"Unknown tracker {unknown[0]!r}; choose from {', '.join(TRACKERS)} "
            "(several: --tracker tensorboard,csv)."
        )
    return list(dict.fromkeys(names))


def open_trackers(
    names: Sequence[str], out_dir: Path, config: dict[str, Any] | None = None, from_step: int = 0
) -> Trackers:
    """The trackers ``names`` writing into ``out_dir``, as one :class:`Trackers`."""
    opened: list[Tracker] = []
    try:
        for name in tracker_names(names):
            if name == "tensorboard":
                opened.append(TensorBoardTracker(out_dir))
            elif name == "wandb":
                opened.append(WandbTracker(out_dir, config))
            else:
                opened.append(CsvTracker(out_dir, from_step))
    except BaseException:
        Trackers(opened).close()
        raise
    return Trackers(opened)
