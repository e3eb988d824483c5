"""Adding a built-in GAN is one family file: a copy of the package with one new file in
ganzoo/zoo/ shows the model everywhere the registry is read — list_models, the CLI, the docs
table generator and the generic per-model tests — with no other edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAMILY = '''"""MiniGAN: a family added by tests/test_add_family.py."""

from __future__ import annotations

from typing import Any

from ..gan import GAN
from ..models.dcgan import DCGANDiscriminator, DCGANGenerator
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


@register_model(tiny={"width": 8})
def minigan(**overrides: Any) -> GAN:
    """MiniGAN (a test family): the DCGAN networks with the hinge loss."""
    return build_gan("minigan", DCGANGenerator, DCGANDiscriminator, objective="hinge",
                     recipe=Recipe(steps=10, batch_size=16), overrides=overrides)
'''


@pytest.fixture(scope="module")
def package_with_new_family(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the ganzoo package plus ganzoo/zoo/minigan.py, nothing else changed."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "ganzoo", site / "ganzoo", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "ganzoo" / "zoo" / "minigan.py").write_text(FAMILY)
    return site


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=site, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_new_family_is_listed_and_built(package_with_new_family: Path) -> None:
    done = _run(
        package_with_new_family,
        "-c",
        "import ganzoo; print(ganzoo.__file__); "
        "print(ganzoo.list_models()); print(ganzoo.create('minigan').objective.terms)",
    )
    assert done.returncode == 0, done.stderr
    where, names, terms = done.stdout.splitlines()
    assert where.startswith(str(package_with_new_family))  # the copy, not the checkout
    assert "'minigan'" in names and "'dcgan'" in names
    assert terms == "['hinge']"


def test_the_cli_lists_and_describes_it(package_with_new_family: Path) -> None:
    listed = _run(package_with_new_family, "-m", "ganzoo", "list")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith("minigan ") for line in listed.stdout.splitlines())
    info = _run(package_with_new_family, "-m", "ganzoo", "info", "minigan")
    assert info.returncode == 0 and '"name": "minigan"' in info.stdout


def test_the_docs_table_generator_shows_it(package_with_new_family: Path) -> None:
    script = ROOT / "docs" / "scripts" / "model_table.py"
    code = f"import runpy; t = runpy.run_path({str(script)!r}); print(t['readme_table']())"
    done = _run(package_with_new_family, "-c", code)
    assert done.returncode == 0, done.stderr
    assert "| `minigan` | MiniGAN (a test family) | hinge |" in done.stdout


def test_the_generic_model_tests_run_on_it(package_with_new_family: Path) -> None:
    done = _run(
        package_with_new_family,
        "-m",
        "pytest",
        str(ROOT / "tests" / "test_models.py"),
        "-k",
        "minigan",
        "-q",
        "-p",
        "no:cacheprovider",
        "--import-mode=append",
        f"--rootdir={ROOT}",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 3, summary
