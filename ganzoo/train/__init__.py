"""Training: the common Trainer, checkpoints, sample grids and logs."""

from .checkpoint import load_checkpoint, load_gan, save_checkpoint
from .images import grid_image, save_gif, save_grid
from .log import MetricsLog
from .trainer import Trainer, TrainResult

__all__ = [
    "MetricsLog",
    "TrainResult",
    "Trainer",
    "grid_image",
    "load_checkpoint",
    "load_gan",
    "save_checkpoint",
    "save_gif",
    "save_grid",
]
