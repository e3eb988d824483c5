"""docs/scripts/zoo_fid.py on translator tags: translations against the target domain's test images."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import ganzoo
from ganzoo.data import load_dataset
from ganzoo.data.images import to_unit_range
from ganzoo.metrics import evaluate
from ganzoo.metrics.classifier import prepare_images

from .test_docs import ROOT, _script

N = 40  # Inception on a CPU: enough images to tell edge maps from digits, and no more


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))


def test_a_translator_is_measured_on_its_translations_against_the_target_test_images(
    data_root,
) -> None:
    tag = "pix2pix.edges2mnist"
    entry = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())[tag]
    result = _script("zoo_fid").measure(tag, entry, str(data_root), n=N)
    assert result["dataset"] == "edges2mnist" and result["target"] == "mnist"
    assert result["protocol"].startswith(f"{N} translations of the edges2mnist test sources")
    assert result["sha256"] == entry["sha256"]
    fid = result["inception"]["fid"]
    assert math.isfinite(fid) and math.isfinite(result["classifier"]["fid"])
    assert result["classifier"]["classes_covered"] == 10
    # the edge maps it starts from, measured the same way against the digits, are further off
    size = ganzoo.from_pretrained(ROOT / entry["local_folder"]).source_shape[1]
    task = load_dataset("edges2mnist", data_root, train=False, img_size=size, channels=1)
    edges = prepare_images(to_unit_range(task.sources[:N]))
    untranslated = evaluate(
        edges,
        reference="mnist",
        extractor="inception",
        metrics=("fid",),
        n=N,
        data_root=data_root,
        precision="fp32",
    )["fid"]
    assert fid < 0.7 * untranslated, (fid, untranslated)  # measured: 80 vs 164 at N = 40


def test_a_task_without_a_reference_is_named_and_not_measured(tmp_path) -> None:
    """thin2thick's targets are thickened digits: MNIST's test images are no reference for it."""
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "scripts" / "zoo_fid.py"),
            "--data-root",
            str(tmp_path),
            "--no-floors",
            "--only",
            "cyclegan.thin2thick",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "cyclegan.thin2thick: not measured: its targets are thickened digits" in out
    assert not list(tmp_path.glob("*.json"))
