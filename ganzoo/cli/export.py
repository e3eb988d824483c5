"""``ganzoo export``: a generator as ONNX, TorchScript or torch.export."""

from __future__ import annotations

import argparse
from pathlib import Path


def _cmd_export(args: argparse.Namespace) -> int:
    from ..export import SUFFIXES, export_generator
    from ..local_weights import load_source

    gan = load_source(args.source)
    stem = Path(args.source.rstrip("/")).name.replace(".", "-") or gan.name
    out = Path(args.out or f"{stem}{SUFFIXES[args.format]}")
    path = export_generator(gan, out, args.format, truncation=args.truncation)
    inputs = (
        "source images"
        if getattr(gan, "source_shape", None)
        else "z" + (", labels" if gan.num_classes else "")
    )
    print(
        f"Exported {gan.name}'s generator ({inputs} -> images in [-1, 1]) as {args.format} to {path}"
    )
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``export``."""
    p = sub.add_parser("export", help="export a generator as ONNX, TorchScript or torch.export")
    p.add_argument(
        "source", help="model.tag, a model folder, a run folder, a checkpoint .pt or user/repo"
    )
    p.add_argument("--format", default="onnx", choices=["onnx", "torchscript", "exported-program"])
    p.add_argument("--out", help="output file (default: SOURCE + the format's suffix)")
    p.add_argument(
        "--truncation",
        type=float,
        metavar="PSI",
        help="bake truncation psi into a style-based generator (stylegan)",
    )
    p.set_defaults(func=_cmd_export)
