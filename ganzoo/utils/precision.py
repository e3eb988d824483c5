"""Numeric precision: what ``precision="auto"`` means on this hardware, and its autocast.

``auto`` picks bf16 autocast where the device computes bf16 natively and fast: a CPU with AMX
or AVX512-BF16 instructions (or an ARM CPU with its bf16 extension), a CUDA GPU that supports
bf16. Everywhere else it picks fp32: on a CPU without those instructions (e.g. AVX2 only),
oneDNN emulates bf16 and runs it many times slower than fp32. Weights, optimizer state and EMA
stay fp32 in every precision; only the operations inside autocast run in the low precision.

Setting the environment variable ``GANZOO_AUTO_PRECISION`` (fp32, bf16 or fp16) pins what
``auto`` means, e.g. ``GANZOO_AUTO_PRECISION=fp32`` to reproduce fp32 results everywhere (the
test suite does this; its precision tests unset it).

Models listed in :data:`FP32_WHEN_AUTO` opt out of bf16 for some uses under ``auto``, where
bf16 was measured slower or unstable for them; an explicit ``precision="bf16"`` still applies.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from ..errors import ConfigError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
AUTO_ENV = "GANZOO_AUTO_PRECISION"  # fp32 | bf16 | fp16: pins what ``auto`` means
USES = ("train", "sample")
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}

# model -> the uses for which ``auto`` stays fp32. stylegan: sampling measured 1.14x slower in
# bf16 than in fp32 on an AMX Xeon (issue 17); its training was faster in bf16.
FP32_WHEN_AUTO: dict[str, frozenset[str]] = {"stylegan": frozenset({"sample"})}


def _cpu_flags() -> set[str]:
    path = Path("/proc/cpuinfo")
    if not path.is_file():
        return set()
    for line in path.read_text().splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def _torch_cpu_check(name: str, flag: str) -> bool:
    check = getattr(torch.cpu, name, None)  # private helpers of torch >= 2.3
    if check is not None:
        try:
            return bool(check())
        except RuntimeError:
            pass
    return flag in _cpu_flags()


@dataclass(frozen=True)
class Hardware:
    """What decides ``auto``: the device type and whether it computes bf16 natively.

    Build it with :meth:`detect`, or by hand to ask what ``auto`` picks elsewhere (tests do).
    """

    device_type: str
    bf16_native: bool
    what: str = ""  # how that was decided, for the one-line report

    @classmethod
    def detect(cls, device: torch.device | str) -> Hardware:
        """Ask torch about ``device``: the CPU's instructions, or the GPU's bf16 support."""
        device = torch.device(device)
        if device.type == "cuda":
            ok = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
            return cls("cuda", ok, "this GPU supports bf16" if ok else "this GPU lacks bf16")
        if device.type != "cpu":
            return cls(device.type, False, f"no bf16 default on {device.type}")
        return cls.for_cpu(
            capability=torch.backends.cpu.get_cpu_capability(),
            amx=_torch_cpu_check("_is_amx_tile_supported", "amx_bf16"),
            avx512_bf16=_torch_cpu_check("_is_avx512_bf16_supported", "avx512_bf16"),
            arm_bf16=torch.backends.mkldnn.is_available()
            and torch.ops.mkldnn._is_mkldnn_bf16_supported()
            and "bf16" in _cpu_flags(),
        )

    @classmethod
    def for_cpu(
        cls, capability: str, amx: bool, avx512_bf16: bool, arm_bf16: bool = False
    ) -> Hardware:
        """A CPU: native bf16 with AMX, AVX512-BF16 or ARM's bf16 extension."""
        names = [
            n
            for n, on in (("AMX", amx), ("AVX512-BF16", avx512_bf16), ("ARM bf16", arm_bf16))
            if on
        ]
        if names:
            return cls("cpu", True, f"this CPU has {' and '.join(names)}")
        return cls("cpu", False, f"this CPU has no native bf16 ({capability} kernels)")


def check_precision(precision: str, allowed: tuple[str, ...] = PRECISIONS) -> str:
    """``precision`` if it is one of ``allowed``, else a ConfigError naming them."""
    if precision not in allowed:
        raise ConfigError(f"precision must be one of {', '.join(allowed)}; got {precision!r}.")
    return precision


def resolve_precision(
    precision: str,
    hardware: Hardware,
    *,
    model: str | None = None,
    use: str = "train",
) -> str:
    """The concrete precision (fp32, bf16 or fp16) that ``precision`` means for ``model``'s
    ``use`` (train or sample) on ``hardware``: ``auto`` is bf16 where the hardware computes it
    natively, unless the model opts out (:data:`FP32_WHEN_AUTO`) or ``GANZOO_AUTO_PRECISION``
    pins it; anything else is itself."""
    check_precision(precision)
    if precision != "auto":
        return precision
    pinned = os.environ.get(AUTO_ENV)
    if pinned:
        return check_precision(pinned, PRECISIONS[1:])
    if use in FP32_WHEN_AUTO.get((model or "").split(".")[0], ()):
        return "fp32"
    return "bf16" if hardware.bf16_native else "fp32"


def autocast(precision: str, device: torch.device | str) -> contextlib.AbstractContextManager:
    """An autocast context for a concrete ``precision`` on ``device`` (fp32: no autocast)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=DTYPES[precision])


def autocast_factory(
    precision: str, device: torch.device | str
) -> Callable[[], contextlib.AbstractContextManager]:
    """A factory of :func:`autocast` contexts (cheap to call in a loop)."""
    if precision == "fp32":
        return contextlib.nullcontext
    device_type, dtype = torch.device(device).type, DTYPES[precision]
    return lambda: torch.autocast(device_type, dtype=dtype)
