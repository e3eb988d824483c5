"""The ``ganzoo`` command: list, info, train, sample, interpolate, translate, eval, plot, bench,
export, demo, hub push/pull."""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GanzooError, TrainingDiverged, speaking_to_cli
from .utils.threads import set_threads

if TYPE_CHECKING:
    import torch

    from .gan import GAN


def _cmd_list(args: argparse.Namespace) -> int:
    from .registry import find_entry, list_models

    names = list_models(args.pattern or "", pretrained=args.pretrained)
    for name in names:
        print(name if args.pretrained else f"{name:<10} {find_entry(name).description}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .factory import model_info

    print(json.dumps(model_info(args.name), indent=2))
    return 0


def _run_config(args: argparse.Namespace):  # -> RunConfig
    """The run the flags describe: a config file (or a model's defaults), then ``--set``
    assignments, then the flags (``--batch-size`` sets ``train.batch_size``, and so on)."""
    from .run import RunConfig, apply_overrides, load_run_config

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
        from .train.trackers import tracker_names

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
    from .registry import find_entry
    from .run import train
    from .train.resume_hint import resume_hint

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


def load_any(source: str, device: str = "cpu"):  # -> GANBase
    """A GAN from a checkpoint/run folder, a ganzoo model folder, a Hub repo id or a model.tag."""
    from .loading import load

    return load(source, device)


def trained_on(source: str) -> str | None:
    """The dataset a run folder, checkpoint, model folder or ``model.tag`` was trained on, when
    it is recorded (``run.yaml``'s data name, config.json's ``dataset``, the tag)."""
    from .hub import CONFIG_NAME, read_config
    from .train.checkpoint import run_record

    path = Path(source)
    record = run_record(path)
    if record:
        return (record.get("data") or {}).get("name")
    if (path / CONFIG_NAME).is_file():
        return read_config(path / CONFIG_NAME).get("dataset")
    if "." in source and "/" not in source and not path.exists():
        return source.split(".", 1)[1]
    return None


def _default_reference(source: str) -> str:
    """``--reference`` when not given: the dataset the source was trained on, if it is one of
    the references, else MNIST."""
    from .metrics.evaluate import _reference_key

    try:
        return _reference_key(trained_on(source) or "mnist")
    except (GanzooError, KeyError, ValueError, OSError):
        return "mnist"


def _held_out_split(args: argparse.Namespace) -> bool:
    """Pick ``--split`` when not given. A model trained on the embedded default data (MNIST's
    test split) is measured against MNIST's training split when it is on disk; otherwise this
    says loudly that the reference is its own training data (and returns True)."""
    from .metrics.evaluate import _reference_key

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
    from .data.datasets import default_data_root

    raw = (Path(data_root) if data_root else default_data_root()) / "MNIST" / "raw"
    return any(
        (raw / name).is_file() for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz")
    )


def _task_target(task: str) -> str:
    """The target domain of translation task ``task`` (its last dataset), else MNIST."""
    from .data.translation_tasks import TASK_ALIASES, TRANSLATION_TASKS

    datasets, _ = TRANSLATION_TASKS.get(TASK_ALIASES.get(task, task), (("mnist",), None))
    return datasets[-1]


def _load_noise_model(source: str, device: str | None, refusal: str) -> GAN:
    """``source`` loaded; a translator is refused with ``refusal`` and the command it needs."""
    from .gan import GAN

    gan = load_any(source, device)
    if not isinstance(gan, GAN):
        raise GanzooError(
            f"{gan.name} translates images and {refusal}: use "
            f"`ganzoo translate {source} IN_DIR OUT_DIR`."
        )
    return gan


def _cmd_sample(args: argparse.Namespace) -> int:
    from .utils.images import save_grid

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
    from .utils.images import save_sweep

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
    from .translate_files import translate_folder

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


def _cmd_eval(args: argparse.Namespace) -> int:
    from .metrics import evaluate
    from .metrics.evaluate import check_inputs
    from .metrics.neighbours import nearest_neighbours

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
        from .metrics.evaluate import translations

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
    from .errors import ConfigError

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
    from .data import load_image_folder
    from .errors import ConfigError
    from .metrics.classifier import classifier_dataset

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


def _model_args(items: list[str] | None) -> dict:
    from .config import load_yaml
    from .errors import ConfigError

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


def _cmd_plot(args: argparse.Namespace) -> int:
    from .plotting import metrics_file, read_history, require_matplotlib, save_plot

    require_matplotlib()
    history = read_history(args.run)
    path = save_plot(history, args.out or metrics_file(args.run).with_name("metrics.png"))
    fid = f", {sum(len(s) for s, _ in history.fid.values())} FID points" if history.fid else ""
    alerts = f", {len(history.alerts)} health alerts" if history.alerts else ""
    print(f"Drew {', '.join(history.losses) or 'no losses'}{fid}{alerts} of {args.run} into {path}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    import torch

    from .bench import environment, format_table, plot_results, run_suite, save_results
    from .bench.report import require_matplotlib, settings, speedup_text
    from .train import SpeedConfig

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


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import SUFFIXES, export_generator
    from .local_weights import load_source

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


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import launch

    launch(args.sources or None, host=args.host, port=args.port)
    return 0


def _cmd_hub_push(args: argparse.Namespace) -> int:
    from .hub import push_to_hub
    from .train.publishing import describe_run

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
    from .hub import pull, read_config

    folder = pull(args.repo_id, revision=args.revision, local_dir=args.out, token=args.token)
    config = read_config(folder / "config.json")
    print(
        f"Pulled {args.repo_id} ({config['model']}, {'x'.join(map(str, config['image_shape']))}) to {folder}"
    )
    return 0


def _version() -> str:
    """ganzoo's version, without importing anything heavy."""
    from . import __version__

    return __version__


def _add_speed_flags(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--precision",
        default=None if what == "training" else "auto",
        choices=["auto", "fp32", "bf16", "fp16"],
        help=f"numeric precision of {what} (default auto: bf16 autocast where the "
        "device computes bf16 natively, e.g. AMX CPUs, else fp32)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's, one per core)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ganzoo", description="A pluggable GAN model zoo for PyTorch."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    parser.add_argument("--version", action="version", version=f"ganzoo {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list registered models")
    p.add_argument("pattern", nargs="?", help="fnmatch pattern, e.g. '*gan*'")
    p.add_argument("--pretrained", action="store_true", help="list model.tag names with weights")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("info", help="show a model's architecture, objective and recipe")
    p.add_argument("name")
    p.set_defaults(func=_cmd_info)

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
    _add_speed_flags(p, "training")
    p.set_defaults(func=_cmd_train)

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
    _add_speed_flags(p, "sampling")
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
    _add_speed_flags(p, "the generator's sampling")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser(
        "plot", help="draw a run's losses, FID and health alerts against steps (PNG)"
    )
    p.add_argument("run", help="a run folder (the --out of ganzoo train) or its metrics.jsonl")
    p.add_argument("--out", help="output PNG (default RUN/metrics.png)")
    p.set_defaults(func=_cmd_plot)

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
    _add_speed_flags(p, "the measured step")
    p.set_defaults(func=_cmd_bench)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ganzoo`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s: %(message)s"
    )
    try:
        set_threads(getattr(args, "threads", None))
        with speaking_to_cli():
            return args.func(args)
    except GanzooError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
