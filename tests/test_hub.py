"""Hub integration against a real HTTP server on 127.0.0.1 speaking the Hub's protocol.

Every transfer goes through huggingface_hub itself (hf_hub_download, HfApi.upload_folder);
nothing in it is mocked. In-process calls find the server through HF_ENDPOINT, which ganzoo
reads at call time; subprocesses get HF_ENDPOINT / HF_HUB_OFFLINE / HF_HOME in their environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import huggingface_hub
import pytest
import safetensors.torch
import torch
from huggingface_hub import ModelCard

import ganzoo
from ganzoo import from_pretrained
from ganzoo.hub import export_folder, sha256_of
from ganzoo.hub.card import fid_history_text
from ganzoo.hub.format import GENERATOR_WEIGHTS, canonical_safetensors
from ganzoo.registry import find_entry

from .hub_server import HubServer

ROOT = Path(__file__).resolve().parents[1]
GANZOO = [sys.executable, "-m", "ganzoo"]  # the CLI of this interpreter, whatever PATH holds


@pytest.fixture
def hub(tmp_path, monkeypatch):
    with HubServer(tmp_path / "server") as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)  # LFS, as
        yield server  # the test server speaks it (see tests/hub_server.py)


def _tiny(name: str = "dcgan", seed: int = 0, **kw) -> ganzoo.GAN:
    torch.manual_seed(seed)
    return ganzoo.create(name, width=8, **kw)


def _subprocess_env(hub: HubServer, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    return {**env, "HF_ENDPOINT": hub.url, "HF_HOME": str(home), "HF_HUB_DISABLE_XET": "1", **extra}


def test_push_then_pull_gives_identical_weights_and_samples(hub, tmp_path) -> None:
    gan = _tiny("cgan")
    url = gan.push_to_hub("alice/cgan-tiny", token="hf_secret", extra={"dataset": "mnist"})
    assert "alice/cgan-tiny" in url
    auth = [
        h.get("Authorization") or h.get("authorization") for m, _, h in hub.requests if m == "POST"
    ]
    assert auth and all(a == "Bearer hf_secret" for a in auth)

    uploaded = [path for method, path, _ in hub.requests if method == "PUT"]
    assert len(uploaded) >= 3 and len(hub.lfs_uploads) == len(uploaded)  # weights, grid: LFS
    pulled = from_pretrained("alice/cgan-tiny", cache_dir=tmp_path / "cache")
    assert pulled.config == gan.config
    for key, value in gan.generator.state_dict().items():
        assert torch.equal(value, pulled.generator.state_dict()[key]), key
    assert torch.equal(gan.sample(10, seed=3), pulled.sample(10, seed=3))

    full = from_pretrained("alice/cgan-tiny", generator_only=False, cache_dir=tmp_path / "cache")
    for key, value in gan.state_dict().items():
        assert torch.equal(value, full.state_dict()[key]), key


def test_model_card_has_hub_metadata(hub, tmp_path) -> None:
    gan = _tiny("wgan-gp")
    extra = {
        "dataset": "fashion-mnist",
        "metrics": {"FID (50k)": 12.3},
        "training": {"steps": 3, "hardware": "CPU"},
        "command": "ganzoo train zoo_configs/wgan_gp_fashion_mnist.yaml",
    }
    folder = export_folder(gan, tmp_path / "repo", "bob/wgan-gp-fmnist", extra=extra)
    card = ModelCard.load(folder / "README.md")
    assert card.data.library_name == "ganzoo"
    assert {"ganzoo", "gan", "wgan-gp", "unconditional-image-generation"} <= set(card.data.tags)
    assert card.data.datasets == ["zalando-datasets/fashion_mnist"]
    assert card.data.license == "apache-2.0"
    assert (
        "12.3" in card.text and "ganzoo train zoo_configs/wgan_gp_fashion_mnist.yaml" in card.text
    )
    assert 'ganzoo.from_pretrained("bob/wgan-gp-fmnist")' in card.text
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "generator.safetensors",
        "model.safetensors",
        "recipe.yaml",
        "samples.png",
    ]
    config = json.loads((folder / "config.json").read_text())
    assert config["sha256"]["generator.safetensors"] == sha256_of(folder / "generator.safetensors")


def test_the_card_tells_the_fid_history_and_skips_a_malformed_one(tmp_path) -> None:
    history = {"fid_classifier": {"samples": 2000, "steps": [1000, 2000], "values": [9.5, 4.25]}}
    folder = export_folder(_tiny(), tmp_path / "repo", "bob/d", extra={"fid_history": history})
    card = (folder / "README.md").read_text()
    assert "in the classifier's features (2,000 samples" in card
    assert "first 9.50 at step 1,000, lowest 4.25 at step 2,000, last 4.25 at step 2,000" in card
    assert "| 2,000 | 4.250 |" in card
    for bad in ([1, 2], {"fid_classifier": [1]}, {"fid_x": history["fid_classifier"]}):
        assert fid_history_text({"fid_history": bad}) == ""
    short = {"fid_classifier": {"samples": 1, "steps": [1, 2], "values": [3.0]}}
    assert fid_history_text({"fid_history": short}) == ""


def test_the_same_weights_export_to_the_same_bytes(tmp_path) -> None:
    """safetensors orders its metadata by hash, differently in every process: the export sorts
    it, so re-exporting a checkpoint keeps its pinned sha256."""
    gan = _tiny()
    ours = [sha256_of(gan.save_pretrained(tmp_path / f"r{i}") / GENERATOR_WEIGHTS) for i in (0, 1)]
    gan.save_pretrained(tmp_path / "torch")
    script = (
        "import sys, torch, ganzoo; torch.manual_seed(0); "
        "g = ganzoo.from_pretrained(sys.argv[1], generator_only=False); "
        "g.save_pretrained(sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", script, tmp_path / "torch", tmp_path / "p"], check=True)
    assert ours[0] == ours[1] == sha256_of(tmp_path / "p" / GENERATOR_WEIGHTS)

    blob = (tmp_path / "r0" / GENERATOR_WEIGHTS).read_bytes()
    size = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + size])
    header["__metadata__"] = dict(reversed(header["__metadata__"].items()))
    text = json.dumps(dict(reversed(header.items()))).encode()
    shuffled = len(text).to_bytes(8, "little") + text + blob[8 + size :]
    assert shuffled != blob and canonical_safetensors(shuffled) == blob
    loaded = safetensors.torch.load(canonical_safetensors(shuffled))
    assert all(torch.equal(loaded[k], v) for k, v in safetensors.torch.load(blob).items())


def test_revision_pinning(hub, tmp_path) -> None:
    first = _tiny(seed=1)
    first.push_to_hub("carol/pin")
    first_sha = hub.head("carol/pin")
    _tiny(seed=2).push_to_hub("carol/pin")
    assert hub.head("carol/pin") != first_sha
    pinned = from_pretrained("carol/pin", revision=first_sha, cache_dir=tmp_path / "c")
    latest = from_pretrained("carol/pin", cache_dir=tmp_path / "c")
    assert torch.equal(pinned.sample(4, seed=0), first.sample(4, seed=0))
    assert not torch.equal(latest.sample(4, seed=0), first.sample(4, seed=0))
    with pytest.raises(ganzoo.GanzooError, match="no revision 'nope'"):
        from_pretrained("carol/pin", revision="nope", cache_dir=tmp_path / "c")


def test_hash_mismatch_is_rejected(hub, tmp_path) -> None:
    _tiny().push_to_hub("dan/hash")
    with pytest.raises(ganzoo.CheckpointError, match="sha256"):
        from_pretrained("dan/hash", sha256="0" * 64, cache_dir=tmp_path / "c")


def test_missing_repo_file_and_foreign_repo(hub, tmp_path) -> None:
    with pytest.raises(ganzoo.GanzooError, match="does not exist"):
        from_pretrained("nobody/nothing", cache_dir=tmp_path / "c")
    hub.add_files("eve/not-ganzoo", {"pytorch_model.bin": b"\x00" * 10})
    with pytest.raises(ganzoo.CheckpointError, match=r"not a ganzoo model repo.*config\.json"):
        from_pretrained("eve/not-ganzoo", cache_dir=tmp_path / "c")
    hub.add_files("eve/other-config", {"config.json": b'{"architectures": ["BertModel"]}'})
    with pytest.raises(ganzoo.CheckpointError, match='lacks "library": "ganzoo"'):
        from_pretrained("eve/other-config", cache_dir=tmp_path / "c")


def test_weights_for_another_architecture_name_both(hub, tmp_path) -> None:
    _tiny().push_to_hub("fay/dc28")
    with pytest.raises(
        ganzoo.ConfigError, match=r"made for dcgan with img_size=28 \(you asked for 64\)"
    ):
        from_pretrained("fay/dc28", img_size=64, cache_dir=tmp_path / "c")
    folder = tmp_path / "wide"
    _tiny().save_pretrained(folder)
    config = json.loads((folder / "config.json").read_text())
    config["args"]["width"] = 16  # a config that lies about the weights
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ganzoo.CheckpointError, match="made for dcgan and do not fit dcgan 1x28x28"):
        from_pretrained(folder)


def test_server_error_mid_download_leaves_no_corrupt_cache(hub, tmp_path) -> None:
    gan = _tiny()
    gan.push_to_hub("gus/flaky")
    cache = tmp_path / "cache"
    hub.fail_next_download(
        "generator.safetensors", "truncate", times=6
    )  # more than the client retries
    with pytest.raises(ganzoo.GanzooError):
        from_pretrained("gus/flaky", cache_dir=cache)
    blobs = list(cache.rglob("blobs/*"))
    assert not [b for b in blobs if not b.name.endswith(".incomplete") and b.stat().st_size > 2000]
    loaded = from_pretrained("gus/flaky", cache_dir=cache)  # the next try downloads it whole
    assert torch.equal(loaded.sample(4, seed=0), gan.sample(4, seed=0))
    hub.fail_next_download("generator.safetensors", "500")
    with pytest.raises(ganzoo.GanzooError, match="failed"):
        from_pretrained("gus/flaky", cache_dir=tmp_path / "other")


def test_offline_reload_from_cache_and_clear_error_without_it(hub, tmp_path) -> None:
    _tiny().push_to_hub("hal/offline")
    home = tmp_path / "hf_home"
    code = "import ganzoo; print(ganzoo.from_pretrained('hal/offline').sample(2).shape)"
    online = subprocess.run(
        [sys.executable, "-c", code],
        env=_subprocess_env(hub, home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert online.returncode == 0, online.stderr
    before = len(hub.requests)
    offline_env = _subprocess_env(hub, home, HF_HUB_OFFLINE="1")
    offline = subprocess.run(
        [sys.executable, "-c", code], env=offline_env, capture_output=True, text=True, timeout=120
    )
    assert offline.returncode == 0, offline.stderr
    assert "torch.Size([2, 1, 28, 28])" in offline.stdout
    assert len(hub.requests) == before  # nothing asked of the server
    empty_env = _subprocess_env(hub, tmp_path / "empty_home", HF_HUB_OFFLINE="1")
    cold = subprocess.run(
        [sys.executable, "-c", code], env=empty_env, capture_output=True, text=True, timeout=120
    )
    assert cold.returncode != 0
    assert "not in the local cache" in cold.stderr and "HF_ENDPOINT" in cold.stderr


def test_pretrained_tag_downloads_pinned_and_checked(hub, tmp_path) -> None:
    gan = _tiny()
    folder = gan.save_pretrained(tmp_path / "repo", full=False)
    sha = hub.add_files("ganzoo/dcgan-unit", {p.name: p.read_bytes() for p in folder.iterdir()})
    hub.tag("ganzoo/dcgan-unit", "v1", sha)
    hub.add_files(
        "ganzoo/dcgan-unit", {"generator.safetensors": b"newer, unpinned"}
    )  # main moves on
    good = {
        "hf_hub_id": "ganzoo/dcgan-unit",
        "revision": "v1",
        "sha256": sha256_of(folder / "generator.safetensors"),
    }
    entry = find_entry("dcgan")
    saved = dict(entry.pretrained_tags)
    try:
        entry.pretrained_tags.update({"unit": good, "tampered": {**good, "sha256": "f" * 64}})
        assert "dcgan.unit" in ganzoo.list_models("dcgan*", pretrained=True)
        loaded = ganzoo.create("dcgan.unit", pretrained=True, cache_dir=tmp_path / "c")
        assert torch.equal(loaded.sample(4, seed=0), gan.sample(4, seed=0))
        generator = ganzoo.create_generator("dcgan.unit", pretrained=True, cache_dir=tmp_path / "c")
        assert torch.equal(
            generator.state_dict()["net.0.weight"], gan.generator.state_dict()["net.0.weight"]
        )
        with pytest.raises(ganzoo.CheckpointError, match="sha256"):
            ganzoo.create("dcgan.tampered", pretrained=True, cache_dir=tmp_path / "c")
    finally:
        entry.pretrained_tags.clear()
        entry.pretrained_tags.update(saved)


def _published() -> dict:
    return json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())


def test_published_checkpoints_load_through_the_hub(hub, tmp_path) -> None:
    published = _published()
    assert {
        "dcgan.mnist",
        "dcgan.fashion_mnist",
        "cgan.mnist",
        "cgan.fashion_mnist",
        "wgan-gp.mnist",
        "wgan-gp.fashion_mnist",
    } <= set(published)
    assert sorted(ganzoo.list_models(pretrained=True)) == sorted(published)
    total = 0
    for tag, cfg in published.items():
        folder = ROOT / cfg["local_folder"]
        files = {p.name: p.read_bytes() for p in folder.iterdir()}
        total += sum(len(b) for b in files.values())
        assert {
            "README.md",
            "config.json",
            "generator.safetensors",
            "samples.png",
            "recipe.yaml",
        } <= set(files)
        assert sha256_of(folder / "generator.safetensors") == cfg["sha256"]
        card = ModelCard.load(folder / "README.md")
        assert card.data.library_name == "ganzoo" and "training time" in card.text
        sha = hub.add_files(cfg["hf_hub_id"], files, message="publish")
        hub.tag(cfg["hf_hub_id"], cfg["revision"], sha)
        assert sum(len(b) for b in files.values()) < 10 * 2**20  # fp16 weights, a small GIF
        gan = ganzoo.create(tag, pretrained=True, cache_dir=tmp_path / "cache")
        if isinstance(gan, ganzoo.TranslationGAN):  # translators: a batch of their sources
            sources = torch.rand(8, *gan.source_shape, generator=torch.Generator().manual_seed(0))
            images = gan.translate(sources * 2 - 1)
            assert images.shape == (8, *gan.image_shape) and images.std() > 0.05
            continue
        images = gan.sample(8, seed=0)
        assert images.shape == (8, 1, 28, 28) and images.std() > 0.1
    assert total < 128 * 2**20  # all of them together


def test_cli_push_pull_and_sample(hub, tmp_path) -> None:
    env = _subprocess_env(hub, tmp_path / "home")
    run_dir = tmp_path / "run"
    train = [
        *GANZOO,
        "train",
        "dcgan",
        "--steps",
        "3",
        "--batch-size",
        "8",
        "--set",
        "model_args.width=8",
        "--out",
        str(run_dir),
        "--no-progress",
    ]
    assert subprocess.run(train, env=env, capture_output=True, timeout=300).returncode == 0
    push = subprocess.run(
        [*GANZOO, "hub", "push", str(run_dir), "ivy/run", "--tag", "v1", "--dtype", "float32"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert push.returncode == 0, push.stderr
    out = tmp_path / "pulled"
    pull = subprocess.run(
        [*GANZOO, "hub", "pull", "ivy/run", "--revision", "v1", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pull.returncode == 0, pull.stderr
    card = (out / "README.md").read_text()
    assert "training time" in card and "Reproduce:" in card
    grid = tmp_path / "grid.png"
    sample = subprocess.run(
        [*GANZOO, "sample", str(out), "--n", "16", "--out", str(grid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sample.returncode == 0, sample.stderr
    assert grid.exists()
    trained = ganzoo.load_gan(run_dir)
    assert torch.equal(from_pretrained(out).sample(4, seed=0), trained.sample(4, seed=0))
