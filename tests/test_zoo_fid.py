"""docs/scripts/zoo_fid.py on translator tags: translations against the target domain's test images
(or, for thin2thick, the task's own test targets)."""

from __future__ import annotations

import json
import math

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


def test_thin2thick_is_measured_against_its_own_test_targets(data_root) -> None:
    """thin2thick's targets are dilated digits, not MNIST's test images: they are its reference."""
    tag = "cyclegan.thin2thick"
    entry = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())[tag]
    zoo_fid = _script("zoo_fid")
    result = zoo_fid.measure(tag, entry, str(data_root), n=N)
    assert result["target"] == "thin2thick test targets"
    assert result["protocol"] == (
        f"{N} translations of the thin2thick test sources (fp32 generator, resized to 28x28) "
        f"vs {N} of the task's test targets"
    )
    inception, classifier = result["inception"], result["classifier"]
    assert {"precision", "recall", "density", "coverage", "kid"} <= set(inception)
    assert (
        inception["extractor"].startswith("Inception-v3")
        and "classifier" in classifier["extractor"]
    )
    assert classifier["classes_covered"] >= 8  # digits stay digits (40 samples: not all 10)
    # the thin digits it starts from, measured the same way against the thick ones, are further off
    size = ganzoo.from_pretrained(ROOT / entry["local_folder"]).source_shape[1]
    task = load_dataset("thin2thick", data_root, train=False, img_size=size, channels=1)
    thin = prepare_images(to_unit_range(task.sources[:N]))
    thick = prepare_images(to_unit_range(task.targets[:N]))
    untranslated = zoo_fid.metrics_against_images(thin, thick, "mnist", "thin digits")
    # measured: 105 vs 205 at N = 40
    assert inception["fid"] < 0.7 * untranslated["inception"]["fid"], (inception, untranslated)
