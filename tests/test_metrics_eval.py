"""The evaluation API on real data with the shipped classifiers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.data import TensorImages, load_dataset, load_embedded, to_unit_range
from ganzoo.metrics import evaluate, fid
from ganzoo.metrics.classifier import classifier_info, load_classifier
from ganzoo.metrics.evaluate import prepare_images, stats_cache_dir
from ganzoo.metrics.neighbours import nearest_neighbours


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GANZOO_DATA", str(tmp_path / "no-data-here"))


@pytest.mark.parametrize(("dataset", "minimum"), [("mnist", 0.98), ("fashion-mnist", 0.88)])
def test_shipped_classifiers_are_accurate(dataset, minimum, data_root) -> None:
    test = load_dataset(dataset, data_root, train=False)
    model = load_classifier(dataset)
    with torch.no_grad():
        predictions = torch.cat(
            [model(to_unit_range(x)).argmax(1) for x in test.images.split(1000)]
        )
    accuracy = (predictions == test.labels).float().mean().item()
    assert accuracy >= minimum
    assert (
        abs(accuracy - classifier_info()[dataset]["test_accuracy"]) < 2e-3
    )  # the recorded number is real
    size = sum(
        p.stat().st_size for p in Path(ganzoo.metrics.__file__).parent.glob("weights/*.safetensors")
    )
    assert size < 1_000_000  # a few hundred KB


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("MNIST", "mnist"),
        ("default", "mnist"),
        ("fashion_mnist", "fashion-mnist"),
        ("cifar10", None),
    ],
)
def test_classifier_dataset_names_the_datasets_with_a_shipped_classifier(name, canonical) -> None:
    assert ganzoo.metrics.classifier_dataset(name) == canonical
    if canonical is not None:
        head = load_classifier(canonical).head
        assert head.out_features == ganzoo.metrics.CLASSIFIER_CLASSES


def test_real_data_scores_well_and_noise_scores_badly(data_root) -> None:
    train = load_dataset("mnist", data_root, train=True)
    real = TensorImages(train.images[:2000], train.labels[:2000], 10)
    kw = {"reference": "mnist", "n": 2000, "data_root": data_root}
    good = evaluate(real, **kw)
    torch.manual_seed(0)
    untrained = ganzoo.create("dcgan", width=8)
    bad = evaluate(untrained, **kw)
    assert good["n"] == good["n_reference"] == 2000 and "classifier" in good["extractor"]
    assert good["fid"] < 5 < bad["fid"]
    assert good["kid"] < bad["kid"]
    assert good["is"] > 9 and bad["is"] < 3
    assert good["precision"] > 0.6 and good["recall"] > 0.6
    assert bad["precision"] < 0.1
    assert good["classes_covered"] == 10 and good["class_kl_to_uniform"] < 0.02
    assert sum(good["class_histogram"]) == 2000
    assert fid(real, **kw) == pytest.approx(good["fid"])


def test_fashion_reference_differs_from_mnist(data_root) -> None:
    fashion = load_dataset("fashion-mnist", data_root, train=False)
    value = fid(TensorImages(fashion.images[:1000]), reference="mnist", n=1000, data_root=data_root)
    assert value > 50


def test_reference_statistics_are_cached_by_dataset_split_and_extractor(data_root) -> None:
    evaluate(load_embedded(), reference="mnist", metrics=("fid",), n=500, data_root=data_root)
    files = sorted(p.name for p in stats_cache_dir().iterdir())
    assert len(files) == 1 and files[0].startswith("mnist-test-n500-classifier_mnist-")
    stamp = (stats_cache_dir() / files[0]).stat().st_mtime_ns
    evaluate(load_embedded(), reference="mnist", metrics=("fid",), n=500, data_root=data_root)
    assert (stats_cache_dir() / files[0]).stat().st_mtime_ns == stamp  # reused
    evaluate(
        load_embedded(),
        reference="mnist",
        metrics=("fid",),
        n=500,
        split="train",
        data_root=data_root,
    )
    assert len(list(stats_cache_dir().iterdir())) == 2  # another split, another entry


def test_bad_images_and_names() -> None:
    with pytest.raises(ganzoo.ConfigError, match=r"\[-1, 1\].*x / 127.5 - 1"):
        prepare_images(torch.full((2, 1, 28, 28), 255.0))
    with pytest.raises(ganzoo.ConfigError, match="shape"):
        prepare_images(torch.zeros(2, 4, 28, 28))
    assert prepare_images(torch.zeros(2, 3, 64, 64)).shape == (
        2,
        1,
        28,
        28,
    )  # documented conversion
    with pytest.raises(ganzoo.UnknownNameError, match="fid"):
        evaluate(load_embedded(), metrics=("fdi",), n=10)
    with pytest.raises(ganzoo.UnknownNameError, match="mnist"):
        evaluate(load_embedded(), reference="mnsit", n=10)


def test_nearest_neighbour_figure(tmp_path, data_root) -> None:
    torch.manual_seed(0)
    path = nearest_neighbours(
        ganzoo.create("dcgan", width=8),
        tmp_path / "nn.png",
        n=3,
        k=4,
        n_reference=2000,
        data_root=data_root,
    )
    assert Image.open(path).size == (5 * 30 + 2, 3 * 30 + 2)


def test_eval_cli_writes_json(tmp_path, data_root) -> None:
    """Without --reference, a run is compared with the dataset it was trained on."""
    run = tmp_path / "run"
    train = [
        sys.executable,
        "-m",
        "ganzoo",
        "train",
        "dcgan",
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--set",
        "model_args.width=8",
        "--dataset",
        "fashion-mnist",
        "--data-root",
        str(data_root),
        "--out",
        str(run),
        "--no-progress",
    ]
    assert subprocess.run(train, capture_output=True, timeout=300).returncode == 0
    out = tmp_path / "eval.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ganzoo",
            "eval",
            str(run),
            "--n",
            "300",
            "--metrics",
            "fid,is,coverage",
            "--data-root",
            str(data_root),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "GANZOO_CACHE": str(tmp_path / "c")},
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert record["n"] == 300 and record["fid"] > 0 and 1 <= record["is"] <= 10
    assert "fid" in result.stdout and "300 samples" in result.stdout
    assert record["reference"] == "fashion-mnist (test split)"


def test_default_reference_is_what_the_source_was_trained_on(tmp_path) -> None:
    from ganzoo.cli.evaluate import _default_reference
    from ganzoo.cli.sources import trained_on

    run = tmp_path / "run"
    run.mkdir()
    (run / "run.yaml").write_text("model: dcgan\ndata:\n  name: fashion-mnist\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps({"library": "ganzoo", "model": "dcgan", "dataset": "fashion-mnist"})
    )
    assert trained_on(str(run)) == "fashion-mnist"
    assert _default_reference(str(run / "checkpoints" / "last.pt")) == "fashion-mnist"
    assert _default_reference(str(folder)) == "fashion-mnist"
    assert _default_reference("dcgan.fashion_mnist") == "fashion-mnist"
    (run / "run.yaml").write_text("model: pix2pix\ndata:\n  name: edges2fashion\n")
    assert _default_reference(str(run)) == "mnist"  # not a reference dataset: the default
    assert _default_reference(str(tmp_path / "missing")) == "mnist"


def test_translation_eval_defaults_to_the_tasks_target_domain() -> None:
    from ganzoo.cli.evaluate import _task_target

    assert _task_target("edges2fashion") == _task_target("mnist2fashion") == "fashion-mnist"
    assert _task_target("edges2mnist") == _task_target("thin2thick") == "mnist"
    assert _task_target("edges2fashion_mnist") == "fashion-mnist"  # an alias
