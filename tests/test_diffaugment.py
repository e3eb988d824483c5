"""DiffAugment: the operations, the policy, and the trainer switch that applies it to D's inputs."""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo.data import TensorImages, load_embedded
from ganzoo.errors import ConfigError
from ganzoo.objectives.diffaugment import DiffAugment, color, cutout, parse_policy, translation
from ganzoo.train import TrainConfig

from .conftest import tiny_args


@pytest.fixture(scope="module")
def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:128], data.labels[:128], 10, "digits")


def _images(n: int = 8, channels: int = 1, size: int = 28) -> torch.Tensor:
    torch.manual_seed(1)
    return torch.rand(n, channels, size, size) * 1.8 - 0.9  # in [-1, 1], never exactly 0


def _gan(name: str = "dcgan") -> ganzoo.GAN:
    torch.manual_seed(0)
    return ganzoo.create(name, **tiny_args(name))


def _trainer(gan, data, out, steps: int, **kw) -> ganzoo.Trainer:
    kw = {
        "batch_size": 16,
        "log_every": 1,
        "progress": False,
        "num_samples": 16,
        "gif": False,
        **kw,
    }
    return ganzoo.Trainer(gan, data, out, steps=steps, **kw)


def test_policy_names_are_checked_and_put_in_order() -> None:
    assert parse_policy("cutout, Translation") == ("translation", "cutout")
    assert parse_policy(["colour", "cutout"]) == ("color", "cutout")
    assert parse_policy("") == () and not DiffAugment("")
    with pytest.raises(ConfigError, match="valid: color, translation, cutout"):
        parse_policy("translation,flip")
    assert TrainConfig(diffaugment="cutout,translation").diffaugment == "translation,cutout"
    with pytest.raises(ConfigError, match="Unknown DiffAugment operation 'rotate'"):
        TrainConfig(diffaugment="rotate")


def test_shapes_and_ranges_of_each_operation() -> None:
    x = _images(channels=3, size=32)
    for op in (color, translation, cutout):
        assert op(x).shape == x.shape and op(x).dtype == x.dtype
    for op in (translation, cutout):  # pixels moved or zeroed, never new values
        y = op(x)
        allowed = torch.cat([x.flatten(), torch.zeros(1)])
        assert torch.isin(y, allowed).all()
    y = color(x)  # brightness +-0.5, saturation x[0, 2), contrast x[0.5, 1.5) around means
    assert y.isfinite().all() and y.abs().max() < 8
    assert DiffAugment("color,translation,cutout")(x).shape == x.shape
    with pytest.raises(ConfigError, match=r"\(N, C, H, W\)"):
        DiffAugment("cutout")(x[0])


def test_each_operation_changes_images_as_described() -> None:
    x = _images(n=64)
    # translation: each image is a shift of the original by at most 1/8 of the side (3.5 -> 4 px)
    y = translation(x)
    shifts = []
    for original, moved in zip(x, y, strict=True):
        found = [
            (dy, dx)
            for dy in range(-4, 5)
            for dx in range(-4, 5)
            if torch.equal(moved, _shifted(original, dy, dx))
        ]
        assert len(found) == 1
        shifts.append(found[0])
    assert len(set(shifts)) > 10  # drawn per image
    # cutout: a square of 14 px (half the side) zeroed, clipped at the border (>= 7 x 7 left)
    zeros = (cutout(x) == 0).flatten(1).sum(1)
    assert zeros.min() >= 49 and zeros.max() <= 196 and (zeros == 196).any()
    # color: brightness and contrast change grey images; saturation needs colour channels
    assert not torch.allclose(color(x), x)
    rgb = _images(n=16, channels=3)
    coloured = color(rgb)  # brightness leaves the part off the channel mean; saturation scales it
    chroma = coloured - coloured.mean(1, keepdim=True)
    assert not torch.allclose(chroma, rgb - rgb.mean(1, keepdim=True), atol=1e-3)


