"""``ganzoo eval``: a model's metrics against a reference dataset or folder of images."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import GanzooError
from .flags import add_speed_flags
from .sources import load_any, trained_on

if TYPE_CHECKING:
    import torch

    from ..gan import GAN


def _default_reference(source: str) -> str:
    """``--reference`` when not given: the dataset the source was trained on, if it is one of
    the references, else MNIST."""
    from ..metrics.evaluate import _reference_key

    try:
        return _reference_key(trained_on(source) or "mnist")
    except (GanzooError, KeyError, ValueError, OSError):
        return "mnist"


def _held_out_split(args: argparse.Namespace) -> bool:
    """Pick ``--split`` when not given. A model trained on the embedded default data (MNIST's
    test split) is measured against MNIST's training split when it is on disk; otherwise this
    says loudly that the reference is its own training data (and returns True)."""
    from ..metrics.evaluate import _reference_key

    embedded = not args.translate and (trained_on(args.source) or "") in ("default", "embedded")
    mnist = _reference_key(args.reference) in ("mnist", "default")
    if args.split is None:
        args.split = "test"
        if embedded and mnist and _mnist_train_on_disk(args.data_root):
            args.split = "train"
            note = "was trained on MNIST's test split (the embedded default): comparing it with"
            print(f"{args.source} {note} MNIST's training split instead.", file=sys.stderr)
    if embedded and mnist and args.split == "test":
        print(
            f"WARNING: {args.source} was trained on the embedded default data, MNIST's test "
            "split, which is also this reference: these numbers measure how well it fits its own "
            "training images, not held-out ones. For held-out images put MNIST under --data-root "
            "and pass --split train.",
            file=sys.stderr,
        )
        return True
    return False


def _mnist_train_on_disk(data_root: str | None) -> bool:
    """Whether MNIST's training images are under ``data_root`` (torchvision's layout), so that
    using them needs no download."""
    from ..data.datasets import default_data_root

    raw = (Path(data_root) if data_root else default_data_root()) / "MNIST" / "raw"
    return any(
        (raw / name).is_file() for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz")
    )


def _task_target(task: str) -> str:
    """The target domain of translation task ``task`` (its last dataset), else MNIST."""
    from ..data.translation_tasks import TASK_ALIASES, TRANSLATION_TASKS

    datasets, _ = TRANSLATION_TASKS.get(TASK_ALIASES.get(task, task), (("mnist",), None))
    return datasets[-1]


def _cmd_eval(args: argparse.Namespace) -> int:
    from ..metrics import evaluate
    from ..metrics.evaluate import check_inputs
    from ..metrics.neighbours import nearest_neighbours

    gan = load_any(args.source, args.device)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if args.reference is None:
        args.reference = (
            _task_target(args.translate) if args.translate else _default_reference(args.source)
        )
    folder = _reference_folder(args.reference)
    reference, classifier, own_data = args.reference, args.classifier, False
    if folder is None:
        own_data = _held_out_split(args)  # #20: never judge a model silently on its training images
    else:
        reference, classifier = _folder_reference(args, gan, folder)
    extractor = check_inputs(  # built once here, reused by evaluate below
        None if args.translate else gan,
        reference=reference,
        classifier=classifier,
        metrics=metrics,
        extractor=args.extractor,
        n=args.n,
        n_reference=args.n,
        split=args.split,
        data_root=args.data_root,
        device=args.device,
        feature_precision=args.feature_precision,
    )
    subject = gan
    if args.translate:
        from ..metrics.evaluate import translations

        subject = translations(
            gan, args.translate, args.n, split=args.split, data_root=args.data_root
        )
    result = evaluate(
        subject,
        reference=reference,
        classifier=classifier,
        metrics=metrics,
        extractor=extractor,
        n=args.n,
        split=args.split,
        data_root=args.data_root,
        device=args.device,
        seed=args.seed,
        progress=True,
        precision=args.precision,
        feature_precision=args.feature_precision,
    )
    result["source"] = args.source
    if folder is not None:
        result["reference"] = f"the images in {folder}"
    if own_data:
        result["reference_is_training_data"] = True
    if args.translate:
        result["translated"] = f"{args.translate} ({args.split} split sources)"
    print(
        f"{args.source}: {result['n']} samples vs {result['n_reference']} of {result['reference']}; "
        f"features: {result['extractor']}"
    )
    flagged = result.get("unreliable", {})
    for key, value in result.items():
        mark = "  (unreliable)" if key in flagged else ""
        if isinstance(value, float):
            print(f"  {key:<22} {value:.4f}{mark}")
        elif key in ("classes_covered",):
            print(f"  {key:<22} {value}{mark}")
    if flagged:
        print(f"warning: {', '.join(flagged)} are unreliable: {next(iter(flagged.values()))}.")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
        print(f"Wrote {args.out}")
    if args.nn_figure:
        path = nearest_neighbours(
            gan, args.nn_figure, reference=args.reference, data_root=args.data_root
        )
        print(f"Wrote the nearest-neighbour figure to {path}")
    return 0


def _reference_folder(reference: str) -> Path | None:
    """``--reference`` as a folder of images, or None where it names a dataset."""
    from ..errors import ConfigError

    path = Path(reference).expanduser()
    if path.is_dir():
        return path
    if "/" in reference or reference.startswith((".", "~")):
        raise ConfigError(
            f"--reference folder {reference!r} does not exist; pass a folder of images, or "
            "mnist | fashion-mnist."
        )
    return None


def _folder_reference(
    args: argparse.Namespace, gan: GAN, folder: Path
) -> tuple[torch.Tensor, str | None]:
    """The images in ``folder`` at the generator's shape, and the classifier to measure with
    (``--classifier``, else the dataset the source was trained on or translates to, if one has
    a classifier)."""
    from ..data import load_image_folder
    from ..errors import ConfigError
    from ..metrics.classifier import classifier_dataset

    if args.nn_figure:
        raise ConfigError(
            "--nn-figure looks up neighbours in a dataset; use --reference mnist or "
            "fashion-mnist with it."
        )
    channels, size, _ = gan.image_shape
    images = load_image_folder(folder, size, channels, limit=args.n)
    if args.classifier:
        return images, args.classifier
    try:
        trained = _task_target(args.translate) if args.translate else trained_on(args.source)
    except (GanzooError, KeyError, ValueError, OSError):
        trained = None
    return images, classifier_dataset(trained) if trained else None


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``eval``."""
    p = sub.add_parser(
        "eval", help="FID, KID, IS, precision/recall, density/coverage, class coverage"
    )
    p.add_argument(
        "source", help="a checkpoint .pt, a run folder, a model folder, user/repo or model.tag"
    )
    p.add_argument("--metrics", default="fid,kid,is,pr,dc,coverage", help="comma-separated subset")
    p.add_argument(
        "--n", type=int, default=10_000, help="generated samples (and reference samples)"
    )
    p.add_argument(
        "--reference",
        default=None,
        help="mnist | fashion-mnist, or a folder of images (default: the dataset the source "
        "was trained on, or --translate's target domain, else mnist)",
    )
    p.add_argument(
        "--classifier",
        choices=["mnist", "fashion-mnist"],
        help="with a folder --reference: whose classifier gives IS, class coverage and the "
        "classifier features (default: the source's dataset, where it has one)",
    )
    p.add_argument(
        "--extractor",
        default="classifier",
        choices=["classifier", "inception"],
        help="feature space of fid/kid/pr/dc: our offline classifier or Inception-v3 pool3 "
        '(pip install "ganzoo[inception]"); is/coverage always use the classifier',
    )
    split_help = "reference split (default: test; for a model trained on the embedded default "
    split_help += "data, MNIST's train split when it is on disk)"
    p.add_argument("--split", choices=["train", "test"], help=split_help)
    p.add_argument("--data-root", help="where torchvision datasets live (default $GANZOO_DATA)")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--nn-figure", help="also write a nearest-neighbour (memorisation) figure here")
    p.add_argument(
        "--translate",
        metavar="TASK",
        help="for pix2pix/cyclegan: evaluate translations of TASK's sources "
        "(e.g. edges2mnist; --reference names the target domain)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--feature-precision",
        default="fp32",
        choices=["fp32", "bf16"],
        help="bf16: Inception features under bf16 autocast, faster on AMX CPUs and "
        "recent GPUs; moves FID slightly (published FIDs use fp32)",
    )
    add_speed_flags(p, "the generator's sampling")
    p.set_defaults(func=_cmd_eval)
