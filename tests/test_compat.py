"""What ganzoo 0.1 wrote or documented keeps working in 0.2: checkpoints with the old config
layout load, and moved names still resolve (with a DeprecationWarning)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.train import load_checkpoint, load_gan

from .conftest import train_tiny


def test_a_checkpoint_with_the_0_1_config_layout_loads(tmp_path: Path) -> None:
    gan, result = train_tiny("dcgan", tmp_path / "run", steps=2)
    state = load_checkpoint(result.checkpoint)
    assert state["config"] == gan.model_config  # 0.2 writes {"model": ..., "args": {...}}
    state["config"] = {"model": "dcgan", **gan.model_config["args"]}  # 0.1 kept them flat
    del state["path"]
    legacy = tmp_path / "legacy.pt"
    torch.save(state, legacy)
    loaded = load_gan(legacy)
    assert loaded.config == gan.config
    z = torch.randn(3, gan.latent_dim)
    gan.eval(), loaded.eval()
    assert torch.equal(loaded.generate(z), gan.generate(z))


def test_a_checkpoint_of_another_architecture_names_both(tmp_path: Path) -> None:
    _, result = train_tiny("dcgan", tmp_path / "run", steps=1)
    other = ganzoo.create("dcgan", width=16)
    state = load_checkpoint(result.checkpoint)
    with pytest.raises(ganzoo.CheckpointError, match=r"width: checkpoint=8 model=16"):
        ganzoo.train.checkpoint.load_gan_state(other, state)


def test_moved_names_resolve_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="ganzoo.zoo.build_gan"):
        from ganzoo.models.builder import build_gan
    assert build_gan is ganzoo.build_gan
    with pytest.warns(DeprecationWarning, match="ganzoo.from_pretrained"):
        from ganzoo.hub import from_pretrained
    assert from_pretrained is ganzoo.from_pretrained


def test_load_takes_every_kind_of_source(tmp_path: Path) -> None:
    gan, result = train_tiny("dcgan", tmp_path / "run", steps=1)
    folder = gan.save_pretrained(tmp_path / "folder")
    for source in (tmp_path / "run", result.checkpoint, folder):
        loaded = ganzoo.load(source)
        assert loaded.name == "dcgan" and loaded.config == gan.config, source
    with pytest.raises(ganzoo.CheckpointError, match="does not exist"):
        ganzoo.load(tmp_path / "missing.pt")
