"""The model cards in pretrained/ tell the truth: each card's "Use" snippet runs as written (its
repo served from the local folder by tests/hub_server.py on 127.0.0.1), its model-index carries
the folder's measured numbers, the cards are what the card template makes, and every tag's
pinned sha256 is the weights file in its folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from huggingface_hub import ModelCard, constants

import ganzoo
from ganzoo.data.translation_tasks import TRANSLATION_TASKS
from ganzoo.hub import model_card, sha256_of

from .hub_server import HubServer

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
FOLDERS = {tag: ROOT / cfg["local_folder"] for tag, cfg in PUBLISHED.items()}


def _snippet(card: str) -> str:
    use = card.split("## Use", 1)[1]
    return re.search(r"```python\n(.*?)```", use, re.S).group(1)


def test_every_tag_has_its_folder_and_its_pin_is_the_folder_s_weights() -> None:
    assert sorted(p.name for p in (ROOT / "pretrained").iterdir() if p.is_dir()) == sorted(
        f.name for f in FOLDERS.values()
    )
    for tag, cfg in PUBLISHED.items():
        folder = FOLDERS[tag]
        assert folder.name == cfg["hf_hub_id"].split("/")[1], tag  # one spelling: the repo's
        assert sha256_of(folder / cfg["filename"]) == cfg["sha256"], tag


@pytest.mark.parametrize("tag", sorted(PUBLISHED))
def test_the_card_s_use_snippet_runs_as_written(tag, tmp_path, monkeypatch) -> None:
    folder, repo_id = FOLDERS[tag], PUBLISHED[tag]["hf_hub_id"]
    card = (folder / "README.md").read_text()
    snippet = _snippet(card)
    assert f'from_pretrained("{repo_id}")' in snippet
    config = json.loads((folder / "config.json").read_text())
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    with HubServer(tmp_path / "server") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        hub.add_files(repo_id, {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()})
        namespace: dict = {}
        exec(compile(snippet, f"{folder.name}/README.md", "exec"), namespace)
    images, pictures = namespace["images"], namespace["pictures"]
    assert tuple(images.shape[1:]) == tuple(config["image_shape"]) and images.std() > 0.1
    assert images.min() >= -1 and images.max() <= 1 and len(pictures) == images.shape[0]
    if "generator_only=False" in card:  # only promised when the folder can keep it
        assert (folder / "model.safetensors").is_file()


@pytest.mark.parametrize("tag", sorted(PUBLISHED))
def test_the_card_is_current_and_its_model_index_has_the_numbers(tag) -> None:
    folder, repo_id = FOLDERS[tag], PUBLISHED[tag]["hf_hub_id"]
    config = json.loads((folder / "config.json").read_text())
    written = (folder / "README.md").read_text()
    assert written == str(model_card(config, repo_id)), (
        f"{folder}/README.md is stale: python docs/scripts/evaluate_pretrained.py --cards-only"
    )
    results = ModelCard(written).data.eval_results
    fids = {r.metric_config.split()[0]: r for r in results if r.metric_type == "fid"}
    # the standard number is the reproduction table's, from the JSON zoo_fid.py committed
    standard = json.loads((ROOT / "docs" / "zoo" / "results" / f"{tag}.json").read_text())
    assert fids["Inception-v3"].metric_value == pytest.approx(
        standard["inception"]["fid"], abs=5e-4
    ), (
        f"{tag}: its card predates its result; python docs/scripts/evaluate_pretrained.py --cards-only"
    )
    expected = next(v for k, v in config["metrics"].items() if k.startswith("FID"))
    assert fids["ganzoo"].metric_value == pytest.approx(expected)
    assert "classifier" in fids["ganzoo"].metric_config  # the extractor the number depends on
    for fid in fids.values():
        assert fid.dataset_split == "test" and fid.dataset_type in (
            "ylecun/mnist",
            "zalando-datasets/fashion_mnist",
            *TRANSLATION_TASKS,  # a translator is measured on its task (no Hub dataset id)
        )
    card = written.split("## Metrics", 1)[1]
    assert card.index("Inception features") < card.index("classifier features")  # standard first
    assert {r.metric_type for r in results} >= {
        "fid",
        "kid",
        "inception_score",
        "precision",
        "recall",
    }


def test_a_full_repo_s_card_promises_training_state_and_a_translator_s_snippet_runs(
    tmp_path,
) -> None:
    torch.manual_seed(0)
    gan = ganzoo.create("pix2pix", width=8, img_size=32)
    folder = gan.save_pretrained(tmp_path / "repo", full=True)
    config = json.loads((folder / "config.json").read_text())
    card = str(model_card(config, "someone/pix2pix-tiny"))
    assert "generator_only=False" in card and "`model.safetensors`" in card
    snippet = _snippet(card).replace('"someone/pix2pix-tiny"', repr(str(folder)))
    namespace: dict = {}
    exec(compile(snippet, "card", "exec"), namespace)
    assert tuple(namespace["images"].shape) == (4, *gan.image_shape)
    assert ganzoo.from_pretrained(folder, generator_only=False).name == "pix2pix"
