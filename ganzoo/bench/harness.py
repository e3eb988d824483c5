"""Measure models through the real Trainer: the harness behind ``ganzoo bench`` and benchmarks/."""

from __future__ import annotations

import contextlib
import gc
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import torch

from ..data import TensorImages, to_unit_range
from ..errors import ConfigError, DataError, unknown_name
from ..factory import create
from ..gan import TranslationGAN
from ..registry import find_entry, list_models
from ..train import Trainer
from ..train.speed import SpeedConfig, autocast_context
from .data import bench_data, pairs_for
from .flops import count_flops
from .memory import LiveTensorBytes, cuda_peak_bytes, tensors_of
from .peak import Matmul
from .reference import ClassicDCGAN
from .result import BenchResult
from .timing import median_rate, paired_speedup, time_rounds

REFERENCE_MODEL = "dcgan"  # the architecture the classic loop trains


def resolve_models(patterns: Iterable[str]) -> list[str]:
    """Registry names for names, aliases and fnmatch globs, in order, without repeats."""
    names: list[str] = []
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            matched = list_models(pattern)
            if not matched:
                raise unknown_name("model pattern", pattern, list_models())
        else:
            matched = [find_entry(pattern).name]
        names += [n for n in matched if n not in names]
    return names


class BenchTrainer(contextlib.AbstractContextManager):
    """A real :class:`ganzoo.Trainer`, set up in a temporary folder on in-memory data.

    ``step()`` is one full trainer step: ``trainer.train_step()`` (n_critic discriminator
    updates and one generator update), counted as ``fit`` counts it. Use it as a context
    manager, or call :meth:`close`.
    """

    def __init__(
        self,
        name: str,
        *,
        device: str | torch.device = "cpu",
        batch_size: int = 64,
        img_size: int = 64,
        channels: int = 3,
        speed: SpeedConfig | None = None,
        model_args: dict[str, Any] | None = None,
        data: TensorImages | None = None,
    ) -> None:
        torch.manual_seed(0)
        self.gan = create(name, img_size=img_size, channels=channels, **(model_args or {}))
        self.data = data if data is not None else bench_data(img_size, channels, batch_size)
        self._sources: torch.Tensor | None = None
        if isinstance(self.gan, TranslationGAN):
            self.data = pairs_for(self.data, self.gan)
            self._sources = to_unit_range(self.data.sources[:batch_size]).to(device)
        self._dir = tempfile.TemporaryDirectory(prefix="ganzoo-bench-")
        self.trainer = Trainer(
            self.gan,
            self.data,
            out_dir=self._dir.name,
            device=device,
            batch_size=batch_size,
            progress=False,
            speed=speed,
        )
        self.trainer.setup()
        self.images_per_step = batch_size * self.trainer.n_critic

    def step(self) -> None:
        """n_critic discriminator updates and one generator update, counted as ``fit`` does."""
        self.trainer.train_step()
        self.trainer.step += 1

    def sample(self, n: int) -> torch.Tensor:
        """Inference: ``n`` samples, or a translation model's ``n`` translations."""
        if self._sources is None:
            return self.gan.sample(n)
        return self.gan.translate(self._sources[:n], batch_size=n)

    def resident_tensors(self) -> list[torch.Tensor]:
        """Weights, gradients, buffers, EMA, optimizer state and the batch stream's data."""
        t = self.trainer
        stream = [t.stream._images, t.stream._labels, t.stream._sources, t.stream._perm]
        return tensors_of(self.gan, t.g_optimizer, t.d_optimizer, *stream)

    def close(self) -> None:
        """Remove the temporary run folder."""
        self._dir.cleanup()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _probe(
    step: Callable[[], object], device: torch.device, resident: Callable[[], list[torch.Tensor]]
) -> tuple[int, int | None]:
    """FLOPs of one eager step and, on the CPU, its peak live tensor bytes."""
    if device.type != "cpu":
        return count_flops(step), None
    with LiveTensorBytes(device, resident()) as memory:
        flops = count_flops(step)
    return flops, memory.peak


def _probe_twin(name: str, speed: SpeedConfig, setting: dict[str, Any]) -> tuple[int, int | None]:
    """:func:`_probe` on a fresh trainer with ``speed``, freed before returning."""
    with BenchTrainer(name, speed=speed, **setting) as twin:
        found = _probe(twin.step, torch.device(setting["device"]), twin.resident_tensors)
    del twin
    gc.collect()  # its GPU memory must not count towards the measured trainer's peak
    return found


