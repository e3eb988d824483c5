"""CelebA-64 on small files the tests write in torchvision's layout: split, crop, resize, range,
the cache, the missing-files message, and the model following the data's shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.data import load_dataset
from ganzoo.data.celeba import CELEBA_CROP, load_celeba
from ganzoo.run import DataConfig, RunConfig, build_run

from .conftest import tiny_args, train_recipe_one_step

WIDTH, HEIGHT = 178, 218  # the aligned-and-cropped CelebA images
BAND = (HEIGHT - CELEBA_CROP) // 2  # rows the centre crop drops at the top and at the bottom
PARTITIONS = [0] * 8 + [1] * 2 + [2] * 2  # 8 train, 2 valid, 2 test


def _face(index: int) -> Image.Image:
    """A 178x218 test image: red bands where the crop cuts, a green left and blue right half
    inside, and a grey level that identifies the image in its top-left quarter."""
    pixels = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    pixels[:BAND] = pixels[-BAND:] = (255, 0, 0)
    inside = pixels[BAND:-BAND]
    inside[:, : WIDTH // 2] = (0, 200, 0)
    inside[:, WIDTH // 2 :] = (0, 0, 200)
    inside[: CELEBA_CROP // 4, : WIDTH // 4] = 10 * index
    return Image.fromarray(pixels)


def write_celeba(root: Path, count: int = 12) -> Path:
    """``root/celeba/img_align_celeba/*.jpg`` + ``list_eval_partition.txt``, as torchvision has them."""
    folder = root / "celeba"
    (folder / "img_align_celeba").mkdir(parents=True)
    lines = []
    for i in range(count):
        name = f"{i + 1:06d}.jpg"
        _face(i).save(folder / "img_align_celeba" / name, quality=95)
        lines.append(f"{name} {PARTITIONS[i]}")
    (folder / "list_eval_partition.txt").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def celeba_root(tmp_path: Path) -> Path:
    write_celeba(tmp_path)
    return tmp_path


def test_splits_shape_and_range(celeba_root: Path) -> None:
    train = load_dataset("celeba", root=celeba_root, download=False)
    test = load_dataset("CelebA-64", root=celeba_root, train=False, download=False)
    assert (len(train), len(test)) == (8, 2)  # partition 0 / partition 2; valid (1) in neither
    assert train.image_shape == test.image_shape == (3, 64, 64)
    assert train.images.dtype == torch.uint8 and train.num_classes == 0
    image, label = train[0]
    assert image.dtype == torch.float32 and image.min() >= -1 and image.max() <= 1
    assert image.min() < -0.9 and image.max() > 0.5 and int(label) == -1
    # the test split holds images 11 and 12 (grey 100 and 110 in the top-left quarter), in order
    corner = test.images[:, :, 2:14, 2:14].float().mean(dim=(1, 2, 3))
    assert torch.allclose(corner, torch.tensor([100.0, 110.0]), atol=4)


def test_centre_crop_then_resize(celeba_root: Path) -> None:
    images = load_dataset("celeba", root=celeba_root, download=False).images.float()
    red, green, blue = images[:, 0], images[:, 1], images[:, 2]
    # the red bands above and below the 178x178 centre are cut off (the grey corner, top-left,
    # has red too); a squashed or off-centre crop would show them at 255 in the edge rows
    assert red[:, 0, 32:].max() < 40 and red[:, -2:, :].max() < 40 and red[:, 16:, :].max() < 40
    lower = slice(40, 64)  # below the grey corner
    assert (green[:, lower, :28].mean() > 180) and (blue[:, lower, :28].mean() < 20)
    assert (blue[:, lower, 36:].mean() > 180) and (green[:, lower, 36:].mean() < 20)
    # the green/blue edge sits at the crop's centre column: 64 px wide, split 32 | 32
    edge = (green[:, lower, :] > blue[:, lower, :]).float().mean(dim=(0, 1))
    assert edge[:31].min() == 1 and edge[33:].max() == 0


def test_decoded_split_is_cached_and_reused(celeba_root: Path) -> None:
    first = load_celeba(celeba_root, download=False)
    cached = list((celeba_root / "celeba" / "ganzoo-cache").glob("*.npy"))
    assert [p.name for p in cached] == [f"train-8-crop{CELEBA_CROP}-64px.npy"]
    for jpg in (celeba_root / "celeba" / "img_align_celeba").glob("*.jpg"):
        jpg.write_bytes(b"")  # the cache is read: no image is decoded again
    assert torch.equal(load_celeba(celeba_root, download=False).images, first.images)


def test_missing_files_say_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(ganzoo.DataError) as err:
        load_dataset("celeba", root=tmp_path, download=False)
    message = str(err.value)
    assert "\n" not in message and str(tmp_path / "celeba") in message
    assert "img_align_celeba/" in message and "list_eval_partition.txt" in message
    assert "--data-root" in message


def test_a_failed_download_is_one_line_naming_the_files(tmp_path: Path, monkeypatch) -> None:
    import torchvision

    def offline(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Temporary failure in name resolution\nmore lines")

    monkeypatch.setattr(torchvision.datasets, "CelebA", offline)  # no network in tests
    with pytest.raises(ganzoo.DataError, match=r"download failed: RuntimeError: Temporary") as err:
        load_dataset("celeba", root=tmp_path, download=True)
    assert "\n" not in str(err.value) and "list_eval_partition.txt" in str(err.value)


def test_a_bad_partition_file_names_its_line(celeba_root: Path) -> None:
    (celeba_root / "celeba" / "list_eval_partition.txt").write_text("000001.jpg 0\n000002.jpg x\n")
    with pytest.raises(ganzoo.DataError, match="line 2"):
        load_dataset("celeba", root=celeba_root, download=False)


def test_models_follow_celeba_shape(celeba_root: Path) -> None:
    for model in ("dcgan", "sngan", "stylegan"):
        data = DataConfig(name="celeba", root=str(celeba_root), download=False)
        gan, dataset = build_run(RunConfig(model=model, model_args=tiny_args(model), data=data))
        assert dataset.image_shape == (3, 64, 64)
        assert gan.sample(2).shape == (2, 3, 64, 64), model


def test_cli_trains_on_celeba(celeba_root: Path, tmp_path: Path) -> None:
    from ganzoo.cli import main
    from ganzoo.train import load_checkpoint

    out = tmp_path / "run"
    flags = ["--steps", "2", "--batch-size", "4", "--out", str(out), "--no-progress"]
    argv = ["train", "dcgan", "--dataset", "celeba", "--data-root", str(celeba_root), *flags]
    assert main([*argv, "--set", "model_args.width=8"]) == 0
    args = load_checkpoint(out)["config"]["args"]
    assert (args["img_size"], args["channels"]) == (64, 3)  # the model followed the data


def test_crop_and_resize_is_torchvisions_centre_crop_then_resize(celeba_root: Path) -> None:
    """The same pixels as Mimicry's CelebA transform: CenterCrop(178), then Resize(64)."""
    from torchvision import transforms

    from ganzoo.data.celeba import crop_and_resize

    path = celeba_root / "celeba" / "img_align_celeba" / "000003.jpg"
    reference = transforms.Compose([transforms.CenterCrop(178), transforms.Resize(64)])
    with Image.open(path) as image:
        expected = np.asarray(reference(image.convert("RGB"))).transpose(2, 0, 1)
    assert np.array_equal(crop_and_resize(path), expected)


@pytest.mark.parametrize("recipe", ["dcgan_celeba", "sngan_celeba", "stylegan_celeba"])
def test_celeba_recipes_train_on_the_files(recipe: str, celeba_root: Path, tmp_path: Path) -> None:
    """Each zoo recipe, narrowed and shortened, trains a step on the written files."""
    args = train_recipe_one_step(recipe, celeba_root, tmp_path / recipe)
    assert (args["img_size"], args["channels"]) == (64, 3)  # the model followed the data
