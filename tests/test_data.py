"""Datasets: the embedded default, torchvision datasets from disk, image folders, batch streams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.data import BatchStream, FolderImages, TensorImages, load_dataset, load_embedded


def _pair(batch: ganzoo.Batch) -> tuple:
    """A batch as (images, labels)."""
    return batch.real, batch.labels


def test_embedded_default_is_the_mnist_test_split() -> None:
    data = load_embedded()
    assert data.images.shape == (10_000, 1, 28, 28) and data.images.dtype == torch.uint8
    assert data.labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # MNIST t10k's first labels
    assert torch.bincount(data.labels).tolist()[:2] == [980, 1135]
    image, label = data[0]
    assert image.min() == -1 and image.max() == 1 and int(label) == 7
    assert load_dataset().image_shape == (1, 28, 28)


@pytest.mark.parametrize(
    ("name", "train", "count"), [("mnist", True, 60_000), ("fashion_mnist", False, 10_000)]
)
def test_torchvision_datasets_load_from_disk(name, train, count, data_root) -> None:
    data = load_dataset(
        name, root=data_root, train=train, download=True
    )  # files present: md5 + unpack
    assert len(data) == count and data.image_shape == (1, 28, 28) and data.num_classes == 10


def test_fashion_mnist_differs_from_mnist(data_root) -> None:
    mnist = load_dataset("mnist", root=data_root, train=False)
    fashion = load_dataset("fashion-mnist", root=data_root, train=False)
    assert not torch.equal(mnist.images[:10], fashion.images[:10])
    assert fashion.images.float().mean() > mnist.images.float().mean()  # clothes cover more pixels


def test_resize_and_channel_conversion() -> None:
    data = load_dataset(img_size=32, channels=3)
    assert data.image_shape == (3, 32, 32)
    assert torch.equal(data.images[:, 0], data.images[:, 2])  # grey repeated
    back = data.formatted(channels=1)
    assert back.image_shape == (1, 32, 32)
    assert (back.images.int() - data.images[:, :1].int()).abs().max() <= 1


def test_missing_torchvision_files_say_where_to_put_them(tmp_path) -> None:
    for name in ("mnist", "cifar10"):
        with pytest.raises(ganzoo.DataError, match=r"Put the dataset files in .*--data-root"):
            load_dataset(name, root=tmp_path, download=False)


def test_bad_dataset_names_and_paths(tmp_path) -> None:
    with pytest.raises(ganzoo.UnknownNameError, match="fashion-mnist"):
        load_dataset("fashon-mnist")
    with pytest.raises(ganzoo.DataError, match="does not exist"):
        load_dataset(str(tmp_path / "nowhere"))
    with pytest.raises(ganzoo.DataError, match="does not exist"):
        load_dataset("imagefolder", root=tmp_path / "nowhere")


def _write_folder(root: Path, classes: int = 2, per_class: int = 5) -> Path:
    rng = np.random.default_rng(0)
    for c in range(classes):
        (root / f"class{c}").mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 256, size=(40, 48, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / f"class{c}" / f"{i}.png")
    return root


def test_image_folder(tmp_path) -> None:
    root = _write_folder(tmp_path / "imgs")
    data = load_dataset(str(root), img_size=32, channels=3)
    assert isinstance(data, FolderImages)
    assert len(data) == 10 and data.num_classes == 2 and data.image_shape == (3, 32, 32)
    image, label = data[7]
    assert image.shape == (3, 32, 32) and image.min() >= -1 and image.max() <= 1 and label == 1
    stream = BatchStream(data, batch_size=4, seed=0)
    batch = stream.next()
    images, labels = batch.real, batch.labels
    assert images.shape == (4, 3, 32, 32) and labels.shape == (4,)


def test_streaming_and_in_memory_batches_follow_the_same_order(tmp_path) -> None:
    data = load_embedded()
    small = TensorImages(data.images[:40], data.labels[:40], 10)
    fast = BatchStream(small, 8, seed=3)
    slow = BatchStream(
        torch.utils.data.TensorDataset(small.images.float() / 127.5 - 1, small.labels), 8, seed=3
    )
    for _ in range(7):  # crosses an epoch boundary (5 batches per epoch)
        (a, la), (b, lb) = _pair(fast.next()), _pair(slow.next())
        assert torch.allclose(a, b) and torch.equal(la, lb)


def test_batch_stream_covers_each_epoch_and_resumes() -> None:
    data = load_embedded()
    small = TensorImages(data.images[:48], torch.arange(48), 48)
    stream = BatchStream(small, 8, seed=0)
    seen = torch.cat([stream.next().labels for _ in range(6)])
    assert sorted(seen.tolist()) == list(range(48))  # one epoch = a permutation
    stream.next()
    state = stream.state_dict()
    expected = [stream.next().labels for _ in range(8)]
    again = BatchStream(small, 8, seed=0)
    again.load_state_dict(state)
    assert all(torch.equal(a, again.next().labels) for a in expected)
    assert state == {"epoch": 1, "position": 1, "seed": 0}


def test_unlabelled_stream_when_labels_not_wanted() -> None:
    stream = BatchStream(load_embedded(), 4, with_labels=False)
    assert stream.next().labels is None


def _write_cifar10(root: Path, per_batch: int = 3) -> np.ndarray:
    """torchvision's ``cifar-10-batches-py`` layout with ``per_batch`` images per batch file:
    pickled dicts of 3072-byte rows (1024 R, 1024 G, 1024 B values, row-major) and labels."""
    import pickle

    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    rows = rng.integers(0, 256, (len(names), per_batch, 3072), dtype=np.uint8)
    for i, name in enumerate(names):
        labels = [(i + j) % 10 for j in range(per_batch)]
        batch = {"data": rows[i], "labels": labels, "batch_label": name}
        (folder / name).write_bytes(pickle.dumps(batch))
    classes = [f"class {i}" for i in range(10)]
    meta = {"num_cases_per_batch": per_batch, "label_names": classes, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))
    return rows


def test_cifar10_reads_torchvision_batch_files(tmp_path, monkeypatch) -> None:
    import torchvision.datasets.cifar

    rows = _write_cifar10(tmp_path)
    # torchvision checks each file's md5 against the real archive's; these small files cannot match
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *a, **k: True)
    train = load_dataset("cifar10", root=tmp_path, download=False)
    test = load_dataset("cifar-10", root=tmp_path, train=False, download=False)
    assert (len(train), len(test)) == (15, 3) and train.num_classes == 10
    assert train.image_shape == test.image_shape == (3, 32, 32)
    # channel planes and pixel order survive the HWC -> CHW conversion
    assert torch.equal(train.images[0], torch.from_numpy(rows[0, 0].reshape(3, 32, 32)))
    assert torch.equal(test.images[2], torch.from_numpy(rows[5, 2].reshape(3, 32, 32)))
    assert train.labels[:4].tolist() == [0, 1, 2, 1] and test.labels.tolist() == [5, 6, 7]
    image, _ = test[0]
    assert image.min() >= -1 and image.max() <= 1 and image.min() < -0.9 and image.max() > 0.9


@pytest.mark.parametrize("recipe", ["dcgan_cifar10", "sngan_cifar10", "stylegan_cifar10"])
def test_cifar10_recipes_train_on_the_files(recipe, tmp_path, monkeypatch) -> None:
    """Each zoo recipe, narrowed and shortened, trains a step on the written batch files."""
    import torchvision.datasets.cifar

    from .conftest import train_recipe_one_step

    _write_cifar10(tmp_path / "data", per_batch=2)
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *a, **k: True)
    args = train_recipe_one_step(recipe, tmp_path / "data", tmp_path / recipe)
    assert (args["img_size"], args["channels"]) == (32, 3)  # the model followed the data
