"""``ganzoo list`` and ``ganzoo info``: the registered models."""

from __future__ import annotations

import argparse
import json


def _cmd_list(args: argparse.Namespace) -> int:
    from ..registry import find_entry, list_models

    names = list_models(args.pattern or "", pretrained=args.pretrained)
    for name in names:
        print(name if args.pretrained else f"{name:<10} {find_entry(name).description}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from ..factory import model_info

    print(json.dumps(model_info(args.name), indent=2))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``list`` and ``info``."""
    p = sub.add_parser("list", help="list registered models")
    p.add_argument("pattern", nargs="?", help="fnmatch pattern, e.g. '*gan*'")
    p.add_argument("--pretrained", action="store_true", help="list model.tag names with weights")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("info", help="show a model's architecture, objective and recipe")
    p.add_argument("name")
    p.set_defaults(func=_cmd_info)
