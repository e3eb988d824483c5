"""Entry-point plugins: a real package installed into a temporary folder, used from a subprocess.

Nothing is mocked: pip builds and installs a tiny distribution (setuptools backend, no network,
no build isolation) into ``tmp/site``; a fresh interpreter with that folder on ``PYTHONPATH``
must find its models through the ``ganzoo.models`` entry-point group.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUILTINS = ["cgan", "dcgan", "lsgan", "sagan", "vanilla", "wgan", "wgan-gp"]

PLUGIN_MODULE = '''
"""A dummy ganzoo plugin."""

import ganzoo
from ganzoo.zoo import build_gan
from ganzoo.models.dcgan import DCGANDiscriminator, DCGANGenerator


@ganzoo.register_model(aliases=["zooplug-dc-alias"])
def zooplugdc(**overrides):
    """Plugin DCGAN registered with the decorator."""
    return build_gan("zooplugdc", DCGANGenerator, DCGANDiscriminator, objective="hinge",
                     defaults={"width": 8}, overrides=overrides)


def other_builder(**overrides):
    """Plugin builder named directly by an entry point (not decorated)."""
    return build_gan("internal-name", DCGANGenerator, DCGANDiscriminator,
                     objective="least-squares", defaults={"width": 4}, overrides=overrides)
'''

PYPROJECT = """
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.0.1"
description = "test plugin for ganzoo"

[tool.setuptools]
packages = ["{package}"]

[project.entry-points."ganzoo.models"]
{entry_points}
"""

# Prints what a fresh interpreter sees: names, warnings and (optionally) the built plugin models.
PROBE = textwrap.dedent(
    """
    import json, sys, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import ganzoo
        names = ganzoo.list_models()
    result = {"names": names, "warnings": [str(w.message) for w in caught], "models": {}}
    for name in sys.argv[1:]:
        gan = ganzoo.create(name, img_size=32)
        images = gan.sample(2)
        result["models"][name] = {
            "model": gan.config["model"],
            "width": gan.config.get("width"),
            "objective": gan.config.get("objective"),
            "images": list(images.shape),
            "scores": list(gan.discriminate(images).shape),
            "is_model": ganzoo.is_model(name),
            "description": ganzoo.model_info(name)["description"],
        }
    print(json.dumps(result))
    """
)


def _write_package(root: Path, dist: str, package: str, module: str, entry_points: str) -> Path:
    pkg = root / dist
    (pkg / package).mkdir(parents=True)
    (pkg / package / "__init__.py").write_text("")
    (pkg / package / "models.py").write_text(module)
    (pkg / "pyproject.toml").write_text(
        PYPROJECT.format(dist=dist, package=package, entry_points=entry_points)
    )
    return pkg


def _pip_install(pkg: Path, site: Path) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--no-cache-dir",
            "--target",
            str(site),
            str(pkg),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, f"pip install failed:\n{proc.stdout}\n{proc.stderr}"


def _probe(sites: list[Path], *models: str) -> dict:
    env = dict(os.environ)
    extra = [str(s) for s in sites]
    kept = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if extra or kept:
        env["PYTHONPATH"] = os.pathsep.join([*extra, *kept])
    else:
        env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *models],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, f"probe failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed good plugin (``zooplugdc`` and ``zooplugbare``)."""
    root = tmp_path_factory.mktemp("good_plugin")
    pkg = _write_package(
        root / "src",
        "ganzoo-test-plugin",
        "zooplug_pkg",
        PLUGIN_MODULE,
        'zooplug = "zooplug_pkg.models"\nzooplugbare = "zooplug_pkg.models:other_builder"\n',
    )
    site = root / "site"
    _pip_install(pkg, site)
    assert (site / "zooplug_pkg" / "models.py").is_file()
    assert list(site.glob("ganzoo_test_plugin-0.0.1.dist-info/entry_points.txt"))
    return site


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an installed plugin whose module raises ImportError on import."""
    root = tmp_path_factory.mktemp("broken_plugin")
    pkg = _write_package(
        root / "src",
        "ganzoo-broken-plugin",
        "zoobroken_pkg",
        'raise ImportError("zoobroken needs a library that is not installed")\n',
        'zoobroken = "zoobroken_pkg.models"\n',
    )
    site = root / "site"
    _pip_install(pkg, site)
    return site


def test_installed_plugin_models_are_listed_and_build(plugin_site: Path) -> None:
    result = _probe([plugin_site], "zooplugdc", "zooplugbare", "zooplug_dc_alias")
    names = result["names"]
    assert set(BUILTINS) <= set(names)
    assert "zooplugdc" in names
    assert "zooplugbare" in names
    assert names == sorted(names)
    # The module entry point is imported, not registered itself; the bare builder is registered
    # under its entry point's name, not its function name.
    assert "zooplug" not in names
    assert "other-builder" not in names
    assert "zooplug-dc-alias" not in names
    assert result["warnings"] == []

    dc = result["models"]["zooplugdc"]
    assert dc["model"] == "zooplugdc"
    assert dc["width"] == 8
    assert dc["objective"] == "hinge"
    assert dc["images"] == [2, 1, 32, 32]
    assert dc["scores"] == [2]
    assert dc["is_model"] is True
    assert dc["description"] == "Plugin DCGAN registered with the decorator."
    assert result["models"]["zooplug_dc_alias"]["model"] == "zooplugdc"

    bare = result["models"]["zooplugbare"]
    assert bare["model"] == "zooplugbare"
    assert bare["width"] == 4
    assert bare["objective"] == "least-squares"
    assert bare["images"] == [2, 1, 32, 32]
    assert bare["scores"] == [2]
    assert bare["is_model"] is True
    assert bare["description"].startswith("Plugin builder named directly by an entry point")


def test_without_the_plugin_on_the_path_only_builtins_are_listed(plugin_site: Path) -> None:
    result = _probe([])
    names = result["names"]
    assert set(BUILTINS) <= set(names)
    assert "zooplugdc" not in names
    assert "zooplugbare" not in names
    assert not [n for n in names if n.startswith("zoo")]


def test_broken_plugin_only_warns(broken_site: Path) -> None:
    result = _probe([broken_site], "dcgan")
    assert set(BUILTINS) <= set(result["names"])
    messages = [w for w in result["warnings"] if "zoobroken" in w]
    assert len(messages) == 1, result["warnings"]
    assert "failed to load" in messages[0]
    assert "not installed" in messages[0]
    assert result["models"]["dcgan"]["model"] == "dcgan"


def test_broken_plugin_does_not_stop_other_plugins(plugin_site: Path, broken_site: Path) -> None:
    result = _probe([broken_site, plugin_site], "zooplugbare")
    names = result["names"]
    assert set(BUILTINS) <= set(names)
    assert "zooplugdc" in names
    assert "zooplugbare" in names
    assert [w for w in result["warnings"] if "zoobroken" in w]
    assert result["models"]["zooplugbare"]["model"] == "zooplugbare"
