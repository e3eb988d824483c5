"""Flags that several commands share."""

from __future__ import annotations

import argparse


def add_speed_flags(p: argparse.ArgumentParser, what: str) -> None:
    """``--precision`` and ``--threads``, for a command that runs a model (``what`` it runs)."""
    p.add_argument(
        "--precision",
        default=None if what == "training" else "auto",
        choices=["auto", "fp32", "bf16", "fp16"],
        help=f"numeric precision of {what} (default auto: bf16 autocast where the "
        "device computes bf16 natively, e.g. AMX CPUs, else fp32)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's, one per core)")