def _shifted(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``image`` moved down by ``dy`` and right by ``dx`` pixels, zeros where it left."""
    out = torch.zeros_like(image)
    h, w = image.shape[-2:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_gradients_flow_through_every_operation() -> None:
    for policy in ("color", "translation", "cutout", "color,translation,cutout"):
        x = _images(channels=3).requires_grad_(True)
        DiffAugment(policy)(x).square().sum().backward()
        assert x.grad is not None and x.grad.abs().sum() > 0, policy
    x = _images(channels=3).requires_grad_(True)
    DiffAugment("translation,cutout")(x).sum().backward()
    assert set(x.grad.unique().tolist()) == {0.0, 1.0}  # moved pixels pass it, cut ones do not


def test_policy_reaches_the_discriminator_for_real_and_fake(digits, tmp_path) -> None:
    """With cutout, every batch D scores (real and fake, D and G steps) has a zeroed square;
    real digits in [-1, 1] are never exactly 0 (k / 127.5 - 1), so the zeros are the cutout."""
    seen: dict[str, list[torch.Tensor]] = {}
    for policy in ("", "cutout"):
        gan = _gan()
        calls = seen[policy] = []
        gan.discriminator.register_forward_pre_hook(
            lambda m, args, calls=calls: calls.append(args[0].detach())
        )
        trainer = _trainer(gan, digits, tmp_path / (policy or "off"), steps=1, diffaugment=policy)
        trainer.setup()
        trainer.train_step()
    assert len(seen["cutout"]) == len(seen[""]) == 3  # D: real, fake; G: fake
    for batch in seen["cutout"]:
        assert ((batch == 0).flatten(1).sum(1) >= 49).all()
    assert all(((batch == 0).flatten(1).sum(1) < 49).all() for batch in seen[""])
    for plain, cut in zip(seen[""], seen["cutout"], strict=True):  # the same batches, cut
        kept = cut != 0
        assert torch.equal(cut[kept], plain[kept])


def test_regularizers_see_augmented_images(tmp_path, digits) -> None:
    gan = _gan("wgan-gp")
    gan.objective.use_augmentation(DiffAugment("cutout"))
    seen = []
    gan.discriminator.register_forward_pre_hook(lambda m, args: seen.append(args[0].detach()))
    real = torch.stack([digits[i][0] for i in range(8)])
    fake = gan.generate(gan.sample_latent(8)).detach()
    gan.objective.discriminator_loss(gan, real, fake)
    assert len(seen) == 3  # real, fake, interpolates of the gradient penalty
    assert all(((batch == 0).flatten(1).sum(1) >= 49).all() for batch in seen)


def test_translators_refuse_diffaugment(tmp_path) -> None:
    for name in ("pix2pix", "cyclegan"):
        torch.manual_seed(0)
        gan = ganzoo.create(name, **tiny_args(name))
        with pytest.raises(ConfigError, match="DiffAugment is for models that generate from noise"):
            gan.objective.use_augmentation(DiffAugment("translation"))
        gan.objective.use_augmentation(None)  # off is fine


def test_training_with_diffaugment_resumes_exactly(digits, tmp_path) -> None:
    policy = "color,translation,cutout"
    full_gan = _gan()
    full = _trainer(full_gan, digits, tmp_path / "full", steps=4, diffaugment=policy).fit()
    plain = _trainer(_gan(), digits, tmp_path / "plain", steps=4).fit()
    assert [r["d_loss"] for r in full.history] != [r["d_loss"] for r in plain.history]

    _trainer(_gan(), digits, tmp_path / "split", steps=2, diffaugment=policy).fit()
    resumed_gan = _gan()
    resumed = _trainer(
        resumed_gan, digits, tmp_path / "split", steps=4, diffaugment=policy, resume=True
    ).fit()
    assert [r["d_loss"] for r in resumed.history] == [r["d_loss"] for r in full.history][2:]
    for key, value in full_gan.state_dict().items():
        assert torch.equal(value, resumed_gan.state_dict()[key]), key
    state = torch.load(tmp_path / "split" / "checkpoints" / "last.pt", weights_only=True)
    assert state["trainer"]["diffaugment"] == policy
