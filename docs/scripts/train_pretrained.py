"""Train the published checkpoints with their zoo_configs recipes and lay each out as a Hub repo.

    python docs/scripts/train_pretrained.py --data-root data
    python docs/scripts/train_pretrained.py --data-root data --only dcgan_mnist   # one of them

Each run goes to runs/pretrained/<config>/ (resumed if it exists); its best checkpoint (runs
with ``fid_every`` keep one, see ``ganzoo.train.periodic_fid``) or else its last is exported with
`ganzoo.hub.export_folder` to pretrained/<model>-<dataset>/ (fp16 generator, config.json with
sha256, samples.png, progress.gif, recipe.yaml, model card) and recorded in
ganzoo/pretrained.json (repo id, pinned revision tag, sha256). Upload a folder with
`hf upload ganzoo/<model>-<dataset> pretrained/<model>-<dataset>` and tag it with the revision
pinned there (`v1`, then `v2` for new weights, ...).
A run whose health monitor flags the step to publish (mode collapse, a dead discriminator, ...),
or whose samples there cover fewer than ``class_fraction`` of a labelled dataset's classes (the
monitor only alerts on a fall from above it), is not published unless ``--allow-alerts``; when
only the best checkpoint is flagged, the last is published if it is sound.

    python docs/scripts/train_pretrained.py --data-root data --only dcgan_mnist --seed 1

trains a replicate of a recipe with another seed into runs/seeds/<config>/seed<N>/ (resumed if
it exists) and publishes nothing: ``docs/scripts/zoo_fid.py --seed-runs`` measures it beside the
published tag (seed 0), for the headline rows' mean and spread over seeds.

    mv runs/pretrained/lsgan_mnist runs/lsgan_mnist.40k
    python docs/scripts/train_pretrained.py --data-root data --only lsgan_mnist \
        --resume-from runs/lsgan_mnist.40k/checkpoints/step_0020000.pt

trains a recipe made longer (``recipe.steps``) from a checkpoint its shorter run kept before its
learning rates began to decay: it ends where the longer recipe trained from scratch would
(``ganzoo.train.kept_checkpoints``), so the published card's reproduce command stays the same.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import shutil
import sys
from pathlib import Path

import ganzoo
from ganzoo.hub import GENERATOR_WEIGHTS, export_folder, sha256_of
from ganzoo.metrics import CLASSIFIER_CLASSES, classifier_dataset
from ganzoo.run import RunConfig, apply_overrides, load_run_config, train
from ganzoo.train.health import HealthConfig
from ganzoo.train.publishing import describe_run, published_checkpoint
from ganzoo.utils.files import atomic_write

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = [
    "dcgan_mnist",
    "dcgan_fashion_mnist",
    "cgan_mnist",
    "cgan_fashion_mnist",
    "wgan_gp_mnist",
    "wgan_gp_fashion_mnist",
    "acgan_mnist",
    "began_mnist",
    "began_fashion_mnist",
    "ebgan_mnist",
    "stylegan_mnist",
    "sngan_mnist",
    "acgan_fashion_mnist",
    "ebgan_fashion_mnist",
    "stylegan_fashion_mnist",
    "sngan_fashion_mnist",
    "lsgan_mnist",
    "lsgan_fashion_mnist",
    "vanilla_mnist",
    "vanilla_fashion_mnist",
    "wgan_mnist",
    "wgan_fashion_mnist",
    "sagan_mnist",
    "sagan_fashion_mnist",
    "pix2pix_edges2mnist",
    "pix2pix_edges2fashion",
    "cyclegan_thin2thick",
    "cyclegan_mnist2fashion",
]
FIRST_REVISION = "v1"


def revision_after(previous: dict | None, sha256: str) -> str:
    """The Hub tag to pin for a (re)published tag: unchanged weights keep their revision, new
    weights get the next one (``v1`` -> ``v2``), since a Hub tag names one commit for good and a
    cache keyed by revision must never hold two different files."""
    if previous is None:
        return FIRST_REVISION
    if previous.get("sha256") == sha256:
        return previous["revision"]
    return f"v{int(previous['revision'].removeprefix('v')) + 1}"


def alerts_at(run_dir: Path, step: int, min_classes: int = 0) -> list[str]:
    """The health alerts active in the run's last log row at or before ``step`` (``[]`` when
    the run was healthy there), plus ``classes_covered N`` when the last class count logged by
    then is under ``min_classes``."""
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    before = [row for row in rows if row.get("step", 0) <= step]
    alerts = list(before[-1].get("health") or []) if before else []
    counted = [row["classes_covered"] for row in before if "classes_covered" in row]
    if counted and counted[-1] < min_classes:
        alerts.append(f"classes_covered {counted[-1]}")
    return alerts


def fewest_classes(dataset: str) -> int:
    """Classes a publishable sample of ``dataset`` must cover (0 where none are labelled)."""
    if classifier_dataset(dataset) is None:
        return 0
    return math.ceil(HealthConfig().class_fraction * CLASSIFIER_CLASSES)


def train_recipe(
    name: str,
    data_root: str,
    overrides: list[str],
    out_dir: Path,
    resume_from: Path | None = None,
) -> RunConfig:
    """Train (or resume) ``zoo_configs/<name>.yaml`` with ``overrides`` into ``out_dir``.

    ``resume_from`` starts the run from a checkpoint another run kept (a branch); ``out_dir``
    must not hold a run then.
    """
    config = apply_overrides(
        load_run_config(ROOT / "zoo_configs" / f"{name}.yaml"), list(overrides)
    )
    config.data.root = data_root
    config.out_dir = str(out_dir)
    config.source = f"zoo_configs/{name}.yaml"
    checkpoint = out_dir / "checkpoints" / "last.pt"
    if resume_from is not None and checkpoint.exists():
        raise SystemExit(
            f"{name}: {out_dir} already holds a run; move it aside to branch from {resume_from}, "
            "or rerun without --resume-from to continue it."
        )
    resume = checkpoint.exists()  # an interrupted branch, too, is resumed without resume_from
    if not train(config, resume=resume, resume_from=resume_from, progress=False).interrupted:
        return config
    raise SystemExit(f"{name}: interrupted; rerun (without --resume-from) to resume it.")


def replicate(name: str, data_root: str, seed: int, overrides: list[str] = ()) -> Path:
    """Train a replicate of recipe ``name`` with ``seed`` into runs/seeds/<name>/seed<N>/."""
    if seed == 0:
        raise SystemExit("seed 0 is the published run itself; replicates take other seeds.")
    out_dir = ROOT / "runs" / "seeds" / name / f"seed{seed}"
    train_recipe(name, data_root, [*overrides, f"train.seed={seed}"], out_dir)
    print(f"{name} seed {seed}: {out_dir} (measure: python docs/scripts/zoo_fid.py --seed-runs)")
    return out_dir


def publish(
    name: str,
    data_root: str,
    overrides: list[str] = (),
    allow_alerts: bool = False,
    resume_from: Path | None = None,
) -> tuple[str, dict]:
    out_dir = ROOT / "runs" / "pretrained" / name
    config = train_recipe(name, data_root, overrides, out_dir, resume_from)
    run_dir, need = Path(config.out_dir), fewest_classes(config.data.name)
    gan, extra, files = describe_run(run_dir)
    published = extra["training"]["steps"]  # the step of the checkpoint to publish
    alerts = alerts_at(run_dir, published, need)
    if alerts and published_checkpoint(run_dir).name == "best.pt":  # is last.pt sound?
        print(f"{name}: the best step {published} had {alerts}; trying the last checkpoint")
        gan, extra, files = describe_run(run_dir, checkpoint="last")
        published = extra["training"]["steps"]
        alerts = alerts_at(run_dir, published, need)
    if alerts and not allow_alerts:
        raise SystemExit(
            f"{name}: not published, its step {published} had health alerts {alerts}; look at "
            f"{config.out_dir}/samples and fix the recipe (--allow-alerts publishes it anyway)."
        )
    extra["command"] = " ".join(
        [
            f"ganzoo train zoo_configs/{name}.yaml --data-root DATA_ROOT",
            *(f"--set {o}" for o in overrides),
        ]
    )
    extra["license"] = "apache-2.0"
    model = ganzoo.create(config.model).name
    repo_id = f"ganzoo/{model}-{config.data.name}"
    folder = ROOT / "pretrained" / repo_id.split("/")[1]
    shutil.rmtree(folder, ignore_errors=True)
    export_folder(gan, folder, repo_id, dtype="float16", full=False, extra=extra, files=files)
    tag = f"{model}.{config.data.name.replace('-', '_')}"
    entry = {
        "hf_hub_id": repo_id,
        "sha256": sha256_of(folder / GENERATOR_WEIGHTS),
        "filename": GENERATOR_WEIGHTS,
        "local_folder": f"pretrained/{folder.name}",
    }
    print(
        f"{tag}: {folder} ({extra['training']['training time']}, {extra['training']['hardware']})"
    )
    return tag, entry


def pin(index_path: Path, tag: str, entry: dict) -> dict:
    """Record ``entry`` as ``tag`` in the index with its Hub revision (see ``revision_after``).

    Reads, updates and atomically rewrites the index under a lock, so runs that finish at the
    same time each add their tag. A model's first tag in ``PUBLISHED`` order is its default.
    """
    lock_path = ROOT / "runs" / f".{index_path.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        index = json.loads(index_path.read_text()) if index_path.exists() else {}
        revision = revision_after(index.get(tag), entry["sha256"])
        pinned = {"hf_hub_id": entry["hf_hub_id"], "revision": revision, **entry}
        index[tag] = pinned
        ordered = {t: index[t] for t in sorted(index, key=_published_order)}
        text = json.dumps(ordered, indent=2) + "\n"
        atomic_write(index_path, lambda tmp: Path(tmp).write_text(text))
    return pinned


def _published_order(tag: str) -> int:
    model, dataset = tag.split(".")
    name = f"{model.replace('-', '_')}_{dataset}"
    return PUBLISHED.index(name) if name in PUBLISHED else len(PUBLISHED)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data-root",
        required=True,
        help="folder with MNIST/ and FashionMNIST/ (torchvision layout)",
    )
    parser.add_argument(
        "--only", action="append", help="config name(s) to (re)do, e.g. dcgan_mnist"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value of every run, e.g. speed.precision=bf16",
    )
    parser.add_argument(
        "--allow-alerts",
        action="store_true",
        help="publish a run even if it ended with health alerts (mode collapse, ...)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="train a replicate with this seed into runs/seeds/ instead of publishing",
    )
    parser.add_argument(
        "--resume-from",
        type=Path,
        metavar="CHECKPOINT",
        help="start the run (one --only, its run folder moved aside) from a checkpoint another run "
        "kept, e.g. before its learning-rate decay, to train a longer recipe (training.md)",
    )
    args = parser.parse_args()
    if args.resume_from is not None and (not args.only or len(args.only) != 1):
        parser.error("--resume-from needs exactly one --only: the recipe it branches")
    if args.resume_from is not None and args.seed is not None:
        parser.error("--resume-from branches a published run; replicates (--seed) start fresh")
    if args.seed is not None:
        if not args.only:
            parser.error("--seed needs --only: the recipes to replicate")
        for name in args.only:
            replicate(name, args.data_root, args.seed, args.set)
        return 0
    index_path = ROOT / "ganzoo" / "pretrained.json"
    for name in args.only or PUBLISHED:
        tag, entry = publish(name, args.data_root, args.set, args.allow_alerts, args.resume_from)
        print(f"{tag}: pinned at revision {pin(index_path, tag, entry)['revision']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
