"""Run the README's main job (`ganzoo train dcgan`), time it, and keep its sample grid for the docs.

    python docs/scripts/time_main_job.py

Writes docs/images/dcgan_default.png (the final grid), docs/images/dcgan_default_progress.gif and
docs/images/dcgan_default.json (wall time, steps, machine, versions) that README.md quotes.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import ganzoo
from ganzoo.train import load_checkpoint
from ganzoo.utils.hardware import device_name

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    out = Path(tempfile.mkdtemp()) / "dcgan"
    load_before = [round(x, 2) for x in os.getloadavg()]
    start = time.perf_counter()
    subprocess.run(["ganzoo", "train", "dcgan", "--out", str(out), "--no-progress"], check=True)
    seconds = time.perf_counter() - start
    images = ROOT / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    shutil.copy(out / "samples.png", images / "dcgan_default.png")
    shutil.copy(out / "progress.gif", images / "dcgan_default_progress.gif")
    last = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
    record = {
        "command": "ganzoo train dcgan",
        "wall_seconds": round(seconds, 1),
        "steps": last["step"],
        "batch_size": ganzoo.create("dcgan").recipe.batch_size,
        "final_d_loss": round(last["d_loss"], 4),
        "final_g_loss": round(last["g_loss"], 4),
        "speed_used": load_checkpoint(out)["trainer"]["speed"]["note"],
        "cpu": device_name("cpu"),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "torch": torch.__version__,
        "ganzoo": ganzoo.__version__,
        "date": datetime.date.today().isoformat(),
    }
    (images / "dcgan_default.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
