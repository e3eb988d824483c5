"""The ``ganzoo`` argument parser: the global flags, then each command's module adds its own."""

from __future__ import annotations

import argparse

from . import bench, catalog, demo, evaluate, export, hub, plot, sampling, train


def _version() -> str:
    """ganzoo's version, without importing anything heavy."""
    from .. import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The ``ganzoo`` parser; each command's ``func`` default runs it."""
    parser = argparse.ArgumentParser(
        prog="ganzoo", description="A pluggable GAN model zoo for PyTorch."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    parser.add_argument("--version", action="version", version=f"ganzoo {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (catalog, train, sampling, evaluate, plot, bench, export, demo, hub):
        command.add_parsers(sub)
    return parser
