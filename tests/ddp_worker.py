"""One rank of a data-parallel test run; started by tests/test_distributed.py through torchrun.

Usage: python tests/ddp_worker.py OUT_DIR RESULT_DIR MODEL STEPS [--resume]
       [--signal-at STEP [--kind KILL|TERM] [--signal-rank R]] [--create JSON]
Trains a tiny MODEL on the first 256 embedded digits with a global batch of 16, then saves this
rank's weights and log rows to RESULT_DIR/rank{RANK}.pt. ``--signal-at`` makes rank 1 (or
``--signal-rank``) send itself SIGKILL (or SIGTERM) just before that step.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ganzoo
from ganzoo.data import TensorImages, load_embedded
from tests.conftest import tiny_args

GLOBAL_BATCH = 16


def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:256], data.labels[:256], 10, "digits")


def build(model: str, create: dict | None = None) -> ganzoo.GAN:
    """A tiny ``model`` (seeded); ``create`` holds more ``ganzoo.create`` arguments."""
    torch.manual_seed(0)
    return ganzoo.create(model, **{**tiny_args(model), **(create or {})})


def trainer_kwargs(steps: int) -> dict:
    return {
        "steps": steps,
        "batch_size": GLOBAL_BATCH,
        "log_every": 1,
        "sample_every": 2,
        "checkpoint_every": 2,
        "num_samples": 16,
        "progress": False,
        "device": "cpu",
    }


class SignalledTrainer(ganzoo.Trainer):
    """Rank ``signal_rank`` sends itself ``signal`` before step ``signal_at``."""

    signal_at = -1
    signal = signal.SIGKILL
    signal_rank = 1

    def train_step(self):
        if self.dist.rank == self.signal_rank and self.step + 1 == self.signal_at:
            os.kill(os.getpid(), self.signal)
        return super().train_step()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("result_dir")
    parser.add_argument("model")
    parser.add_argument("steps", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--signal-at", type=int, default=-1)
    parser.add_argument("--kind", choices=["KILL", "TERM"], default="KILL")
    parser.add_argument("--signal-rank", type=int, default=1)
    parser.add_argument("--create", type=json.loads, default=None, help="ganzoo.create kwargs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    gan = build(args.model, args.create)
    SignalledTrainer.signal_at = args.signal_at
    SignalledTrainer.signal = getattr(signal, f"SIG{args.kind}")
    SignalledTrainer.signal_rank = args.signal_rank
    trainer = SignalledTrainer(
        gan, digits(), args.out_dir, resume=args.resume, **trainer_kwargs(args.steps)
    )
    result = trainer.fit()
    rank = int(os.environ.get("RANK", 0))
    Path(args.result_dir).mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "state": gan.state_dict(),
            "history": result.history,
            "step": result.step,
            "interrupted": result.interrupted,
        },
        Path(args.result_dir) / f"rank{rank}.pt",
    )


if __name__ == "__main__":
    main()
