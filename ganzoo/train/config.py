"""How a run trains (not what it trains): the one object that configures the Trainer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, suggest
from ..input_checks import check_counts, positive_int
from ..objectives.diffaugment import parse_policy
from .health import HealthConfig
from .periodic_fid import check_features
from .speed import SpeedConfig


@dataclass
class TrainConfig:
    """Settings of a training run; ``zoo_configs/*.yaml`` files keep them under ``train:``.

    ``steps`` and ``batch_size`` left unset come from the model's recipe. ``batch_size`` is the
    global batch (split over ranks in a multi-process launch). ``health`` configures the
    health monitor, ``speed`` the speed switches (precision, channels_last, fused optimizers,
    torch.compile); ``tensorboard`` also logs to ``out_dir/tensorboard``; ``tracker`` names
    experiment trackers (``tensorboard``, ``wandb`` offline, ``csv``).

    ``fid_every`` (steps; None: off) measures the FID of ``fid_samples`` samples against the first
    ``fid_reference`` images of the MNIST / Fashion-MNIST test split in ``fid_features`` space
    (``classifier``: the shipped classifier's, or ``inception``), logs it as ``fid_classifier`` /
    ``fid_inception`` and keeps ``checkpoints/best.pt`` at its best; ``fid_data_root`` is
    where a torchvision test split lives (default: the run's ``data.root``, else
    ``$GANZOO_DATA``). ``diffaugment`` is a DiffAugment policy (``translation,cutout,color``;
    empty: off) applied to every image the discriminator sees. ``keep_every`` keeps a copy of
    the checkpoint every that many steps (``checkpoints/step_NNNNNNN.pt``), which later ones do
    not replace: a new run can start from one (see :mod:`ganzoo.train.kept_checkpoints`).
    """

    steps: int | None = None
    batch_size: int | None = None
    seed: int = 0
    device: str | None = None
    log_every: int = 25
    sample_every: int | None = None
    checkpoint_every: int | None = None
    keep_every: int | None = None  # steps between kept checkpoints/step_NNNNNNN.pt; None: off
    num_samples: int = 64
    num_workers: int = 0
    progress: bool = True
    gif: bool = True
    health: HealthConfig = field(default_factory=HealthConfig)
    speed: SpeedConfig = field(default_factory=SpeedConfig)
    tensorboard: bool = False
    tracker: list[str] = field(default_factory=list)  # tensorboard, wandb (offline), csv
    fid_every: int | None = None  # steps between periodic FIDs; None: off
    fid_samples: int = 2000  # generated images per periodic FID
    fid_features: str = "classifier"  # or "inception" (the published metric; slow on a CPU)
    fid_reference: int | None = None  # test images the periodic FID compares with; None: 10,000
    fid_data_root: str | None = None  # where the FID reference's test split lives
    diffaugment: str = ""  # DiffAugment policy: comma list of translation, cutout, color

    def __post_init__(self) -> None:
        """Counts below 1 are refused (None means "the recipe's" or "the default")."""
        check_counts(
            steps=self.steps,
            batch_size=self.batch_size,
            log_every=self.log_every,
            sample_every=self.sample_every,
            checkpoint_every=self.checkpoint_every,
            keep_every=self.keep_every,
            num_samples=self.num_samples,
            fid_every=self.fid_every,
        )
        positive_int(self.fid_samples, "fid_samples")
        if self.fid_reference is not None:
            positive_int(self.fid_reference, "fid_reference")
        check_features(self.fid_features)
        if self.fid_samples < 2:
            raise ConfigError(f"fid_samples must be at least 2, got {self.fid_samples}.")
        if isinstance(self.diffaugment, (list, tuple)):  # a YAML list of operations
            self.diffaugment = ",".join(str(name) for name in self.diffaugment)
        self.diffaugment = ",".join(parse_policy(self.diffaugment))  # checked, canonical

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
