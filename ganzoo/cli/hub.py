"""``ganzoo hub push`` and ``hub pull``: the Hugging Face Hub."""

from __future__ import annotations

import argparse


def _cmd_hub_push(args: argparse.Namespace) -> int:
    from ..hub import push_to_hub
    from ..train.publishing import describe_run

    gan, extra, files = describe_run(args.run_dir, args.checkpoint)
    url = push_to_hub(
        gan,
        args.repo_id,
        token=args.token,
        private=args.private,
        tag=args.tag,
        dtype=args.dtype,
        commit_message=args.message,
        extra=extra,
        files=files,
    )
    print(f"Pushed {gan.name} from {args.run_dir} to {url}")
    return 0


def _cmd_hub_pull(args: argparse.Namespace) -> int:
    from ..hub import pull, read_config

    folder = pull(args.repo_id, revision=args.revision, local_dir=args.out, token=args.token)
    config = read_config(folder / "config.json")
    print(
        f"Pulled {args.repo_id} ({config['model']}, {'x'.join(map(str, config['image_shape']))}) to {folder}"
    )
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``hub`` with ``push`` and ``pull``."""
    hub = sub.add_parser("hub", help="publish to / download from the Hugging Face Hub")
    hub_sub = hub.add_subparsers(dest="hub_command", required=True)
    p = hub_sub.add_parser("push", help="upload a trained run as a ganzoo model repo")
    p.add_argument("run_dir")
    p.add_argument("repo_id", help="user/repo")
    p.add_argument("--token", help="Hub token (default: the logged-in one / $HF_TOKEN)")
    p.add_argument("--private", action="store_true")
    p.add_argument("--tag", help="also create this tag on the new commit (a pinnable revision)")
    p.add_argument(
        "--dtype",
        default="float16",
        choices=["float32", "float16", "bfloat16"],
        help="dtype of generator.safetensors (model.safetensors stays float32)",
    )
    p.add_argument("--message", help="commit message")
    p.add_argument(
        "--checkpoint",
        default="auto",
        choices=["auto", "best", "last"],
        help="the weights to publish: best.pt (lowest periodic FID, runs with --fid-every), "
        "last.pt, or auto (best if the run kept one)",
    )
    p.set_defaults(func=_cmd_hub_push)
    p = hub_sub.add_parser("pull", help="download a ganzoo model repo (checks sha256)")
    p.add_argument("repo_id")
    p.add_argument("--revision")
    p.add_argument("--out", help="copy the files into this folder (default: just the HF cache)")
    p.add_argument("--token")
    p.set_defaults(func=_cmd_hub_pull)
