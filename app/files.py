"""Files we write are replaced atomically and durably: a crash leaves the old or the new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


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
