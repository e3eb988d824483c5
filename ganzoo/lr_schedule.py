"""Learning-rate schedules: how a recipe's learning rates change over a run.

One schedule drives both optimizers (each keeps its own base learning rate), built on
``torch.optim.lr_scheduler``:

* ``constant`` (the default) — the optimizers' learning rates throughout.
* ``linear`` / ``cosine`` — constant for the first ``start`` fraction of the run's generator
  steps, then down to ``final_factor`` x the base rate at the last step (CycleGAN's recipe:
  linear from half-way to 0).
* ``plateau`` — multiply the rates by ``factor`` each time the logged value ``metric`` (lower is
  better, e.g. BEGAN's ``convergence``) has not improved (by a relative ``threshold``) for
  ``patience`` generator steps, never below ``final_factor`` x the base rate (BEGAN's decay on a
  stalled convergence measure). Checked at every log row, so ``patience`` is rounded up to whole
  ``log_every`` intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from .errors import ConfigError, unknown_name

SCHEDULES = ("constant", "linear", "cosine", "plateau")


@dataclass
class LRSchedule:
    """A recipe's learning-rate schedule (see the module docstring for each ``name``)."""

    name: str = "constant"
    start: float = 0.0
    final_factor: float = 0.0
    metric: str = "convergence"
    factor: float = 0.5
    patience: int = 1000
    threshold: float = 0.01

    def __post_init__(self) -> None:
        if self.name not in SCHEDULES:
            raise unknown_name("lr_schedule", self.name, SCHEDULES)
        if not 0.0 <= self.start < 1.0:
            raise ConfigError(f"lr_schedule.start must be in [0, 1), got {self.start}.")
        if not 0.0 <= self.final_factor <= 1.0:
            raise ConfigError(
                f"lr_schedule.final_factor must be in [0, 1], got {self.final_factor}."
            )
        if not 0.0 < self.factor < 1.0:
            raise ConfigError(f"lr_schedule.factor must be in (0, 1), got {self.factor}.")
        if self.patience < 1:
            raise ConfigError(f"lr_schedule.patience must be >= 1 step, got {self.patience}.")
        if self.threshold < 0:
            raise ConfigError(f"lr_schedule.threshold must be >= 0, got {self.threshold}.")

    @property
    def is_constant(self) -> bool:
        return self.name == "constant"

    def multiplier(self, step: int, total_steps: int) -> float:
        """The ``linear``/``cosine`` factor on the base rate after ``step`` of ``total_steps``."""
        begin = self.start * total_steps
        if self.name not in ("linear", "cosine") or step <= begin:
            return 1.0
        progress = min(1.0, (step - begin) / max(total_steps - begin, 1))
        if self.name == "cosine":
            progress = (1.0 - math.cos(math.pi * progress)) / 2
        return 1.0 - (1.0 - self.final_factor) * progress

    def build(
        self, optimizers: list[torch.optim.Optimizer], total_steps: int, log_every: int
    ) -> LRScheduler:
        """The schedulers of ``optimizers`` for a run of ``total_steps`` logged every ``log_every``."""
        return LRScheduler(self, optimizers, total_steps, log_every)


class LRScheduler:
    """Steps the torch schedulers of a run's optimizers: :meth:`after_step` after every generator
    step, :meth:`after_log` with every log row (the row's values are the same on every rank)."""

    def __init__(
        self,
        schedule: LRSchedule,
        optimizers: list[torch.optim.Optimizer],
        total_steps: int,
        log_every: int,
    ) -> None:
        self.schedule, self.total_steps = schedule, total_steps
        self.optimizers = optimizers
        self.schedulers: list[Any] = []
        if schedule.name in ("linear", "cosine"):

            def factor(step: int) -> float:  # a function, so schedulers save no state for it
                return schedule.multiplier(step, total_steps)

            self.schedulers = [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in optimizers]
        elif schedule.name == "plateau":
            checks = math.ceil(schedule.patience / max(log_every, 1))
            self.schedulers = [_reduce_on_plateau(o, schedule, checks) for o in optimizers]

    def after_step(self) -> None:
        """One generator step done (``linear`` / ``cosine``)."""
        if self.schedule.name in ("linear", "cosine"):
            for scheduler in self.schedulers:
                scheduler.step()

    def after_log(self, row: dict[str, Any]) -> None:
        """A log row of step averages (``plateau`` reads ``metric`` from it)."""
        if self.schedule.name != "plateau":
            return
        metric = self.schedule.metric
        if metric not in row:
            logged = ", ".join(sorted(k for k in row if k != "step"))
            raise ConfigError(
                f"lr_schedule.metric {metric!r} is not logged by this run; choose one of "
                f"{logged} (lower must be better)."
            )
        for scheduler in self.schedulers:
            scheduler.step(float(row[metric]))

    def learning_rates(self) -> dict[str, float]:
        """The current learning rate of each optimizer's first parameter group."""
        return {
            f"{name}_lr": o.param_groups[0]["lr"]
            for name, o in zip(("g", "d"), self.optimizers, strict=False)
        }

    def state_dict(self) -> dict[str, Any]:
        return {"name": self.schedule.name, "schedulers": [s.state_dict() for s in self.schedulers]}

    def load_state_dict(self, state: dict[str, Any] | None, step: int) -> None:
        """Restore from a checkpoint. One saved without this schedule's state (an older run, or
        one trained with another schedule) continues from where ``step`` puts this schedule."""
        if state and state.get("name") == self.schedule.name:
            for scheduler, saved in zip(self.schedulers, state["schedulers"], strict=True):
                scheduler.load_state_dict(saved)
            return
        if self.schedule.name in ("linear", "cosine"):
            factor = self.schedule.multiplier(step, self.total_steps)
            for scheduler in self.schedulers:
                scheduler.last_epoch = step
                groups = scheduler.optimizer.param_groups
                for group, base in zip(groups, scheduler.base_lrs, strict=True):
                    group["lr"] = base * factor


def _reduce_on_plateau(
    optimizer: torch.optim.Optimizer, schedule: LRSchedule, checks: int
) -> torch.optim.lr_scheduler.ReduceLROnPlateau:
    """Decays after ``checks`` log rows in a row without improvement (torch counts the rows
    allowed before it acts, hence ``checks - 1``)."""
    return torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer,
        mode="min",
        factor=schedule.factor,
        patience=checks - 1,
        threshold=schedule.threshold,
        threshold_mode="rel",
        min_lr=[group["lr"] * schedule.final_factor for group in optimizer.param_groups],
    )
