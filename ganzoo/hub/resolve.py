"""Where a pretrained tag's files come from: the Hugging Face cache, the Hub, then a local mirror.

A tag's entry in ``ganzoo/pretrained.json`` pins a Hub repo (``hf_hub_id``), a ``revision``, the
weights ``filename`` and its ``sha256``, and names the repo's ``local_folder`` in a clone of
ganzoo (``pretrained/dcgan-mnist``). :func:`resolve_pretrained` returns a folder holding
``config.json`` and the weights, trying in order:

1. the Hugging Face cache (no network; what an earlier download or ``ganzoo hub pull`` left),
2. the Hub, unless ``HF_HUB_OFFLINE=1``: one quick request first (``GANZOO_HUB_TIMEOUT``
   seconds, default 3) decides whether it answers at all, so an unreachable or hanging Hub costs
   seconds, not the client's 30 s of retries,
3. a local mirror: ``$GANZOO_PRETRAINED_DIR/<folder>``, then the checkout's ``pretrained/<folder>``
   when ganzoo runs from a clone.

Every path is held to the same sha256 pin. Nothing here imports the models or torch.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CheckpointError, GanzooError, fix_for
from .format import CONFIG_NAME, sha256_of

HF_HUB_PREFIX = "hf-hub:"  # timm's spelling: ganzoo.create("hf-hub:org/name")
MIRROR_ENV = "GANZOO_PRETRAINED_DIR"
TIMEOUT_ENV = "GANZOO_HUB_TIMEOUT"
DEFAULT_TIMEOUT_S = 3.0
CHECKOUT = Path(__file__).resolve().parents[2]  # the clone's root when ganzoo runs from one
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Resolved:
    """A verified local folder with a tag's ``config.json`` and weights, and where it came from."""

    folder: Path
    source: str  # "cache", "hub" or "mirror"


def resolve_pretrained(
    name: str, entry: dict[str, Any], *, cache_dir: str | os.PathLike[str] | None = None
) -> Resolved:
    """The folder of pretrained tag ``name`` (e.g. ``dcgan.mnist``) described by ``entry``
    (its ``pretrained.json`` record): cache, then Hub, then mirror, each sha256-checked."""
    repo_id, revision = entry["hf_hub_id"], entry.get("revision")
    filename, sha256 = _safe(entry.get("filename", "generator.safetensors")), entry.get("sha256")
    folder_name = _safe(Path(entry.get("local_folder") or repo_id).name)
    where = f"{repo_id}@{revision or 'main'}"
    cached = _from_cache(repo_id, revision, filename, sha256, cache_dir)
    if cached is not None:
        return Resolved(cached, "cache")
    hub_problem = hub_offline_reason() or hub_unreachable_reason(repo_id, revision)
    if hub_problem is None:
        hub_problem, downloaded = _from_hub(repo_id, revision, filename, sha256, cache_dir)
        if downloaded is not None:
            return Resolved(downloaded, "hub")
    mirrors = _mirror_folders(folder_name)
    for folder in mirrors:
        if (folder / CONFIG_NAME).is_file() and (folder / filename).is_file():
            _check_mirror(name, folder / filename, sha256)
            return Resolved(folder, "mirror")
    raise CheckpointError(
        f"Cannot load the weights of {name}: they are not in the Hugging Face cache, the Hub "
        f"repo {where} {hub_problem}, and no local mirror holds {folder_name}/ "
        f"({_mirror_report(mirrors)}). Fix: "
        + fix_for(
            python=f"run ganzoo.hub.pull({repo_id!r}, revision={revision!r}) where the Hub is "
            f"reachable, or set os.environ[{MIRROR_ENV!r}] to a folder that holds {folder_name}/ "
            "(e.g. the pretrained/ folder of a ganzoo clone).",
            cli=f"run `ganzoo hub pull {repo_id} --revision {revision}` where the Hub is "
            f"reachable, or `export {MIRROR_ENV}=/path/to/ganzoo/pretrained` (a folder that holds "
            f"{folder_name}/, e.g. a ganzoo clone's).",
        )
    )


