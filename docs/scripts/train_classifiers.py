"""Train the MNIST and Fashion-MNIST classifiers shipped in ganzoo/metrics/weights/.

    python docs/scripts/train_classifiers.py --data-root data [--epochs 3]

Trains on each train split (seeded, light augmentation: random 2-pixel shifts), reports
test-split accuracy, and writes float16 safetensors plus weights/classifiers.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from ganzoo.data import load_dataset
from ganzoo.data.images import to_unit_range
from ganzoo.metrics.classifier import DigitClassifier, weights_file

OUT = Path(__file__).resolve().parents[2] / "ganzoo" / "metrics" / "weights"


def _shift(images: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
    dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=rng))
    return torch.roll(images, shifts=(dy, dx), dims=(2, 3))


@torch.no_grad()
def accuracy(model: DigitClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    correct = sum(
        (model(to_unit_range(x)).argmax(1) == y).sum().item()
        for x, y in zip(images.split(1000), labels.split(1000), strict=True)
    )
    return correct / len(labels)


def train(dataset: str, root: str, epochs: int, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    data, test = load_dataset(dataset, root, train=True), load_dataset(dataset, root, train=False)
    model = DigitClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * (len(data) // 128)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(data), generator=rng)
        for i in range(len(data) // 128):
            index = order[i * 128 : (i + 1) * 128]
            x = _shift(to_unit_range(data.images[index]), rng)
            loss = F.cross_entropy(model(x), data.labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    seconds = time.perf_counter() - start
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    record = {  # measured with the float16 weights as shipped
        "test_accuracy": round(accuracy(model, test.images, test.labels), 4),
        "train_accuracy": round(accuracy(model, data.images, data.labels), 4),
        "epochs": epochs,
        "train_seconds": round(seconds, 1),
        "parameters": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
        "date": datetime.date.today().isoformat(),
    }
    save_file(state, OUT / weights_file(dataset), {"dataset": dataset, "format": "pt"})
    return record


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    records = {
        name: train(name, args.data_root, args.epochs) for name in ("mnist", "fashion-mnist")
    }
    (OUT / "classifiers.json").write_text(json.dumps(records, indent=2) + "\n")
    print(json.dumps(records, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
