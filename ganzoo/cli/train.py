"""``ganzoo train``: a run from a model name or a config file, and the flags over it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import TrainingDiverged
from .flags import add_speed_flags


def _run_config(args: argparse.Namespace):  # -> RunConfig
    """The run the flags describe: a config file (or a model's defaults), then ``--set``
    assignments, then the flags (``--batch-size`` sets ``train.batch_size``, and so on)."""
    from ..run import RunConfig, apply_overrides, load_run_config

    target = args.target
    if target.endswith((".yaml", ".yml")) or Path(target).is_file():
        config = load_run_config(target)
    else:
        config = RunConfig(model=target)
    config = apply_overrides(config, list(args.set or []))
    for flag, field in _TRAIN_FLAGS.items():
        if getattr(args, flag) is not None:
            config.train = config.train.updated(**{field: getattr(args, flag)})
    if args.no_progress:
        config.train = config.train.updated(progress=False)
    flag_keys = {
        "dataset": "data.name",
        "data_root": "data.root",
        "out": "out_dir",
        "img_size": "model_args.img_size",
        "channels": "model_args.channels",
        "objective": "model_args.objective",
        "precision": "train.speed.precision",
    }
    sets = [
        f"{key}={getattr(args, flag)}"
        for flag, key in flag_keys.items()
        if getattr(args, flag) is not None
    ]
    config = apply_overrides(config, sets) if sets else config
    if args.tensorboard:
        config.train = config.train.updated(tensorboard=True)
    if args.tracker:
        from ..train.trackers import tracker_names

        names = tracker_names([n for item in args.tracker for n in item.split(",")])
        config.train = config.train.updated(tracker=list(names))
    return config


# ``ganzoo train`` flags that set a field of the run's TrainConfig directly.
_TRAIN_FLAGS = {
    "steps": "steps",
    "batch_size": "batch_size",
    "seed": "seed",
    "device": "device",
    "sample_every": "sample_every",
    "checkpoint_every": "checkpoint_every",
    "keep_every": "keep_every",
    "log_every": "log_every",
    "fid_every": "fid_every",
    "fid_samples": "fid_samples",
    "fid_features": "fid_features",
    "diffaugment": "diffaugment",
}


def _cmd_train(args: argparse.Namespace) -> int:
    from ..registry import find_entry
    from ..run import train
    from ..train.resume_hint import resume_hint

    config = _run_config(args)
    out = Path(config.out_dir or Path("runs") / find_entry(config.model).name)
    try:
        result = train(config, resume=args.resume, resume_from=args.resume_from)
    except TrainingDiverged as err:
        raise TrainingDiverged(f"{err} {resume_hint(out, changes=True)}") from None
    if result.interrupted:
        print(
            f"Interrupted at step {result.step}; checkpoint saved to {result.checkpoint}.\n"
            f"{resume_hint(out, changes=result.stopped_by is not None)}",
            file=sys.stderr,
        )
        return 130
    print(
        f"Trained {result.step} steps.\n  samples:    {out / 'samples.png'}\n"
        f"  progress:   {out / 'progress.gif'}\n  checkpoint: {result.checkpoint}\n"
        f"  log:        {out / 'metrics.jsonl'}"
    )
    if result.best_step is not None:
        best = out / "checkpoints" / "best.pt"
        print(f"  best:       {best} (step {result.best_step}, FID {result.best_fid:.3f})")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``train``."""
    p = sub.add_parser("train", help="train a model by name or from a YAML config")
    p.add_argument("target", help="model name (e.g. dcgan) or a zoo_configs/*.yaml file")
    p.add_argument(
        "--dataset",
        help="default | mnist | fashion-mnist | cifar10 | celeba | PATH to an image folder",
    )
    p.add_argument("--data-root", help="where torchvision datasets live (default $GANZOO_DATA)")
    p.add_argument("--steps", type=int, help="generator steps")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--out", help="run folder (default runs/MODEL)")
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: cuda if available)")
    p.add_argument("--img-size", type=int, help="image size (default: the data's)")
    p.add_argument("--channels", type=int, help="image channels (default: the data's)")
    p.add_argument("--objective", help="adversarial loss, e.g. hinge, least-squares, wasserstein")
    p.add_argument("--sample-every", type=int)
    p.add_argument("--checkpoint-every", type=int)
    p.add_argument(
        "--keep-every",
        type=int,
        metavar="N",
        help="also keep checkpoints/step_NNNNNNN.pt every N steps (later ones do not replace it)",
    )
    p.add_argument("--log-every", type=int)
    p.add_argument(
        "--fid-every",
        type=int,
        metavar="N",
        help="every N steps, the FID of --fid-samples samples vs the test split (mnist / "
        "fashion-mnist data) in --fid-features space; keeps checkpoints/best.pt",
    )
    p.add_argument("--fid-samples", type=int, metavar="N", help="samples per FID (default 2000)")
    p.add_argument(
        "--fid-features",
        choices=["classifier", "inception"],
        help="feature space of the periodic FID: the shipped classifier (default, cheap) or "
        "Inception-v3 (the published metric; needs ganzoo[inception], slow on a CPU)",
    )
    p.add_argument(
        "--diffaugment",
        metavar="POLICY",
        help="DiffAugment before every discriminator call: a comma list of "
        "translation, cutout, color (e.g. translation,cutout)",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override any config key, e.g. --set recipe.g_optimizer.lr=1e-4",
    )
    p.add_argument(
        "--resume", action="store_true", help="continue the run in --out from its last checkpoint"
    )
    p.add_argument(
        "--resume-from",
        metavar="CHECKPOINT",
        help="start a new run in an empty --out from another run's checkpoint (e.g. one kept by "
        "--keep-every) with this run's steps; its log starts with the source run's rows",
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--tensorboard", action="store_true", help="also log to OUT/tensorboard")
    p.add_argument(
        "--tracker",
        action="append",
        metavar="NAME[,NAME]",
        help="experiment trackers: tensorboard, wandb (offline, OUT/wandb), csv "
        "(OUT/tracker/*.csv); repeat or comma-separate",
    )
    add_speed_flags(p, "training")
    p.set_defaults(func=_cmd_train)
