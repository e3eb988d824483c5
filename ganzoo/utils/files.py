"""Files written so that a crash never leaves a torn one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: str | os.PathLike[str], write: Any) -> Path:
    """Call ``write(file_path)`` on a temporary file beside ``path``, fsync, then rename.

    A crash at any moment leaves either the old file or the complete new one, never a torn one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _file_mode(path))  # mkstemp makes 0600; a written file gets the usual mode
    finally:
        os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_temporaries_in(*folders: str | os.PathLike[str]) -> None:
    """Delete every temporary file that a killed :func:`atomic_write` left in ``folders``."""
    for folder in folders:
        for stale in Path(folder).glob(".*.tmp"):
            stale.unlink(missing_ok=True)


def _file_mode(path: Path) -> int:
    """The mode an ordinary ``open(path, "w")`` would give: the existing file's, else 0666 less
    the umask (0644 under the default umask 022)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def remove_stale_temporaries(path: str | os.PathLike[str]) -> None:
    """Delete temporary files that an :func:`atomic_write` of ``path`` left when killed."""
    path = Path(path)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
