"""Speed switches of the trainer: memory format, mixed precision, fused optimizers, compile.

Each falls back with a warning where the hardware or torch build cannot do it (bf16 on a CPU
without it, fp16 on a CPU, torch.compile without a working compiler). Measured in
``benchmarks/test_speed_switches.py``.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..gan import GANBase

logger = logging.getLogger("ganzoo")
PRECISIONS = ("fp32", "bf16", "fp16")


@dataclass
class SpeedConfig:
    """``precision``: fp32 | bf16 | fp16 autocast (fp16 with gradient scaling);
    ``data_on_device``: keep in-memory datasets on the training device (no DataLoader)."""

    channels_last: bool = False
    precision: str = "fp32"
    fused_optimizers: bool = False
    compile: bool = False
    data_on_device: bool = True

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(
                f"speed.precision must be one of {', '.join(PRECISIONS)}; got {self.precision!r}."
            )

    def to_memory_format(self, images: Tensor) -> Tensor:
        """``images`` in channels_last when that switch is on (4-d batches only)."""
        if self.channels_last and images.ndim == 4:
            return images.contiguous(memory_format=torch.channels_last)
        return images


def _fallback(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)
    logger.warning(message)


def supported_precision(precision: str, device: torch.device) -> str:
    """``precision`` if ``device`` can autocast to it, else fp32 (with a warning)."""
    if precision == "fp32":
        return precision
    if device.type == "cuda":
        if precision == "bf16" and not torch.cuda.is_bf16_supported():
            _fallback("This GPU has no bf16; training in fp32 instead.")
            return "fp32"
        return precision
    if device.type == "cpu" and precision == "bf16":
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                torch.nn.functional.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2))
            return precision
        except RuntimeError as err:
            _fallback(f"bf16 autocast is not available on this CPU ({err}); using fp32.")
            return "fp32"
    _fallback(f"{precision} autocast is not supported on {device.type}; using fp32.")
    return "fp32"


def autocast_context(
    speed: SpeedConfig, device: torch.device
) -> Callable[[], contextlib.AbstractContextManager]:
    """A factory of autocast contexts for ``speed.precision`` (a no-op for fp32)."""
    if speed.precision == "fp32":
        return contextlib.nullcontext
    dtype = torch.bfloat16 if speed.precision == "bf16" else torch.float16
    return lambda: torch.autocast(device.type, dtype=dtype)


def prepare_for_speed(gan: GANBase, speed: SpeedConfig, device: torch.device) -> SpeedConfig:
    """Apply memory format and compile to ``gan``; returns the switches actually in effect."""
    speed = replace(speed, precision=supported_precision(speed.precision, device))
    if speed.channels_last:
        gan.generator.to(memory_format=torch.channels_last)
        gan.discriminator.to(memory_format=torch.channels_last)
    if speed.compile:
        try:
            gan.compile_networks()
        except Exception as err:
            _fallback(f"torch.compile is not available here ({type(err).__name__}: {err}); "
                      "training eagerly.")  # fmt: skip
            speed = replace(speed, compile=False)
    return speed
