"""Files at the edge: reads only of regular files, capped; writes atomic and durable."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: The most a deck or outline read may take, in bytes, unless the ``MLSD_STUDY_MAX_FILE_MB``
#: environment variable says otherwise: a larger file is refused before it is read.
MAX_READ_BYTES = 8 * 1024 * 1024
_LIMIT_VARIABLE = "MLSD_STUDY_MAX_FILE_MB"


def read_limit() -> int:
    """The byte limit of :func:`read_capped`: ``MLSD_STUDY_MAX_FILE_MB`` if it is a positive
    number, else :data:`MAX_READ_BYTES`."""
    try:
        megabytes = float(os.environ.get(_LIMIT_VARIABLE, ""))
    except ValueError:
        return MAX_READ_BYTES
    return int(megabytes * 1024 * 1024) if megabytes > 0 else MAX_READ_BYTES


#: A deck file may take this many times :func:`read_limit`. The app must read back every deck
#: it writes, and a deck made from an outline is larger than the outline (its YAML gives each
#: heading an id and a title line: about twice a real outline's size).
DECK_FACTOR = 4


def deck_read_limit() -> int:
    """The byte limit for deck files: :data:`DECK_FACTOR` times :func:`read_limit`."""
    return read_limit() * DECK_FACTOR


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_capped(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` (default :func:`read_limit`).

    Raises ``OSError`` with a message a person can act on, at once and without reading, for a
    FIFO, device, socket or folder (opened without blocking, so a FIFO with no writer does not
    hang) and for a file larger than the limit; a file that grows while read is cut off too.
    """
    limit = read_limit() if limit is None else limit
    _check_regular(os.stat(path).st_mode)  # a socket cannot even be opened
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)  # what was opened, should the name now point elsewhere
        _check_regular(info.st_mode)
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"the file is larger than {size_text(limit)} "
                          f"({info.st_size:,} bytes); split it into smaller files, or raise "
                          f"the limit with {_LIMIT_VARIABLE}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"the file grew past the {size_text(limit)} limit while it was "
                      f"read ({_LIMIT_VARIABLE} sets it)")
    return data


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, f"{_kind(mode)}, not a regular file; only regular files "
                      "are read")


def size_text(count: int) -> str:
    """A byte count as a person reads it: "8 MB", or "41,943 bytes" under a megabyte."""
    megabytes = round(count / (1024 * 1024), 1)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count:,} bytes"


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_after_rename(*folders: Path) -> None:
    """Sync the folders a completed rename changed, best effort.

    The rename is done: the file is in its new place, and a caller must not report that
    nothing changed. Syncing a folder only makes its new entry survive a power cut, and some
    file systems (network and FUSE mounts) refuse fsync on a folder, so errors are ignored.
    """
    for folder in dict.fromkeys(folders):
        with contextlib.suppress(OSError):
            fsync_dir(folder)


def replace_durably(source: Path, target: Path) -> None:
    """Rename ``source`` (a complete, synced file) over ``target`` and sync the folders.

    Raises ``OSError`` only when the rename fails; then ``target`` is as it was."""
    os.replace(source, target)
    sync_after_rename(target.parent, source.parent)


@contextlib.contextmanager
def temporary_beside(target: Path, *, prefix: str | None = None,
                     suffix: str = ".tmp") -> Iterator[Path]:
    """An empty temporary file in ``target``'s folder (so the final rename stays on one file
    system), removed on the way out unless it was renamed into place. The name starts with a
    dot and ends in ``.tmp``, which the deck loader and the backup list never read."""
    handle, name = tempfile.mkstemp(prefix=prefix or f".{target.name}.", suffix=suffix,
                                    dir=target.parent)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):  # already renamed into place, or cleaning up
            path.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes, *, make_folder: bool = False) -> None:
    """Replace ``target`` with ``data``: written to a temporary file beside it, synced, renamed
    over it and the folder synced (best effort). Raises ``OSError``; the caller says what it
    means to a person. A failure leaves ``target`` as it was and no temporary file behind."""
    if make_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    with temporary_beside(target) as temp:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace_durably(temp, target)
