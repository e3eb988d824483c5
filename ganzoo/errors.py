"""Exceptions raised by ganzoo. Each message names the problem and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class GanzooError(Exception):
    """Base class of every error ganzoo raises on purpose."""


class UnknownNameError(GanzooError, KeyError):
    """A model, objective, regularizer or dataset name that is not registered."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(GanzooError, ValueError):
    """A configuration value (argument, YAML key, size) that cannot be used."""


class CheckpointError(GanzooError, RuntimeError):
    """A checkpoint that is corrupt, missing or belongs to another model."""


class DataError(GanzooError, RuntimeError):
    """A dataset that cannot be found or does not fit the model."""


class MissingExtraError(GanzooError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install`` command."""


class DistributedError(GanzooError, RuntimeError):
    """A data-parallel run that cannot go on: a rank died or stalled, or the ranks drifted apart."""


class TrainingDiverged(GanzooError, RuntimeError):
    """A loss became NaN or infinite; training stopped with the last good checkpoint kept."""


def suggest(name: str, choices: Iterable[str], n: int = 3) -> str:
    """Return ' Did you mean: a, b?' for the closest matches of ``name``, or ''."""
    by_lower = {c.lower(): c for c in choices}
    lowered = name.lower()
    close = [by_lower[c] for c in difflib.get_close_matches(lowered, by_lower, n=n, cutoff=0.5)]
    if not close:
        close = [c for low, c in by_lower.items() if lowered in low or low in lowered][:n]
    return f" Did you mean: {', '.join(close)}?" if close else ""


def unknown_name(kind: str, name: str, choices: Iterable[str], hint: str = "") -> UnknownNameError:
    """Build the standard error for an unknown ``kind`` called ``name``."""
    choices = sorted(set(choices))
    message = f"Unknown {kind} {name!r}.{suggest(name, choices)} Available: {', '.join(choices)}."
    if hint:
        message += f" {hint}"
    return UnknownNameError(message)


_interface: ContextVar[str] = ContextVar("ganzoo_interface", default="python")


@contextmanager
def speaking_to_cli() -> Iterator[None]:
    """Within this block, errors name their fixes as ``ganzoo`` commands (the CLI sets it)."""
    token = _interface.set("cli")
    try:
        yield
    finally:
        _interface.reset(token)


def fix_for(python: str, cli: str) -> str:
    """The fix in the words of the interface in use: a Python call, or a ``ganzoo`` command."""
    return cli if _interface.get() == "cli" else python
