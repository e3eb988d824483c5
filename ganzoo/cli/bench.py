"""``ganzoo bench``: training and sampling speed, and the command that reproduces it."""

from __future__ import annotations

import argparse
import shlex
import sys

from .flags import add_speed_flags


def _model_args(items: list[str] | None) -> dict:
    from ..config import load_yaml
    from ..errors import ConfigError

    args = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--model-arg {item!r} must look like key=value, e.g. width=32.")
        args[key] = load_yaml(raw)
    return args


def _bench_command(args: argparse.Namespace) -> str:
    """The full command that reproduces this benchmark, defaults spelled out."""
    parts = [
        "ganzoo",
        "bench",
        *args.models,
        "--device",
        args.device,
        "--batch-size",
        *map(str, args.batch_size),
        "--img-size",
        *map(str, args.img_size),
        "--channels",
        str(args.channels),
        "--precision",
        args.precision,
        "--steps",
        str(args.steps),
        "--rounds",
        str(args.rounds),
        "--warmup",
        str(args.warmup),
    ]
    flags = {
        "--channels-last": args.channels_last,
        "--compile": args.compile,
        "--fused-optimizers": args.fused_optimizers,
        "--dataloader": args.dataloader,
        "--no-reference": not args.reference,
    }
    parts += [flag for flag, on in flags.items() if on]
    parts += ["--threads", str(args.threads)] if args.threads else []
    parts += [f"--model-arg={item}" for item in args.model_arg or []]
    parts += ["--json", args.json] if args.json else []
    parts += ["--plot", args.plot] if args.plot else []
    return shlex.join(parts)


def _cmd_bench(args: argparse.Namespace) -> int:
    import torch

    from ..bench import environment, format_table, plot_results, run_suite, save_results
    from ..bench.report import require_matplotlib, settings, speedup_text
    from ..train import SpeedConfig

    if args.plot:
        require_matplotlib()  # fail before minutes of measuring, not after
    if args.device is None:
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.fast:
        args.precision = "bf16" if args.precision in ("fp32", "auto") else args.precision
        args.channels_last = args.compile = args.fused_optimizers = True
    speed = SpeedConfig(
        channels_last=args.channels_last or None,
        precision=args.precision,
        fused_optimizers=args.fused_optimizers or None,
        compile=args.compile,
        data_on_device=not args.dataloader,
    )

    def report(r) -> None:
        where = (
            f"{r.model} {r.channels}x{r.img_size}x{r.img_size} batch {r.batch_size} [{settings(r)}]"
        )
        if not r.ok:
            print(f"{where}: skipped ({r.skipped})", file=sys.stderr, flush=True)
            return
        ratio = f", {speedup_text(r)} the classic loop" if r.vs_reference else ""
        print(f"{where}: {r.images_per_s:,.1f} train img/s{ratio}", file=sys.stderr, flush=True)

    command = _bench_command(args)
    meta = {"command": command, **environment(args.device)}  # as the run starts
    print(f"{command}\non {meta['device']}; {meta['threads_note']}", file=sys.stderr, flush=True)
    results = run_suite(
        args.models,
        device=args.device,
        batch_sizes=args.batch_size,
        img_sizes=args.img_size,
        channels=args.channels,
        speed=speed,
        steps=args.steps,
        rounds=args.rounds,
        warmup=args.warmup,
        reference=args.reference,
        model_args=_model_args(args.model_arg),
        on_result=report,
    )
    print(format_table(results, markdown=args.markdown))
    finished = environment(args.device)
    meta["finished"] = finished["date"]
    if "load_average_1min" in finished:
        meta["load_average_1min_at_end"] = finished["load_average_1min"]
    if args.json:
        print(f"Wrote {save_results(args.json, results, meta)}", file=sys.stderr)
    if args.plot:
        title = f"ganzoo bench on {meta['device']}"
        for path in plot_results(results, args.plot, title=title):
            print(f"Wrote {path}", file=sys.stderr)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``bench``."""
    p = sub.add_parser(
        "bench", help="measure training and sampling speed, FLOPs and memory (docs/benchmarks.md)"
    )
    p.add_argument(
        "models",
        nargs="*",
        default=["dcgan"],
        help="model names or globs, e.g. dcgan 'wgan*' (default: dcgan)",
    )
    p.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: cuda if available)")
    p.add_argument("--batch-size", type=int, nargs="+", default=[64], help="one or several")
    p.add_argument("--img-size", type=int, nargs="+", default=[64], help="one or several")
    p.add_argument("--channels", type=int, default=3, help="image channels (default 3)")
    p.add_argument("--channels-last", action="store_true", help="channels_last memory format")
    p.add_argument("--compile", action="store_true", help="torch.compile both networks")
    p.add_argument("--fused-optimizers", action="store_true", help="fused Adam/AdamW/SGD")
    p.add_argument(
        "--dataloader",
        action="store_true",
        help="feed the trainer through a DataLoader, not device-resident data",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="all speed switches: bf16, channels_last, compile, fused optimizers",
    )
    p.add_argument("--steps", type=int, default=10, help="timed steps per round (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="timed rounds; rates use the median")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    p.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time the classic PyTorch DCGAN loop beside dcgan (default: on)",
    )
    p.add_argument(
        "--model-arg",
        action="append",
        metavar="KEY=VALUE",
        help="model constructor argument, e.g. --model-arg width=32",
    )
    p.add_argument("--json", metavar="PATH", help="write the results and environment as JSON")
    p.add_argument("--plot", metavar="DIR", help="write images/s plots (needs matplotlib)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    add_speed_flags(p, "the measured step")
    p.set_defaults(func=_cmd_bench)
