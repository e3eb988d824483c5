"""One benchmark measurement, as it goes into tables, JSON and plots."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class BenchResult:
    """Throughput, FLOPs and memory of one model at one device / batch / size / speed setting.

    Rates come from the median timed round; ``step_seconds`` lists every round. ``skipped``
    holds the reason when the combination could not run (then the measurements are None).
    ``reference`` is the classic DCGAN loop measured in the same run, interleaved round by round
    (``dcgan`` only); ``vs_reference`` is the median over rounds of this result's images/s
    divided by the reference's in the same round, ``vs_reference_range`` those ratios' [min, max].
    """

    model: str
    device: str
    batch_size: int
    img_size: int
    channels: int
    precision: str = "fp32"
    channels_last: bool = False
    compile: bool = False
    data_on_device: bool = True
    fused_optimizers: bool = False
    n_critic: int = 1
    images_per_step: int = 0
    steps: int = 0
    rounds: int = 0
    warmup: int = 0
    step_seconds: list[float] | None = None
    steps_per_s: float | None = None
    images_per_s: float | None = None
    sample_images_per_s: float | None = None
    flops_per_step: int | None = None
    achieved_flops: float | None = None
    peak_flops: float | None = None
    peak_fraction: float | None = None
    peak_kernel: str | None = None
    peak_memory_bytes: int | None = None
    memory_measure: str | None = None
    skipped: str | None = None
    reference: BenchResult | None = None
    vs_reference: float | None = None
    vs_reference_range: list[float] | None = None

    @property
    def ok(self) -> bool:
        return self.skipped is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the reference nested as a dict)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchResult:
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("reference") is not None:
            values["reference"] = cls.from_dict(values["reference"])
        return cls(**values)
