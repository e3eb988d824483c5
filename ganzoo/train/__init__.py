"""Training: the common Trainer, checkpoints, sample grids and logs."""

from .checkpoint import load_checkpoint, load_gan, save_checkpoint
from .health import HealthConfig, HealthMonitor, TrainingHealthWarning
from .images import grid_image, save_gif, save_grid
from .log import MetricsLog
from .speed import SpeedConfig
from .trainer import Trainer, TrainResult

__all__ = [
    "HealthConfig",
    "HealthMonitor",
    "MetricsLog",
    "SpeedConfig",
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
