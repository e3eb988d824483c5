"""timm/diffusers habits of ``ganzoo.create``: ``hf-hub:`` repos (against tests/hub_server.py on
127.0.0.1), one spelling rule with aliases, ``device=``/``dtype=``, and ``ganzoo.to_pil``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import ganzoo

from .hub_server import HubServer

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "pretrained" / "dcgan-mnist"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    with HubServer(tmp_path / "server") as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield server


def test_hf_hub_prefix_loads_any_repo_in_the_ganzoo_format(hub, tmp_path) -> None:
    torch.manual_seed(0)
    gan = ganzoo.create("cgan", width=8)
    folder = gan.save_pretrained(tmp_path / "repo", full=False)
    hub.add_files("someone/cgan-tiny", {p.name: p.read_bytes() for p in folder.iterdir()})
    loaded = ganzoo.create("hf-hub:someone/cgan-tiny", cache_dir=tmp_path / "cache")
    assert loaded.name == "cgan" and torch.equal(loaded.sample(10, seed=0), gan.sample(10, seed=0))
    same = ganzoo.from_pretrained("hf-hub:someone/cgan-tiny", cache_dir=tmp_path / "cache")
    assert torch.equal(same.sample(4, seed=1), gan.sample(4, seed=1))


def test_hf_hub_bad_input_is_one_clear_line(hub, tmp_path) -> None:
    hub.add_files("someone/not-ganzoo", {"README.md": b"# a diffusers model\n"})
    hub.add_files("someone/other-lib", {"config.json": json.dumps({"model_type": "bert"}).encode()})
    cases = {
        "hf-hub:nobody/nothing": "does not exist",
        "hf-hub:someone/not-ganzoo": "not a ganzoo model repo",
        "hf-hub:someone/other-lib": "is not a ganzoo model",
        "hf-hub:no-slash": "write hf-hub:ORG/NAME",
    }
    for name, expected in cases.items():
        with pytest.raises(ganzoo.GanzooError) as caught:
            ganzoo.create(name, cache_dir=tmp_path / "cache")
        message = str(caught.value)
        assert expected in message and "\n" not in message, (name, message)


@pytest.fixture
def no_hub(monkeypatch, tmp_path) -> None:
    """The Hub at a closed 127.0.0.1 port and an empty cache: tags load from the checkout."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def test_one_spelling_rule_with_aliases(no_hub, tmp_path) -> None:
    """Lower case, '-' and '_' interchangeable: tags, datasets and model names all accept both."""
    from ganzoo.data.datasets import load_dataset
    from ganzoo.registry import canonical_tag_name

    assert canonical_tag_name("dcgan.fashion-mnist") == "dcgan.fashion_mnist"
    assert canonical_tag_name("DCGAN.Fashion-MNIST") == "DCGAN.fashion_mnist"
    assert "dcgan.fashion_mnist" in ganzoo.list_models(pretrained=True)
    a = ganzoo.create("wgan_gp.fashion-mnist", pretrained=True)  # every alias at once
    b = ganzoo.from_pretrained(ROOT / "pretrained" / "wgan-gp-fashion-mnist")
    assert a.name == "wgan-gp" and torch.equal(a.sample(2, seed=0), b.sample(2, seed=0))
    for spelling in ("fashion_mnist", "Fashion-MNIST", "fashion-mnist"):  # all one dataset
        with pytest.raises(ganzoo.DataError, match="Could not load FashionMNIST from"):
            load_dataset(spelling, root=tmp_path / "empty", download=False)


def test_device_and_dtype(no_hub) -> None:
    gan = ganzoo.create("dcgan", width=8, device="cpu", dtype="bfloat16")
    assert next(gan.generator.parameters()).dtype == torch.bfloat16
    images = gan.sample(2, seed=0)  # the noise follows the weights' dtype (no mismatch error)
    assert images.dtype == torch.float32 and images.isfinite().all()  # images come back fp32
    pretrained = ganzoo.create("dcgan.mnist", pretrained=True, dtype=torch.bfloat16)
    assert {p.dtype for p in pretrained.parameters()} == {torch.bfloat16}
    folder = ganzoo.from_pretrained(MIRROR, dtype="bf16", device="cpu")
    assert next(folder.generator.parameters()).dtype == torch.bfloat16
    with pytest.raises(ganzoo.ConfigError, match="dtype must be one of float32, float16, bfloat16"):
        ganzoo.create("dcgan", width=8, dtype="int8")
    with pytest.raises(ganzoo.ConfigError, match="Cannot use device 'tpu9'"):
        ganzoo.create("dcgan", width=8, device="tpu9")


def test_to_pil() -> None:
    gan = ganzoo.from_pretrained(MIRROR)
    images = gan.sample(3, seed=0)
    pils = ganzoo.to_pil(images)
    assert [(p.mode, p.size) for p in pils] == [("L", (28, 28))] * 3
    one = ganzoo.to_pil(images[0])
    assert one.getpixel((0, 0)) == round((images[0, 0, 0, 0].item() + 1) * 127.5)
    rgb = ganzoo.to_pil(torch.zeros(3, 4, 5))
    assert (rgb.mode, rgb.size, rgb.getpixel((0, 0))) == ("RGB", (5, 4), (128, 128, 128))
    with pytest.raises(ganzoo.ConfigError, match="to_pil expects images"):
        ganzoo.to_pil(torch.zeros(2, 2))
