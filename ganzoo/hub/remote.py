"""Downloading from and publishing to the Hugging Face Hub, through ``huggingface_hub`` itself.

The standard cache, ``HF_HUB_OFFLINE=1``, ``HF_ENDPOINT`` mirrors, tokens and revisions behave as
Hub users expect, because every transfer is ``hf_hub_download`` or ``HfApi.upload_folder``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.utils import (
    EntryNotFoundError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from ..errors import CheckpointError, GanzooError
from ..gan import GAN
from ..safe_config import safe_file_name
from ..translation import TranslationGAN
from .card import model_card
from .format import (
    CONFIG_NAME,
    FULL_WEIGHTS,
    GENERATOR_WEIGHTS,
    build_from_config,
    load_weights,
    read_config,
    save_pretrained,
    sha256_of,
)


def _endpoint() -> str | None:
    """``HF_ENDPOINT`` as set now (huggingface_hub itself reads it only once, at import)."""
    return os.environ.get("HF_ENDPOINT") or None


def _fetch(repo_id: str, filename: str, revision: str | None, cache_dir: Any, token: Any) -> Path:
    where = f"{repo_id}@{revision or 'main'}"
    try:
        return Path(hf_hub_download(repo_id, filename, revision=revision, cache_dir=cache_dir,
                                    token=token, endpoint=_endpoint(), library_name="ganzoo"))  # fmt: skip
    except LocalEntryNotFoundError:
        raise GanzooError(
            f"Cannot get {filename} of {where}: the Hub cannot be reached (or HF_HUB_OFFLINE=1 is "
            "set) and the file is not in the local cache. Fix it by going online once to fill the "
            "cache (HF_HOME / cache_dir), pointing HF_ENDPOINT at a reachable mirror, or passing a "
            "local folder in the ganzoo format: ganzoo.from_pretrained('path/to/folder')."
        ) from None
    except RepositoryNotFoundError:
        raise GanzooError(
            f"Hub repo {repo_id!r} does not exist (or is private: pass token= or run `hf auth login`)."
        ) from None
    except RevisionNotFoundError:
        raise GanzooError(f"Hub repo {repo_id!r} has no revision {revision!r}.") from None
    except EntryNotFoundError:
        if filename == CONFIG_NAME:
            raise CheckpointError(
                f"{where} has no config.json, so it is not a ganzoo model repo. ganzoo repos hold "
                "config.json (the model name and its arguments) and generator.safetensors, as "
                "written by gan.push_to_hub() or `ganzoo hub push`."
            ) from None
        raise CheckpointError(f"{where} has no {filename}.") from None
    except HfHubHTTPError as err:
        raise GanzooError(f"Downloading {filename} of {where} failed: {err}") from None
    except ValueError as err:  # a refused file name or argument: retrying cannot help
        raise CheckpointError(
            f"{where}: refused to download {filename!r} ({err}); this is not a network problem. "
            "Use a repo written by ganzoo."
        ) from None
    except Exception as err:  # connection dropped mid-file and retries exhausted, DNS, TLS, ...
        raise GanzooError(
            f"Downloading {filename} of {where} failed ({type(err).__name__}: {err}). Nothing "
            "incomplete was kept in the cache; try again, or use a mirror via HF_ENDPOINT."
        ) from None


def from_pretrained(
    name_or_path: str | os.PathLike[str],
    *,
    revision: str | None = None,
    generator_only: bool = True,
    sha256: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    token: str | bool | None = None,
    **overrides: Any,
) -> GAN:
    """A GAN with pretrained weights from a Hub repo id (``user/repo``) or a local folder.

    ``generator_only=False`` also loads the discriminator and objective state (``model.safetensors``)
    to continue training. ``sha256`` pins the weights file: a download whose hash differs is rejected.
    """
    local = Path(name_or_path)
    remote = not local.is_dir()
    where = str(name_or_path) if not remote else f"{name_or_path}@{revision or 'main'}"
    if remote:
        fetch = lambda f: _fetch(str(name_or_path), f, revision, cache_dir, token)  # noqa: E731
    else:
        fetch = lambda f: _local_file(local, f)  # noqa: E731
    config = read_config(fetch(CONFIG_NAME), where)
    weights = GENERATOR_WEIGHTS if generator_only else FULL_WEIGHTS
    path = fetch(weights)
    expected = sha256 or (config.get("sha256") or {}).get(weights)
    if expected:
        actual = sha256_of(path)
        if actual != expected:
            raise CheckpointError(
                f"{where}: {weights} has sha256 {actual}, expected {expected}. The download is "
                f"corrupt or the repo changed; delete {path} and retry, or pin the revision you trust."
            )
    gan = build_from_config(config, where, **overrides)
    load_weights(gan, path, generator_only=generator_only, where=where)
    return gan


def _local_file(folder: Path, filename: str) -> Path:
    path = folder / filename
    if not path.is_file():
        if filename == CONFIG_NAME:
            raise CheckpointError(
                f"{folder} has no config.json, so it is not a ganzoo model folder (expected "
                "config.json and generator.safetensors, as written by gan.save_pretrained())."
            )
        raise CheckpointError(f"{folder} has no {filename}.")
    return path


def push_to_hub(
    gan: GAN,
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
    api = HfApi(endpoint=_endpoint(), token=token)
    with tempfile.TemporaryDirectory() as tmp:
        folder = export_folder(gan, tmp, repo_id, dtype=dtype, extra=extra, files=files)
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(repo_id=repo_id, folder_path=folder, revision=revision,
                                 commit_message=commit_message or f"Upload {gan.name} with ganzoo")  # fmt: skip
    if tag:
        api.create_tag(repo_id, tag=tag, revision=info.oid)
    return str(info.commit_url)


def export_folder(
    gan: GAN,
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
    from ..train.images import save_grid

    folder = save_pretrained(gan, folder, dtype=dtype, full=full, extra=extra)
    config = read_config(folder / CONFIG_NAME)
    if not isinstance(gan, TranslationGAN):  # translators: the run's grid, via ``files``
        save_grid(gan.sample(samples, seed=0), folder / "samples.png", nrow=gan.num_classes or None)
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
    config_path = _fetch(repo_id, CONFIG_NAME, revision, cache_dir, token)
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
            path = _fetch(repo_id, name, revision, cache_dir, token)
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


def describe_run(run_dir: str | os.PathLike[str]) -> tuple[GAN, dict[str, Any], dict[str, Path]]:
    """A trained run folder as (GAN, card/config extras, extra files) for publishing."""
    from ..train import load_checkpoint, load_gan
    from ..train.checkpoint import run_record

    run_dir = Path(run_dir)
    state = load_checkpoint(run_dir)
    gan = load_gan(run_dir)
    run_config = run_record(run_dir)
    trainer = state.get("trainer", {})
    seconds = float(trainer.get("train_seconds", 0.0))
    extra: dict[str, Any] = {
        "training": {
            "steps": state["step"],
            "batch size": trainer.get("batch_size"),
            "training time": f"{seconds / 60:.1f} min",
            "hardware": trainer.get("hardware", "unknown"),
            "seed": trainer.get("seed"),
        }
    }
    data = run_config.get("data") or {}
    if data.get("name"):
        extra["dataset"] = data["name"]
    if run_config.get("source"):
        extra["command"] = f"ganzoo train {run_config['source']}"
    shown = (
        ("progress.gif", "samples.png") if isinstance(gan, TranslationGAN) else ("progress.gif",)
    )
    files = {name: run_dir / name for name in shown if (run_dir / name).exists()}
    return gan, extra, files
