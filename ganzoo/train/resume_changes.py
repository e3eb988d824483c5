"""Resuming a run with changed settings: each change applied to the restored state and reported,
or refused when it cannot apply.

A checkpoint restores the optimizers' state (their learning rates and betas included) and the
data position. Settings changed since (``--set recipe.g_optimizer.lr=1e-4`` after a divergence)
would be overwritten by that state; :func:`apply_changes` writes them back into the restored
optimizers and schedules. A batch size or seed that differs from the checkpoint's cannot apply
to a restored data position, so :func:`check_changes` refuses them.
"""

from __future__ import annotations

import logging
from typing import Any

import torch

from ..errors import ConfigError
from ..factory import model_config

logger = logging.getLogger("ganzoo")

_OPTIMIZER_KEYS = ("lr", "betas", "weight_decay", "momentum", "eps")
# Set by the trainer (its own steps/batch size), compared through the checkpoint's "trainer".
_TRAINER_KEYS = ("steps", "batch_size")


def _flatten(data: Any, prefix: str) -> dict[str, Any]:
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}"))
        return flat
    return {prefix: list(data) if isinstance(data, tuple) else data}


def recipe_changes(saved: dict[str, Any], current: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{"recipe.g_optimizer.lr": (old, new), ...}`` between two recipe dicts (steps and batch
    size excluded: the trainer's own values are compared instead)."""
    old, new = _flatten(saved or {}, "recipe"), _flatten(current or {}, "recipe")
    skip = {f"recipe.{k}" for k in _TRAINER_KEYS}
    return {
        key: (old.get(key), new.get(key))
        for key in dict.fromkeys([*old, *new])
        if key not in skip and old.get(key) != new.get(key) and key in old and key in new
    }


def check_changes(
    state: dict[str, Any], recipe: dict[str, Any], *, steps: int, batch_size: int, seed: int
) -> dict[str, tuple[Any, Any]]:
    """The changes between a checkpoint and the run resuming it; raises ConfigError for the ones
    that cannot apply (batch size, seed, optimizer type)."""
    saved_run = state.get("trainer", {})
    path = state.get("path", "the checkpoint")
    if "batch_size" in saved_run and saved_run["batch_size"] != batch_size and "data" in state:
        raise ConfigError(
            f"Cannot resume {path} with batch size {batch_size}: its data position counts batches "
            f"of {saved_run['batch_size']}. Resume with --batch-size {saved_run['batch_size']}, or "
            "start a new run in another --out folder."
        )
    if "seed" in saved_run and saved_run["seed"] != seed:
        raise ConfigError(
            f"Cannot resume {path} with seed {seed}: the run's data order and noise come from seed "
            f"{saved_run['seed']}. Resume with --seed {saved_run['seed']}, or start a new run in "
            "another --out folder."
        )
    saved_recipe = model_config(state.get("config") or {}, path)["args"].get("recipe", {})
    changes = recipe_changes(saved_recipe, recipe)
    for key, (old, new) in changes.items():
        if key.endswith("_optimizer.name"):
            raise ConfigError(
                f"Cannot resume {path} with {key}={new}: its saved optimizer state is {old}'s. "
                f"Resume with {key}={old}, or start a new run in another --out folder."
            )
    if "steps" in saved_run and saved_run["steps"] != steps:
        changes["steps"] = (saved_run["steps"], steps)
    return changes


def apply_changes(trainer: Any, changes: dict[str, tuple[Any, Any]], report: bool = True) -> None:
    """Write changed optimizer settings and schedules into ``trainer``'s restored optimizers and
    schedule (after its state was loaded), then log one line naming every change."""
    if not changes:
        return
    recipe = trainer.gan.recipe
    schedule_changed = any(k.startswith("recipe.lr_schedule.") for k in changes)
    stepped = recipe.lr_schedule.name in ("linear", "cosine") and "steps" in changes
    restart_plateau = recipe.lr_schedule.name == "plateau" and (
        schedule_changed or any(k.endswith("_optimizer.lr") for k in changes)
    )
    for name, optimizer in (("g", trainer.g_optimizer), ("d", trainer.d_optimizer)):
        config = getattr(recipe, f"{name}_optimizer")
        for key in _OPTIMIZER_KEYS:
            if f"recipe.{name}_optimizer.{key}" in changes:
                value = tuple(config.betas) if key == "betas" else getattr(config, key)
                for group in optimizer.param_groups:
                    if key in group:
                        group[key] = value
        lr_changed = f"recipe.{name}_optimizer.lr" in changes
        if lr_changed or schedule_changed or stepped or restart_plateau:
            _apply_schedule(trainer, optimizer, config.lr)
    if restart_plateau:
        steps = trainer.steps
        trainer.lr_scheduler = recipe.lr_schedule.build(
            [trainer.g_optimizer, trainer.d_optimizer], steps, trainer.log_every
        )  # a changed plateau schedule starts counting afresh from the new rates
    listed = "; ".join(f"{key} {old!r} -> {new!r}" for key, (old, new) in changes.items())
    if report:
        logger.warning("Resuming step %d with changes: %s.", trainer.step, listed)


def _apply_schedule(trainer: Any, optimizer: torch.optim.Optimizer, base_lr: float) -> None:
    """Set ``optimizer``'s rate to ``base_lr`` as the current schedule has it at this step."""
    schedule = trainer.gan.recipe.lr_schedule
    factor = 1.0
    if schedule.name in ("linear", "cosine"):
        factor = schedule.multiplier(trainer.step, trainer.steps)
        for scheduler in trainer.lr_scheduler.schedulers:
            if scheduler.optimizer is optimizer:
                scheduler.base_lrs = [base_lr for _ in optimizer.param_groups]
    for group in optimizer.param_groups:
        group["initial_lr"] = base_lr
        group["lr"] = base_lr * factor


_EMA_PREFIX = "generator_ema.module."


def reconcile_ema(gan: Any, state: dict[str, Any], report: bool = True) -> None:
    """Fit a checkpoint's weights to a resumed run that turned the generator's EMA on or off.

    Turned on (``recipe.ema_decay`` 0 -> d): the average starts from the restored generator, so
    a few thousand steps later it is the average a run with the EMA from step 0 would hold (the
    training itself never reads it). Turned off: the saved average is dropped. Either way one
    warning says so; a checkpoint that matches is left as it is.
    """
    weights = state["gan"]
    saved = any(key.startswith(_EMA_PREFIX) for key in weights)
    wanted = getattr(gan, "generator_ema", None) is not None
    if saved == wanted:
        return
    step = state.get("step", 0)
    if wanted:
        average = {
            _EMA_PREFIX + key[len("generator.") :]: value
            for key, value in weights.items()
            if key.startswith("generator.")
        }
        state["gan"] = {**weights, **average}
        message = (
            "Resuming step %d with an EMA of the generator the run did not keep; the average "
            "starts from the generator's weights at this step."
        )
    else:
        state["gan"] = {k: v for k, v in weights.items() if not k.startswith(_EMA_PREFIX)}
        message = "Resuming step %d without the generator EMA the run kept; its average is dropped."
    if report:
        logger.warning(message, step)
