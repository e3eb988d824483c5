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
from ..utils.precision import PRECISIONS, Hardware, resolve_precision

if TYPE_CHECKING:
    from ..gan import GANBase

logger = logging.getLogger("ganzoo")


@dataclass
class SpeedConfig:
    """``precision``: auto | fp32 | bf16 | fp16 autocast (fp16 with gradient scaling); ``auto``
    is bf16 where the device computes it natively, else fp32 (:mod:`ganzoo.precision`).
    ``channels_last`` and ``fused_optimizers`` left at None follow the precision: on with
    bf16/fp16, off with fp32. ``data_on_device``: keep in-memory datasets on the training
    device (no DataLoader)."""

    channels_last: bool | None = None
    precision: str = "auto"
    fused_optimizers: bool | None = None
    compile: bool = False
    data_on_device: bool = True

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(
                f"speed.precision must be one of {', '.join(PRECISIONS)}; got {self.precision!r}."
            )

    def describe(self) -> str:
        """One line for logs: the switches in effect, e.g. ``bf16 autocast, channels_last``."""
        parts = ["fp32" if self.precision == "fp32" else f"{self.precision} autocast"]
        parts += [
            name
            for name, on in (
                ("channels_last", self.channels_last),
                ("fused optimizers", self.fused_optimizers),
                ("torch.compile", self.compile),
            )
            if on
        ]
        return ", ".join(parts)

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


def resolve_speed(
    speed: SpeedConfig, device: torch.device, model: str | None = None
) -> SpeedConfig:
    """``speed`` with ``auto`` and the None switches decided for ``model`` on ``device``, and
    precisions the device cannot autocast to replaced by fp32 (with a warning)."""
    precision = resolve_precision(speed.precision, Hardware.detect(device), model=model)
    precision = supported_precision(precision, device)
    low = precision != "fp32"
    return replace(
        speed,
        precision=precision,
        channels_last=low if speed.channels_last is None else speed.channels_last,
        fused_optimizers=low if speed.fused_optimizers is None else speed.fused_optimizers,
    )


def speed_note(speed: SpeedConfig, requested: str, device: torch.device) -> str:
    """One line saying what ``speed`` (resolved from ``requested`` precision) does, and why
    when ``auto`` decided, e.g. ``bf16 autocast, channels_last, fused optimizers (precision
    auto: this CPU has AMX)``."""
    if requested != "auto":
        return f"{speed.describe()} (precision {requested})"
    return f"{speed.describe()} (precision auto: {Hardware.detect(device).what})"


def autocast_context(
    speed: SpeedConfig, device: torch.device
) -> Callable[[], contextlib.AbstractContextManager]:
    """A factory of autocast contexts for ``speed.precision`` (a no-op for fp32); ``speed``
    must be resolved (:func:`resolve_speed`), not ``auto``."""
    if speed.precision == "auto":
        raise ValueError("resolve precision='auto' first (resolve_speed / prepare_for_speed)")
    if speed.precision == "fp32":
        return contextlib.nullcontext
    dtype = torch.bfloat16 if speed.precision == "bf16" else torch.float16
    return lambda: torch.autocast(device.type, dtype=dtype)


def prepare_for_speed(gan: GANBase, speed: SpeedConfig, device: torch.device) -> SpeedConfig:
    """Apply memory format and compile to ``gan``; returns the switches actually in effect
    (:func:`resolve_speed`: ``auto`` and unset switches decided for this device)."""
    speed = resolve_speed(speed, device, gan.name)
    if speed.channels_last:
        gan.generator.to(memory_format=torch.channels_last)
        gan.discriminator.to(memory_format=torch.channels_last)
    if speed.compile:
        try:
            gan.compile_networks()
        except Exception as err:
            _fallback(
                f"torch.compile is not available here ({type(err).__name__}: {err}); "
                "training eagerly."
            )
            speed = replace(speed, compile=False)
    return speed
