"""The machine in words, for the records of trainings and measurements."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

from .precision import Hardware


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or what ``platform`` knows elsewhere."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def device_name(device: torch.device | str) -> str:
    """The GPU's name, or the CPU's model name with its core and thread counts, the kernels
    torch picked for it and whether it has native bf16 (what ``precision="auto"`` decides on),
    e.g. ``Intel(R) Xeon(R) Processor (2 cores, 1 torch threads, AVX512 kernels, AMX and
    AVX512-BF16)``."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    found = Hardware.detect("cpu")
    bf16 = found.what.removeprefix("this CPU has ") if found.bf16_native else "no native bf16"
    cores = f"{os.cpu_count()} cores, {torch.get_num_threads()} torch threads"
    return f"{cpu_model()} ({cores}, {torch.backends.cpu.get_cpu_capability()} kernels, {bf16})"
