"""Training: the common Trainer, its config, checkpoints, sample grids and logs."""

from ..utils.images import grid_image, save_gif, save_grid
from .checkpoint import load_checkpoint, load_gan, save_checkpoint
from .config import TrainConfig
from .health import HealthConfig, HealthMonitor, TrainingHealthWarning
from .log import MetricsLog
from .speed import SpeedConfig
from .trainer import Trainer, TrainResult

__all__ = [
    "HealthConfig",
    "HealthMonitor",
    "MetricsLog",
    "SpeedConfig",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainingHealthWarning",
    "grid_image",
    "load_checkpoint",
    "load_gan",
    "save_checkpoint",
    "save_gif",
    "save_grid",
]
