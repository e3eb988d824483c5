"""Image-to-image data: folder layouts on disk, MNIST translation tasks, batches of pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import ganzoo
from ganzoo.data import (
    BatchStream,
    FolderImages,
    ImagePairs,
    TensorImages,
    detect_pair_layout,
    dilate,
    edge_map,
    edges_task,
    erode,
    load_dataset,
    load_embedded,
    load_pair_folder,
    load_paired_folders,
    load_side_by_side,
    load_unpaired_folders,
    thin2thick_task,
)
from ganzoo.data.images import resize
from ganzoo.run import DataConfig, RunConfig, build_run

RNG = np.random.default_rng(0)


def _pair(batch: ganzoo.Batch) -> tuple:
    """A batch of image-to-image data as (targets, sources)."""
    return batch.real, batch.source


def _pixels(n: int, height: int, width: int, channels: int = 3) -> np.ndarray:
    shape = (n, height, width, channels) if channels == 3 else (n, height, width)
    return RNG.integers(0, 256, size=shape, dtype=np.uint8)


def _save(folder: Path, names: list[str], pixels: np.ndarray) -> None:
    """Write lossless images (the extension picks PNG or BMP)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in zip(names, pixels, strict=True):
        Image.fromarray(image).save(folder / name)


def _chw(pixels: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(pixels).permute(0, 3, 1, 2)


def _digits(n: int = 400) -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:n], data.labels[:n], 10, "digits")


# --- folder layouts ---------------------------------------------------------------------------


def test_paired_folders_round_trip_and_match_by_name(tmp_path) -> None:
    a, b = _pixels(3, 8, 8), _pixels(3, 8, 8)
    _save(tmp_path / "A", ["x2.png", "x10.png", "x1.png"], a)
    _save(tmp_path / "B", ["x10.bmp", "x1.png", "x2.png"], b[[1, 2, 0]])  # other order, other ext
    assert detect_pair_layout(tmp_path) == "paired"
    data = load_dataset(str(tmp_path), img_size=8)
    assert isinstance(data, ImagePairs) and data.paired and len(data) == 3
    order = [2, 1, 0]  # sorted stems: x1, x10, x2
    assert torch.equal(data.sources, _chw(a)[order]) and torch.equal(data.targets, _chw(b)[order])
    _, source = data[0]
    assert torch.allclose(source, _chw(a)[2].float() / 127.5 - 1)
    flipped = load_paired_folders(tmp_path / "A", tmp_path / "B", img_size=8, direction="b2a")
    assert torch.equal(flipped.sources, data.targets) and torch.equal(flipped.targets, data.sources)
    grey = load_pair_folder(tmp_path, img_size=8, channels=1)
    luma = torch.from_numpy(np.array(Image.fromarray(a[2]).convert("L")))
    assert grey.image_shape == (1, 8, 8) and torch.equal(grey.sources[0, 0], luma)


def test_paired_folders_with_a_split_level(tmp_path) -> None:
    train, test = _pixels(4, 6, 6), _pixels(2, 6, 6)
    for split, pixels in (("train", train), ("test", test)):
        _save(tmp_path / "outer" / split / "A", [f"{i}.png" for i in range(len(pixels))], pixels)
        _save(tmp_path / "outer" / split / "B", [f"{i}.png" for i in range(len(pixels))], pixels)
        _save(tmp_path / "inner" / "A" / split, [f"{i}.png" for i in range(len(pixels))], pixels)
        _save(tmp_path / "inner" / "B" / split, [f"{i}.png" for i in range(len(pixels))], pixels)
    for layout in ("outer", "inner"):
        assert torch.equal(load_pair_folder(tmp_path / layout, img_size=6).sources, _chw(train))
        test_data = load_pair_folder(tmp_path / layout, train=False, img_size=6)
        assert torch.equal(test_data.targets, _chw(test))


