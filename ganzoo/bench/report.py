"""Benchmark results as a text or Markdown table, a JSON file, and plots."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import MissingExtraError
from .result import BenchResult

COLUMNS = (
    "model",
    "size",
    "batch",
    "settings",
    "train img/s",
    "steps/s",
    "sample img/s",
    "FLOP/step",
    "FLOP/s",
    "% peak",
    "peak mem",
    "vs classic",
)
PLOT_HINT = 'Plots need matplotlib: pip install "ganzoo[bench]" (or pip install matplotlib).'


def _si(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    for factor, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}".rstrip()


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def settings(result: BenchResult) -> str:
    """Short description of the speed switches in effect, e.g. ``bf16+cl+compile``."""
    parts = [result.precision]
    parts += ["cl"] if result.channels_last else []
    parts += ["fused"] if result.fused_optimizers else []
    parts += ["compile"] if result.compile else []
    parts += [] if result.data_on_device else ["dataloader"]
    return "+".join(parts)


def speedup_text(r: BenchResult) -> str:
    """``2.41x (2.30-2.55)``: the median of paired per-round ratios and their range."""
    if r.vs_reference is None:
        return "—"
    if not r.vs_reference_range:
        return f"{r.vs_reference:.2f}x"
    low, high = r.vs_reference_range
    return f"{r.vs_reference:.2f}x ({low:.2f}-{high:.2f})"


def _row(r: BenchResult) -> list[str]:
    head = [r.model, f"{r.channels}x{r.img_size}x{r.img_size}", str(r.batch_size), settings(r)]
    if not r.ok:
        return [*head, f"skipped: {r.skipped}"] + [""] * (len(COLUMNS) - len(head) - 1)
    fraction = None if r.peak_fraction is None else 100 * r.peak_fraction
    memory = None if r.peak_memory_bytes is None else r.peak_memory_bytes / 2**20
    return [
        *head,
        _num(r.images_per_s),
        _num(r.steps_per_s, 2),
        _num(r.sample_images_per_s),
        _si(r.flops_per_step),
        _si(r.achieved_flops),
        _num(fraction),
        "—" if memory is None else f"{memory:,.0f} MiB",
        speedup_text(r),
    ]


def _rows(results: Sequence[BenchResult]) -> list[list[str]]:
    rows = []
    for r in results:
        rows.append(_row(r))
        if r.reference is not None:
            rows.append(_row(r.reference))
    return rows


def format_table(results: Sequence[BenchResult], markdown: bool = False) -> str:
    """One row per result (each followed by its classic-loop reference, if any)."""
    rows = _rows(results)
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * 4 + "--:|" * (len(COLUMNS) - 4)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        return "\n".join(lines)
    table = [list(COLUMNS), *[row for row in rows if not row[4].startswith("skipped")]]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = []
    for row in [list(COLUMNS), *rows]:
        if row[4].startswith("skipped"):
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=False)) + "  " + row[4]
            )
            continue
        cells = [
            c.ljust(w) if i < 4 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def save_results(
    path: str | os.PathLike[str], results: Sequence[BenchResult], meta: dict[str, Any]
) -> Path:
    """Write ``{"meta": ..., "results": [...]}`` as indented JSON; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "results": [r.to_dict() for r in results]}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def load_results(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[BenchResult]]:
    """The meta dict and results of a file written by :func:`save_results`."""
    payload = json.loads(Path(path).read_text())
    return payload["meta"], [BenchResult.from_dict(r) for r in payload["results"]]


def require_matplotlib() -> None:
    """Raise :class:`~ganzoo.errors.MissingExtraError` naming the pip command if it is absent."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingExtraError(PLOT_HINT) from None


def _series(results: Sequence[BenchResult], axis: str, other: str) -> dict[str, list[tuple]]:
    """``{label: [(x, images/s), ...]}`` with one line per model/settings/``other`` value."""
    flat = [x for r in results if r.ok for x in ([r, r.reference] if r.reference else [r])]
    lines: dict[str, list[tuple]] = {}
    for r in flat:
        label = f"{r.model} [{settings(r)}], {other.replace('_size', '')} {getattr(r, other)}"
        lines.setdefault(label, []).append((getattr(r, axis), r.images_per_s))
    return {k: sorted(v) for k, v in lines.items()}


def _tick(value: float, _position: object = None) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def plot_results(
    results: Sequence[BenchResult], out_dir: str | os.PathLike[str], title: str = ""
) -> list[Path]:
    """Training images/s against batch size and against image size, as two PNGs in ``out_dir``."""
    require_matplotlib()
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for axis, other, xlabel, name in (
        ("batch_size", "img_size", "batch size", "images_per_s_vs_batch.png"),
        (
            "img_size",
            "batch_size",
            "image size (pixels per side)",
            "images_per_s_vs_resolution.png",
        ),
    ):
        fig = Figure(figsize=(7, 4.5), layout="constrained")
        ax = fig.add_subplot()
        for label, points in _series(results, axis, other).items():
            xs, ys = zip(*points, strict=True)
            style = "--" if "classic loop" in label else "-"
            ax.plot(xs, ys, style, marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sorted({getattr(r, axis) for r in results}), minor=False)
        ax.xaxis.set_major_formatter("{x:g}")
        ax.yaxis.set_major_formatter(_tick)
        ax.yaxis.set_minor_formatter(_tick)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("training images/s")
        ax.set_title(title or "ganzoo bench")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        fig.savefig(out / name, dpi=120)
        written.append(out / name)
    return written
