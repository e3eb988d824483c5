"""Keep a finished run's sample grid for the docs, with a record of how it was made.

    python docs/scripts/record_demo.py runs/sngan_mnist sngan_mnist \
        "ganzoo train zoo_configs/sngan_mnist.yaml --data-root data"

Copies RUN/samples.png to docs/images/NAME.png and writes docs/images/NAME.json: the command, the
training time and hardware stored in the run's checkpoint, the steps, batch size and final log row.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
from pathlib import Path

import torch

import ganzoo
from ganzoo.train import load_checkpoint

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("name")
    parser.add_argument("command")
    args = parser.parse_args()
    state = load_checkpoint(args.run / "checkpoints" / "last.pt")
    trainer = state.get("trainer", {})
    last = json.loads((args.run / "metrics.jsonl").read_text().splitlines()[-1])
    images = ROOT / "docs" / "images"
    shutil.copy(args.run / "samples.png", images / f"{args.name}.png")
    record = {
        "command": args.command,
        "model": state["config"]["model"],
        "train_seconds": round(trainer.get("train_seconds", 0.0), 1),
        "hardware": trainer.get("hardware"),
        "steps": state["step"],
        "batch_size": trainer.get("batch_size"),
        "n_critic": state["config"]["args"]["recipe"]["n_critic"],
        "final_log_row": {k: round(v, 4) if isinstance(v, float) else v for k, v in last.items()},
        "torch": torch.__version__,
        "ganzoo": ganzoo.__version__,
        "date": datetime.date.today().isoformat(),
    }
    (images / f"{args.name}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
