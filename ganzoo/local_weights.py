"""Published weights from the checkout's ``pretrained/<repo>/`` folders, and one loader for every
kind of source (``model.tag``, model folder, run folder, checkpoint, Hub repo id).

A stopgap until ``ganzoo.create(tag, pretrained=True)`` itself falls back to these folders:
:func:`load_source` is the one place to change then.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import CheckpointError
from .factory import from_pretrained
from .gan import GANBase
from .loading import load

_INDEX = Path(__file__).with_name("pretrained.json")


def published() -> dict[str, dict[str, Any]]:
    """``ganzoo/pretrained.json``: every published ``model.tag`` and its Hub coordinates."""
    return json.loads(_INDEX.read_text()) if _INDEX.is_file() else {}


def local_folder(tag: str) -> Path | None:
    """The ``pretrained/<repo>`` folder holding ``tag``'s weights, next to the package (a source
    checkout) or under the current directory; None when neither has it."""
    entry = published().get(tag)
    if not entry or not entry.get("local_folder"):
        return None
    relative = Path(entry["local_folder"])
    for base in (_INDEX.parent.parent, Path.cwd()):
        folder = base / relative
        if (folder / "config.json").is_file():
            return folder
    return None


def local_tags() -> list[str]:
    """Published tags whose weights are on this machine (no network needed)."""
    return [tag for tag in published() if local_folder(tag) is not None]


def load_source(source: str, device: str = "cpu") -> GANBase:
    """A GAN from a published ``model.tag`` (its local folder first, else the Hub), a model
    folder, a run folder, a checkpoint ``.pt`` or a Hub ``user/repo``."""
    folder = local_folder(source)
    if folder is not None:
        return from_pretrained(folder).to(device)
    path = Path(source).expanduser()
    if not path.exists() and (source.startswith(("/", ".", "~")) or path.suffix in (".pt", ".pth")):
        raise CheckpointError(
            f"{source} does not exist. Pass a run folder, a checkpoint .pt, a model folder, a Hub "
            "user/repo or a published tag (`ganzoo list --pretrained`)."
        )
    return load(str(path) if path.exists() else source, device)
