"""Getting files of a ganzoo repo: from the Hugging Face Hub through ``huggingface_hub`` (so the
standard cache, ``HF_HUB_OFFLINE=1``, ``HF_ENDPOINT`` mirrors, tokens and revisions behave as Hub
users expect), or from a local folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import CheckpointError, GanzooError
from .format import CONFIG_NAME


def endpoint() -> str | None:
    """``HF_ENDPOINT`` as set now (huggingface_hub itself reads it only once, at import)."""
    return os.environ.get("HF_ENDPOINT") or None


def fetch(
    repo_id: str,
    filename: str,
    revision: str | None,
    cache_dir: Any,
    token: Any,
    cache_only: bool = False,
) -> Path:
    """Download ``filename`` of Hub repo ``repo_id`` (or take it from the cache); one clear
    :class:`~ganzoo.errors.GanzooError` for every way that can fail."""
    from huggingface_hub import hf_hub_download  # heavy: only when a file is fetched
    from huggingface_hub.utils import (
        EntryNotFoundError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = f"{repo_id}@{revision or 'main'}"
    try:
        return Path(
            hf_hub_download(
                repo_id,
                filename,
                revision=revision,
                cache_dir=cache_dir,
                token=token,
                endpoint=endpoint(),
                library_name="ganzoo",
                local_files_only=cache_only,
            )
        )
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


def local_file(folder: Path, filename: str) -> Path:
    """``folder/filename`` if it is a file, else a CheckpointError saying what is missing."""
    path = folder / filename
    if not path.is_file():
        if filename == CONFIG_NAME:
            raise CheckpointError(
                f"{folder} has no config.json, so it is not a ganzoo model folder (expected "
                "config.json and generator.safetensors, as written by gan.save_pretrained())."
            )
        raise CheckpointError(f"{folder} has no {filename}.")
    return path
