"""Show and measure a trained translation run on the held-out (test) split of its task.

    python docs/scripts/translation_demo.py runs/pix2pix_edges2mnist pix2pix_edges2mnist \
        "ganzoo train zoo_configs/pix2pix_edges2mnist.yaml --data-root data" --data-root data

Writes docs/images/NAME.png (16 test sources, their translations and, for paired tasks, the true
targets) and docs/images/NAME.json: the command, training time and hardware from the checkpoint,
and on the whole test split: the mean absolute pixel error to the targets (paired tasks), how
often the shipped classifier reads the same class in the translation as the source was labelled
(digit identity kept; for mnist2fashion, which has no class correspondence, the share of each
Fashion-MNIST class among the translations instead), and the mean ink (pixel intensity) of sources, translations and targets.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import torch
import yaml

import ganzoo
from ganzoo.data import load_dataset
from ganzoo.metrics.classifier import load_classifier
from ganzoo.metrics.evaluate import prepare_images
from ganzoo.train import load_checkpoint, load_gan, save_grid

ROOT = Path(__file__).resolve().parents[2]
LABELLED_BY = {
    "edges2mnist": "mnist",
    "edges2fashion": "fashion-mnist",
    "thin2thick": "mnist",
    "mnist2fashion": "mnist",
}


def _unit(images: torch.Tensor) -> torch.Tensor:
    return (images.float() + 1) / 2


@torch.no_grad()
def _predict(images: torch.Tensor, dataset: str) -> torch.Tensor:
    """The shipped ``dataset`` classifier's class for each image (resized to 28x28 as eval does)."""
    classifier = load_classifier(dataset)
    return torch.cat([classifier(prepare_images(c)).argmax(1) for c in images.split(500)])


def _accuracy(images: torch.Tensor, labels: torch.Tensor, dataset: str) -> float:
    return float((_predict(images, dataset) == labels).float().mean())


def _class_shares(images: torch.Tensor, dataset: str) -> dict[str, float]:
    """Share of ``images`` the ``dataset`` classifier puts in each class (shares >= 1%)."""
    predicted = _predict(images, dataset)
    shares = torch.bincount(predicted, minlength=10).float() / len(predicted)
    return {str(i): round(float(v), 3) for i, v in enumerate(shares) if v >= 0.01}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("name")
    parser.add_argument("command")
    parser.add_argument("--data-root", required=True)
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    run = yaml.safe_load((args.run / "run.yaml").read_text())
    state = load_checkpoint(args.run / "checkpoints" / "last.pt")
    gan = load_gan(args.run / "checkpoints" / "last.pt")
    task = run["data"]["name"]
    c, size, _ = gan.image_shape
    test = load_dataset(
        task,
        args.data_root,
        train=False,
        img_size=size,
        channels=c,
        direction=run["data"].get("direction", "a2b"),
    )
    sources = test.sources.float() / 127.5 - 1
    targets = test.targets.float() / 127.5 - 1
    translated = gan.translate(sources)
    preview = gan.preview((sources[:16], targets[:16]))
    images = ROOT / "docs" / "images"
    save_grid(preview.grid, images / f"{args.name}.png", nrow=preview.nrow)

    labelled = LABELLED_BY[task]
    labels = load_dataset(labelled, args.data_root, train=False).labels[: len(sources)]
    metrics = {"test_images": len(sources)}
    if task == "mnist2fashion":  # no class correspondence: which clothes come out, how evenly
        metrics["fashion_classes_produced"] = _class_shares(translated, "fashion-mnist")
    else:
        metrics["class_kept"] = round(_accuracy(translated, labels, labelled), 4)
    metrics.update(
        {
            "class_readable_in_sources": round(_accuracy(sources, labels, labelled), 4),
            "mean_ink_sources": round(float(_unit(sources).mean()), 4),
            "mean_ink_translations": round(float(_unit(translated).mean()), 4),
            "mean_ink_targets": round(float(_unit(targets).mean()), 4),
        }
    )
    if gan.paired:
        metrics["mean_abs_pixel_error"] = round(
            float((_unit(translated) - _unit(targets)).abs().mean()), 4
        )
        metrics["class_readable_in_targets"] = round(_accuracy(targets, labels, labelled), 4)
    trainer = state.get("trainer", {})
    record = {
        "command": args.command,
        "model": state["config"]["model"],
        "task": task,
        "train_seconds": round(trainer.get("train_seconds", 0.0), 1),
        "hardware": trainer.get("hardware"),
        "steps": state["step"],
        "batch_size": trainer.get("batch_size"),
        "test_split_metrics": metrics,
        "torch": torch.__version__,
        "ganzoo": ganzoo.__version__,
        "date": datetime.date.today().isoformat(),
    }
    (images / f"{args.name}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
