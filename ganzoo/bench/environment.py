"""Where and with what a benchmark ran: device, versions, threads, date."""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
import time
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..utils.files import atomic_write
from ..utils.hardware import device_name
from ..utils.threads import thread_note


def environment(device: torch.device | str) -> dict[str, Any]:
    """Device, library versions and the UTC date, for the record of a benchmark run."""

    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": device_name(device),
        "ganzoo": __version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "threads_note": thread_note(),
    }
    if hasattr(os, "getloadavg"):  # other work on a shared machine skews CPU timings
        info["load_average_1min"] = round(os.getloadavg()[0], 2)
    if torch.device(device).type == "cuda":
        info["cuda"] = torch.version.cuda
        info["cudnn"] = torch.backends.cudnn.version()
    return info


def rerun_command(script: str, argv: list[str]) -> str:
    """``python SCRIPT ARGS`` that reruns a docs measurement, with the local data folder after
    ``--data-root`` written as ``DATA_ROOT`` (the record names no path of this machine)."""
    args = ["DATA_ROOT" if i and argv[i - 1] == "--data-root" else a for i, a in enumerate(argv)]
    return shlex.join(["python", script, *args])


def measurement_context(command: str, started: float | None = None) -> dict[str, Any]:
    """What a docs measurement records beside its numbers so that anyone can rerun and weigh
    it: seconds since ``started`` (a ``time.time()``), the CPU and threads, the load average at
    the end, the versions, and the ``command`` that reruns it."""
    context: dict[str, Any] = {}
    if started is not None:
        context["seconds"] = round(time.time() - started, 1)
    context["hardware"] = device_name("cpu")
    if hasattr(os, "getloadavg"):
        context["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return context | {"torch": torch.__version__, "ganzoo": __version__, "command": command}


def write_measurement(path: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Write ``record`` as indented JSON to ``path`` atomically and say where."""
    text = json.dumps(record, indent=2) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    print(f"wrote {path}", flush=True)
