"""Pretrained tags resolve from the Hugging Face cache, the Hub, then a local mirror, with one
sha256 pin on every path; an unreachable or hanging Hub costs seconds and one clear line.

The Hub is tests/hub_server.py on 127.0.0.1, a closed port on 127.0.0.1, or a socket on
127.0.0.1 that accepts connections and never answers; the mirror is this checkout's
``pretrained/`` folders.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo import from_pretrained
from ganzoo.hub import resolve
from ganzoo.hub.resolve import resolve_pretrained

from .hub_server import HubServer

ROOT = Path(__file__).resolve().parents[1]
ENTRY = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())["dcgan.mnist"]
MIRROR = ROOT / ENTRY["local_folder"]


@pytest.fixture
def closed_port_hub(monkeypatch) -> str:
    """HF_ENDPOINT at a 127.0.0.1 port that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return url


@pytest.fixture
def hanging_hub(monkeypatch):
    """HF_ENDPOINT at a 127.0.0.1 server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    yield url
    server.close()
    for conn in held:
        conn.close()


@pytest.fixture
def no_mirror(monkeypatch, tmp_path) -> None:
    """As from a wheel install: no GANZOO_PRETRAINED_DIR and no clone around the package."""
    monkeypatch.delenv(resolve.MIRROR_ENV, raising=False)
    monkeypatch.setattr(resolve, "CHECKOUT", tmp_path / "site-packages")


def _same_generator(a: ganzoo.GAN, b: ganzoo.GAN) -> bool:
    return all(
        torch.equal(v, b.generator.state_dict()[k]) for k, v in a.generator.state_dict().items()
    )


@pytest.mark.parametrize("hub_kind", ["closed_port_hub", "hanging_hub"])
def test_from_a_clone_an_unreachable_hub_falls_back_to_the_checkout_within_5_s(
    hub_kind, request, tmp_path, monkeypatch
) -> None:
    request.getfixturevalue(hub_kind)
    monkeypatch.delenv(resolve.MIRROR_ENV, raising=False)
    start = time.monotonic()
    found = resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=tmp_path / "cache")
    assert time.monotonic() - start < 5
    assert (found.source, found.folder) == ("mirror", MIRROR)
    gan = ganzoo.create("dcgan.mnist", pretrained=True, cache_dir=tmp_path / "cache")
    assert _same_generator(gan, from_pretrained(MIRROR))


@pytest.mark.parametrize("hub_kind", ["closed_port_hub", "hanging_hub"])
def test_without_a_mirror_an_unreachable_hub_fails_within_5_s_in_python_words(
    hub_kind, request, no_mirror, tmp_path
) -> None:
    request.getfixturevalue(hub_kind)
    start = time.monotonic()
    with pytest.raises(ganzoo.CheckpointError) as caught:
        ganzoo.create("dcgan.mnist", pretrained=True, cache_dir=tmp_path / "cache")
    assert time.monotonic() - start < 5
    message = str(caught.value)
    assert "\n" not in message and "could not be reached" in message
    assert f"ganzoo.hub.pull('ganzoo/dcgan-mnist', revision='{ENTRY['revision']}')" in message
    assert "GANZOO_PRETRAINED_DIR" in message and "`ganzoo" not in message


def test_the_cli_names_the_fix_as_a_command_in_one_line(closed_port_hub, tmp_path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nimport ganzoo.hub.resolve as r\n"
        "r.CHECKOUT = Path(sys.argv[1])  # as from a wheel: no clone around the package\n"
        "from ganzoo.cli import main\nsys.exit(main(sys.argv[2:]))"
    )
    env = {
        "HF_ENDPOINT": closed_port_hub,
        "HF_HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
    }
    start = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(tmp_path / "site-packages"),
            "sample",
            "dcgan.mnist",
            "--out",
            str(tmp_path / "grid.png"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**_python_env(), **env},
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: Cannot load the weights of dcgan.mnist")
    assert f"`ganzoo hub pull ganzoo/dcgan-mnist --revision {ENTRY['revision']}`" in lines[0]
    assert "export GANZOO_PRETRAINED_DIR=" in lines[0]
    assert not (tmp_path / "grid.png").exists()
    assert time.monotonic() - start < 120  # the subprocess itself; the Hub part is timed above


def _python_env() -> dict[str, str]:
    """What the child interpreter needs to import this checkout, and nothing about the Hub."""
    import os

    keep = ("PYTHONPATH", "HOME", "OMP_NUM_THREADS", "ONEDNN_MAX_CPU_ISA")
    return {k: os.environ[k] for k in keep if k in os.environ}


def test_cache_first_then_hub_then_mirror_and_offline_skips_the_hub(
    tmp_path, monkeypatch, no_mirror
) -> None:
    cache = tmp_path / "cache"
    with HubServer(tmp_path / "server") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        files = {p.name: p.read_bytes() for p in MIRROR.iterdir() if p.is_file()}
        hub.tag(ENTRY["hf_hub_id"], ENTRY["revision"], hub.add_files(ENTRY["hf_hub_id"], files))
        assert resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=cache).source == "hub"
        served = len(hub.requests)
        assert resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=cache).source == "cache"
        assert len(hub.requests) == served  # the cache answered without asking the Hub
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=cache).source == "cache"
    with pytest.raises(ganzoo.CheckpointError, match=r"not asked \(HF_HUB_OFFLINE=1\)"):
        resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=tmp_path / "empty")


def test_hub_without_the_repo_falls_back_to_the_mirror(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(resolve.MIRROR_ENV, raising=False)
    with HubServer(tmp_path / "server") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        found = resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=tmp_path / "cache")
    assert (found.source, found.folder) == ("mirror", MIRROR)


def test_the_mirror_env_comes_first_and_a_bad_copy_is_one_clear_line(
    closed_port_hub, tmp_path, monkeypatch
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror / MIRROR.name)
    monkeypatch.setenv(resolve.MIRROR_ENV, str(mirror))
    found = resolve_pretrained("dcgan.mnist", ENTRY, cache_dir=tmp_path / "cache")
    assert found.folder == mirror / MIRROR.name
    weights = mirror / MIRROR.name / ENTRY["filename"]
    weights.write_bytes(weights.read_bytes()[:-8] + b"tampered")
    with pytest.raises(ganzoo.CheckpointError) as caught:
        ganzoo.create("dcgan.mnist", pretrained=True, cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert "\n" not in message and str(weights) in message and ENTRY["sha256"] in message


def test_names_from_pretrained_json_cannot_leave_their_folder(tmp_path, closed_port_hub) -> None:
    with pytest.raises(ganzoo.GanzooError, match="unsafe"):
        resolve_pretrained("x.y", {**ENTRY, "local_folder": "pretrained/.."}, cache_dir=tmp_path)
    with pytest.raises(ganzoo.GanzooError, match="unsafe"):
        resolve_pretrained("x.y", {**ENTRY, "filename": "../secret"}, cache_dir=tmp_path)
