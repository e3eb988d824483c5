"""The health monitor on real short MNIST runs: healthy, and made to fail on purpose."""

from __future__ import annotations

import json
import random
import warnings

import pytest
import torch

import ganzoo
from ganzoo.data import TensorImages, load_dataset
from ganzoo.train import HealthConfig, HealthMonitor, TrainingHealthWarning
from ganzoo.train.health import mean_pairwise_distance

STEPS = 400


@pytest.fixture(scope="module")
def mnist(data_root) -> TensorImages:
    train = load_dataset("mnist", data_root, train=True)
    return TensorImages(train.images[:20_000], train.labels[:20_000], 10, "mnist")


def _fit(gan, data, out, steps=STEPS, **kw):
    trainer = ganzoo.Trainer(
        gan,
        data,
        out,
        steps=steps,
        batch_size=64,
        log_every=20,
        sample_every=50,
        progress=False,
        gif=False,
        device="cpu",
        **kw,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrainingHealthWarning)
        result = trainer.fit()
    return result, [w for w in caught if issubclass(w.category, TrainingHealthWarning)]


def test_a_healthy_run_is_not_flagged(mnist, tmp_path) -> None:
    torch.manual_seed(0)
    result, caught = _fit(ganzoo.create("dcgan"), mnist, tmp_path)
    assert result.alerts == [] and caught == []
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    last = rows[-1]
    for key in ("g_grad_norm", "d_grad_norm", "d_separation", "diversity_ratio"):
        assert key in last and last[key] > 0
    assert last["classes_covered"] >= 8 and last["health"] == []


def test_an_overpowered_discriminator_is_flagged_and_can_stop_the_run(mnist, tmp_path) -> None:
    torch.manual_seed(0)
    recipe = {"d_optimizer": {"lr": 2e-3}, "g_optimizer": {"lr": 1e-6}}
    gan = ganzoo.create("dcgan", width=32, recipe=recipe)
    health = HealthConfig(stop_on=["discriminator_wins"])
    result, caught = _fit(gan, mnist, tmp_path, health=health)
    assert result.stopped_by is not None and result.stopped_by.detector == "discriminator_wins"
    assert result.step < STEPS and result.interrupted
    assert "wins outright" in str(caught[0].message)
    assert (tmp_path / "checkpoints" / "last.pt").exists()  # stopped with its state kept
    resumed = ganzoo.Trainer(
        gan,
        mnist,
        tmp_path,
        steps=result.step + 5,
        batch_size=64,
        progress=False,
        resume=True,
        device="cpu",
    ).fit()
    assert resumed.step == result.step + 5
    # the monitor's windows and alerts came back with the checkpoint: still active, not re-raised
    assert resumed.alerts == result.alerts


def test_a_run_that_blows_up_flags_vanishing_and_exploding_gradients(mnist, tmp_path) -> None:
    """SGD at lr 0.5 with momentum 0.9: the discriminator saturates at once (the generator's
    gradient vanishes), then its own gradient norm grows by orders of magnitude."""
    torch.manual_seed(0)
    sgd = {"name": "sgd", "lr": 0.5, "momentum": 0.9}
    gan = ganzoo.create("dcgan", width=16, recipe={"g_optimizer": sgd, "d_optimizer": sgd})
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = ganzoo.Trainer(
            gan,
            mnist,
            tmp_path,
            steps=55,
            batch_size=64,
            log_every=5,
            sample_every=50,
            progress=False,
            device="cpu",
            health=HealthConfig(warmup_steps=10),
        ).fit()
    found = {a.detector: a for a in result.alerts}
    assert "generator gradient norm" in found["vanishing_gradients"].message
    assert "discriminator gradient norm" in found["exploding_gradients"].message
    norms = [row["d_grad_norm"] for row in result.history]
    assert max(norms) > 100 * norms[0]  # it really did explode