def test_paired_names_must_match(tmp_path) -> None:
    _save(tmp_path / "A", ["1.png", "2.png", "3.png"], _pixels(3, 4, 4))
    _save(tmp_path / "B", ["1.png", "2.png"], _pixels(2, 4, 4))
    with pytest.raises(
        ganzoo.DataError, match=r"1 file\(s\) in .*A have no file .* in .*B: 3\.png"
    ):
        load_dataset(str(tmp_path))
    _save(tmp_path / "B", ["3.png", "4.png"], _pixels(2, 4, 4))
    with pytest.raises(ganzoo.DataError, match=r"in .*B have no file .*: 4\.png"):
        load_dataset(str(tmp_path))
    (tmp_path / "B" / "4.png").unlink()
    _save(tmp_path / "A", ["3.bmp"], _pixels(1, 4, 4))
    with pytest.raises(ganzoo.DataError, match=r"3\.bmp and 3\.png .* same name"):
        load_dataset(str(tmp_path))


def test_side_by_side_images_split_into_halves(tmp_path) -> None:
    left, right = _pixels(3, 10, 10), _pixels(3, 10, 10)
    _save(tmp_path / "flat", ["a.png", "b.png", "c.png"], np.concatenate([left, right], axis=2))
    assert detect_pair_layout(tmp_path / "flat") == "side-by-side"
    data = load_dataset(str(tmp_path / "flat"), img_size=10)
    assert data.paired and torch.equal(data.sources, _chw(left))
    assert torch.equal(data.targets, _chw(right))
    back = load_dataset(str(tmp_path / "flat"), img_size=10, direction="BtoA")
    assert torch.equal(back.sources, _chw(right)) and torch.equal(back.targets, _chw(left))
    small = load_side_by_side(tmp_path / "flat", img_size=4)  # each half resized on its own
    assert torch.equal(small.targets, resize(_chw(right), 4))
    # pix2pix datasets: ROOT/train, ROOT/val (no test) of double-width images
    _save(tmp_path / "facades" / "train", ["1.png", "2.png"], _pixels(2, 5, 10))
    val = _pixels(1, 5, 10)
    _save(tmp_path / "facades" / "val", ["1.png"], val)
    assert detect_pair_layout(tmp_path / "facades") == "side-by-side"
    assert len(load_dataset(str(tmp_path / "facades"), img_size=5)) == 2
    test = load_dataset(str(tmp_path / "facades"), train=False, img_size=5)
    assert torch.equal(test.targets, _chw(val)[..., 5:])


@pytest.mark.parametrize("width", [21, 30])
def test_side_by_side_needs_twice_the_height(tmp_path, width) -> None:
    _save(tmp_path, ["ok.png"], _pixels(1, 10, 20))
    _save(tmp_path, ["odd.png"], _pixels(1, 10, width))
    with pytest.raises(ganzoo.DataError, match=rf"odd\.png is {width}x10 .* twice the height"):
        load_dataset(str(tmp_path))


def test_unpaired_folders_differ_in_length(tmp_path) -> None:
    a, b = _pixels(5, 6, 6), _pixels(3, 6, 6)
    _save(tmp_path / "trainA", [f"a{i}.png" for i in range(5)], a)
    _save(tmp_path / "trainB", [f"b{i}.png" for i in range(3)], b)
    assert detect_pair_layout(tmp_path) == "unpaired"
    data = load_dataset(str(tmp_path), img_size=6)
    assert not data.paired and len(data.sources) == 5 and len(data) == 3
    assert torch.equal(data.sources, _chw(a)) and torch.equal(data.targets, _chw(b))
    reverse = load_unpaired_folders(tmp_path / "trainA", tmp_path / "trainB", 6, 3, "b2a")
    assert len(reverse) == 5 and torch.equal(reverse.sources, _chw(b))
    _, source = reverse[4]  # unpaired items wrap around the shorter domain
    assert torch.equal(source, _chw(b)[1].float() / 127.5 - 1)
    with pytest.raises(ganzoo.DataError, match=r"No test split .*testA or .*valA"):
        load_dataset(str(tmp_path), train=False)
    _save(tmp_path / "testA", ["t.png"], a[:1])
    _save(tmp_path / "testB", ["t.png", "u.png"], b[:2])
    test = load_dataset(str(tmp_path), train=False, img_size=6)
    assert len(test.sources) == 1 and len(test) == 2


