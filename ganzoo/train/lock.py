"""One writer per run folder: an OS-level lock on ``OUT/run.lock`` holding the writer's pid.

The lock is ``fcntl.flock`` (the kernel drops it when its process dies, so a lock file left by
a killed run is stale and simply taken over); where ``fcntl`` is missing (Windows) the pid in
the file is checked for a live process instead.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from ..errors import CheckpointError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("ganzoo")
LOCK_NAME = "run.lock"
_held: dict[Path, RunLock] = {}  # the locks this process holds, by folder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """The lock of one run folder, held from :meth:`acquire` until :meth:`release` (or exit)."""

    def __init__(self, folder: Path, fd: int) -> None:
        self.folder, self.fd = folder, fd

    @classmethod
    def acquire(cls, folder: str | os.PathLike[str]) -> RunLock:
        """Lock ``folder`` for this process; raise a CheckpointError naming the pid that holds it.

        A lock this process still holds from an earlier trainer on the same folder (one that
        failed) is handed over.
        """
        folder = Path(folder).resolve()
        if folder in _held:
            _held.pop(folder).release()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        previous = os.read(fd, 200).decode(errors="replace").split()
        try:
            cls._lock(fd, path, previous)
        except BaseException:
            os.close(fd)
            raise
        if previous and previous[0].isdigit() and int(previous[0]) != os.getpid():
            logger.info("Took over the stale lock of %s (pid %s has exited).", folder, previous[0])
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        _held[folder] = lock = cls(folder, fd)
        return lock

    @staticmethod
    def _lock(fd: int, path: Path, previous: list[str]) -> None:
        holder = f"pid {previous[0]}" if previous else "another process"
        if len(previous) > 1 and previous[1] != socket.gethostname():
            holder += f" on {previous[1]}"
        busy = CheckpointError(
            f"{path.parent} is in use by another ganzoo run ({holder}; lock file {path}). "
            "Wait for it to finish or stop it, or choose another output folder (--out)."
        )
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise busy from None
        elif previous and previous[0].isdigit():
            pid = int(previous[0])
            if pid != os.getpid() and _pid_alive(pid):
                raise busy

    def release(self) -> None:
        """Unlock (the file stays: removing it would race with a process about to lock it)."""
        if self.fd < 0:
            return
        os.ftruncate(self.fd, 0)  # a pid left in the file means its process died holding it
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = -1
        if _held.get(self.folder) is self:
            del _held[self.folder]
