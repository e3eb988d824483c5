"""pix2pix and CycleGAN: translation GANs trained by the common trainer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.data import ImagePairs, TensorImages, load_embedded
from ganzoo.errors import ConfigError, DataError
from ganzoo.objectives import ImagePool
from ganzoo.train import load_gan

from .conftest import stopping_trainer, tiny_args

TRANSLATORS = ("pix2pix", "cyclegan")


def _digits(n: int) -> torch.Tensor:
    return load_embedded().images[:n]


def _edges(images: torch.Tensor) -> torch.Tensor:
    f = images.float()
    gradient = F.max_pool2d(f, 3, 1, 1) + F.max_pool2d(-f, 3, 1, 1)
    return ((gradient > 100) * 255).to(torch.uint8)


def paired(n: int = 64) -> ImagePairs:
    digits = _digits(n)
    return ImagePairs(_edges(digits), digits, paired=True, name="edges (test)")


def unpaired(n: int = 64) -> ImagePairs:
    digits = _digits(2 * n).float()
    thick = F.max_pool2d(digits[n:], 3, 1, 1).to(torch.uint8)
    return ImagePairs(digits[:n].to(torch.uint8), thick, paired=False, name="thin2thick (test)")


def data_for(name: str, n: int = 64) -> ImagePairs:
    return paired(n) if name == "pix2pix" else unpaired(n)


def tiny(name: str, **kwargs) -> ganzoo.TranslationGAN:
    return ganzoo.create(name, **{**tiny_args(name), **kwargs})


def train(name: str, out: Path, steps: int, resume: bool = False, stop_at: int = 0, **kwargs):
    """Train a tiny ``name`` for ``steps``; ``stop_at`` interrupts the run after that step."""
    torch.manual_seed(0)
    gan = tiny(name, **kwargs)
    trainer_class = stopping_trainer(stop_at) if stop_at else ganzoo.Trainer
    trainer = trainer_class(
        gan,
        data_for(name),
        out,
        steps=steps,
        batch_size=4,
        log_every=1,
        progress=False,
        gif=False,
        device="cpu",
        resume=resume,
    )
    return gan, trainer.fit()


@pytest.mark.parametrize("name", TRANSLATORS)
@pytest.mark.parametrize("img_size", [28, 32, 64])
def test_builds_and_translates_at_each_size(name: str, img_size: int) -> None:
    gan = tiny(name, img_size=img_size)
    source = torch.rand(2, 1, img_size, img_size) * 2 - 1
    out = gan.translate(source)
    assert out.shape == (2, 1, img_size, img_size)
    assert out.min() >= -1 and out.max() <= 1
    scores = gan.discriminate(out, source)
    assert scores.shape[0] == 2 and scores.ndim == 4  # a score per patch


def test_unet_depth_follows_the_size_and_pix2pix_takes_other_channel_counts() -> None:
    assert [len(tiny("pix2pix", img_size=s).generator.down) for s in (28, 32, 64, 256)] == [
        2,
        5,
        6,
        8,
    ]
    gan = tiny("pix2pix", img_size=32, source_channels=3, channels=1)
    out = gan.translate(torch.zeros(2, 3, 32, 32))
    assert out.shape == (2, 1, 32, 32)
    assert gan.discriminator.net[0].in_channels == 4  # the source beside the image


@pytest.mark.parametrize("name", TRANSLATORS)
def test_gradients_reach_every_parameter(name: str) -> None:
    gan = tiny(name)
    data = data_for(name, 8)
    target, source = (
        torch.stack([data[i][0] for i in range(4)]),
        torch.stack([data[i][1] for i in range(4)]),
    )
    fake = gan.fake_batch(ganzoo.Batch(target, source=source), lambda n: torch.empty(n, 0))
    gan.objective.discriminator_loss(gan, target, fake.detach(), source).loss.backward()
    missing = [
        n
        for n, p in gan.discriminator.named_parameters()
        if p.grad is None or not p.grad.abs().sum()
    ]
    assert not missing
    gan.zero_grad(set_to_none=True)
    gan.objective.generator_loss(gan, fake, source, target).loss.backward()
    missing = [
        n for n, p in gan.generator.named_parameters() if p.grad is None or not p.grad.abs().sum()
    ]
    assert not missing


def test_pix2pix_terms_equal_hand_computed_values() -> None:
    gan = tiny("pix2pix", l1_weight=7.0)
    gan.eval()  # no dropout / batch statistics: the same network twice gives the same output
    data = paired(8)
    real, source = (
        torch.stack([data[i][0] for i in range(4)]),
        torch.stack([data[i][1] for i in range(4)]),
    )
    fake = gan.generator(source)
    d = gan.discriminator
    d_out = gan.objective.discriminator_loss(gan, real, fake, source)
    expected_d = 0.5 * (F.softplus(-d(real, source)).mean() + F.softplus(d(fake, source)).mean())
    torch.testing.assert_close(d_out.loss, expected_d)
    g_out = gan.objective.generator_loss(gan, fake, source, real)
    adversarial = F.softplus(-d(fake, source)).mean()
    l1 = (fake - real).abs().mean()
    torch.testing.assert_close(g_out.loss, adversarial + 7.0 * l1)
    torch.testing.assert_close(g_out.logs["g_loss_l1"], l1)


def test_cyclegan_terms_equal_hand_computed_values() -> None:
    gan = tiny("cyclegan", pool_size=0, cycle_weight=3.0, identity_weight=0.25)
    data = unpaired(8)
    b, a = torch.stack([data[i][0] for i in range(4)]), torch.stack([data[i][1] for i in range(4)])
    fake = gan.fake_batch(ganzoo.Batch(b, source=a), lambda n: torch.empty(n, 0))
    g, d = gan.generator, gan.discriminator
    torch.testing.assert_close(fake.fake_b, g.a2b(a))
    torch.testing.assert_close(fake.fake_a, g.b2a(b))
    d_out = gan.objective.discriminator_loss(gan, b, fake.detach(), a)
    lsq = lambda r, f: 0.5 * ((r - 1).square().mean() + f.square().mean())  # noqa: E731
    expected_d = lsq(d.d_b(b), d.d_b(fake.fake_b)) + lsq(d.d_a(a), d.d_a(fake.fake_a))
    torch.testing.assert_close(d_out.loss, expected_d)
    g_out = gan.objective.generator_loss(gan, fake, a, b)
    adversarial = (
        0.5 * (d.d_b(fake.fake_b) - 1).square().mean()
        + 0.5 * (d.d_a(fake.fake_a) - 1).square().mean()
    )
    cycle = (g.b2a(fake.fake_b) - a).abs().mean() + (g.a2b(fake.fake_a) - b).abs().mean()
    identity = (g.a2b(b) - b).abs().mean() + (g.b2a(a) - a).abs().mean()
    torch.testing.assert_close(g_out.loss, adversarial + 3.0 * cycle + 0.25 * 3.0 * identity)
    assert set(g_out.logs) >= {"g_loss_cycle", "g_loss_identity", "g_loss_adv"}


def test_image_pool_fills_then_swaps_and_survives_a_state_dict_round_trip() -> None:
    pool = ImagePool(4)
    first = torch.arange(4.0).view(4, 1, 1, 1)
    assert torch.equal(pool.query(first), first)  # filling: passed through and stored
    torch.manual_seed(1)
    new = torch.full((64, 1, 1, 1), 9.0)
    out = pool.query(new)
    old = out[out != 9]
    assert 0 < len(old) < 64  # about half swapped for stored images
    assert set(old.tolist()) <= {0.0, 1.0, 2.0, 3.0, 9.0} and int(pool.count) == 4
    fresh = ImagePool(4)
    fresh.load_state_dict(pool.state_dict())
    assert torch.equal(fresh.images, pool.images)
    assert torch.equal(ImagePool(0).query(new), new)
    with pytest.raises(ConfigError, match="pool_size"):
        ImagePool(-1)


@pytest.mark.parametrize("name", TRANSLATORS)
def test_training_is_deterministic_and_resumes_exactly(name: str, tmp_path: Path) -> None:
    gan_a, _ = train(name, tmp_path / "a", steps=4)
    gan_b, _ = train(name, tmp_path / "b", steps=4)
    for (key, p), q in zip(gan_a.state_dict().items(), gan_b.state_dict().values(), strict=True):
        assert torch.equal(p, q), key
    assert train(name, tmp_path / "c", steps=4, stop_at=2)[1].step == 2  # as by Ctrl-C
    gan_c, _ = train(name, tmp_path / "c", steps=4, resume=True)
    for (key, p), q in zip(gan_a.state_dict().items(), gan_c.state_dict().values(), strict=True):
        assert torch.equal(p, q), key
    rows = [
        json.loads(line) for line in (tmp_path / "a" / "metrics.jsonl").read_text().splitlines()
    ]
    assert len(rows) == 4 and all(r["g_loss"] == r["g_loss"] for r in rows)
    assert (tmp_path / "a" / "samples.png").is_file()
    if name == "cyclegan":  # the pool of past fakes is part of the checkpoint
        assert int(gan_c.objective.pool_b.count) == 16


def test_preview_grid_shows_sources_translations_and_targets() -> None:
    for name, rows in (("pix2pix", 3), ("cyclegan", 2)):
        gan = tiny(name)
        inputs = gan.preview_inputs(data_for(name), 64, seed=0)
        preview = gan.preview(inputs)
        assert preview.samples.shape == (16, 1, 28, 28) and preview.nrow == 8
        assert len(preview.grid) == 16 * rows
        assert torch.equal(preview.grid[:8], inputs[0][:8])  # first row: the sources


def test_bad_data_and_inputs_are_clear_errors() -> None:
    digits = TensorImages(_digits(32), None, 0, "digits")
    with pytest.raises(DataError, match="two-domain"):
        ganzoo.Trainer(tiny("pix2pix"), digits, "unused", progress=False)
    with pytest.raises(DataError, match="unpaired"):
        ganzoo.Trainer(tiny("pix2pix"), unpaired(), "unused", progress=False)
    with pytest.raises(DataError, match="image pairs"):
        ganzoo.Trainer(ganzoo.create("dcgan", width=8), paired(), "unused", progress=False)
    with pytest.raises(DataError, match="source images are 3x28x28"):
        three = paired().formatted(source_channels=3)
        ganzoo.Trainer(tiny("pix2pix"), three, "unused", progress=False)
    gan = tiny("cyclegan")
    with pytest.raises(ConfigError, match=r"\(N, 1, 28, 28\)"):
        gan.translate(torch.zeros(2, 3, 28, 28))
    # a sibling of the noise GAN, not a subclass that refuses half its methods
    assert not isinstance(gan, ganzoo.GAN) and isinstance(gan, ganzoo.GANBase)
    assert not hasattr(gan, "sample") and not hasattr(gan, "generate")
    with pytest.raises(ConfigError, match="direction"):
        gan.translate(torch.zeros(1, 1, 28, 28), direction="sideways")
    with pytest.raises(ConfigError, match="identity_weight=0"):
        ganzoo.create("cyclegan", channels=3, source_channels=1)
    assert ganzoo.create(
        "cyclegan", channels=3, identity_weight=0, **tiny_args("cyclegan")
    ).image_shape == (3, 28, 28)
    with pytest.raises(ConfigError, match="l1_weight"):
        ganzoo.create("pix2pix", l1_weight=-1)
    with pytest.raises(ConfigError, match="cycle_weight"):
        ganzoo.create("pix2pix", cycle_weight=1)  # another model's objective argument


def test_objective_arguments_are_saved_and_rebuilt(tmp_path: Path) -> None:
    gan, result = train("pix2pix", tmp_path / "run", steps=1, l1_weight=25.0)
    assert gan.config["l1_weight"] == 25.0
    assert load_gan(result.checkpoint).objective.l1_weight == 25.0
    folder = gan.save_pretrained(tmp_path / "model")
    assert ganzoo.from_pretrained(folder).objective.l1_weight == 25.0


def test_hub_round_trip_keeps_both_directions(tmp_path: Path) -> None:
    gan = tiny("cyclegan")
    folder = gan.save_pretrained(tmp_path / "model")
    again = ganzoo.from_pretrained(folder)
    assert isinstance(again, ganzoo.TranslationGAN) and type(again).__name__ == "CycleGAN"
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    assert torch.equal(gan.translate(x), again.translate(x))
    assert torch.equal(gan.translate(x, direction="b2a"), again.translate(x, direction="b2a"))


def test_translate_command_writes_one_image_per_input(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _, result = train("cyclegan", tmp_path / "run", steps=1)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, (h, w) in enumerate([(28, 28), (40, 30)]):
        pixels = np.random.default_rng(i).integers(0, 256, (h, w, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(inputs / f"im{i}.png")
    (inputs / "notes.txt").write_text("not an image")
    assert main(["translate", str(result.checkpoint), str(inputs), str(tmp_path / "out")]) == 0
    outputs = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in outputs] == ["im0.png", "im1.png"]
    assert Image.open(outputs[1]).size == (28, 28) and Image.open(outputs[1]).mode == "L"
    assert (
        main(
            [
                "translate",
                str(tmp_path / "run"),
                str(inputs),
                str(tmp_path / "kept"),
                "--keep-size",
                "--direction",
                "b2a",
            ]
        )
        == 0
    )
    assert Image.open(tmp_path / "kept" / "im1.png").size == (30, 40)
    _, dcgan = train_dcgan(tmp_path / "dcgan")
    assert main(["translate", str(dcgan.checkpoint), str(inputs), str(tmp_path / "x")]) == 2
    assert "needs a translation model" in capsys.readouterr().err
    missing = tmp_path / "missing"
    assert main(["translate", str(result.checkpoint), str(missing), str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err


def train_dcgan(out: Path):
    gan = ganzoo.create("dcgan", width=8)
    digits = TensorImages(_digits(32), None, 0, "digits")
    return gan, ganzoo.Trainer(
        gan, digits, out, steps=1, batch_size=4, progress=False, gif=False, device="cpu"
    ).fit()


def test_a_task_trains_from_the_cli_and_its_translations_evaluate(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    train_args = [
        "train",
        "pix2pix",
        "--dataset",
        "edges2mnist",
        "--data-root",
        str(data_root),
        "--img-size",
        "32",
        "--steps",
        "2",
        "--batch-size",
        "4",
        "--out",
        str(out),
        "--no-progress",
        "--set",
        "model_args.width=8",
    ]
    assert main(train_args) == 0
    gan = load_gan(out)
    assert gan.source_shape == (1, 32, 32) and gan.image_shape == (1, 32, 32)
    report = tmp_path / "r.json"
    eval_args = [
        "eval",
        str(out),
        "--translate",
        "edges2mnist",
        "--n",
        "200",
        "--metrics",
        "fid,is",
        "--data-root",
        str(data_root),
        "--out",
        str(report),
    ]
    assert main(eval_args) == 0
    result = json.loads(report.read_text())
    assert result["fid"] > 0 and result["n"] == 200
    assert result["translated"] == "edges2mnist (test split sources)"
    capsys.readouterr()
    assert main(["eval", str(out), "--n", "10", "--data-root", str(data_root)]) == 2
    assert "--translate" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="--n 5000"):
        ganzoo.metrics.translations(tiny("cyclegan"), "thin2thick", 6000, data_root=data_root)


@pytest.mark.parametrize("loss", ["non-saturating", "least-squares", "hinge", "wasserstein"])
@pytest.mark.parametrize("name", TRANSLATORS)
def test_translators_take_any_adversarial_loss(name: str, loss: str) -> None:
    gan = tiny(name, objective=loss)
    assert gan.config["objective"] == loss
    data = data_for(name, 8)
    target, source = (
        torch.stack([data[i][0] for i in range(4)]),
        torch.stack([data[i][1] for i in range(4)]),
    )
    fake = gan.fake_batch(ganzoo.Batch(target, source=source), lambda n: torch.empty(n, 0))
    d_out = gan.objective.discriminator_loss(gan, target, fake.detach(), source)
    g_out = gan.objective.generator_loss(gan, fake, source, target)
    assert torch.isfinite(d_out.loss) and torch.isfinite(g_out.loss)
    d_out.loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in gan.discriminator.parameters())


def test_pix2pix_takes_gradient_penalties_and_cyclegan_refuses_them() -> None:
    for reg in ("gradient-penalty", "r1"):
        gan = tiny("pix2pix", regularizers=[{"name": reg, "weight": 1.0}])
        data = paired(8)
        target, source = (
            torch.stack([data[i][0] for i in range(4)]),
            torch.stack([data[i][1] for i in range(4)]),
        )
        out = gan.objective.discriminator_loss(gan, target, gan.generator(source).detach(), source)
        assert out.logs[reg] >= 0 and torch.isfinite(out.loss)
        out.loss.backward()
    with pytest.raises(ConfigError, match="no regularizers"):
        tiny("cyclegan", regularizers=["r1"])


def test_a_translation_run_exports_as_a_hub_repo_folder(tmp_path: Path) -> None:
    from ganzoo.hub import export_folder
    from ganzoo.train.publishing import describe_run

    train("pix2pix", tmp_path / "run", steps=2)
    gan, extra, files = describe_run(tmp_path / "run")
    assert set(files) == {"samples.png"}  # gif=False in these runs
    folder = export_folder(gan, tmp_path / "repo", "user/pix2pix-edges", extra=extra, files=files)
    assert (folder / "samples.png").read_bytes() == (tmp_path / "run" / "samples.png").read_bytes()
    card = (folder / "README.md").read_text()
    assert "pipeline_tag: image-to-image" in card and "gan.translate(sources)" in card
    again = ganzoo.from_pretrained(folder)
    x = torch.rand(2, 1, 28, 28) * 2 - 1
    assert torch.equal(again.translate(x), gan.translate(x))