def _safe(part: str) -> str:
    """A file or folder name from pretrained.json, refused if it could leave its folder."""
    if not _SAFE_PART.fullmatch(part) or part in (".", ".."):
        raise GanzooError(f"pretrained.json names an unsafe file or folder {part!r}.")
    return part


def _from_cache(
    repo_id: str, revision: str | None, filename: str, sha256: str | None, cache_dir: Any
) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    paths = [
        try_to_load_from_cache(repo_id, f, cache_dir=cache_dir, revision=revision)
        for f in (CONFIG_NAME, filename)
    ]
    if not all(isinstance(p, str) for p in paths):
        return None
    weights = Path(paths[1])
    if sha256 and sha256_of(weights) != sha256:
        return None  # a stale or damaged cache entry: the Hub or a mirror may still have it
    return weights.parent


def hub_offline_reason() -> str | None:
    from huggingface_hub import constants

    offline = os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}
    return "was not asked (HF_HUB_OFFLINE=1)" if offline or constants.HF_HUB_OFFLINE else None


def _endpoint() -> str:
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def hub_timeout() -> float:
    """Seconds to wait for the Hub's first answer (``GANZOO_HUB_TIMEOUT``, default 3)."""
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def hub_unreachable_reason(repo_id: str, revision: str | None) -> str | None:
    """None when the Hub answers one request within :func:`hub_timeout` (any HTTP status counts:
    the download reports what it means), else why it did not."""
    url = f"{_endpoint()}/api/models/{repo_id}/revision/{revision or 'main'}"
    try:
        with urllib.request.urlopen(url, timeout=hub_timeout()):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return f"could not be reached at {_endpoint()} within {hub_timeout():g} s ({reason})"


def _from_hub(
    repo_id: str, revision: str | None, filename: str, sha256: str | None, cache_dir: Any
) -> tuple[str | None, Path | None]:
    """(None, folder) after a verified download, else (what went wrong, None)."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        options = {"revision": revision, "cache_dir": cache_dir, "endpoint": _endpoint()}
        paths = [
            Path(hf_hub_download(repo_id, f, library_name="ganzoo", **options))
            for f in (CONFIG_NAME, filename)
        ]
    except RepositoryNotFoundError:
        return "does not exist (or is private)", None
    except RevisionNotFoundError:
        return f"has no revision {revision!r}", None
    except EntryNotFoundError:
        return f"lacks {CONFIG_NAME} or {filename}", None
    except Exception as err:  # connection dropped, server error, ...
        return f"failed to download ({type(err).__name__}: {err})", None
    if sha256 and sha256_of(paths[1]) != sha256:
        return f"serves a {filename} whose sha256 is not the pinned {sha256[:12]}...", None
    return None, paths[1].parent


def _mirror_folders(folder_name: str) -> list[Path]:
    """``$GANZOO_PRETRAINED_DIR/<folder>``, then the clone's ``pretrained/<folder>``."""
    folders = []
    if os.environ.get(MIRROR_ENV):
        folders.append(Path(os.environ[MIRROR_ENV]).expanduser() / folder_name)
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "ganzoo").is_dir():
        folders.append(CHECKOUT / "pretrained" / folder_name)
    return folders


def _mirror_report(mirrors: list[Path]) -> str:
    looked = ", ".join(str(m) for m in mirrors) or "none"
    note = "" if os.environ.get(MIRROR_ENV) else f"{MIRROR_ENV} is not set; "
    return f"{note}looked in: {looked}"


def _check_mirror(name: str, path: Path, sha256: str | None) -> None:
    if sha256 and (actual := sha256_of(path)) != sha256:
        raise CheckpointError(
            f"The mirror copy {path} of {name} has sha256 {actual}, not the pinned {sha256}: "
            "replace it with an intact copy (e.g. from a ganzoo clone) or remove it."
        )
