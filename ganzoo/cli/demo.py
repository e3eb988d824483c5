"""``ganzoo demo``: the web page to try the models."""

from __future__ import annotations

import argparse


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import launch

    launch(args.sources or None, host=args.host, port=args.port)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``demo``."""
    p = sub.add_parser("demo", help="a web page to try the models (needs ganzoo[demo])")
    p.add_argument(
        "sources",
        nargs="*",
        help="models to offer besides the local pretrained tags: run folders, "
        "checkpoints, model folders",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(func=_cmd_demo)