def _memory_measure(device: torch.device, compiled: bool) -> str:
    if device.type == "cuda":
        return "torch.cuda.max_memory_allocated over one step"
    eager = "eager (uncompiled) " if compiled else ""
    return f"peak live tensor bytes over one {eager}step"


def _fill(
    result: BenchResult,
    seconds: list[float],
    flops: int,
    peak: tuple[float, str],
    memory: int | None,
    measure: str,
) -> None:
    result.step_seconds = seconds
    result.steps_per_s = median_rate(seconds)
    result.images_per_s = median_rate(seconds, result.images_per_step)
    result.flops_per_step = flops
    result.achieved_flops = flops * result.steps_per_s
    result.peak_flops, result.peak_kernel = peak
    result.peak_fraction = result.achieved_flops / result.peak_flops
    result.peak_memory_bytes = memory
    result.memory_measure = measure


def _classic_loop(
    setting: BenchResult,
    data: TensorImages,
    device: torch.device,
    model_args: dict,
    workers: int | None,
) -> tuple[ClassicDCGAN, BenchResult, int, int | None]:
    """The classic loop for ``setting``: (the loop, its result to fill, FLOPs, peak memory)."""
    before = torch.cuda.memory_allocated(device) if device.type == "cuda" else 0
    if workers is None:
        workers = 2 if device.type == "cuda" else 0
    loop = ClassicDCGAN(
        data,
        batch_size=setting.batch_size,
        img_size=setting.img_size,
        channels=setting.channels,
        device=device,
        workers=workers,
        model_args=model_args,
    )
    flops, memory = _probe(loop.step, device, loop.resident_tensors)
    if device.type == "cuda":  # its own allocations only: the trainer's are still there
        memory = cuda_peak_bytes(loop.step, device) - before
    result = replace(
        setting,
        model=f"{REFERENCE_MODEL} (classic loop)",
        precision="fp32",
        channels_last=False,
        compile=False,
        data_on_device=False,
        fused_optimizers=False,
        n_critic=1,
        images_per_step=setting.batch_size,
    )
    return loop, result, flops, memory


def _measure(
    result: BenchResult,
    speed: SpeedConfig,
    model_args: dict,
    reference: bool,
    workers: int | None,
) -> None:
    device = torch.device(result.device)
    data = bench_data(result.img_size, result.channels, result.batch_size)
    setting = {
        "device": device,
        "batch_size": result.batch_size,
        "img_size": result.img_size,
        "channels": result.channels,
        "model_args": model_args,
        "data": data,
    }
    with BenchTrainer(result.model, speed=speed, **setting) as subject:
        effective = subject.trainer.speed  # after fallbacks (e.g. no bf16 here)
        result.precision, result.compile = effective.precision, effective.compile
        result.channels_last = bool(effective.channels_last)
        result.fused_optimizers = bool(effective.fused_optimizers)
        result.n_critic, result.images_per_step = subject.trainer.n_critic, subject.images_per_step
        if effective.compile:  # FlopCounterMode needs eager ops: count on an eager twin
            flops, memory = _probe_twin(result.model, replace(effective, compile=False), setting)
        else:
            flops, memory = _probe(subject.step, device, subject.resident_tensors)
        for _ in range(result.warmup):
            subject.step()
        if device.type == "cuda":
            memory = cuda_peak_bytes(subject.step, device)
        autocast = autocast_context(effective, device)

        def sample() -> None:
            with autocast():
                subject.sample(result.batch_size)

        calls: dict[str, Callable[[], object]] = {"train": subject.step, "sample": sample}
        loop = None
        if reference and result.model == REFERENCE_MODEL:
            loop, ref, ref_flops, ref_memory = _classic_loop(
                result, data, device, model_args, workers
            )
            calls["reference"] = loop.step
        precisions = sorted({effective.precision, *(["fp32"] if loop else [])})
        peak_calls = {p: Matmul(device, p) for p in precisions}
        calls.update({f"peak {p}": mm for p, mm in peak_calls.items()})
        warmup = dict.fromkeys(calls, max(1, result.warmup))
        warmup.update(train=0, reference=result.warmup - 1)  # both have already run
        seconds = time_rounds(
            calls, device, steps=result.steps, rounds=result.rounds, warmup=warmup
        )
        # the peak is the best round (what the device can do); the model's rate the median
        peaks = {
            p: (mm.flops / min(seconds[f"peak {p}"]), mm.kernel) for p, mm in peak_calls.items()
        }
        _fill(
            result,
            seconds["train"],
            flops,
            peaks[effective.precision],
            memory,
            _memory_measure(device, effective.compile),
        )
        result.sample_images_per_s = median_rate(seconds["sample"], result.batch_size)
        if loop is not None:
            _fill(
                ref,
                seconds["reference"],
                ref_flops,
                peaks["fp32"],
                ref_memory,
                _memory_measure(device, False),
            )
            result.reference = ref
            result.vs_reference, low, high = paired_speedup(
                seconds["train"], result.images_per_step, seconds["reference"], ref.images_per_step
            )
            result.vs_reference_range = [low, high]