def _swing(level: float, amplitude: float, slope: float = 0.0, n: int = 30, seed: int = 0):
    """A generator-loss sequence, one value per log row: ``level`` plus ``slope`` per row,
    alternating up and down by ``amplitude`` with a little noise (as a swinging run logs)."""
    rng = random.Random(seed)
    return [
        level + slope * i + amplitude * (-1) ** i + rng.gauss(0, amplitude / 10) for i in range(n)
    ]


@pytest.mark.parametrize(
    ("losses", "config", "flagged"),
    [
        (_swing(1.5, 0.6), {}, True),  # a loud swing around a flat level
        (_swing(1.5, 0.1), {}, False),  # below the default amplitude (set for noisy losses)
        (_swing(1.5, 0.1), {"oscillation_amplitude": 0.05}, True),  # ... unless it is lowered
        (_swing(4.0, 0.6, slope=-0.3), {}, False),  # swinging, but on a clear downward trend
        ([1.5] * 30, {}, False),  # flat
        ([1.5 + 0.01 * i for i in range(30)], {}, False),  # smooth drift
    ],
    ids=["swing", "small-swing", "small-swing-low-threshold", "trend", "flat", "drift"],
)
def test_the_oscillation_detector_on_constructed_loss_sequences(losses, config, flagged) -> None:
    """The detector's unit: constructed log rows, so the outcome does not depend on the kernels
    a CPU picks (oneDNN on AMX vs AVX2 gives a short run another trajectory)."""
    monitor = HealthMonitor(HealthConfig(warmup_steps=0, **config))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingHealthWarning)
        for step, loss in enumerate(losses, start=1):
            monitor.observe({"step": step * 5, "g_loss": loss})
    assert ("oscillation" in {a.detector for a in monitor.alerts}) is flagged


def test_a_generator_that_ignores_its_noise_is_flagged_as_mode_collapse(mnist, tmp_path) -> None:
    torch.manual_seed(0)
    gan = ganzoo.create("dcgan", width=32)
    forward = gan.generator.forward  # the same latent code for every sample
    gan.generator.forward = lambda z, labels=None: forward(z[:1].expand_as(z), labels)
    result, _ = _fit(gan, mnist, tmp_path, steps=200)
    collapse = [a for a in result.alerts if a.detector == "mode_collapse"]
    assert collapse and "diverse" in collapse[0].message
    assert len(collapse) <= 2  # reported when it starts, not at every check


def test_vanishing_and_exploding_gradients() -> None:
    monitor = HealthMonitor(HealthConfig(warmup_steps=0, window=4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingHealthWarning)
        for step in range(1, 4):
            assert monitor.observe({"step": step, "g_grad_norm": 1.0, "d_grad_norm": 1.0}) == []
        exploded = monitor.observe({"step": 4, "g_grad_norm": 1e4, "d_grad_norm": 1.0})
        vanished = monitor.observe({"step": 5, "g_grad_norm": 1.0, "d_grad_norm": 0.0})
    assert [a.detector for a in exploded] == ["exploding_gradients"]
    assert "generator" in exploded[0].message
    assert [a.detector for a in vanished] == ["vanishing_gradients"]


def test_oscillating_losses_are_flagged_and_trends_are_not() -> None:
    config = HealthConfig(warmup_steps=0, window=8)
    swinging, falling = HealthMonitor(config), HealthMonitor(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingHealthWarning)
        for step in range(8):
            swinging.observe({"step": step, "g_loss": 2.0 + (-1) ** step})
            falling.observe({"step": step, "g_loss": 3.0 - 0.3 * step + 0.05 * (-1) ** step})
    assert [a.detector for a in swinging.alerts] == ["oscillation"]
    assert falling.alerts == []


def test_mean_pairwise_distance() -> None:
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])
    assert mean_pairwise_distance(x) == pytest.approx((5 + 0 + 5) / 3)
    assert mean_pairwise_distance(torch.ones(5, 3)) == 0


def test_unknown_detector_is_a_clear_error() -> None:
    with pytest.raises(ganzoo.errors.UnknownNameError, match="mode_collapse"):
        HealthConfig(stop_on=["mode_colapse"])