def test_class_folders_stay_image_folder(tmp_path) -> None:
    _save(tmp_path / "cats", ["1.png"], _pixels(1, 8, 8))
    _save(tmp_path / "dogs", ["1.png"], _pixels(1, 8, 8))
    assert detect_pair_layout(tmp_path) is None
    assert isinstance(load_dataset(str(tmp_path), img_size=8), FolderImages)
    _save(tmp_path / "pairs" / "A", ["1.png"], _pixels(1, 8, 8))
    _save(tmp_path / "pairs" / "B", ["1.png"], _pixels(1, 8, 8))
    forced = load_dataset("imagefolder", root=tmp_path / "pairs", img_size=8)
    assert isinstance(forced, FolderImages) and forced.num_classes == 2


def test_bad_folders_say_what_to_do(tmp_path) -> None:
    with pytest.raises(ganzoo.DataError, match="does not exist"):
        load_dataset(str(tmp_path / "nowhere"))
    with pytest.raises(ganzoo.DataError, match="does not exist"):
        load_side_by_side(tmp_path / "nowhere")
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    with pytest.raises(ganzoo.DataError, match=r"No images .* directly in .*A"):
        load_dataset(str(tmp_path))
    with pytest.raises(ganzoo.DataError, match="not laid out as image-to-image data"):
        load_pair_folder(tmp_path / "A")
    _save(tmp_path / "A", ["1.png"], _pixels(1, 4, 4))
    (tmp_path / "B" / "1.png").write_bytes(b"not an image")
    with pytest.raises(ganzoo.DataError, match=r"Cannot decode .*1\.png"):
        load_dataset(str(tmp_path))
    with pytest.raises(ganzoo.UnknownNameError, match="Unknown direction 'up'"):
        load_dataset(str(tmp_path), direction="up")
    with pytest.raises(ganzoo.DataError, match="image-to-image data only"):
        load_dataset("default", direction="b2a")


# --- batches --------------------------------------------------------------------------------


def test_batches_of_paired_data_keep_pairs_aligned() -> None:
    index = torch.arange(40, dtype=torch.uint8).view(40, 1, 1, 1).expand(40, 1, 4, 4)
    pairs = ImagePairs(sources=255 - index, targets=index.contiguous(), paired=True)
    stream = BatchStream(pairs, 8, seed=1)
    seen = []
    for _ in range(5):  # one epoch
        batch = stream.next()
        targets, sources = batch.real, batch.source
        assert torch.equal(sources, -targets)  # source i = 255 - i, i.e. the negated target
        seen += ((targets[:, 0, 0, 0] + 1) * 127.5).round().int().tolist()
    assert sorted(seen) == list(range(40)) and seen != list(range(40))


def test_batches_of_unpaired_data_are_seeded_and_resume() -> None:
    targets = torch.arange(40, dtype=torch.uint8).view(40, 1, 1, 1).expand(40, 1, 2, 2)
    sources = torch.arange(100, 124, dtype=torch.uint8).view(24, 1, 1, 1).expand(24, 1, 2, 2)
    data = ImagePairs(sources.contiguous(), targets.contiguous(), paired=False)
    stream = BatchStream(data, 8, seed=3)
    first = [_pair(stream.next()) for _ in range(7)]  # crosses the epoch boundary
    state = stream.state_dict()
    expected = [_pair(stream.next()) for _ in range(6)]
    again = BatchStream(data, 8, seed=3)
    assert all(torch.equal(s, again.next().source) for _, s in first)
    resumed = BatchStream(data, 8, seed=3)
    resumed.load_state_dict(state)
    for t, s in expected:
        rt, rs = _pair(resumed.next())
        assert torch.equal(t, rt) and torch.equal(s, rs)
    other = BatchStream(data, 8, seed=4)
    assert not all(torch.equal(s, other.next().source) for _, s in first)
    epoch = torch.cat([s for _, s in first[:5]])[:, 0, 0, 0]
    values = ((epoch + 1) * 127.5).round().int()
    assert values.min() >= 100 and len(set(values[:24].tolist())) > 1  # sources, shuffled


# --- MNIST translation tasks ----------------------------------------------------------------


