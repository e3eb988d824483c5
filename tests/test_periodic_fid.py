"""Periodic FID during training (classifier or Inception features) and the best checkpoint."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
import torch
import yaml
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.data import TensorImages, load_embedded
from ganzoo.errors import ConfigError
from ganzoo.train import load_checkpoint, periodic_fid
from ganzoo.train.periodic_fid import PeriodicFID, reference_dataset

from .conftest import stopping_trainer, tiny_args

FID_N = 200  # samples per periodic FID: enough for the 128-d covariance, quick on a CPU
TINY = ["--set", "model_args.width=8", "--batch-size", "16", "--no-progress"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _small_reference(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """1,000 reference images (not 10,000) keep the tests quick; cached once per module."""
    monkeypatch.setattr(periodic_fid, "REFERENCE_IMAGES", 1000)
    monkeypatch.setenv("GANZOO_CACHE", str(cache))


@pytest.fixture(scope="module")
def mnist() -> TensorImages:
    """MNIST digits, named as torchvision's are, so the run measures against MNIST's test split."""
    data = load_embedded()
    return TensorImages(data.images[:256], data.labels[:256], 10, "mnist (test, first 256)")


def _gan(seed: int = 0) -> ganzoo.GAN:
    torch.manual_seed(seed)
    return ganzoo.create("dcgan", **tiny_args("dcgan"))


def _trainer(gan, data, out: Path, steps: int, cls=ganzoo.Trainer, **kw) -> ganzoo.Trainer:
    kw = {
        "batch_size": 16,
        "log_every": 3,
        "progress": False,
        "num_samples": 16,
        "gif": False,
        "fid_every": 2,
        "fid_samples": FID_N,
        **kw,
    }
    return cls(gan, data, out, steps=steps, **kw)


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def _fids(out: Path) -> dict[int, float]:
    return {r["step"]: r["fid_classifier"] for r in _rows(out) if "fid_classifier" in r}


def test_fid_rows_at_their_steps_and_best_pt_holds_the_lowest(mnist, tmp_path) -> None:
    out = tmp_path / "run"
    result = _trainer(_gan(), mnist, out, steps=5).fit()

    rows = _rows(out)
    assert [r["step"] for r in rows] == [2, 3, 4, 5]  # FID steps get a row of their own
    fids = _fids(out)
    assert list(fids) == [2, 4, 5]  # every 2 steps and at the end
    assert all(math.isfinite(v) and v > 0 for v in fids.values())
    assert all(r["fid_samples"] == FID_N for r in rows if "fid_classifier" in r)
    assert all("g_loss" in r for r in rows)  # beside the losses
    with (out / "metrics.csv").open() as f:
        table = list(csv.DictReader(f))
    assert [row["fid_classifier"] != "" for row in table] == [True, False, True, True]

    best_step = min(fids, key=fids.get)
    assert (result.best_step, result.best_fid) == (best_step, fids[best_step])
    best = load_checkpoint(out / "checkpoints" / "best.pt")
    assert best["step"] == best_step
    assert best["trainer"]["best_fid"] == {
        "value": fids[best_step],
        "step": best_step,
        "metric": "fid_classifier",
    }
    last = load_checkpoint(out / "checkpoints" / "last.pt")
    assert last["step"] == 5 and last["trainer"]["best_fid"]["step"] == best_step
    # best.pt holds the generator of that step: measured again, it gives the logged value
    again = PeriodicFID("mnist", FID_N, seed=0, device=torch.device("cpu"))
    assert again(ganzoo.load(out / "checkpoints" / "best.pt")) == pytest.approx(fids[best_step])

    grid = tmp_path / "grid.png"  # `ganzoo sample` takes best.pt like last.pt
    assert (
        main(["sample", str(out / "checkpoints" / "best.pt"), "--n", "4", "--out", str(grid)]) == 0
    )
    assert Image.open(grid).size[0] > 0


def test_periodic_fid_leaves_training_unchanged(mnist, tmp_path) -> None:
    with_fid, without = _gan(), _gan()
    a = _trainer(with_fid, mnist, tmp_path / "a", steps=3, log_every=1, fid_every=1).fit()
    b = _trainer(without, mnist, tmp_path / "b", steps=3, log_every=1, fid_every=None).fit()
    assert len(_fids(tmp_path / "a")) == 3 and not _fids(tmp_path / "b")
    assert [r["g_loss"] for r in a.history] == [r["g_loss"] for r in b.history]
    for key, value in with_fid.state_dict().items():
        assert torch.equal(value, without.state_dict()[key]), key
    assert with_fid.generator.training  # sampling for the FID restored the training mode
    assert not (tmp_path / "b" / "checkpoints" / "best.pt").exists()


def test_resumed_run_keeps_its_best_and_matches_an_uninterrupted_one(mnist, tmp_path) -> None:
    full = _trainer(_gan(), mnist, tmp_path / "full", steps=6).fit()
    stopped = _trainer(_gan(), mnist, tmp_path / "split", 6, stopping_trainer(3)).fit()
    assert stopped.interrupted and stopped.step == 3
    resumed = _trainer(_gan(seed=7), mnist, tmp_path / "split", steps=6, resume=True).fit()

    assert _fids(tmp_path / "split") == _fids(tmp_path / "full")
    assert (resumed.best_step, resumed.best_fid) == (full.best_step, full.best_fid)
    from ganzoo.train.publishing import describe_run

    assert (
        describe_run(tmp_path / "split")[1]["fid_history"]
        == (describe_run(tmp_path / "full")[1]["fid_history"])
    )
    ours = load_checkpoint(tmp_path / "split" / "checkpoints" / "best.pt")
    theirs = load_checkpoint(tmp_path / "full" / "checkpoints" / "best.pt")
    assert ours["step"] == theirs["step"] == full.best_step
    for key, value in theirs["gan"].items():
        assert torch.equal(value, ours["gan"][key]), key


def test_a_resumed_run_compares_against_the_saved_best(mnist, tmp_path, monkeypatch) -> None:
    """Scripted FIDs (5 at step 2, then 7 and 9 after the resume): the best stays step 2."""
    values = iter([5.0, 7.0, 9.0, float("nan")])
    monkeypatch.setattr(PeriodicFID, "__call__", lambda self, gan: next(values))
    out = tmp_path / "run"
    _trainer(_gan(), mnist, out, 6, stopping_trainer(3)).fit()
    written = (out / "checkpoints" / "best.pt").read_bytes()
    resumed = _trainer(_gan(), mnist, out, steps=6, resume=True).fit()
    assert _fids(out) == {2: 5.0, 4: 7.0, 6: 9.0}
    assert (resumed.best_step, resumed.best_fid) == (2, 5.0)
    assert (out / "checkpoints" / "best.pt").read_bytes() == written  # not replaced by worse
    from ganzoo.hub.card import fid_history_text
    from ganzoo.train.publishing import describe_run

    _, extra, _ = describe_run(out)  # publishes step 2, and tells what came after it
    assert extra["fid_history"]["fid_classifier"]["values"] == [5.0, 7.0, 9.0]
    _trainer(_gan(), mnist, out, steps=8, resume=True).fit()  # its FID at step 8 is NaN
    assert _rows(out)[-1]["step"] == 8 and math.isnan(_rows(out)[-1]["fid_classifier"])
    assert describe_run(out)[1]["fid_history"] == extra["fid_history"]  # JSON has no NaN
    text = fid_history_text(extra)
    assert "first 5.00 at step 2, lowest 5.00 at step 2, last 9.00 at step 6" in text
    assert "| 4 | 7.000 |" in text and f"({FID_N} samples" in text


def test_data_without_a_shipped_classifier_is_refused_before_training(tmp_path) -> None:
    data = load_embedded()
    unnamed = TensorImages(data.images[:64], data.labels[:64], 10, "digits")
    with pytest.raises(ConfigError, match="fid_every needs MNIST or Fashion-MNIST data"):
        _trainer(_gan(), unnamed, tmp_path / "run", steps=2)
    assert not (tmp_path / "run").exists()
    names = {
        "default (MNIST test split, embedded)": "mnist",
        "mnist (train)": "mnist",
        "fashion-mnist (test)": "fashion-mnist",
    }
    for name, key in names.items():
        assert reference_dataset(_gan(), TensorImages(data.images[:4], None, 0, name)) == key
    torch.manual_seed(0)
    translator = ganzoo.create("pix2pix", **tiny_args("pix2pix"))
    with pytest.raises(ConfigError, match="translates images"):
        reference_dataset(translator, unnamed)


def test_cli_flag_on_fashion_mnist_and_its_refusal(tmp_path, data_root, cache, capsys) -> None:
    out = tmp_path / "run"
    steps = ["--steps", "2", "--fid-samples", str(FID_N), *TINY]
    fashion = ["--dataset", "fashion-mnist", "--data-root", str(data_root)]
    assert main(["train", "dcgan", *fashion, "--out", str(out), "--fid-every", "2", *steps]) == 0
    assert list(_fids(out)) == [2]
    assert f"best:       {out / 'checkpoints' / 'best.pt'} (step 2, FID " in capsys.readouterr().out
    record = yaml.safe_load((out / "run.yaml").read_text())["train"]
    assert record["fid_every"] == 2 and record["fid_data_root"] == str(data_root)
    cached = [p.name for p in (cache / "stats").glob("*.npz")]
    assert any(name.startswith("fashion-mnist-test-n1000-classifier_fashion") for name in cached)
    folder = tmp_path / "images" / "class"
    folder.mkdir(parents=True)
    for i in range(4):
        Image.new("RGB", (32, 32), (i * 60, 0, 0)).save(folder / f"{i}.png")
    images = ["--dataset", str(folder.parent), "--out", str(tmp_path / "x")]
    assert main(["train", "dcgan", *images, "--set", "train.fid_every=2", *steps]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: fid_every needs MNIST or Fashion-MNIST data")
        and err.count("\n") == 1
    )
    assert not (tmp_path / "x").exists()


def test_publishing_takes_the_best_checkpoint_and_says_so(mnist, tmp_path) -> None:
    from ganzoo.train.publishing import describe_run

    out = tmp_path / "run"
    result = _trainer(_gan(), mnist, out, steps=5).fit()
    best = ganzoo.load(out / "checkpoints" / "best.pt")
    z = torch.randn(4, best.latent_dim, generator=torch.Generator().manual_seed(1))

    gan, extra, _ = describe_run(out)  # auto: the run kept a best.pt
    training = extra["training"]
    assert training["steps"] == result.best_step
    assert training["checkpoint"] == (
        f"best of the run: classifier FID {result.best_fid:.3f} at step {result.best_step} of 5"
    )
    assert training["planned steps"] == 5  # a field, for scripts that compare recipes
    with torch.no_grad():
        assert torch.equal(gan.generate(z, ema=True), best.generate(z, ema=True))
    logged = _fids(out)  # the whole run's measurements, not only those up to the best step
    assert extra["fid_history"] == {
        "fid_classifier": {
            "samples": FID_N,
            "steps": list(logged),
            "values": [round(v, 4) for v in logged.values()],
        }
    }

    gan, extra, _ = describe_run(out, "last")
    assert extra["training"]["steps"] == 5 and "checkpoint" not in extra["training"]

    plain = tmp_path / "plain"
    _trainer(_gan(), mnist, plain, steps=2, fid_every=None).fit()
    assert describe_run(plain)[1]["training"]["steps"] == 2  # auto: no best.pt, so last
    assert "fid_history" not in describe_run(plain)[1]  # it measured none
    with pytest.raises(ConfigError, match=r"no checkpoints/best\.pt.*--fid-every"):
        describe_run(plain, "best")
    with pytest.raises(ConfigError, match="auto, best, last"):
        describe_run(out, "first")


@pytest.mark.filterwarnings("ignore::ganzoo.metrics.frechet.FewSamplesWarning")  # 24 and 8
@pytest.mark.filterwarnings("ignore::ganzoo.metrics.frechet.SingularCovarianceWarning")  # images
def test_periodic_fid_in_inception_features_keeps_its_own_best(mnist, tmp_path, caplog) -> None:
    """fid_features="inception" logs fid_inception (real Inception-v3, 24 reference images to
    keep it quick) and the card names it; resuming a classifier-FID run in Inception features
    drops the old best, whose value does not compare, and says so."""
    out = tmp_path / "run"
    _trainer(_gan(), mnist, out, 6, stopping_trainer(2)).fit()  # classifier FID at step 2
    assert load_checkpoint(out / "checkpoints" / "best.pt")["step"] == 2
    inception = {"fid_features": "inception", "fid_reference": 24, "fid_samples": 8}
    with caplog.at_level("WARNING", logger="ganzoo"):
        result = _trainer(_gan(), mnist, out, steps=4, resume=True, **inception).fit()
    assert "does not compare" in caplog.text
    rows = _rows(out)
    measured = {r["step"]: r["fid_inception"] for r in rows if "fid_inception" in r}
    assert list(measured) == [4] and measured[4] > 0 and rows[-1]["fid_samples"] == 8
    assert (result.best_step, result.best_fid) == (4, measured[4])  # not step 2's lower value
    best = load_checkpoint(out / "checkpoints" / "best.pt")
    assert best["step"] == 4 and best["trainer"]["best_fid"]["metric"] == "fid_inception"
    from ganzoo.train.publishing import describe_run

    _, extra, _ = describe_run(out)
    assert extra["training"]["checkpoint"].startswith("best of the run: Inception FID")


def test_an_unknown_fid_feature_space_is_one_line(tmp_path) -> None:
    with pytest.raises(ConfigError, match="fid_features must be one of classifier, inception"):
        ganzoo.TrainConfig(fid_features="clip")
    with pytest.raises(SystemExit):
        main(["train", "dcgan", "--fid-every", "2", "--fid-features", "clip", *TINY])
