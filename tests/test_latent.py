"""Latent tools: slerp / lerp paths, ``gan.interpolate`` (z for Gaussian codes, W for stylegan),
class sweeps of conditional models and ``ganzoo interpolate``."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.errors import ConfigError
from ganzoo.metrics.classifier import load_classifier
from ganzoo.utils.latent_paths import chain, lerp, slerp

from .conftest import tiny_args


@pytest.fixture(scope="module")
def dcgan() -> ganzoo.GAN:
    return ganzoo.create("dcgan.mnist", pretrained=True)


@pytest.fixture(scope="module")
def cgan() -> ganzoo.GAN:
    return ganzoo.create("cgan.mnist", pretrained=True)


def _angle(u: torch.Tensor, v: torch.Tensor) -> float:
    cos = (u @ v / (u.norm() * v.norm())).clamp(-1, 1)
    return math.acos(float(cos))


def test_slerp_keeps_the_ends_and_a_linear_norm_on_a_great_circle() -> None:
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, generator=g), 1.3 * torch.randn(64, generator=g)
    t = torch.linspace(0, 1, 9)
    path = slerp(a, b, t)
    assert path.shape == (9, 64) and path.dtype == a.dtype
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    norms = path.double().norm(dim=1)
    expected = a.double().norm() + (b.double().norm() - a.double().norm()) * t.double()
    assert torch.allclose(norms, expected, rtol=1e-6)
    steps = [_angle(u, v) for u, v in itertools.pairwise(path)]
    assert max(steps) - min(steps) < 1e-4  # constant angular speed
    assert sum(steps) == pytest.approx(_angle(a, b), abs=1e-4)  # along the great circle
    straight = lerp(a, b, t)
    assert straight[4].norm() < 0.8 * norms[4]  # a straight line cuts through the middle
    assert torch.allclose(slerp(a, 2 * a, t)[4], 1.5 * a, atol=1e-6)  # parallel codes
    with pytest.raises(ConfigError, match="opposite directions"):
        slerp(a, -a, t)


def test_a_chain_visits_every_waypoint_exactly() -> None:
    waypoints = torch.randn(3, 16)
    path = chain(waypoints, 5, slerp)
    assert path.shape == ((3 - 1) * (5 - 1) + 1, 16)
    for i in range(3):
        assert torch.equal(path[4 * i], waypoints[i])
    with pytest.raises(ConfigError, match="steps must be a whole number >= 2"):
        chain(waypoints, 1, slerp)
    with pytest.raises(ConfigError, match="at least 2 waypoints"):
        chain(waypoints[:1], 5, slerp)


def test_walk_waypoints_are_the_direct_samples_and_the_walk_is_seeded(dcgan, cgan) -> None:
    for gan in (dcgan, cgan):
        labels = [3] * 3 if gan.num_classes else None
        label = 3 if gan.num_classes else None
        frames, path = gan.interpolate(5, points=3, seed=4, label=label, return_latents=True)
        assert frames.shape == (9, 1, 28, 28) and frames.dtype == torch.float32
        assert frames.min() >= -1 and frames.max() <= 1 and path.shape == (9, gan.latent_dim)
        direct = gan.sample(3, seed=4, labels=labels, precision="fp32")
        # the same codes in a batch of 9 and one of 3: equal up to how the threads split the
        # convolutions (bit-equal at one thread, 1e-6 apart at two)
        assert torch.allclose(frames[[0, 4, 8]], direct, rtol=0, atol=1e-5)
        assert torch.equal(frames, gan.interpolate(5, points=3, seed=4, label=label))
        assert not torch.equal(frames, gan.interpolate(5, points=3, seed=5, label=label))
        # the in-between images are new ones: neither copies of the ends nor a pixel cross-fade
        # of them (a trained generator may hold one digit for part of the way, so no single
        # frame has to be far from both ends)
        for i in (1, 2, 3):
            cross_fade = (1 - i / 4) * frames[0] + i / 4 * frames[4]
            assert (frames[i] - frames[0]).abs().mean() > 0.005
            assert (frames[i] - frames[4]).abs().mean() > 0.005
            assert (frames[i] - cross_fade).abs().mean() > 0.05


def test_stylegan_walks_in_straight_lines_through_w() -> None:
    gan = ganzoo.create("stylegan", **tiny_args("stylegan"))
    network = gan.sampler.train()  # in training mode it would mix styles
    frames, ws = gan.interpolate(5, seed=0, return_latents=True)
    assert network.training  # interpolate ran it in eval mode and gave it back as it was
    network.eval()  # no style mixing: the direct forward passes below are the walk's
    z = gan.sample_latent(2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ends = network.map_to_w(z)
        assert ws.shape == (5, ends.shape[1]) and torch.equal(ws[[0, -1]], ends)
        assert torch.allclose(ws[2], (ends[0] + ends[1]) / 2, atol=1e-6)  # lerp in W
        through_z = network.map_to_w(slerp(z[0], z[1], torch.tensor([0.5])))
        assert not torch.allclose(ws[2], through_z[0], atol=1e-3)  # not the image of a z path
        assert torch.equal(network.from_w(ends), network(z))  # the hook is the forward pass
        assert torch.allclose(frames, network.from_w(ws).clamp(-1, 1))
        truncated = gan.interpolate(5, seed=0, truncation=0.5)
        direct = network(z, truncation=0.5).clamp(-1, 1)
        assert torch.allclose(truncated[[0, -1]], direct, atol=1e-5)
        assert not torch.allclose(truncated, frames, atol=1e-2)


def test_a_class_sweep_draws_the_classes_it_was_asked_for(cgan) -> None:
    images = cgan.class_sweep(10, seed=0)
    assert images.shape == (100, 1, 28, 28)
    codes = cgan.sample_latent(
        10, torch.Generator().manual_seed(0)
    )  # what sample(10, seed=0) draws
    assert torch.equal(cgan.class_sweep(latents=codes), images)
    first = cgan.class_sweep(latents=codes[:1])
    assert torch.allclose(first, images[:10], atol=1e-5)  # code-major: row 0 is the first code
    with torch.no_grad():
        predicted = load_classifier("mnist")(images).argmax(1)
    asked = torch.arange(10).repeat(10)
    assert (predicted == asked).float().mean() >= 0.8
    assert (predicted == asked.roll(1)).float().mean() < 0.2  # it follows the label, not chance
    per_class = [(predicted[c::10] == c).float().mean() for c in range(10)]
    assert min(per_class) >= 0.5  # every class is drawn, none left to the others


def test_refusals_name_the_fix(dcgan, cgan) -> None:
    with pytest.raises(ConfigError, match="unconditional: a class sweep needs"):
        dcgan.class_sweep()
    with pytest.raises(ConfigError, match="unconditional: walk it without a label"):
        dcgan.interpolate(label=2)
    with pytest.raises(ConfigError, match=r"label must be a class id in \[0, 10\)"):
        cgan.interpolate(label=10)
    with pytest.raises(ConfigError, match="at least 2 points"):
        dcgan.interpolate(points=1)
    with pytest.raises(ConfigError, match=r"latent codes of shape \(K, 100\)"):
        dcgan.interpolate(latents=torch.randn(2, 7))
    with pytest.raises(ConfigError, match="has no truncation trick"):
        dcgan.interpolate(truncation=0.5)


def test_cli_writes_a_walk_gif_a_strip_and_a_class_sweep(tmp_path: Path, capsys) -> None:
    gif = tmp_path / "walk.gif"
    assert (
        main(["interpolate", "dcgan.mnist", "--out", str(gif), "--points", "3", "--steps", "5"])
        == 0
    )
    with Image.open(gif) as animation:
        assert animation.n_frames == 9 + 7  # forward through 9 images, then back
        assert animation.size == (28, 28)
    assert "a walk of 9 images through 3 points from dcgan" in capsys.readouterr().out
    strip = tmp_path / "walk.png"
    assert main(["interpolate", "dcgan.mnist", "--out", str(strip), "--scale", "2"]) == 0
    assert Image.open(strip).size == (8 * (56 + 2) + 2, 56 + 4)
    sweep = tmp_path / "sweep.gif"
    assert (
        main(["interpolate", "cgan.mnist", "--out", str(sweep), "--classes", "--points", "3"]) == 0
    )
    with Image.open(sweep) as animation:
        assert animation.n_frames == 10  # one frame per class, three codes each
        assert animation.size == (28 + 4, 3 * 30 + 2)
    folder = tmp_path / "acgan"  # a model folder, as `ganzoo sample` takes it
    ganzoo.create("acgan", **tiny_args("acgan")).save_pretrained(folder)
    out = tmp_path / "acgan.png"
    assert main(["interpolate", str(folder), "--out", str(out), "--classes", "--points", "1"]) == 0
    assert Image.open(out).size == (10 * 30 + 2, 32)  # one code in each of 10 classes
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_cli_refusals_are_one_line(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pix2pix"
    ganzoo.create("pix2pix", **tiny_args("pix2pix")).save_pretrained(folder)
    for argv, message in [
        ([str(folder)], "translates images and has no latent space to walk"),
        (["dcgan.mnist", "--classes"], "dcgan is unconditional: a class sweep needs"),
        (["dcgan.mnist", "--out", str(tmp_path / "w.jpg")], "Write the walk as .gif"),
        (["dcgan.mnist", "--scale", "0"], "scale must be a whole number >= 1"),
    ]:
        out = argv if "--out" in argv else [*argv, "--out", str(tmp_path / "w.gif")]
        assert main(["interpolate", *out]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "w.gif").exists()