def test_edges_are_a_binary_outline_on_the_boundary() -> None:
    digits = _digits()
    edges = edge_map(digits.images)
    assert set(edges.unique().tolist()) == {0, 255}
    on = edges > 0
    neighbourhood_max = F.max_pool2d(digits.images.float(), 3, 1, 1)
    assert (digits.images[on] < 128).all()  # outside the ink ...
    assert (neighbourhood_max[on] >= 128).all()  # ... next to it
    assert (on.flatten(1).sum(1) > 5).all()  # every digit has an outline
    square = torch.zeros(1, 1, 8, 8, dtype=torch.uint8)
    square[..., 2:5, 3:6] = 255
    ring = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
    ring[..., 1:6, 2:7] = True
    ring[..., 2:5, 3:6] = False
    assert torch.equal(edge_map(square) > 0, ring)
    pairs = edges_task(digits, "edges")
    assert pairs.paired and torch.equal(pairs.sources, edges)
    assert torch.equal(pairs.targets, digits.images)


def test_thin_and_thick_digits() -> None:
    digits = _digits()
    lit = lambda images: (images >= 128).flatten(1).sum(1)  # noqa: E731
    assert (lit(erode(digits.images)) < lit(digits.images)).all()
    assert (lit(dilate(digits.images)) > lit(digits.images)).all()
    assert (erode(digits.images) <= digits.images).all()
    data = thin2thick_task(digits)
    assert not data.paired and len(data.sources) == len(data.targets) == 200
    assert torch.equal(data.sources, erode(digits.images[:200]))  # A: the first half
    assert torch.equal(data.targets, dilate(digits.images[200:]))  # B: the other half
    reverse = thin2thick_task(digits, direction="b2a")
    assert torch.equal(reverse.sources, data.targets)


def test_tasks_by_name_from_the_data_root(data_root) -> None:
    mnist = load_dataset("mnist", root=data_root, train=False)
    edges = load_dataset("edges2mnist", root=data_root, train=False)
    assert edges.name == "edges2mnist (test)" and len(edges) == 10_000 and edges.paired
    assert torch.equal(edges.targets, mnist.images)
    assert torch.equal(edges.sources, edge_map(mnist.images))
    fashion = load_dataset("fashion-mnist", root=data_root, train=False)
    wear = load_dataset("mnist2fashion", root=data_root, train=False, img_size=32, channels=3)
    assert not wear.paired and wear.image_shape == wear.source_shape == (3, 32, 32)
    assert torch.equal(wear.targets, fashion.formatted(32, 3).images)
    sketch = load_dataset("edges2fashion_mnist", root=data_root, train=False, direction="b2a")
    assert torch.equal(sketch.sources, fashion.images)
    with pytest.raises(ganzoo.UnknownNameError, match="Did you mean: edges2mnist"):
        load_dataset("edges2mnst", root=data_root)
    with pytest.raises(ganzoo.UnknownNameError, match="Did you mean: thin2thick"):
        load_dataset("thin2thik", root=data_root)


# --- runs -----------------------------------------------------------------------------------


def test_build_run_shapes_the_model_for_pairs(tmp_path) -> None:
    _save(tmp_path / "trainA", ["1.png", "2.png"], _pixels(2, 16, 16, channels=1))
    _save(tmp_path / "trainB", ["1.png", "2.png"], _pixels(2, 20, 20))
    tiny = {"img_size": 16, "width": 8, "blocks": 2, "identity_weight": 0}
    config = RunConfig(
        model="cyclegan", model_args=tiny, data=DataConfig(name=str(tmp_path), direction="b2a")
    )
    gan, data = build_run(config)  # the model follows the data's sources and targets
    assert isinstance(data, ImagePairs) and gan.image_shape == data.image_shape
    assert gan.source_shape == data.source_shape
    config.model_args = {**tiny, "source_channels": 1}  # a model argument wins over the data
    gan, data = build_run(config)
    assert data.source_shape == (1, 16, 16) and gan.source_shape == (1, 16, 16)
    with pytest.raises(ganzoo.DataError, match="dcgan does not translate images"):
        build_run(RunConfig(model="dcgan", data=DataConfig(name=str(tmp_path))))
