"""The common Trainer: determinism, exact resume, outputs, divergence and checkpoint safety."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.data import TensorImages, load_embedded
from ganzoo.objectives import LossOutput, Objective
from ganzoo.train import load_checkpoint, save_checkpoint
from ganzoo.train.log import MetricsLog
from ganzoo.train.publishing import changes_text
from ganzoo.utils.files import atomic_write

from .conftest import noise_models, tiny_args

LOSS_KEYS = ("d_loss", "g_loss")


@pytest.fixture(scope="module")
def digits() -> TensorImages:
    data = load_embedded()
    return TensorImages(data.images[:512], data.labels[:512], 10, "digits")


def _gan(name: str = "dcgan", seed: int = 0, **overrides) -> ganzoo.GAN:
    torch.manual_seed(seed)
    return ganzoo.create(name, **{**tiny_args(name), **overrides})


def _trainer(gan, data, out: Path, steps: int, **kw) -> ganzoo.Trainer:
    kw = {"batch_size": 16, "log_every": 1, "progress": False, "num_samples": 16, **kw}
    return ganzoo.Trainer(gan, data, out, steps=steps, **kw)


def _losses(history: list[dict]) -> list[tuple]:
    return [tuple(row[k] for k in LOSS_KEYS) for row in history]


def test_training_changes_weights_and_writes_outputs(digits, tmp_path) -> None:
    gan = _gan()
    before = {k: v.clone() for k, v in gan.state_dict().items()}
    result = _trainer(gan, digits, tmp_path, steps=6, sample_every=2).fit()
    assert result.step == 6 and not result.interrupted
    changed = [
        k
        for k, v in gan.state_dict().items()
        if v.is_floating_point() and not torch.equal(v, before[k])
    ]
    assert any(k.startswith("generator.") for k in changed)
    assert any(k.startswith("discriminator.") for k in changed)
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert all(set(LOSS_KEYS) <= set(r) for r in rows)
    csv_lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].startswith("step,") and len(csv_lines) == 7
    frames = sorted(p.name for p in (tmp_path / "samples").glob("*.png"))
    assert frames == ["step_0000002.png", "step_0000004.png", "step_0000006.png"]
    gif = Image.open(tmp_path / "progress.gif")
    assert gif.n_frames == 3
    grid = Image.open(tmp_path / "samples.png")
    assert grid.size == (4 * 30 + 2, 4 * 30 + 2)  # 16 images of 28px, 2px padding
    assert (tmp_path / "checkpoints" / "last.pt").exists()


@pytest.mark.parametrize("name", ["dcgan", "wgan-gp"])
def test_training_is_deterministic_under_a_seed(name, digits, tmp_path) -> None:
    runs = []
    for i in range(2):
        gan = _gan(name)
        result = _trainer(gan, digits, tmp_path / str(i), steps=4).fit()
        runs.append((_losses(result.history), gan.state_dict()))
    assert runs[0][0] == runs[1][0]
    for key, value in runs[0][1].items():
        assert torch.equal(value, runs[1][1][key]), key
    other = _trainer(_gan(name), digits, tmp_path / "other", steps=4, seed=1).fit()
    assert _losses(other.history) != runs[0][0]


@pytest.mark.parametrize("name", noise_models())  # translation models: test_translation.py
def test_resume_equals_an_uninterrupted_run(name, digits, tmp_path) -> None:
    full_gan = _gan(name)
    full = _trainer(full_gan, digits, tmp_path / "full", steps=6, sample_every=3).fit()

    _trainer(_gan(name), digits, tmp_path / "split", steps=3, sample_every=3).fit()
    resumed_gan = _gan(name, seed=123)  # different init: everything must come from the checkpoint
    resumed = _trainer(
        resumed_gan, digits, tmp_path / "split", steps=6, sample_every=3, resume=True
    ).fit()

    assert resumed.step == 6
    assert _losses(resumed.history) == _losses(full.history)[3:]
    for key, value in full_gan.state_dict().items():
        assert torch.equal(value, resumed_gan.state_dict()[key]), (
            f"{name}: {key} differs after resume"
        )
    logged = [
        json.loads(x)["step"]
        for x in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    ]
    assert logged == [1, 2, 3, 4, 5, 6]
    assert (tmp_path / "split" / "samples" / "step_0000006.png").read_bytes() == (
        tmp_path / "full" / "samples" / "step_0000006.png"
    ).read_bytes()


def test_resume_after_logs_ran_past_the_checkpoint(digits, tmp_path) -> None:
    """A crash after some logged steps but before the next checkpoint: those rows are redone once,
    a torn last row and a half-written checkpoint temporary are cleaned up."""
    _trainer(_gan(), digits, tmp_path, steps=2).fit()
    with (tmp_path / "metrics.jsonl").open("a") as f:  # a row the dead run logged after saving
        f.write(json.dumps({"step": 3, "d_loss": 9.0, "g_loss": 9.0}) + "\n")
        f.write('{"step": 4, "d_lo')  # and a row torn by SIGKILL mid-write
    stale = tmp_path / "checkpoints" / ".last.pt.abc123.tmp"  # a checkpoint write cut short
    stale.write_bytes(b"partial")
    _trainer(_gan(), digits, tmp_path, steps=4, resume=True).fit()
    assert not stale.exists()
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    assert rows[2]["d_loss"] != 9.0
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["step"] == 4


class NaNAfter(Objective):
    """A user objective whose generator loss turns NaN at a chosen step."""

    def __init__(self, base: Objective, bad_step: int) -> None:
        super().__init__(base.loss, list(base.regularizers))
        self.bad_step = bad_step

    def generator_loss(self, gan, fake, labels=None, real=None, step=0) -> LossOutput:
        out = super().generator_loss(gan, fake, labels, real, step)
        if step + 1 >= self.bad_step:
            out = LossOutput(out.loss * float("nan"), {"g_loss": out.loss.detach() * float("nan")})
        return out


def test_nan_loss_stops_and_keeps_last_good_checkpoint(digits, tmp_path) -> None:
    gan = _gan()
    gan.objective = NaNAfter(gan.objective, bad_step=5)
    trainer = _trainer(gan, digits, tmp_path, steps=10, checkpoint_every=2)
    with pytest.raises(ganzoo.TrainingDiverged, match=r"step 5.*NaN.*last good checkpoint") as err:
        trainer.fit()
    assert "g_loss=nan" in str(err.value)
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert state["step"] == 4
    assert all(torch.isfinite(v).all() for v in state["gan"].values() if v.is_floating_point())
    good = _gan()
    _trainer(good, digits, tmp_path, steps=6, resume=True).fit()  # the kept checkpoint resumes
    assert all(torch.isfinite(p).all() for p in good.parameters())


def test_atomic_write_never_leaves_a_torn_file(tmp_path) -> None:
    target = tmp_path / "last.pt"
    save_checkpoint(target, {"step": 1})

    def crash_midway(tmp: str) -> None:
        Path(tmp).write_bytes(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, crash_midway)
    assert load_checkpoint(target)["step"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]


def test_corrupt_checkpoint_is_a_clear_error(digits, tmp_path) -> None:
    _trainer(_gan(), digits, tmp_path, steps=2).fit()
    path = tmp_path / "checkpoints" / "last.pt"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ganzoo.CheckpointError, match="corrupt"):
        load_checkpoint(path)
    with pytest.raises(ganzoo.CheckpointError, match="corrupt"):
        _trainer(_gan(), digits, tmp_path, steps=4, resume=True).fit()
    not_ours = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, not_ours)
    with pytest.raises(ganzoo.CheckpointError, match="not a ganzoo checkpoint"):
        load_checkpoint(not_ours)
    with pytest.raises(ganzoo.CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_from_another_model_is_refused(digits, tmp_path) -> None:
    _trainer(_gan("dcgan"), digits, tmp_path, steps=2).fit()
    with pytest.raises(ganzoo.CheckpointError, match=r"belongs to 'dcgan', not to this 'wgan-gp'"):
        _trainer(_gan("wgan-gp"), digits, tmp_path, steps=4, resume=True).fit()
    with pytest.raises(ganzoo.CheckpointError, match=r"width: checkpoint=8 model=16"):
        _trainer(_gan("dcgan", width=16), digits, tmp_path, steps=4, resume=True).fit()


def test_existing_run_is_not_overwritten_without_resume(digits, tmp_path, caplog) -> None:
    _trainer(_gan(), digits, tmp_path, steps=2, run_config={"model": "dcgan", "seed": 0}).fit()
    before = (tmp_path / "checkpoints" / "last.pt").read_bytes()
    record = (tmp_path / "run.yaml").read_text()
    caplog.clear()
    refused = pytest.raises(ganzoo.CheckpointError, match="already holds a run")
    with caplog.at_level(logging.INFO, logger="ganzoo"), refused:
        _trainer(_gan(), digits, tmp_path, steps=2, run_config={"model": "other"}).fit()
    assert (tmp_path / "checkpoints" / "last.pt").read_bytes() == before
    assert (tmp_path / "run.yaml").read_text() == record
    assert (tmp_path / "run.lock").read_text() == ""  # released: the next run takes no stale lock
    assert not [r for r in caplog.records if " on cpu: " in r.getMessage()]  # said for runs only


def test_load_gan_rebuilds_the_trained_model(digits, tmp_path) -> None:
    gan = _gan("cgan")
    _trainer(gan, digits, tmp_path, steps=3).fit()
    loaded = ganzoo.load_gan(tmp_path)
    assert loaded.config == gan.config
    assert torch.equal(loaded.sample(8, seed=5), gan.sample(8, seed=5))


def test_data_that_does_not_fit_the_model_is_a_clear_error(digits, tmp_path) -> None:
    rgb = digits.formatted(32, 3)
    with pytest.raises(ganzoo.DataError, match=r"3x32x32 images.*img_size=32, channels=3"):
        ganzoo.Trainer(_gan(), rgb, tmp_path)
    unlabelled = TensorImages(digits.images, None, 0, "unlabelled")
    with pytest.raises(ganzoo.DataError, match="conditional"):
        ganzoo.Trainer(_gan("cgan"), unlabelled, tmp_path)
    with pytest.raises(ganzoo.DataError, match="num_classes=10"):
        ganzoo.Trainer(_gan("cgan", num_classes=5), digits, tmp_path)
    with pytest.raises(ganzoo.DataError, match="fewer than one batch"):
        ganzoo.Trainer(_gan(), TensorImages(digits.images[:8]), tmp_path, batch_size=16).fit()


def test_generator_ema_is_trained_sampled_and_resumed(digits, tmp_path) -> None:
    recipe = {"ema_decay": 0.9}
    gan = _gan(recipe=recipe)
    assert gan.sampler is gan.generator_ema.module
    _trainer(gan, digits, tmp_path / "full", steps=4).fit()
    ema = dict(gan.generator_ema.module.named_parameters())
    live = dict(gan.generator.named_parameters())
    assert all(not torch.equal(ema[k], live[k]) for k in live)  # an average, not a copy
    z = torch.randn(4, gan.latent_dim, generator=torch.Generator().manual_seed(0))
    gan.sampler.eval()
    with torch.no_grad():
        expected = gan.generator_ema.module(z)
    assert torch.allclose(gan.sample(4, seed=0), expected.clamp(-1, 1))

    _trainer(_gan(recipe=recipe), digits, tmp_path / "split", steps=2).fit()
    resumed = _gan(recipe=recipe, seed=9)
    _trainer(resumed, digits, tmp_path / "split", steps=4, resume=True).fit()
    for key, value in gan.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key
    with pytest.raises(ganzoo.ConfigError, match="ema_decay"):
        _gan(recipe={"ema_decay": 1.5})


def test_hardware_record_lists_the_sessions_that_trained(digits, tmp_path) -> None:
    """Resuming a finished run (no step trained) keeps its hardware record; a session that
    trains on other hardware is added to it."""
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        _trainer(_gan(), digits, tmp_path, steps=2).fit()
        first = load_checkpoint(tmp_path / "checkpoints" / "last.pt")["trainer"]["hardware"]
        assert "1 torch threads" in first and "kernels" in first
        torch.set_num_threads(2)
        _trainer(_gan(), digits, tmp_path, steps=2, resume=True).fit()
        state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
        assert state["trainer"]["hardware"] == first
        _trainer(_gan(), digits, tmp_path, steps=3, resume=True).fit()
        state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
        assert state["trainer"]["hardware"] == f"{first}; {first.replace('1 torch', '2 torch')}"
    finally:
        torch.set_num_threads(threads)


def test_published_record_names_the_cpu_and_the_precision(digits, tmp_path) -> None:
    """A run's training record says which CPU trained it and in which precision, so that the
    CPU times of tags trained on different machines can be weighed."""
    from ganzoo.train.publishing import describe_run
    from ganzoo.utils.hardware import cpu_model

    _trainer(_gan(), digits, tmp_path, steps=1).fit()
    training = describe_run(tmp_path)[1]["training"]
    assert training["hardware"].startswith(f"{cpu_model()} (") and "kernels" in training["hardware"]
    assert training["precision and speed"].startswith("fp32 (precision auto")  # tests pin fp32


def test_metrics_csv_widens_when_a_resumed_run_logs_a_new_column(tmp_path) -> None:
    first = MetricsLog(tmp_path, ["fid_classifier"])
    first.write({"step": 1, "g_loss": 0.5})
    first.write({"step": 2, "g_loss": 0.4, "fid_classifier": 7.0})
    resumed = MetricsLog(tmp_path, ["fid_inception"])  # resumed in another FID space
    resumed.truncate_after(2)
    resumed.write({"step": 3, "g_loss": 0.3, "fid_inception": 20.0})
    resumed.write({"step": 4, "g_loss": 0.2})
    with (tmp_path / "metrics.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["step", "g_loss", "fid_classifier", "fid_inception"]
    assert [r["step"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[1]["fid_classifier"] == "7.0" and rows[2]["fid_inception"] == "20.0"
    assert len(resumed.read()) == 4 and not list(tmp_path.glob("*.tmp"))


def _decaying_gan(seed: int = 0) -> ganzoo.GAN:
    """A tiny dcgan whose learning rates stay constant for the first half, then fall to 0."""
    return _gan(seed=seed, recipe={"lr_schedule": {"name": "linear", "start": 0.5}})


def test_kept_checkpoints_hold_their_steps_beside_last(digits, tmp_path) -> None:
    _trainer(_gan(), digits, tmp_path, steps=5, keep_every=2, checkpoint_every=3).fit()
    kept = sorted(p.name for p in (tmp_path / "checkpoints").glob("step_*.pt"))
    assert kept == ["step_0000002.pt", "step_0000004.pt"]
    for name, step in zip(kept, (2, 4), strict=True):
        assert load_checkpoint(tmp_path / "checkpoints" / name)["step"] == step
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["step"] == 5


def test_a_branch_from_before_the_decay_equals_a_longer_run(digits, tmp_path) -> None:
    """A 6-step run (rates fall from step 3) keeps step 2; a 10-step run branched from there
    (rates fall from step 5) ends exactly where a 10-step run from scratch does."""
    longer_gan = _decaying_gan()
    longer = _trainer(longer_gan, digits, tmp_path / "longer", steps=10).fit()
    _trainer(_decaying_gan(), digits, tmp_path / "short", steps=6, keep_every=2).fit()

    branch_gan = _decaying_gan(seed=123)  # everything must come from the kept checkpoint
    kept = tmp_path / "short" / "checkpoints" / "step_0000002.pt"
    branched = _trainer(branch_gan, digits, tmp_path / "branch", steps=10, resume_from=kept).fit()

    assert branched.step == 10
    assert _losses(branched.history) == _losses(longer.history)[2:]
    for key, value in longer_gan.state_dict().items():
        assert torch.equal(value, branch_gan.state_dict()[key]), key
    rows = [json.loads(x) for x in (tmp_path / "branch" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(1, 11))  # the source's rows 1-2, then its own
    short_rows = (tmp_path / "short" / "metrics.jsonl").read_text().splitlines()
    assert [json.dumps(r) for r in rows[:2]] == short_rows[:2]
    record = load_checkpoint(tmp_path / "branch" / "checkpoints" / "last.pt")["trainer"]
    assert record["resumes"] == [{"step": 2, "changes": {"steps": [6, 10]}, "branched": True}]
    assert changes_text(record["resumes"]) == (
        "at step 2 (branched from another run's checkpoint): steps 6 -> 10"
    )


def test_a_branch_needs_an_empty_folder_and_a_checkpoint(digits, tmp_path) -> None:
    _trainer(_gan(), digits, tmp_path / "run", steps=2).fit()
    source = tmp_path / "run" / "checkpoints" / "last.pt"
    with pytest.raises(ganzoo.ConfigError, match=r"already holds a run.*--resume"):
        _trainer(_gan(), digits, tmp_path / "run", steps=4, resume_from=source).fit()
    with pytest.raises(ganzoo.ConfigError, match="is not a checkpoint"):
        _trainer(_gan(), digits, tmp_path / "new", steps=4, resume_from=tmp_path / "no.pt").fit()
    _trainer(_gan(), digits, tmp_path / "branch", steps=3, resume_from=tmp_path / "run").fit()
    again = _trainer(
        _gan(), digits, tmp_path / "branch", steps=4, resume_from=source, resume=True
    ).fit()  # the branch's own checkpoint wins once it has one
    assert again.step == 4 and len(again.history) == 1
    record = load_checkpoint(tmp_path / "branch" / "checkpoints" / "last.pt")["trainer"]
    assert changes_text(record["resumes"]) == (
        "at step 2 (branched from another run's checkpoint): steps 2 -> 3; at step 3: steps 3 -> 4"
    )
    unchanged = [{"step": 5, "changes": {}, "branched": True}]  # a branch is recorded regardless
    assert (
        changes_text(unchanged)
        == "at step 5 (branched from another run's checkpoint): same settings"
    )
