"""Every published tag samples the tensors it sampled when they were recorded.

tests/data/pretrained_samples.json was written by docs/scripts/record_pretrained_samples.py
before the package was restructured into layers; the same seed must give the same images.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ganzoo

ROOT = Path(__file__).resolve().parents[1]
RECORD = json.loads((ROOT / "tests" / "data" / "pretrained_samples.json").read_text())
INDEX = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
ATOL = 1e-4  # float32 kernels may differ in the last bits across CPUs; a changed model would not


@pytest.mark.parametrize("tag", sorted(RECORD["tags"]))
def test_published_tag_samples_the_recorded_tensors(tag: str) -> None:
    expected = RECORD["tags"][tag]
    gan = ganzoo.from_pretrained(ROOT / INDEX[tag]["local_folder"])
    images = gan.sample(RECORD["n"], seed=RECORD["seed"], precision="fp32").double()
    assert list(images.shape) == expected["shape"]
    sums = images.flatten(1).sum(1)
    assert sums.tolist() == pytest.approx(expected["image_sums"], abs=ATOL * images[0].numel())
    pixels = images.flatten()[:: RECORD["stride"]]
    assert pixels.tolist() == pytest.approx(expected["pixels"], abs=ATOL)


def test_every_recorded_tag_is_still_published() -> None:
    assert set(RECORD["tags"]) <= set(ganzoo.list_models(pretrained=True))
