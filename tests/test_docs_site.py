"""The docs site builds with `mkdocs build --strict` (no broken links or references) and holds the
generated pages: the API reference and the model gallery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ganzoo

ROOT = Path(__file__).resolve().parents[1]


def test_the_docs_site_builds_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="NO DOCS SITE BUILD: pip install 'ganzoo[docs]'")
    pytest.importorskip("mkdocstrings", reason="NO DOCS SITE BUILD: pip install 'ganzoo[docs]'")
    site = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    api = (site / "api" / "index.html").read_text()
    for name in (
        "ganzoo.create",
        "ganzoo.Trainer",
        "ganzoo.GAN.sample",
        "ganzoo.export.export_generator",
    ):
        assert f'id="{name}"' in api
    assert "Build the GAN registered as" in api  # create's docstring, rendered
    gallery = (site / "gallery" / "index.html").read_text()
    for name in ganzoo.list_models():
        assert f'id="{name}"' in gallery
    for tag in ganzoo.list_models(pretrained=True):
        assert (site / "gallery" / f"{tag}.png").is_file()
        assert f"{tag}.png" in gallery
    assert "FID (10k vs 10k test, classifier features)" in gallery
    home = (site / "index.html").read_text()
    assert 'src="images/demo.png"' in home and (site / "images" / "demo.png").is_file()
