"""Learning-rate schedules: factors by hand, the rates a training run uses and logs, exact
resume, BEGAN's decay on a stalled convergence measure, and bad settings."""

from __future__ import annotations

import json

import pytest
import torch

import ganzoo
from ganzoo.config import from_dict
from ganzoo.data import TensorImages, load_embedded
from ganzoo.lr_schedule import LRSchedule
from ganzoo.recipe import Recipe

from .conftest import stopping_trainer, tiny_args

LR = 2e-4


@pytest.fixture(scope="module")
def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:128], data.labels[:128], 10, "digits")


def _gan(schedule: dict, name: str = "dcgan", seed: int = 0) -> ganzoo.GAN:
    torch.manual_seed(seed)
    return ganzoo.create(name, **tiny_args(name), recipe={"lr_schedule": schedule})


def _fit(gan, digits, out, steps: int, resume: bool = False, log_every: int = 1):
    trainer = ganzoo.Trainer(
        gan,
        digits,
        out,
        steps=steps,
        batch_size=8,
        log_every=log_every,
        progress=False,
        num_samples=8,
        gif=False,
        resume=resume,
    )
    return trainer.fit()


def _rates(out) -> list[tuple[float, float]]:
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    return [(r["g_lr"], r["d_lr"]) for r in rows]


def test_linear_and_cosine_factors_by_hand() -> None:
    linear = LRSchedule("linear", start=0.5)
    assert [linear.multiplier(s, 100) for s in (0, 50, 75, 100, 120)] == [1, 1, 0.5, 0, 0]
    floor = LRSchedule("linear", start=0.0, final_factor=0.1)
    assert floor.multiplier(50, 100) == pytest.approx(0.55)
    assert floor.multiplier(100, 100) == pytest.approx(0.1)
    cosine = LRSchedule("cosine", start=0.5)
    assert cosine.multiplier(75, 100) == pytest.approx(0.5)
    assert cosine.multiplier(60, 100) == pytest.approx(
        (1 + torch.cos(torch.tensor(0.2 * torch.pi))) / 2
    )
    assert LRSchedule().multiplier(99, 100) == 1.0


def test_a_run_sets_and_logs_the_linear_rates(digits, tmp_path) -> None:
    gan = _gan({"name": "linear", "start": 0.5})
    trainer = ganzoo.Trainer(
        gan,
        digits,
        tmp_path,
        steps=4,
        batch_size=8,
        log_every=1,
        progress=False,
        num_samples=8,
        gif=False,
    )
    trainer.fit()
    # Rates after steps 1..4 of 4 (constant for half the run, then to 0 at the end).
    rates = [rate for pair in _rates(tmp_path) for rate in pair]  # (g_lr, d_lr) per row
    assert rates == pytest.approx([LR, LR, LR, LR, LR / 2, LR / 2, 0, 0])
    assert trainer.g_optimizer.param_groups[0]["lr"] == 0.0
    assert trainer.d_optimizer.param_groups[0]["lr"] == 0.0


def test_a_constant_schedule_logs_no_rates(digits, tmp_path) -> None:
    _fit(_gan({}), digits, tmp_path, steps=1)
    assert "g_lr" not in json.loads((tmp_path / "metrics.jsonl").read_text())


@pytest.mark.parametrize(
    "schedule",
    [
        {"name": "linear", "start": 0.25},
        {"name": "cosine", "final_factor": 0.1},
        {"name": "plateau", "metric": "g_loss", "patience": 1, "threshold": 0.5},
    ],
)
def test_resume_equals_an_uninterrupted_run(schedule, digits, tmp_path) -> None:
    full = _gan(schedule)
    _fit(full, digits, tmp_path / "full", steps=6)
    stopped = stopping_trainer(3)(
        _gan(schedule),
        digits,
        tmp_path / "split",
        steps=6,
        batch_size=8,
        log_every=1,
        progress=False,
        num_samples=8,
        gif=False,
    ).fit()
    assert stopped.interrupted and stopped.step == 3
    resumed = _gan(schedule, seed=7)
    _fit(resumed, digits, tmp_path / "split", steps=6, resume=True)
    assert _rates(tmp_path / "split") == _rates(tmp_path / "full")
    for key, value in full.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key
    if schedule["name"] == "plateau":  # a threshold of 50 % makes every row a stall
        assert _rates(tmp_path / "full")[-1][0] < LR


