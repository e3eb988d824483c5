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


def test_zoo_table_is_current() -> None:
    """docs/zoo.md's reproduction table is what zoo_table.py makes of the committed results."""
    script = ROOT / "docs" / "scripts" / "zoo_table.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zoo_table_verdicts() -> None:
    """The target column says 'met' at or below the anchor, else by how much it is over."""
    sys.path.insert(0, str(ROOT / "docs" / "scripts"))
    try:
        from zoo_table import verdict
    finally:
        sys.path.pop(0)
    assert verdict(6.8, 6.8) == "met"
    assert verdict(9.05, 6.8) == "+2.2 over"
    assert verdict(3.0, None) == "—"
