"""One process per data folder: an advisory lock on ``<data dir>/.lock`` held while it runs."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from types import TracebackType

from app.errors import AppError

LOCK_NAME = ".lock"
# Windows locks byte ranges and refuses reads of a locked range, so the lock sits past the pid.
_WINDOWS_LOCK_OFFSET = 1 << 20


class InstanceLockError(AppError):
    """Another process holds the data folder, or its lock file cannot be opened."""


class InstanceLock:
    """The lock on one data folder, held from ``acquire`` until ``release`` or process exit.

    The operating system drops the lock when the process ends, however it ends (a crash or
    SIGKILL included), so a stale lock file never blocks the next start. The file is left in
    place on release: deleting it would let two processes lock two different files.
    """

    def __init__(self, data_dir: Path, path: Path, fd: int) -> None:
        self.data_dir = data_dir
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> InstanceLock:
        """Lock ``data_dir`` (created if missing); ``InstanceLockError`` names any holder."""
        path = data_dir / LOCK_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InstanceLockError(
                f"Cannot create the lock file {path}: {error.strerror or error}. Check that "
                "the data folder is writable, or choose another one with --data-dir.") from error
        try:
            locked = _try_lock(fd)
        except OSError as error:
            os.close(fd)
            raise InstanceLockError(
                f"Cannot lock {path}: {error.strerror or error}. The data folder may be on a "
                "file system without locks; choose another one with --data-dir.") from error
        if not locked:
            holder = _read_pid(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise InstanceLockError(
                f"Another MLSD Study is using {data_dir}{who}. Close it first, or start this one "
                "with --data-dir pointing to another folder.")
        with contextlib.suppress(OSError):  # the pid only names the holder in messages
            _write_pid(fd, os.getpid())
        return cls(data_dir, path, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Unlock (idempotent); the file stays for the next holder."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _write_pid(fd, None)  # while still locked, so no new holder's pid is erased
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; False when someone else holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EDEADLOCK):  # held by another process
                return False
            raise
        return True
    import fcntl

    # flock, not fcntl locks: flock belongs to the open file, so a second open in the same
    # process is refused too, and closing some other descriptor of the file does not unlock.
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_pid(fd: int) -> int | None:
    """The holder's pid, or None while it has not written it yet (or wrote something else)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32)
        return int(text.decode("ascii").strip() or "0") or None
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _write_pid(fd: int, pid: int | None) -> None:
    """Record who holds the lock, so the refusal can name the process."""
    os.ftruncate(fd, 0)
    if pid is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{pid}\n".encode("ascii"))