def test_plateau_decays_after_patience_steps_without_improvement() -> None:
    params = [torch.nn.Parameter(torch.zeros(1))]
    g, d = torch.optim.Adam(params, lr=1e-3), torch.optim.Adam(params, lr=1e-4)
    schedule = LRSchedule(
        "plateau", metric="convergence", patience=20, factor=0.5, final_factor=0.25
    )
    scheduler = schedule.build([g, d], total_steps=1000, log_every=10)  # 2 rows of patience
    rates = []
    for m in [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]:
        scheduler.after_log({"step": 0, "convergence": m})
        rates.append(scheduler.learning_rates()["g_lr"])
    # best 0.5 at row 2; rows 3 and 4 do not improve: halved after row 4, again after row 6,
    # then held at the floor (0.25 x 1e-3).
    assert rates == pytest.approx([1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 2.5e-4, 2.5e-4, 2.5e-4])
    assert scheduler.learning_rates()["d_lr"] == pytest.approx(2.5e-5)


def test_a_checkpoint_without_the_schedules_state_continues_where_the_step_puts_it() -> None:
    """A run saved with another schedule (or before schedules existed) resumes a linear one at
    the rate its step calls for; saved plateau state is not loaded into a linear schedule."""
    params = [torch.nn.Parameter(torch.zeros(1))]
    g, d = torch.optim.Adam(params, lr=1e-3), torch.optim.Adam(params, lr=1e-4)
    scheduler = LRSchedule("linear", start=0.5).build([g, d], total_steps=8, log_every=1)
    plateau_state = {"name": "plateau", "schedulers": [{"best": 0.0}, {"best": 0.0}]}
    for saved in (None, {"name": "constant", "schedulers": []}, plateau_state):
        scheduler.load_state_dict(saved, step=6)  # half of the decay done
        assert scheduler.learning_rates() == pytest.approx({"g_lr": 5e-4, "d_lr": 5e-5})
        scheduler.after_step()  # step 7 of 8
        assert scheduler.learning_rates() == pytest.approx({"g_lr": 2.5e-4, "d_lr": 2.5e-5})


def test_began_decays_on_its_logged_convergence_measure(digits, tmp_path) -> None:
    gan = _gan(
        {"name": "plateau", "metric": "convergence", "patience": 1, "threshold": 10.0}, name="began"
    )
    _fit(gan, digits, tmp_path, steps=3)
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert "convergence" in rows[0]
    # Nothing counts as an improvement (threshold 1000 %, even over the initial best of +inf):
    # every row halves the rates; a row logs the rates the next steps use.
    assert [r["g_lr"] for r in rows] == pytest.approx([5e-5, 2.5e-5, 1.25e-5])


def test_a_metric_the_run_does_not_log_is_a_clear_error(digits, tmp_path) -> None:
    gan = _gan({"name": "plateau", "metric": "convergance"})
    with pytest.raises(ganzoo.ConfigError, match=r"'convergance' is not logged.*d_loss"):
        _fit(gan, digits, tmp_path, steps=2)


def test_the_schedule_is_part_of_the_recipe_and_config() -> None:
    recipe = from_dict(Recipe, {"lr_schedule": {"name": "linear", "start": 0.5}})
    assert recipe.lr_schedule == LRSchedule("linear", start=0.5)
    gan = _gan({"name": "cosine"})
    assert gan.config["recipe"]["lr_schedule"]["name"] == "cosine"
    assert Recipe().lr_schedule.is_constant


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": "step"}, "Unknown lr_schedule 'step'"),
        ({"name": "linaer"}, "linear"),
        ({"start": 1.0}, r"start must be in \[0, 1\)"),
        ({"final_factor": 2.0}, "final_factor"),
        ({"factor": 1.0}, r"factor must be in \(0, 1\)"),
        ({"patience": 0}, "patience"),
        ({"threshold": -1.0}, "threshold"),
        ({"warmup": 10}, "unknown key 'warmup'"),
    ],
)
def test_bad_settings_say_what_is_allowed(settings, message) -> None:
    with pytest.raises((ganzoo.ConfigError, ganzoo.UnknownNameError), match=message):
        from_dict(Recipe, {"lr_schedule": settings})