def benchmark_model(
    name: str,
    *,
    device: str | torch.device = "cpu",
    batch_size: int = 64,
    img_size: int = 64,
    channels: int = 3,
    speed: SpeedConfig | None = None,
    steps: int = 10,
    rounds: int = 3,
    warmup: int = 3,
    reference: bool = False,
    reference_workers: int | None = None,
    model_args: dict[str, Any] | None = None,
) -> BenchResult:
    """Benchmark model ``name`` built for ``channels`` x ``img_size`` x ``img_size`` images.

    Builds ``ganzoo.Trainer(gan, data, batch_size=batch_size, speed=speed, ...)`` on in-memory
    data, calls ``trainer.setup()`` and, after ``warmup`` steps, times ``rounds`` rounds of
    ``steps`` calls of ``trainer.train_step()`` (the full step, n_critic included) and of
    ``gan.sample(batch_size)``, synchronising the device around each round. Counts the FLOPs
    of one step and its peak memory. The device's peak is the best round of a large matmul in
    the precision in effect, timed in the same rounds. With ``reference=True`` and ``name == "dcgan"`` the classic PyTorch DCGAN loop runs in the same
    rounds; its DataLoader uses ``reference_workers`` processes (default: 2 on a GPU, as the
    example; 0 on a CPU, whose cores the model needs). Combinations a model cannot build,
    or that run out of memory, come back with ``skipped`` set to the reason.
    """
    speed = speed or SpeedConfig()
    result = BenchResult(
        name,
        str(torch.device(device)),
        batch_size,
        img_size,
        channels,
        speed.precision,
        speed.channels_last,
        speed.compile,
        speed.data_on_device,
        speed.fused_optimizers,
        steps=steps,
        rounds=rounds,
        warmup=warmup,
    )
    try:
        _measure(result, speed, dict(model_args or {}), reference, reference_workers)
    except (ConfigError, DataError) as err:
        result.skipped = str(err)
    except torch.cuda.OutOfMemoryError:
        result.skipped = f"out of memory at batch {batch_size}, {img_size}x{img_size}"
    finally:
        gc.collect()
        if result.device.startswith("cuda"):
            torch.cuda.empty_cache()
    return result


def run_suite(
    models: Sequence[str] = ("dcgan",),
    *,
    device: str | torch.device = "cpu",
    batch_sizes: Sequence[int] = (64,),
    img_sizes: Sequence[int] = (64,),
    channels: int = 3,
    speed: SpeedConfig | None = None,
    steps: int = 10,
    rounds: int = 3,
    warmup: int = 3,
    reference: bool = True,
    reference_workers: int | None = None,
    model_args: dict[str, Any] | None = None,
    on_result: Callable[[BenchResult], None] | None = None,
) -> list[BenchResult]:
    """:func:`benchmark_model` for every model (names, aliases or globs) x image size x batch.

    ``on_result`` is called with each result as soon as it is measured (e.g. to print it).
    """
    results = []
    for name in resolve_models(models):
        for img_size in img_sizes:
            for batch_size in batch_sizes:
                result = benchmark_model(
                    name,
                    device=device,
                    batch_size=batch_size,
                    img_size=img_size,
                    channels=channels,
                    speed=speed,
                    steps=steps,
                    rounds=rounds,
                    warmup=warmup,
                    reference=reference,
                    reference_workers=reference_workers,
                    model_args=model_args,
                )
                results.append(result)
                if on_result is not None:
                    on_result(result)
    return results
