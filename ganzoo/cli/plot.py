"""``ganzoo plot``: a run's logged curves drawn into a PNG."""

from __future__ import annotations

import argparse


def _cmd_plot(args: argparse.Namespace) -> int:
    from ..plotting import metrics_file, read_history, require_matplotlib, save_plot

    require_matplotlib()
    history = read_history(args.run)
    path = save_plot(history, args.out or metrics_file(args.run).with_name("metrics.png"))
    fid = f", {sum(len(s) for s, _ in history.fid.values())} FID points" if history.fid else ""
    alerts = f", {len(history.alerts)} health alerts" if history.alerts else ""
    print(f"Drew {', '.join(history.losses) or 'no losses'}{fid}{alerts} of {args.run} into {path}")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``plot``."""
    p = sub.add_parser(
        "plot", help="draw a run's losses, FID and health alerts against steps (PNG)"
    )
    p.add_argument("run", help="a run folder (the --out of ganzoo train) or its metrics.jsonl")
    p.add_argument("--out", help="output PNG (default RUN/metrics.png)")
    p.set_defaults(func=_cmd_plot)
