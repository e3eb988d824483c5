"""Publishing ganzoo repos: a ready-to-upload folder (weights, config, samples, model card),
uploads to the Hub, and downloads of whole repos."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import CheckpointError
from ..utils.images import save_grid
from .card import model_card
from .download import endpoint, fetch
from .format import CONFIG_NAME, read_config, safe_file_name, save_pretrained, sha256_of

if TYPE_CHECKING:
    from ..gan import GANBase


def push_to_hub(
    gan: GANBase,
    repo_id: str,
    *,
    token: str | bool | None = None,
    private: bool = False,
    revision: str | None = None,
    commit_message: str | None = None,
    tag: str | None = None,
    dtype: str = "float32",
    extra: dict[str, Any] | None = None,
    files: dict[str, str | os.PathLike[str]] | None = None,
) -> str:
    """Upload ``gan`` (config, weights, sample grid, recipe, model card) to ``repo_id``.

    ``extra`` goes into config.json and the card (dataset, metrics, training time, command);
    ``files`` maps repo paths to extra local files (e.g. a run's ``progress.gif``). Returns the
    commit URL.
    """
    from huggingface_hub import HfApi  # heavy: only when uploading

    api = HfApi(endpoint=endpoint(), token=token)
    with tempfile.TemporaryDirectory() as tmp:
        folder = export_folder(gan, tmp, repo_id, dtype=dtype, extra=extra, files=files)
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id,
            folder_path=folder,
            revision=revision,
            commit_message=commit_message or f"Upload {gan.name} with ganzoo",
        )
    if tag:
        api.create_tag(repo_id, tag=tag, revision=info.oid)
    return str(info.commit_url)


def export_folder(
    gan: GANBase,
    folder: str | os.PathLike[str],
    repo_id: str,
    *,
    dtype: str = "float32",
    full: bool = True,
    extra: dict[str, Any] | None = None,
    files: dict[str, str | os.PathLike[str]] | None = None,
    samples: int = 64,
) -> Path:
    """Write a ready-to-upload repo folder: weights, config.json, samples.png, recipe.yaml, README.md.

    Translation models have no noise to sample: their ``samples.png`` is the run's grid of
    sources and translations, passed in ``files`` (as :func:`describe_run` does)."""
    folder = save_pretrained(gan, folder, dtype=dtype, full=full, extra=extra)
    config = read_config(folder / CONFIG_NAME)
    if gan.task != "image-to-image":  # translators: the run's grid, via ``files``
        save_grid(
            gan.sample(samples, seed=0, precision="fp32"),
            folder / "samples.png",
            nrow=gan.num_classes or None,
        )
    recipe = {"model": gan.name, **config["args"]}
    (folder / "recipe.yaml").write_text(yaml.safe_dump(recipe, sort_keys=False))
    for name, source in (files or {}).items():
        (folder / name).write_bytes(Path(source).read_bytes())
    model_card(config, repo_id).save(folder / "README.md")
    return folder


def pull(
    repo_id: str,
    *,
    revision: str | None = None,
    local_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    token: str | bool | None = None,
) -> Path:
    """Download a whole ganzoo repo (into the cache, or ``local_dir``), checking every weight's sha256."""
    config_path = fetch(repo_id, CONFIG_NAME, revision, cache_dir, token)
    config = read_config(config_path, f"{repo_id}@{revision or 'main'}")
    folder = config_path.parent
    if local_dir is not None:
        folder = Path(local_dir)
        folder.mkdir(parents=True, exist_ok=True)
    where = f"{repo_id}@{revision or 'main'}"
    listed = config.get("files") or {}
    if not isinstance(listed, dict):
        raise CheckpointError(f"{where}: config.json's 'files' is not a mapping of file names.")
    listed = {key: safe_file_name(name, where) for key, name in listed.items()}
    names = [
        CONFIG_NAME,
        *listed.values(),
        "README.md",
        "samples.png",
        "recipe.yaml",
    ]
    for name in dict.fromkeys(names):
        try:
            path = fetch(repo_id, name, revision, cache_dir, token)
        except CheckpointError:
            if name in listed.values():
                raise
            continue  # optional files
        expected = config.get("sha256", {}).get(name)
        if expected and sha256_of(path) != expected:
            raise CheckpointError(
                f"{repo_id}: {name} does not match the sha256 in its config.json."
            )
        if local_dir is not None:
            (folder / name).write_bytes(path.read_bytes())
    return folder
