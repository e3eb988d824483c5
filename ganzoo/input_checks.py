"""Checks of numbers a user passes (sizes, counts, rates) that give one clear line instead of a
traceback from deep inside torch."""

from __future__ import annotations

import math
from typing import Any

from .errors import ConfigError, DataError

# Architecture arguments that count channels, units or layers: 0 or less builds empty networks.
# (Image sizes and channel counts have their own checks in the networks, naming valid values.)
POSITIVE_SIZES = ("width", "max_width", "latent_dim", "code_dim", "w_dim")
# Checked before a dataset is resized or converted to them.
DATA_SHAPE = ("img_size", "channels", "source_channels")
# An in-memory dataset resized beyond this would exhaust memory; stream a folder instead.
MAX_IN_MEMORY_BYTES = 8 << 30


def positive_int(value: Any, name: str, where: str = "") -> int:
    """``value`` when it is an integer >= 1, else a ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        prefix = f"{where}: " if where else ""
        raise ConfigError(f"{prefix}{name} must be a positive integer, got {value!r}.")
    return value


def positive_number(value: Any, name: str) -> float:
    """``value`` when it is a finite number > 0 (NaN and inf refused), else a ConfigError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value > 0)
    ):
        raise ConfigError(f"{name} must be a finite positive number, got {value!r}.")
    return float(value)


def check_architecture_sizes(
    model: str, args: dict[str, Any], keys: tuple[str, ...] = POSITIVE_SIZES
) -> None:
    """Refuse sizes of an architecture (``width=0``, ``latent_dim=-1``) that build empty nets."""
    for key in keys:
        for name in (key, f"g_{key}", f"d_{key}"):
            if name in args and args[name] is not None:
                positive_int(args[name], name, model)


def check_in_memory_size(count: int, channels: int, img_size: int, name: str) -> None:
    """Refuse resizing an in-memory dataset to a size that would not fit in memory."""
    needed = count * channels * img_size * img_size * 4  # float32 while resizing
    if needed > MAX_IN_MEMORY_BYTES:
        raise DataError(
            f"Resizing {count} images of {name} to {img_size}x{img_size} needs about "
            f"{needed / 2**30:.0f} GiB of memory; choose a smaller --img-size (e.g. 28, 32 or 64), "
            "or train on a folder of images (decoded on the fly)."
        )


def check_counts(**counts: Any) -> None:
    """Refuse given counts (steps, batch sizes, intervals) below 1; None means "the default"."""
    for name, value in counts.items():
        if value is not None:
            positive_int(value, name)
