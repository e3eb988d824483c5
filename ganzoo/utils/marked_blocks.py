"""Generated blocks in text files: what sits between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``.

The docs scripts render their tables from committed JSON into such blocks. One function replaces
a block's contents; one writes the files whose text changed or, in check mode, names them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

from ganzoo.utils.files import atomic_write


def block_markers(name: str) -> tuple[str, str]:
    """The begin and end comments of the block called ``name``."""
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def _pattern(name: str) -> re.Pattern[str]:
    begin, end = block_markers(name)
    return re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)


def has_block(text: str, name: str) -> bool:
    """Whether ``text`` holds the block called ``name``."""
    return _pattern(name).search(text) is not None


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the contents of its block ``name`` replaced by ``body``.

    Raises ValueError when ``text`` has no such block.
    """
    begin, end = block_markers(name)
    fresh = f"{begin}\n{body.strip(chr(10))}\n{end}"
    new, found = _pattern(name).subn(lambda _match: fresh, text, count=1)
    if not found:
        raise ValueError(f"no {begin} ... {end} block")
    return new


def write_or_check(fresh: Mapping[Path, str], *, check: bool, remedy: str) -> int:
    """Bring each path to its ``fresh`` text, or with ``check`` only say which are stale.

    Writes atomically and only the files that changed. Returns the exit status: 1 when ``check``
    found a stale file (named on stderr with ``remedy``, the command that refreshes it), else 0.
    """
    stale = [path for path, text in fresh.items() if path.read_text() != text]
    if check:
        if stale:
            names = ", ".join(str(path) for path in stale)
            print(f"{names} is stale: run {remedy}", file=sys.stderr)
            return 1
        return 0
    for path in stale:
        atomic_write(path, lambda tmp, text=fresh[path]: Path(tmp).write_text(text))
    return 0
