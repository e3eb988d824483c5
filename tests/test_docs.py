"""The docs' generated tables match the registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_model_tables_are_current() -> None:
    script = ROOT / "docs" / "scripts" / "model_table.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_every_model_has_a_recipe_per_dataset() -> None:
    import ganzoo

    configs = {p.stem for p in (ROOT / "zoo_configs").glob("*.yaml")}
    tasks = {
        "pix2pix": ("edges2mnist", "edges2fashion"),
        "cyclegan": ("thin2thick", "mnist2fashion"),
    }
    for name in ganzoo.list_models():
        for dataset in tasks.get(name, ("mnist", "fashion_mnist")):
            assert f"{name.replace('-', '_')}_{dataset}" in configs
