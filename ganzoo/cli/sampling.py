"""``ganzoo sample``, ``interpolate`` and ``translate``: images from a trained model."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..errors import GanzooError
from .flags import add_speed_flags
from .sources import load_any

if TYPE_CHECKING:
    from ..gan import GAN


def _load_noise_model(source: str, device: str | None, refusal: str) -> GAN:
    """``source`` loaded; a translator is refused with ``refusal`` and the command it needs."""
    from ..gan import GAN

    gan = load_any(source, device)
    if not isinstance(gan, GAN):
        raise GanzooError(
            f"{gan.name} translates images and {refusal}: use "
            f"`ganzoo translate {source} IN_DIR OUT_DIR`."
        )
    return gan


def _cmd_sample(args: argparse.Namespace) -> int:
    from ..utils.images import save_grid

    gan = _load_noise_model(args.checkpoint, args.device, "cannot sample from noise")
    labels = [int(x) for x in args.labels.split(",")] * args.n if args.labels else None
    images = gan.sample(
        args.n,
        labels=labels[: args.n] if labels else None,
        seed=args.seed,
        truncation=args.truncation,
        precision=args.precision,
    )
    path = save_grid(images, args.out, nrow=args.nrow or (gan.num_classes or None))
    print(f"Wrote {args.n} samples from {gan.name} to {path}")
    return 0


def _cmd_interpolate(args: argparse.Namespace) -> int:
    from ..utils.images import save_sweep

    gan = _load_noise_model(args.source, args.device, "has no latent space to walk")
    if args.classes:
        images = gan.class_sweep(args.points, seed=args.seed, truncation=args.truncation)
        nrow, what = gan.num_classes, f"{args.points} codes in each of {gan.num_classes} classes"
    else:
        images = gan.interpolate(
            args.steps,
            points=args.points,
            seed=args.seed,
            label=args.label,
            truncation=args.truncation,
        )
        nrow, what = len(images), f"a walk of {len(images)} images through {args.points} points"
    path = save_sweep(images, args.out, nrow, scale=args.scale, bounce=not args.classes)
    print(f"Wrote {what} from {gan.name} to {path}")
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    from ..translate_files import translate_folder

    gan = load_any(args.checkpoint, args.device)
    written = translate_folder(
        gan,
        args.in_dir,
        args.out_dir,
        direction=args.direction,
        batch_size=args.batch_size,
        keep_size=args.keep_size,
    )
    print(
        f"Translated {len(written)} images with {gan.name} ({args.direction}) into {args.out_dir}"
    )
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``sample``, ``interpolate`` and ``translate``."""
    p = sub.add_parser(
        "sample", help="write a grid of samples from a checkpoint or pretrained model"
    )
    p.add_argument(
        "checkpoint", help="a checkpoint .pt, a run folder, a model folder, user/repo or model.tag"
    )
    p.add_argument("--n", type=int, default=64, help="number of samples")
    p.add_argument("--out", default="grid.png", help="output PNG")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--labels", help="class ids for a conditional model, e.g. 3 or 0,1,2 (cycled)")
    p.add_argument("--nrow", type=int, help="images per row")
    p.add_argument(
        "--truncation",
        type=float,
        metavar="PSI",
        help="truncation psi in [0, 1] (style-based models such as stylegan)",
    )
    p.add_argument("--device", default="cpu")
    add_speed_flags(p, "sampling")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser(
        "interpolate",
        help="walk a model's latent space (or sweep its classes) into a GIF or a PNG strip",
    )
    p.add_argument(
        "source", help="a checkpoint .pt, a run folder, a model folder, user/repo or model.tag"
    )
    p.add_argument("--out", default="walk.gif", help="output .gif (animated) or .png (a strip)")
    p.add_argument("--steps", type=int, default=8, help="images per leg, both ends included")
    p.add_argument("--points", type=int, default=2, help="waypoints (with --classes: codes)")
    p.add_argument("--seed", type=int, default=0, help="the waypoints are sample(points, seed)'s")
    p.add_argument("--label", type=int, help="class of the walk for a conditional model (0)")
    p.add_argument(
        "--classes",
        action="store_true",
        help="sweep every class with the same codes (conditional models) instead of walking",
    )
    p.add_argument(
        "--truncation",
        type=float,
        metavar="PSI",
        help="truncation psi in [0, 1] (style-based models such as stylegan)",
    )
    p.add_argument("--scale", type=int, default=1, help="enlarge each image N times (nearest)")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=_cmd_interpolate)

    p = sub.add_parser(
        "translate", help="translate a folder of images with a pix2pix / cyclegan model"
    )
    p.add_argument(
        "checkpoint", help="a checkpoint .pt, a run folder, a model folder, user/repo or model.tag"
    )
    p.add_argument("in_dir", help="folder of input images (png, jpg, bmp, webp)")
    p.add_argument("out_dir", help="where to write the translations (same names, .png)")
    p.add_argument(
        "--direction", default="a2b", choices=["a2b", "b2a"], help="b2a runs a CycleGAN backwards"
    )
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--keep-size", action="store_true", help="resize outputs to the inputs' sizes")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=_cmd_translate)
