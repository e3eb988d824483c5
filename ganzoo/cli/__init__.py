"""The ``ganzoo`` command: list, info, train, sample, interpolate, translate, eval, plot, bench,
export, demo, hub push/pull, one module per command group."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from ..errors import GanzooError, speaking_to_cli
from ..utils.threads import set_threads
from .parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ganzoo`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s: %(message)s"
    )
    try:
        set_threads(getattr(args, "threads", None))
        with speaking_to_cli():
            status = args.func(args)
        sys.stdout.flush()  # a reader gone early shows here, when stdout is a buffered pipe
        return status
    except GanzooError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`ganzoo list | head`): stop quietly, as Unix tools do, and keep
        # Python from complaining again when it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
