"""``ganzoo plot RUN``: losses, in-training FID and health alerts of a run drawn from its
metrics.jsonl."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

from ganzoo.cli import main
from ganzoo.errors import ConfigError
from ganzoo.plotting import plot_run, read_history, save_plot

from .conftest import train_tiny


def _write_log(folder: Path) -> Path:
    """A log of 100 rows with classifier-FID rows every 200 steps, an oscillation alert that
    clears and returns, a mode-collapse alert and a line torn by a crash."""
    rows = []
    for step in range(10, 1010, 10):
        health = ["oscillation"] if 300 <= step < 420 or step >= 900 else []
        health += ["mode_collapse"] if 700 <= step < 800 else []
        rows.append({"step": step, "d_loss": 1.0 + step / 1e4, "g_loss": 2.0, "health": health})
        if step % 200 == 0:
            rows.append({"step": step, "fid_classifier": 100.0 / step})
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r) for r in rows] + ['{"step": 1010, "d_lo']
    (folder / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_a_real_run_is_drawn_into_a_png_of_the_stated_size(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    train_tiny("dcgan", run, steps=2, n=64)
    history = read_history(run)
    assert list(history.losses)[:2] == ["d_loss", "g_loss"]
    assert history.losses["d_loss"][0] == [1, 2] and not history.fid
    out = tmp_path / "plots" / "run.png"
    assert main(["plot", str(run), "--out", str(out)]) == 0
    assert Image.open(out).size == (1000, 350)  # one panel: losses
    assert "Drew d_loss, g_loss" in capsys.readouterr().out
    assert main(["plot", str(run)]) == 0 and (run / "metrics.png").is_file()


def test_fid_rows_add_a_panel_and_alerts_are_marked_where_they_start(tmp_path: Path) -> None:
    run = _write_log(tmp_path / "run")
    history = read_history(run / "metrics.jsonl")
    assert history.fid["fid_classifier"] == (
        [200, 400, 600, 800, 1000],
        [0.5, 0.25, 100 / 600, 0.125, 0.1],
    )
    assert history.alerts == [(300, "oscillation"), (700, "mode_collapse"), (900, "oscillation")]
    assert len(history.losses["d_loss"][0]) == 100  # the torn last line is skipped
    fig = plot_run(run)
    losses, fid = fig.axes
    assert [losses.get_title(), fid.get_title()] == ["losses", "FID"]
    (curve,) = [line for line in fid.get_lines() if line.get_label() == "fid_classifier"]
    assert list(curve.get_xdata()) == [200, 400, 600, 800, 1000]
    for ax in (losses, fid):
        marks = [(line.get_xdata()[0], line.get_label()) for line in ax.get_lines()[-3:]]
        assert marks[:2] == [(300, "alert: oscillation"), (700, "alert: mode_collapse")]
        assert marks[2][0] == 900 and marks[2][1].startswith("_")  # no second legend entry
        legend = [text.get_text() for text in ax.get_legend().get_texts()]
        assert legend.count("alert: oscillation") == 1
    assert Image.open(save_plot(run, tmp_path / "fid.png")).size == (1000, 700)


def test_bad_runs_and_a_missing_matplotlib_are_one_line(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "no-rows").mkdir()
    (tmp_path / "no-rows" / "metrics.jsonl").write_text("")
    for run, message in [
        (tmp_path / "missing", "does not exist: pass a run folder"),
        (tmp_path / "empty", "has no metrics.jsonl: pass a run folder written by `ganzoo train`"),
        (tmp_path / "no-rows", "holds no logged losses yet"),
    ]:
        assert main(["plot", str(run)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1
        with pytest.raises(ConfigError):
            read_history(run)
    run = _write_log(tmp_path / "run")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    assert main(["plot", str(run)]) == 2
    assert 'pip install "ganzoo[plot]"' in capsys.readouterr().err
    assert not (run / "metrics.png").exists()
