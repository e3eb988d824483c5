"""Standard Inception FIDs of the published tags, and the floor of each feature space.

    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT            # all
    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT --only dcgan.mnist
    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT --floors-only

Protocol (Lucic et al. 2018): 10,000 generated images (seed 0, fp32 generator) against the
10,000 images of the test split (a translator's: its translations of the task's test sources,
10,000 or all there are, against as many of the target domain's test images, or of the task's
own test targets where those are not a dataset's test images, as for thin2thick), Inception-v3
pool3 features in fp32 with the reference resize (``extractor="inception"``). Beside it: KID, precision/recall, density/coverage in the same
space, Inception Score and class coverage from the dataset's classifier, and the FID in the
classifier's feature space. The floor of a feature space is FID(first 10k train images vs the
10k test images). Reference features are cached by key (``$GANZOO_CACHE/stats``), so each split
is extracted once. Each result is written to ``docs/zoo/results/<tag>.json`` (skipped if it
exists, unless ``--force``); ``python docs/scripts/zoo_table.py`` turns them into docs/zoo.md,
and ``python docs/scripts/evaluate_pretrained.py --cards-only`` puts them on the model cards.

    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT --seed-runs

measures the seed replicates that ``train_pretrained.py --seed N`` trained into
runs/seeds/<config>/seed<N>/, with the same protocol, into
``docs/zoo/results/seeds/<config>.seed<N>.json``: the table gives a tag with replicates its
mean and standard deviation over seeds (the published tag is seed 0). A replicate that has not
reached its recipe's steps (stopped, or still training) is named and left unmeasured.

    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT \
        --seed-runs runs/seeds/dcgan_mnist/seed2

measures only the replicates named (one per process lets two measure side by side).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

import ganzoo
from ganzoo.bench.environment import measurement_context, rerun_command, write_measurement
from ganzoo.data import load_dataset
from ganzoo.data.images import to_unit_range
from ganzoo.data.translation_tasks import TRANSLATION_TASKS
from ganzoo.hub import CONFIG_NAME, save_pretrained
from ganzoo.metrics import evaluate
from ganzoo.metrics.classifier import prepare_images
from ganzoo.metrics.evaluate import reference_features, translations
from ganzoo.metrics.frechet import fid_from_features
from ganzoo.train import load_checkpoint
from ganzoo.train.publishing import describe_run

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "zoo" / "results"
NOISE_DATASETS = ("mnist", "fashion-mnist")
N = 10_000
# Translation tasks whose targets are not a dataset's own test images (thin2thick's are dilated
# digits): measured against the task's own test targets instead, as many as it has sources.
OWN_TARGETS = ("thin2thick",)


def _context(started: float) -> dict:
    return measurement_context(rerun_command("docs/scripts/zoo_fid.py", sys.argv[1:]), started)


def _rounded(result: dict, keys: tuple[str, ...]) -> dict:
    out = {}
    for k in keys:
        if k in result:
            v = result[k]
            out[k] = round(v, 5) if isinstance(v, float) else v
    return out


def floor(dataset: str, data_root: str, n: int = N) -> dict:
    """FID of the first 10k train images against the 10k test images, in both feature spaces."""
    started = time.time()
    out: dict = {"dataset": dataset, "what": "FID(first 10k train vs 10k test)"}
    for extractor in ("inception", "classifier"):
        feats = {
            split: reference_features(
                dataset, n, split=split, extractor=extractor, data_root=data_root, progress=True
            )[0]
            for split in ("test", "train")
        }
        out[f"fid_{extractor}"] = round(fid_from_features(feats["test"], feats["train"]), 5)
    return out | _context(started)


def metrics(
    subject: ganzoo.GAN | torch.Tensor,
    dataset: str,
    data_root: str,
    n: int = N,
    what: str = "samples (seed 0, fp32 generator)",
) -> dict:
    """The table's metrics of one generator's samples (or of given images, e.g. a translator's
    outputs) against ``dataset``'s test split: Inception space first, then the classifier's."""
    common = dict(reference=dataset, n=n, data_root=data_root, precision="fp32", seed=0)
    inception = evaluate(subject, extractor="inception", progress=True, **common)
    classifier = evaluate(subject, extractor="classifier", metrics=("fid", "kid"), **common)
    keep = ("fid", "kid", "kid_std", "precision", "recall", "density", "coverage")
    return {
        "protocol": f"{n} {what} vs {n} test images",
        "inception": _rounded(inception, (*keep, "extractor")),
        "classifier": _rounded(classifier, ("fid", "kid", "kid_std", "extractor"))
        | _rounded(inception, ("is", "is_std", "classes_covered", "class_kl_to_uniform")),
    }


def metrics_against_images(
    images: torch.Tensor, reference: torch.Tensor, classifier_dataset: str, what: str
) -> dict:
    """The table's metrics of ``images`` against given reference images (a task's own test
    targets; both in [-1, 1], as many of each), in the same two feature spaces as ``metrics``."""
    n = len(images)
    common = dict(reference=reference, classifier=classifier_dataset, n=n, precision="fp32")
    inception = evaluate(
        images, extractor="inception", metrics=("fid", "kid", "pr", "dc"), progress=True, **common
    )
    classifier = evaluate(
        images, extractor="classifier", metrics=("fid", "kid", "coverage"), progress=True, **common
    )
    distances = ("fid", "kid", "kid_std")
    return {
        "protocol": f"{n} {what} vs {n} of the task's test targets",
        "inception": _rounded(
            inception, (*distances, "precision", "recall", "density", "coverage", "extractor")
        ),
        "classifier": _rounded(
            classifier, (*distances, "classes_covered", "class_kl_to_uniform", "extractor")
        ),
    }


def measure(tag: str, entry: dict, data_root: str, n: int = N) -> dict:
    """The published metrics of one tag."""
    started = time.time()
    folder = ROOT / entry["local_folder"]
    config = json.loads((folder / CONFIG_NAME).read_text())
    gan = ganzoo.from_pretrained(folder)
    dataset = config["dataset"]
    if isinstance(gan, ganzoo.TranslationGAN):  # its translations of the task's test sources
        target = TRANSLATION_TASKS[dataset][0][-1]
        c, size, _ = gan.source_shape
        task = load_dataset(dataset, data_root, train=False, img_size=size, channels=c)
        n = min(n, len(task.sources))  # all of them where a task has fewer
        # at the test images' 28x28 (the classifiers' documented resize), so that both sides
        # reach Inception's 299x299 from the same size
        images = prepare_images(translations(gan, dataset, n, data_root=data_root))
        what = f"translations of the {dataset} test sources (fp32 generator, resized to 28x28)"
        if dataset in OWN_TARGETS:
            targets = prepare_images(to_unit_range(task.targets[:n]))
            if len(targets) < n:
                raise SystemExit(
                    f"{tag}: {dataset} has {len(targets)} test targets for {n} sources"
                )
            own = metrics_against_images(images, targets, target, what)
            measured = {"target": f"{dataset} test targets", **own}
        else:
            measured = {"target": target, **metrics(images, target, data_root, n, what)}
    else:
        measured = metrics(gan, dataset, data_root, n)
    return {
        "tag": tag,
        "model": config["model"],
        "dataset": dataset,
        "revision": entry["revision"],
        "sha256": entry["sha256"],
        "training": config.get("training", {}),
        **measured,
    } | _context(started)


def measure_replicate(run_dir: Path, data_root: str, n: int = N) -> dict:
    """The metrics of a seed replicate (``train_pretrained.py --seed N``): the checkpoint its
    recipe would publish, saved and loaded as a tag is (float16 generator weights)."""
    started = time.time()
    trained, extra, _ = describe_run(run_dir)
    with tempfile.TemporaryDirectory() as folder:
        save_pretrained(trained, folder, dtype="float16", full=False)
        gan = ganzoo.from_pretrained(folder)
    dataset = extra["dataset"]
    return {
        "tag": replicate_tag(gan.name, dataset),
        "model": gan.name,
        "dataset": dataset,
        "run": str(run_dir.relative_to(ROOT)),
        "training": extra["training"],
        **metrics(gan, dataset, data_root, n),
    } | _context(started)


def replicate_tag(model: str, dataset: str) -> str:
    """The published tag a replicate repeats (``dcgan``, ``fashion-mnist`` -> ``dcgan.fashion_mnist``)."""
    return f"{model}.{dataset.replace('-', '_')}"


def replicate_runs(
    seeds: Path = ROOT / "runs" / "seeds", only: list[Path] | None = None
) -> tuple[list[Path], list[str]]:
    """The finished seed replicates, ``seeds/<config>/seed<N>/`` whose last checkpoint is at
    the run's planned steps, and a line for each unfinished one (stopped or still training),
    which is not measured: its FID would pass for the recipe's. ``only`` keeps those folders."""
    finished, unfinished = [], []
    runs = sorted(seeds.glob("*/seed*"))
    if only is not None:
        by_resolved = {run_dir.resolve(): run_dir for run_dir in runs}
        wanted = [path.resolve() for path in only]
        strangers = [str(p) for p, r in zip(only, wanted, strict=True) if r not in by_resolved]
        if strangers:
            raise SystemExit(
                f"--seed-runs takes replicate folders {seeds}/<config>/seed<N>; "
                f"not one: {', '.join(strangers)}"
            )
        runs = sorted({by_resolved[r] for r in wanted})
    for run_dir in runs:
        last = run_dir / "checkpoints" / "last.pt"
        if not last.is_file():
            continue
        state = load_checkpoint(last)
        step, planned = state["step"], state["trainer"]["steps"]
        if step >= planned:
            finished.append(run_dir)
            continue
        seed = run_dir.name.removeprefix("seed")
        unfinished.append(
            f"{run_dir}: at step {step} of {planned}, not measured; finish it with "
            f"python docs/scripts/train_pretrained.py --data-root DATA_ROOT "
            f"--only {run_dir.parent.name} --seed {seed}"
        )
    return finished, unfinished


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True, help="folder with MNIST/ and FashionMNIST/")
    parser.add_argument("--only", action="append", help="tag(s) to measure, e.g. dcgan.mnist")
    parser.add_argument("--floors-only", action="store_true", help="only the feature floors")
    parser.add_argument("--no-floors", action="store_true", help="skip the feature floors")
    parser.add_argument("--force", action="store_true", help="remeasure what has a result")
    parser.add_argument("--n", type=int, default=N, help="samples (the table uses 10000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--seed-runs",
        nargs="*",
        type=Path,
        metavar="RUN",
        help="measure the seed replicates in runs/seeds/ (train_pretrained.py --seed N) instead; "
        "with RUN folders, only those",
    )
    args = parser.parse_args()
    if args.seed_runs is not None:
        finished, unfinished = replicate_runs(only=args.seed_runs or None)
        for line in unfinished:
            print(line, file=sys.stderr)
        for run_dir in finished:
            seed = run_dir.name.removeprefix("seed")
            path = args.out / "seeds" / f"{run_dir.parent.name}.seed{seed}.json"
            if args.force or not path.exists():
                write_measurement(path, measure_replicate(run_dir, args.data_root, args.n))
        return 1 if unfinished and args.seed_runs else 0  # a named run must be finished
    if not args.no_floors:
        for dataset in NOISE_DATASETS:
            path = args.out / f"floor.{dataset.replace('-', '_')}.json"
            if args.force or not path.exists():
                write_measurement(path, floor(dataset, args.data_root, args.n))
    if args.floors_only:
        return 0
    index = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
    for tag in args.only or list(index):
        if tag not in index:
            parser.error(f"unknown tag {tag!r}; the tags are in ganzoo/pretrained.json")
        path = args.out / f"{tag}.json"
        if args.force or not path.exists():
            write_measurement(path, measure(tag, index[tag], args.data_root, args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
