"""Standard Inception FIDs of the published tags, and the floor of each feature space.

    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT            # all
    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT --only dcgan.mnist
    OMP_NUM_THREADS=1 python docs/scripts/zoo_fid.py --data-root DATA_ROOT --floors-only

Protocol (Lucic et al. 2018): 10,000 generated images (seed 0, fp32 generator) against the
10,000 images of the test split, Inception-v3 pool3 features in fp32 with the reference resize
(``extractor="inception"``). Beside it: KID, precision/recall, density/coverage in the same
space, Inception Score and class coverage from the dataset's classifier, and the FID in the
classifier's feature space. The floor of a feature space is FID(first 10k train images vs the
10k test images). Reference features are cached by key (``$GANZOO_CACHE/stats``), so each split
is extracted once. Each result is written to ``docs/zoo/results/<tag>.json`` (skipped if it
exists, unless ``--force``); ``python docs/scripts/zoo_table.py`` turns them into docs/zoo.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import ganzoo
from ganzoo.bench.environment import measurement_context, write_measurement
from ganzoo.hub import CONFIG_NAME
from ganzoo.metrics import evaluate
from ganzoo.metrics.evaluate import reference_features
from ganzoo.metrics.frechet import fid_from_features

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "zoo" / "results"
NOISE_DATASETS = ("mnist", "fashion-mnist")
N = 10_000


def _arguments() -> str:
    """This run's arguments, with the local data folder written as DATA_ROOT."""
    args = sys.argv[1:]
    return " ".join(
        "DATA_ROOT" if i and args[i - 1] == "--data-root" else a for i, a in enumerate(args)
    )


def _context(started: float) -> dict:
    return measurement_context("python docs/scripts/zoo_fid.py " + _arguments(), started)


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


def measure(tag: str, entry: dict, data_root: str, n: int = N) -> dict:
    """The published metrics of one tag: Inception space first, then the classifier's FID/KID."""
    started = time.time()
    folder = ROOT / entry["local_folder"]
    config = json.loads((folder / CONFIG_NAME).read_text())
    gan = ganzoo.from_pretrained(folder)
    dataset = config["dataset"]
    common = dict(reference=dataset, n=n, data_root=data_root, precision="fp32", seed=0)
    inception = evaluate(gan, extractor="inception", progress=True, **common)
    classifier = evaluate(gan, extractor="classifier", metrics=("fid", "kid"), **common)
    keep = ("fid", "kid", "kid_std", "precision", "recall", "density", "coverage")
    return {
        "tag": tag,
        "model": config["model"],
        "dataset": dataset,
        "revision": entry["revision"],
        "sha256": entry["sha256"],
        "training": config.get("training", {}),
        "protocol": f"{n} samples (seed 0, fp32 generator) vs {n} test images",
        "inception": _rounded(inception, (*keep, "extractor")),
        "classifier": _rounded(classifier, ("fid", "kid", "kid_std", "extractor"))
        | _rounded(inception, ("is", "is_std", "classes_covered", "class_kl_to_uniform")),
    } | _context(started)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True, help="folder with MNIST/ and FashionMNIST/")
    parser.add_argument("--only", action="append", help="tag(s) to measure, e.g. dcgan.mnist")
    parser.add_argument("--floors-only", action="store_true", help="only the feature floors")
    parser.add_argument("--no-floors", action="store_true", help="skip the feature floors")
    parser.add_argument("--force", action="store_true", help="remeasure what has a result")
    parser.add_argument("--n", type=int, default=N, help="samples (the table uses 10000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
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
        config = json.loads((ROOT / index[tag]["local_folder"] / CONFIG_NAME).read_text())
        if config["dataset"] not in NOISE_DATASETS:  # translators: no Lucic anchor
            continue
        if args.force or not path.exists():
            write_measurement(path, measure(tag, index[tag], args.data_root, args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
