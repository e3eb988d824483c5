"""Recipes: the training hyper-parameters that make a generator/discriminator pair train."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import torch

from .errors import ConfigError, unknown_name
from .input_checks import positive_number
from .lr_schedule import LRSchedule
from .objectives.tricks import Tricks

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}


@dataclass
class OptimizerConfig:
    """One network's optimizer. ``betas`` apply to Adam/AdamW, ``momentum`` to RMSprop/SGD."""

    name: str = "adam"
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    weight_decay: float = 0.0
    momentum: float = 0.0
    eps: float = 1e-8

    def __post_init__(self) -> None:
        if self.name.lower() not in _OPTIMIZERS:
            raise unknown_name("optimizer", self.name, _OPTIMIZERS)
        positive_number(self.lr, "Learning rate (lr)")
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ConfigError(f"Adam betas must be in [0, 1), got {list(self.betas)}.")

    def build(
        self, params: Iterable[torch.nn.Parameter], fused: bool = False
    ) -> torch.optim.Optimizer:
        """Instantiate the optimizer over ``params``.

        ``fused=True`` asks for torch's fused kernels (Adam, AdamW, SGD); where the optimizer or
        device lacks them it warns and uses the multi-tensor ``foreach`` implementation.
        """
        params = list(params)
        if fused:
            try:
                return self._build(params, {"fused": True})
            except (RuntimeError, TypeError) as err:
                warnings.warn(f"No fused {self.name} here ({err}); using foreach.", stacklevel=2)
                return self._build(params, {"foreach": True})
        return self._build(params, {})

    def _build(self, params: list[torch.nn.Parameter], impl: dict) -> torch.optim.Optimizer:
        name = self.name.lower()
        common = {"lr": self.lr, "weight_decay": self.weight_decay, "eps": self.eps, **impl}
        if name in ("adam", "adamw"):
            return _OPTIMIZERS[name](params, betas=self.betas, **common)
        if name == "rmsprop":
            return torch.optim.RMSprop(params, momentum=self.momentum, **common)
        return torch.optim.SGD(
            params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay, **impl
        )


@dataclass
class Recipe:
    """Default training hyper-parameters of a model; every field can be overridden.

    ``ema_decay`` > 0 keeps an exponential moving average of the generator's weights (timm's
    ``ModelEmaV3``, with decay warm-up), which ``GAN.sample`` and the sample grids then use.
    ``tricks`` holds the classic training tricks (label smoothing, instance noise, ...; see
    :mod:`ganzoo.objectives.tricks`), all off by default. Separate learning rates (TTUR) are the
    two optimizers' ``lr``; ``lr_schedule`` changes both over the run (constant by default; see
    :mod:`ganzoo.lr_schedule`).
    """

    steps: int = 2000
    batch_size: int = 64
    n_critic: int = 1
    g_optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    d_optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    ema_decay: float = 0.0
    tricks: Tricks = field(default_factory=Tricks)
    lr_schedule: LRSchedule = field(default_factory=LRSchedule)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "n_critic"):
            if getattr(self, name) < 1:
                raise ConfigError(f"Recipe field {name!r} must be >= 1, got {getattr(self, name)}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ConfigError(
                f"Recipe field 'ema_decay' must be in [0, 1) (0 = off), got {self.ema_decay}."
            )
