"""Evaluating against given images (a tensor, any dataset, a folder of image files) instead of a
named dataset's cached split."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.data import TensorImages, load_dataset, load_image_folder, to_unit_range
from ganzoo.errors import ConfigError, DataError
from ganzoo.metrics import FewSamplesWarning, evaluate

N = 400


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def fashion(data_root) -> dict[str, torch.Tensor]:
    """The first N Fashion-MNIST train and test images, as uint8."""
    return {
        split: load_dataset("fashion-mnist", data_root, train=split == "train").images[:N]
        for split in ("train", "test")
    }


def test_test_images_as_the_reference_equal_the_named_test_split(fashion, data_root) -> None:
    source = TensorImages(fashion["train"])
    named = evaluate(source, reference="fashion-mnist", n=N, data_root=data_root)
    given = evaluate(
        source, reference=to_unit_range(fashion["test"]), classifier="fashion-mnist", n=N
    )
    assert given["reference"] == "the given images"
    assert named["reference"] == "fashion-mnist (test split)"
    for key in ("fid", "kid", "precision", "recall", "density", "coverage", "is"):
        assert given[key] == pytest.approx(named[key], rel=1e-9), key
    assert given["class_histogram"] == named["class_histogram"]
    # a different reference gives a different, larger distance
    digits = load_dataset("mnist", data_root, train=False).images[:N]
    other = evaluate(
        source,
        reference=to_unit_range(digits),
        classifier="fashion-mnist",
        metrics=("fid",),
        n=N,
    )
    assert other["fid"] > 10 * named["fid"]


def test_any_dataset_of_images_can_be_evaluated(fashion) -> None:
    images = to_unit_range(fashion["train"][:200])
    labels = torch.zeros(200, dtype=torch.long)
    pairs = torch.utils.data.TensorDataset(images, labels)  # yields (image, label)
    reference = to_unit_range(fashion["test"][:200])
    kw = {"reference": reference, "classifier": "fashion-mnist", "metrics": ("fid",), "n": 200}
    forward = evaluate(pairs, **kw)["fid"]
    assert forward == pytest.approx(evaluate(images, **kw)["fid"]) and forward > 0
    # as the reference too: FID is symmetric
    assert evaluate(reference, **kw | {"reference": pairs})["fid"] == pytest.approx(forward)


def test_image_references_are_checked_before_any_feature(fashion) -> None:
    images = to_unit_range(fashion["test"][:50])
    with pytest.raises(ConfigError, match="need classifier='mnist' or 'fashion-mnist'"):
        evaluate(images, reference=images, n=50)
    with pytest.raises(ConfigError, match="need classifier="):  # classifier features
        evaluate(images, reference=images, metrics=("fid",), n=50)
    with pytest.raises(ConfigError, match="holds 50 images; 60 are needed"):
        evaluate(images, reference=images, classifier="mnist", n=50, n_reference=60)
    with pytest.raises(ConfigError, match="not a generator: sample it first"):
        evaluate(images, reference=ganzoo.create("dcgan", width=8), classifier="mnist", n=50)
    with pytest.raises(ConfigError, match="is for image references"):
        evaluate(images, reference="mnist", classifier="fashion-mnist", n=50)
    with pytest.raises(ConfigError, match=r"\[-1, 1\]"):
        evaluate(images, reference=fashion["test"][:50].float(), classifier="mnist", n=50)
    with pytest.raises(ganzoo.UnknownNameError, match="mnist"):
        evaluate(images, reference=images, classifier="cifar10", n=50)


def test_inception_distances_between_images_need_no_classifier(fashion) -> None:
    images = to_unit_range(fashion["test"][:8])
    with pytest.warns(FewSamplesWarning):
        same = evaluate(images, reference=images, extractor="inception", metrics=("fid",), n=8)
    assert "classes_covered" not in same and "inception" in same["extractor"].lower()
    assert abs(same["fid"]) < 0.05


def _write_pngs(folder: Path, images: torch.Tensor) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        Image.fromarray(image.squeeze(0).numpy()).save(folder / f"{i:05d}.png")


def test_a_folder_of_image_files_reads_as_one_tensor(tmp_path, fashion) -> None:
    _write_pngs(tmp_path / "grey", fashion["test"][:5])
    read = load_image_folder(tmp_path / "grey", 28, 1)
    assert torch.equal(read, to_unit_range(fashion["test"][:5]))  # lossless, in name order
    # a wide RGB image is centre-cropped to a square, then resized
    wide = np.zeros((30, 40, 3), dtype=np.uint8)
    wide[:, :5] = wide[:, -5:] = 255  # white side bands outside the centre square
    (tmp_path / "rgb").mkdir()
    Image.fromarray(wide).save(tmp_path / "rgb" / "wide.png")
    assert load_image_folder(tmp_path / "rgb", 16, 3).shape == (1, 3, 16, 16)
    assert load_image_folder(tmp_path / "rgb", 16, 1).max() == -1.0  # the bands are cropped off
    with pytest.raises(DataError, match="holds 5 images; 9 are needed"):
        load_image_folder(tmp_path / "grey", 28, 1, limit=9)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="No images"):
        load_image_folder(tmp_path / "empty", 28, 1)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"x\.png"):
        load_image_folder(tmp_path / "bad", 28, 1)


def _eval(*args: str, cache: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ganzoo", "eval", *args]
    env = {**os.environ, "GANZOO_CACHE": str(cache)}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_eval_cli_against_a_folder_of_images(tmp_path, fashion, data_root) -> None:
    run = tmp_path / "run"
    train = [
        *(sys.executable, "-m", "ganzoo", "train", "dcgan", "--steps", "2", "--batch-size", "8"),
        *("--set", "model_args.width=8", "--dataset", "fashion-mnist"),
        *("--data-root", str(data_root), "--out", str(run), "--no-progress"),
    ]
    assert subprocess.run(train, capture_output=True, timeout=300).returncode == 0
    folder = tmp_path / "mine"
    _write_pngs(folder, fashion["test"][:300])
    out = tmp_path / "eval.json"
    args = (str(run), "--reference", str(folder), "--n", "300", "--metrics", "fid,coverage")
    result = _eval(*args, "--out", str(out), cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert record["reference"] == f"the images in {folder}"
    assert record["n_reference"] == 300 and record["fid"] > 0
    assert "classifier" in record["extractor"] and "fashion-mnist" in record["extractor"]
    # the same images named as the dataset's test split give the same FID (the classifier
    # defaults to the dataset the run was trained on)
    named = _eval(
        *args[:1],
        "--n",
        "300",
        "--metrics",
        "fid,coverage",
        "--out",
        str(out),
        "--data-root",
        str(data_root),
        cache=tmp_path / "c",
    )
    assert named.returncode == 0, named.stderr
    assert json.loads(out.read_text())["fid"] == pytest.approx(record["fid"], rel=1e-9)
    # --classifier picks another classifier; a missing folder is one line
    other = _eval(*args, "--classifier", "mnist", "--out", str(out), cache=tmp_path / "c")
    assert other.returncode == 0, other.stderr
    assert json.loads(out.read_text())["extractor"].startswith("ganzoo mnist classifier")
    missing = _eval(str(run), "--reference", str(tmp_path / "nope"), cache=tmp_path / "c")
    assert missing.returncode != 0
    assert "--reference folder" in missing.stderr and "Traceback" not in missing.stderr
