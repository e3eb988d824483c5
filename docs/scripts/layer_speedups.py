"""What bounds the bf16 dcgan step on a CPU: each layer's forward + backward in fp32 and in bf16.

    python docs/scripts/layer_speedups.py --img-size 28 64 --out docs/benchmarks/layer_speedups_cpu_amx.json

For ganzoo's dcgan (3 channels, batch 64) at each image size, every convolution, transposed
convolution, latent projection and batch norm of the generator and the discriminator is run on
the input it receives in a real forward pass, forward and backward (weight gradients, and the
input gradient where the layer is not the first of its network), once in fp32 (contiguous
tensors, as the classic loop runs) and once as ganzoo's default step runs it on a CPU with
native bf16 (bf16 autocast, channels_last), the two interleaved round by round. The JSON holds
per layer the milliseconds of each, the median of the per-round paired speed-ups and, for the
layers that multiply, the FLOP/s reached in bf16 against the bf16 matmul peak measured in the
same run; ``docs/scripts/precision_report.py`` renders it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
from pathlib import Path

import torch
from torch import Tensor, nn

import ganzoo
from ganzoo.bench.environment import environment, rerun_command, write_measurement
from ganzoo.bench.flops import count_flops
from ganzoo.bench.peak import measure_matmul_peak
from ganzoo.bench.timing import paired_speedup, time_rounds
from ganzoo.layers import LatentProjection

ROOT = Path(__file__).resolve().parents[2]
MEASURED = (nn.Conv2d, nn.ConvTranspose2d, LatentProjection, nn.BatchNorm2d)


def layer_inputs(img_size: int, batch: int) -> list[tuple[str, nn.Module, Tensor, bool]]:
    """(name, layer, its input in a real forward pass, whether its input needs a gradient)."""
    torch.manual_seed(0)
    gan = ganzoo.create("dcgan", channels=3, img_size=img_size)
    found: list[tuple[str, nn.Module, Tensor, bool]] = []
    hooks = []
    for prefix, network in (("G", gan.generator), ("D", gan.discriminator)):
        first = True
        for name, layer in network.named_modules():
            if isinstance(layer, MEASURED):

                def keep(module, args, _out, name=f"{prefix}.{name}", first=first) -> None:
                    found.append((name, module, args[0].detach(), not first))

                hooks.append(layer.register_forward_hook(keep))
                first = False
    with torch.no_grad():
        gan.discriminator(gan.generator(torch.randn(batch, gan.generator.latent_dim)))
    for hook in hooks:
        hook.remove()
    return found


def _step(layer: nn.Module, x: Tensor, grad_out: Tensor, bf16: bool) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        out = layer(x)
    out.backward(grad_out.to(out.dtype))


def measure_layer(
    layer: nn.Module, x: Tensor, input_grad: bool, rounds: int, steps: int
) -> dict[str, float]:
    """fp32 (contiguous) and bf16 autocast + channels_last, interleaved: ms and paired speed-up."""
    fp32_in = x.contiguous().requires_grad_(input_grad)
    low_layer = copy.deepcopy(layer).to(memory_format=torch.channels_last)
    bf16_in = x.contiguous(memory_format=torch.channels_last).requires_grad_(input_grad)
    with torch.no_grad():
        shape = layer(fp32_in).shape
    grad = torch.randn(shape)
    grad_cl = grad.contiguous(memory_format=torch.channels_last) if grad.ndim == 4 else grad
    calls = {
        "fp32": lambda: _step(layer, fp32_in, grad, False),
        "bf16": lambda: _step(low_layer, bf16_in, grad_cl, True),
    }
    seconds = time_rounds(calls, "cpu", steps=steps, rounds=rounds, warmup=3)
    median, low, high = paired_speedup(seconds["bf16"], 1, seconds["fp32"], 1)
    flops = count_flops(lambda: _step(layer, fp32_in, grad, False))
    return {
        "fp32_ms": 1000 * statistics.median(seconds["fp32"]),
        "bf16_ms": 1000 * statistics.median(seconds["bf16"]),
        "speedup": median,
        "speedup_range": [low, high],
        "flops": flops,
        "bf16_flops_per_s": flops / statistics.median(seconds["bf16"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--img-size", type=int, nargs="+", default=[28, 64])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks/layer_speedups_cpu.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    env = environment("cpu")
    peak = measure_matmul_peak("cpu", "bf16")
    result = {
        "command": rerun_command("docs/scripts/layer_speedups.py", sys.argv[1:]),
        "environment": env,
        "batch": args.batch,
        "bf16_matmul_peak": {"kernel": peak.kernel, "flops_per_s": peak.flops_per_s},
        "sizes": {},
    }
    for size in args.img_size:
        layers = {}
        for name, layer, x, input_grad in layer_inputs(size, args.batch):
            row = measure_layer(layer, x, input_grad, args.rounds, args.steps)
            layers[name] = {"layer": type(layer).__name__, "input": list(x.shape), **row}
            print(size, name, json.dumps(layers[name]), flush=True)
        result["sizes"][str(size)] = layers
    result["load_average_1min_at_end"] = environment("cpu")["load_average_1min"]
    write_measurement(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
