"""How long a fresh interpreter takes to start ganzoo, beside ``import torch``:

    python -m pytest benchmarks/test_startup.py --benchmark-group-by=group

``test_startup`` times four commands as subprocesses, side by side in one pytest-benchmark
group: ``python -c "import torch"`` (the floor every PyTorch library pays), ``python -c "import
ganzoo"``, ``python -m ganzoo list`` and ``python -m ganzoo --help``. ``test_ganzoo_own_share``
runs ``import torch`` and ``import ganzoo`` alternately, round by round (fair on a shared
machine), and checks the target of issue #20: ganzoo's own share of the import, the median of
``import ganzoo`` minus the median of ``import torch``, stays under 0.3 s. That target needs the
lazy ``ganzoo/__init__`` (PEP 562); before it, ``import ganzoo`` loads the trainer, the Hub
client, metrics and data, and the check fails.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest

COMMANDS = {
    "import torch": ["-c", "import torch"],
    "import ganzoo": ["-c", "import ganzoo"],
    "ganzoo list": ["-m", "ganzoo", "list"],
    "ganzoo --help": ["-m", "ganzoo", "--help"],
}
ROUNDS = 5
TARGET_S = 0.3


def _seconds(args: list[str]) -> float:
    """Wall time of ``python ARGS`` in a fresh interpreter."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, timeout=300)
    return time.perf_counter() - start


@pytest.mark.parametrize("command", list(COMMANDS))
def test_startup(benchmark, command: str) -> None:
    benchmark.group = "startup (fresh interpreter)"
    benchmark.pedantic(_seconds, args=(COMMANDS[command],), rounds=ROUNDS, warmup_rounds=1)


def test_ganzoo_own_share(benchmark) -> None:
    times: dict[str, list[float]] = {"import torch": [], "import ganzoo": []}

    def one_round() -> None:
        for name in times:  # alternate, so a busy moment hits both
            times[name].append(_seconds(COMMANDS[name]))

    benchmark.group = "import ganzoo minus import torch"
    benchmark.pedantic(one_round, rounds=ROUNDS, warmup_rounds=1)
    medians = {name: statistics.median(t[-ROUNDS:]) for name, t in times.items()}
    share = medians["import ganzoo"] - medians["import torch"]
    benchmark.extra_info.update(
        {f"{name} median s": round(s, 3) for name, s in medians.items()}
        | {"ganzoo own share s": round(share, 3), "target s": TARGET_S}
    )
    print(
        f"\nimport torch {medians['import torch']:.2f} s, import ganzoo "
        f"{medians['import ganzoo']:.2f} s: ganzoo's own share {share:.2f} s"
    )
    assert share < TARGET_S, f"ganzoo's own import share is {share:.2f} s (target {TARGET_S} s)"
