"""Measure the published checkpoints and record the numbers in their config.json and model card.

    python docs/scripts/evaluate_pretrained.py --data-root data [--n 10000] [--only dcgan.mnist]

For each tag in ganzoo/pretrained.json: load pretrained/<repo>/ as a local folder, evaluate n
samples against n images of the dataset's test split with the shipped classifier for that
dataset, and rewrite the folder's config.json "metrics" and README.md (weights are untouched, so
their sha256 stays valid). Then run `python docs/scripts/model_table.py` to refresh the docs.
`--cards-only` rewrites only the model cards (README.md) from each folder's config.json, as
they are after a change of the card template.

Both ways, each folder's config.json also gets the tag's standard metrics (``standard_metrics``:
Inception-v3 FID, KID, precision/recall, density/coverage) from the JSON that
docs/scripts/zoo_fid.py committed in docs/zoo/results/, and its card shows them first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import ganzoo
from ganzoo.data.translation_tasks import TRANSLATION_TASKS
from ganzoo.hub import CONFIG_NAME, model_card
from ganzoo.metrics import evaluate
from ganzoo.metrics.evaluate import translations

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "zoo" / "results"


def with_standard_metrics(config: dict, tag: str) -> dict:
    """``config`` with the tag's Inception-feature metrics from docs/zoo/results/<tag>.json
    (the reproduction table's numbers), or without any where the tag has not been measured."""
    config = {k: v for k, v in config.items() if not k.startswith("standard_metrics")}
    path = RESULTS / f"{tag}.json"
    if not path.is_file():
        return config
    result = json.loads(path.read_text())
    inception = result["inception"]
    config["standard_metrics"] = {
        "FID (Inception features)": round(inception["fid"], 3),
        "KID (Inception features)": inception["kid"],
        "precision / recall (k=3, Inception features)": (
            f"{inception['precision']:.3f} / {inception['recall']:.3f}"
        ),
        "density / coverage (k=5, Inception features)": (
            f"{inception['density']:.3f} / {inception['coverage']:.3f}"
        ),
    }
    config["standard_metrics_note"] = (
        f"{inception['extractor']}; {result['protocol']}: the protocol of Lucic et al. 2018, "
        "comparable with published Inception FIDs. Measured by docs/scripts/zoo_fid.py "
        f"(docs/zoo/results/{tag}.json)."
    )
    return config


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", help="where torchvision datasets live (to measure)")
    parser.add_argument("--cards-only", action="store_true", help="only rewrite the cards")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--only", action="append", help="tag(s) to (re)measure, e.g. dcgan.mnist")
    args = parser.parse_args()
    index = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
    for tag, cfg in index.items():
        if args.only and tag not in args.only:
            continue
        folder = ROOT / cfg["local_folder"]
        config = with_standard_metrics(json.loads((folder / CONFIG_NAME).read_text()), tag)
        if args.cards_only:
            (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
            model_card(config, cfg["hf_hub_id"]).save(folder / "README.md")
            continue
        if not args.data_root:
            parser.error("--data-root is needed to measure (or pass --cards-only)")
        gan = ganzoo.from_pretrained(folder)
        if isinstance(gan, ganzoo.TranslationGAN):  # its translations of the task's test sources
            task = config["dataset"]
            reference = TRANSLATION_TASKS[task][0][-1]  # the target domain
            subject = translations(gan, task, args.n, data_root=args.data_root)
        else:
            reference, subject = config["dataset"], gan
        result = evaluate(
            subject, reference=reference, n=args.n, data_root=args.data_root, precision="fp32"
        )  # published numbers stay fp32
        n = f"{result['n'] // 1000}k vs {result['n_reference'] // 1000}k test"
        if subject is not gan:
            n = f"translations of {n} {reference} images"
        config["metrics"] = {
            f"FID ({n}, classifier features)": round(result["fid"], 3),
            f"KID ({n}, classifier features)": round(result["kid"], 5),
            "IS (ganzoo classifier, 10 splits)": round(result["is"], 3),
            "precision / recall (k=3)": f"{result['precision']:.3f} / {result['recall']:.3f}",
            "density / coverage (k=5)": f"{result['density']:.3f} / {result['coverage']:.3f}",
            "classes covered": f"{result['classes_covered']} / 10",
        }
        config["metrics_note"] = (
            f"{result['extractor']}; not comparable with Inception-feature FIDs. "
            "Measured by docs/scripts/evaluate_pretrained.py."
        )
        (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
        model_card(config, cfg["hf_hub_id"]).save(folder / "README.md")
        print(tag, json.dumps(config["metrics"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
