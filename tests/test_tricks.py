"""Training tricks (recipe switches) and speed switches of the trainer."""

from __future__ import annotations

import json
import math
import warnings

import pytest
import torch
import torch.nn.functional as F

import ganzoo
from ganzoo.data import TensorImages, load_embedded
from ganzoo.errors import ConfigError
from ganzoo.objectives.tricks import Tricks
from ganzoo.train import SpeedConfig

from .conftest import tiny_args


@pytest.fixture(scope="module")
def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:512], data.labels[:512], 10, "digits")


def _fit(gan, data, out, steps=6, **kw):
    kw = {
        "batch_size": 16,
        "log_every": 1,
        "progress": False,
        "num_samples": 16,
        "gif": False,
        "device": "cpu",
        **kw,
    }
    return ganzoo.Trainer(gan, data, out, steps=steps, **kw).fit()


def test_one_sided_label_smoothing_matches_bce_with_soft_targets() -> None:
    gan = ganzoo.create("dcgan", recipe={"tricks": {"label_smoothing": 0.1}}, **tiny_args("dcgan"))
    real, fake = torch.randn(8), torch.randn(8)
    loss = gan.objective._adversarial(real, fake)
    expected = (
        -(0.9 * F.logsigmoid(real) + 0.1 * F.logsigmoid(-real)).mean() - F.logsigmoid(-fake).mean()
    )
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    plain = ganzoo.create("dcgan", **tiny_args("dcgan")).objective._adversarial(real, fake)
    assert plain.item() != pytest.approx(loss.item())


def test_least_squares_targets_and_flipping() -> None:
    torch.manual_seed(0)
    tricks = Tricks(label_flip=0.3)
    real_t, fake_t = tricks.targets(10_000, torch.device("cpu"))
    flipped = (real_t == 0).float().mean().item()
    assert flipped == pytest.approx(0.3, abs=0.02)
    assert torch.equal(real_t + fake_t, torch.ones_like(real_t))  # swapped, never both
    noisy_r, noisy_f = Tricks(label_noise=0.2).targets(1000, torch.device("cpu"))
    assert 0.8 <= noisy_r.min() < noisy_r.max() <= 1.0 and 0.0 <= noisy_f.min() < 0.2


def test_instance_noise_anneals_to_zero_and_reaches_the_discriminator(digits, tmp_path) -> None:
    tricks = Tricks(instance_noise=0.5, instance_noise_steps=10)
    assert [tricks.noise_std(s, 100) for s in (0, 5, 10, 50)] == [0.5, 0.25, 0.0, 0.0]
    assert Tricks(instance_noise=0.5).noise_std(50, 100) == 0.25  # whole run by default
    gan = ganzoo.create("dcgan", recipe={"tricks": {"instance_noise": 0.5}}, **tiny_args("dcgan"))
    seen = []
    gan.discriminator.register_forward_pre_hook(lambda m, args: seen.append(args[0].abs().max()))
    _fit(gan, digits, tmp_path, steps=4)
    assert max(seen) > 1.2  # images live in [-1, 1]; the noise pushes them out
    assert gan.objective.noise_std == pytest.approx(0.5 * (1 - 3 / 4))


def test_discriminator_dropout_keeps_state_dict_keys(digits, tmp_path) -> None:
    plain = ganzoo.create("dcgan", **tiny_args("dcgan"))
    gan = ganzoo.create("dcgan", recipe={"tricks": {"d_dropout": 0.3}}, **tiny_args("dcgan"))
    drops = [m for m in gan.discriminator.modules() if isinstance(m, torch.nn.Dropout)]
    assert drops and all(m.p == 0.3 for m in drops)
    assert gan.state_dict().keys() == plain.state_dict().keys()
    _fit(gan, digits, tmp_path, steps=3)
    again = ganzoo.train.load_gan(tmp_path / "checkpoints" / "last.pt")
    assert any(isinstance(m, torch.nn.Dropout) for m in again.discriminator.modules())


def test_all_tricks_together_train(digits, tmp_path) -> None:
    tricks = {
        "label_smoothing": 0.1,
        "label_noise": 0.05,
        "label_flip": 0.05,
        "instance_noise": 0.1,
        "d_dropout": 0.2,
    }
    gan = ganzoo.create("lsgan", recipe={"tricks": tricks, "ema_decay": 0.9}, **tiny_args("lsgan"))
    result = _fit(gan, digits, tmp_path)
    assert result.step == 6 and all(math.isfinite(r["d_loss"]) for r in result.history)


def test_tricks_are_validated() -> None:
    with pytest.raises(ConfigError, match="targets"):
        ganzoo.create("wgan-gp", recipe={"tricks": {"label_smoothing": 0.1}})
    with pytest.raises(ConfigError, match="label_smoothing"):
        Tricks(label_smoothing=0.7)
    with pytest.raises(ConfigError, match="precision"):
        SpeedConfig(precision="fp8")


@pytest.mark.parametrize(
    "speed",
    [
        {"channels_last": True},
        {"fused_optimizers": True},
        {"precision": "bf16"},
        {"data_on_device": False},
    ],
    ids=lambda s: next(iter(s)),
)
def test_speed_switches_train_and_stay_close_to_fp32(speed, digits, tmp_path) -> None:
    torch.manual_seed(0)
    reference = _fit(ganzoo.create("dcgan", **tiny_args("dcgan")), digits, tmp_path / "ref")
    torch.manual_seed(0)
    switched = _fit(
        ganzoo.create("dcgan", **tiny_args("dcgan")),
        digits,
        tmp_path / "fast",
        speed=SpeedConfig(**speed),
    )
    tolerance = 0.1 if speed.get("precision") == "bf16" else 1e-4
    for a, b in zip(reference.history, switched.history, strict=True):
        assert b["g_loss"] == pytest.approx(a["g_loss"], rel=tolerance, abs=tolerance)


def test_fp16_on_a_cpu_falls_back_to_fp32_with_a_warning(digits, tmp_path) -> None:
    with pytest.warns(RuntimeWarning, match="fp16 autocast is not supported on cpu"):
        result = _fit(
            ganzoo.create("dcgan", **tiny_args("dcgan")),
            digits,
            tmp_path,
            speed=SpeedConfig(precision="fp16"),
            steps=2,
        )
    assert result.step == 2


def test_compile_trains_or_falls_back_with_a_warning(digits, tmp_path) -> None:
    gan = ganzoo.create("dcgan", **tiny_args("dcgan"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        result = _fit(gan, digits, tmp_path, speed=SpeedConfig(compile=True), steps=3)
    fell_back = [w for w in caught if "torch.compile is not available" in str(w.message)]
    compiled = gan.generator._compiled_call_impl is not None
    assert compiled != bool(fell_back)  # exactly one of the two happened
    assert result.step == 3 and all(math.isfinite(r["g_loss"]) for r in result.history)


def test_tensorboard_logs_scalars_images_and_health(digits, tmp_path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    _fit(
        ganzoo.create("dcgan", **tiny_args("dcgan")),
        digits,
        tmp_path,
        tensorboard=True,
        sample_every=3,
    )
    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    tags = events.Tags()
    assert {"g_loss", "d_loss", "g_grad_norm", "d_separation"} <= set(tags["scalars"])
    assert len(events.Scalars("g_loss")) == 6 and "samples" in tags["images"]
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["g_loss"] == pytest.approx(events.Scalars("g_loss")[-1].value, rel=1e-6)
