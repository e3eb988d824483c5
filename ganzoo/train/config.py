"""How a run trains (not what it trains): the one object that configures the Trainer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, suggest
from ..input_checks import check_counts
from .health import HealthConfig
from .speed import SpeedConfig


@dataclass
class TrainConfig:
    """Settings of a training run; ``zoo_configs/*.yaml`` files keep them under ``train:``.

    ``steps`` and ``batch_size`` left unset come from the model's recipe. ``batch_size`` is the
    global batch (split over ranks in a multi-process launch). ``health`` configures the
    health monitor, ``speed`` the speed switches (precision, channels_last, fused optimizers,
    torch.compile); ``tensorboard`` also logs to ``out_dir/tensorboard``; ``tracker`` names
    experiment trackers (``tensorboard``, ``wandb`` offline, ``csv``).
    """

    steps: int | None = None
    batch_size: int | None = None
    seed: int = 0
    device: str | None = None
    log_every: int = 25
    sample_every: int | None = None
    checkpoint_every: int | None = None
    num_samples: int = 64
    num_workers: int = 0
    progress: bool = True
    gif: bool = True
    health: HealthConfig = field(default_factory=HealthConfig)
    speed: SpeedConfig = field(default_factory=SpeedConfig)
    tensorboard: bool = False
    tracker: list[str] = field(default_factory=list)  # tensorboard, wandb (offline), csv

    def __post_init__(self) -> None:
        """Counts below 1 are refused (None means "the recipe's" or "the default")."""
        check_counts(
            steps=self.steps,
            batch_size=self.batch_size,
            log_every=self.log_every,
            sample_every=self.sample_every,
            checkpoint_every=self.checkpoint_every,
            num_samples=self.num_samples,
        )

    def updated(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes``; an unknown setting is a ConfigError naming the valid ones."""
        names = [f.name for f in dataclasses.fields(self)]
        for key in changes:
            if key not in names:
                raise ConfigError(
                    f"Unknown training setting {key!r}.{suggest(key, names)} "
                    f"Valid settings: {', '.join(names)}."
                )
        return dataclasses.replace(self, **changes)
