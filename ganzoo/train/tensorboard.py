"""TensorBoard logging (the optional ``tensorboard`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MissingExtraError


def open_writer(log_dir: Path) -> Any:
    """A ``SummaryWriter`` writing to ``log_dir``; a clear error if tensorboard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as err:
        raise MissingExtraError(
            'TensorBoard logging needs the tensorboard package: pip install "ganzoo[tensorboard]"'
        ) from err
    return SummaryWriter(log_dir=str(log_dir))
