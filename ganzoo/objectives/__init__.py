"""Adversarial losses, regularizers and the Objective that combines them, by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError, unknown_name
from .auxiliary import ACGANObjective
from .diffaugment import DiffAugment
from .energy import (
    BEGANObjective,
    BoundaryEquilibriumLoss,
    EBGANObjective,
    EnergyMarginLoss,
    pulling_away,
)
from .losses import (
    AdversarialLoss,
    HingeLoss,
    LeastSquaresLoss,
    MinimaxLoss,
    NonSaturatingLoss,
    WassersteinLoss,
)
from .objective import LossOutput, Objective
from .path_length import StyleGANObjective
from .regularizers import GradientPenalty, R1Penalty, Regularizer, WeightClipping
from .translation import CycleGANObjective, ImagePool, Pix2PixObjective

LOSSES: dict[str, type[AdversarialLoss]] = {
    cls.name: cls
    for cls in (NonSaturatingLoss, MinimaxLoss, LeastSquaresLoss, WassersteinLoss, HingeLoss)
}
REGULARIZERS: dict[str, type[Regularizer]] = {
    cls.name: cls for cls in (GradientPenalty, R1Penalty, WeightClipping)
}
_ALIASES = {
    "ns": "non-saturating",
    "bce": "non-saturating",
    "vanilla": "non-saturating",
    "ls": "least-squares",
    "lsgan": "least-squares",
    "mse": "least-squares",
    "wgan": "wasserstein",
    "w": "wasserstein",
    "gp": "gradient-penalty",
    "wgan-gp": "gradient-penalty",
    "clip": "weight-clipping",
    "clipping": "weight-clipping",
}

RegularizerSpec = str | Mapping[str, Any] | Regularizer


def _canonical(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    return _ALIASES.get(key, key)


def list_objectives() -> list[str]:
    """Names of the adversarial losses usable as ``objective=``."""
    return sorted(LOSSES)


def list_regularizers() -> list[str]:
    """Names of the regularizers usable in ``regularizers=``."""
    return sorted(REGULARIZERS)


def build_loss(spec: str | AdversarialLoss) -> AdversarialLoss:
    """An adversarial loss from its name (aliases such as ``ns`` or ``wgan`` accepted)."""
    if isinstance(spec, AdversarialLoss):
        return spec
    name = _canonical(spec)
    if name not in LOSSES:
        raise unknown_name("objective", spec, [*LOSSES, *_ALIASES])
    return LOSSES[name]()


def build_regularizer(spec: RegularizerSpec) -> Regularizer:
    """A regularizer from a name, or a mapping such as ``{"name": "r1", "weight": 1.0}``."""
    if isinstance(spec, Regularizer):
        return spec
    kwargs = dict(spec) if isinstance(spec, Mapping) else {"name": spec}
    if "name" not in kwargs:
        raise ConfigError(f"A regularizer mapping needs a 'name' key, got {dict(kwargs)}.")
    raw = kwargs.pop("name")
    name = _canonical(str(raw))
    if name not in REGULARIZERS:
        raise unknown_name("regularizer", str(raw), [*REGULARIZERS, *_ALIASES])
    try:
        return REGULARIZERS[name](**kwargs)
    except TypeError as err:
        raise ConfigError(f"Bad arguments for regularizer {name!r}: {err}") from None


def build_objective(
    loss: str | AdversarialLoss | Objective,
    regularizers: Sequence[RegularizerSpec] = (),
    objective_class: type[Objective] = Objective,
    **options: Any,
) -> Objective:
    """Combine a loss and regularizers into an ``objective_class`` (an :class:`Objective` or a
    subclass that adds terms, such as :class:`ACGANObjective`); ``options`` are passed to it."""
    if isinstance(loss, Objective):
        return loss
    if isinstance(regularizers, (str, Mapping)):
        regularizers = [regularizers]
    regs = [build_regularizer(r) for r in regularizers]
    return objective_class(build_loss(loss), regs, **options)


__all__ = [
    "ACGANObjective",
    "AdversarialLoss",
    "BEGANObjective",
    "BoundaryEquilibriumLoss",
    "CycleGANObjective",
    "DiffAugment",
    "EBGANObjective",
    "EnergyMarginLoss",
    "GradientPenalty",
    "HingeLoss",
    "ImagePool",
    "LeastSquaresLoss",
    "LossOutput",
    "MinimaxLoss",
    "NonSaturatingLoss",
    "Objective",
    "Pix2PixObjective",
    "R1Penalty",
    "Regularizer",
    "StyleGANObjective",
    "WassersteinLoss",
    "WeightClipping",
    "build_loss",
    "build_objective",
    "build_regularizer",
    "list_objectives",
    "list_regularizers",
    "pulling_away",
]
