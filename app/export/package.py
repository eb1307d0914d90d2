"""The .apkg package: scope, notes, collection and progress zipped and moved into place.

:func:`export_deck` is the entry point. genanki builds the collection; we write the package
ourselves so that it is compressed, written atomically, leaves no temporary file behind, and
(with progress) carries each card's FSRS state and review history.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from app.clock import local_zone
from app.db.settings import load_study_settings
from app.db.store import Store
from app.errors import AppError
from app.export.collection import create_indexes, write_collection
from app.export.notes import DeckTree, Schedule, build_notes
from app.export.progress import carry_progress
from app.files import replace_durably, temporary_beside
from app.model import Deck, TopicId

__all__ = ["ExportError", "ExportResult", "export_deck"]


class ExportError(AppError):
    """The package could not be written; the message names the path and what to do."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: counts as Anki will see them (a cloze note with c1 and c2 is 2 cards)."""

    path: Path
    notes: int
    cards: int
    decks: int
    size_bytes: int
    with_progress: bool


def export_deck(store: Store, deck: Deck, out: Path, *, now: datetime,
                topic_id: str | None = None, topic_ids: frozenset[str] | None = None,
                with_progress: bool = False, include_questions: bool = False,
                progress: Callable[[int, int], None] | None = None,
                local: tzinfo | None = None) -> ExportResult:
    """Write ``deck`` (its active cards, as stored) to the Anki package ``out``.

    Scope: the whole deck, the branch under ``topic_id``, or exactly the topics ``topic_ids``.
    Each note's GUID comes from our stable card id, so importing a later export updates the
    same notes. With ``with_progress`` the package carries each card's schedule, flag and review
    log (Anki applies them when "Import any learning progress" is ticked; without progress, as
    Anki's export without scheduling, cards go new and unflagged); review due days are
    counted in study days that start at the rollover hour in ``local`` (default: this
    machine's time zone). ``progress(done, total)`` is called as notes are built.

    Runs in the thread that owns ``store``. The package is built in temporary files beside
    ``out`` and moved into place: on any failure ``out`` is untouched and nothing is left.
    Raises :class:`ExportError` when the file cannot be written or there is nothing to export.
    """
    if topic_id is not None and topic_ids is not None:
        raise ValueError("give topic_id or topic_ids, not both")
    if now.tzinfo is None:
        raise ValueError("naive datetime given to export_deck; pass an aware UTC datetime")
    tree = DeckTree(deck, store.topics(deck.id))
    if topic_id is not None:
        if topic_id not in tree.by_id:
            raise ExportError(f"Topic '{topic_id}' is not in the deck '{deck.title}'; pick a "
                              "topic of the deck and export again.")
        scope = tree.subtree(TopicId(topic_id))
    elif topic_ids is not None:
        scope = {TopicId(t) for t in topic_ids if t in tree.by_id}
    else:
        scope = set(tree.by_id)
    schedules: dict[str, Schedule] | None = {} if with_progress else None
    notes = build_notes(store, deck, tree, scope, include_questions, schedules)
    if not notes:
        raise ExportError(f"Nothing to export: the selected part of '{deck.title}' has no "
                          "cards. Choose another topic or the whole deck.")
    total = len(notes)
    settings = load_study_settings(store)
    placed: dict[str, tuple[tuple[int, str], ...]] | None = {} if with_progress else None
    with _scratch(out) as (collection_path, package_path):
        try:
            anki_cards, decks, indexes = write_collection(
                collection_path, deck, tree.root, notes, now, settings.rollover_hour, progress,
                placed)
            if schedules is not None and placed is not None:
                carry_progress(collection_path, store, deck.id, settings, placed, schedules,
                               local or local_zone())
            create_indexes(collection_path, indexes)
            _write_package(collection_path, package_path, now)
            replace_durably(package_path, out)
            size = out.stat().st_size
        except OSError as exc:
            raise ExportError(_explain(exc, out)) from None
        except sqlite3.Error as exc:  # the collection is written beside out, on the same disk
            raise ExportError(_explain_sqlite(exc, out)) from None
    return ExportResult(path=out, notes=total, cards=anki_cards, decks=decks,
                        size_bytes=size, with_progress=with_progress)


@contextlib.contextmanager
def _scratch(out: Path) -> Iterator[tuple[Path, Path]]:
    """Two temporary files beside ``out``: the collection and the package; always removed.

    Made first, so an unwritable or missing folder is reported before any work is done.
    """
    try:
        with temporary_beside(out, suffix=".collection.tmp") as collection, \
                temporary_beside(out, suffix=".package.tmp") as package:
            yield collection, package
    except OSError as exc:
        raise ExportError(_explain(exc, out)) from None


def _write_package(collection: Path, package: Path, now: datetime) -> None:
    """Zip the collection (deflated, entries stamped with ``now``) and flush it to disk."""
    moment = now.astimezone(UTC)
    stamp = (max(1980, moment.year), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    with package.open("wb") as raw:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entry = _entry("collection.anki2", stamp)
            with collection.open("rb") as source, archive.open(entry, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            archive.writestr(_entry("media", stamp), b"{}")
        raw.flush()
        os.fsync(raw.fileno())
    package.chmod(0o644)  # mkstemp makes it private; a package is an ordinary file


# Deflate level 1: at 100,000 notes the package is under 2% bigger than at the default level 6
# (the collection's rows are packed and repetitive), and zipping is about 4x faster.
_ZIP_LEVEL = 1


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    # The level is a private slot before Python 3.13 ("compress_level" from then on).
    setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel",
            _ZIP_LEVEL)
    entry.external_attr = 0o644 << 16
    return entry


def _explain(exc: OSError, out: Path) -> str:
    folder = out.parent
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (f"Cannot write {out}: the disk is full. Free some space, or choose a folder on "
                "another disk, and export again.")
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        return (f"Cannot write {out}: the folder {folder} does not exist. Choose an existing "
                "folder, or create it first.")
    if isinstance(exc, NotADirectoryError):
        return f"Cannot write {out}: {folder} is not a folder. Choose a folder to save into."
    if isinstance(exc, IsADirectoryError) or out.is_dir():
        return f"Cannot write {out}: it is a folder. Choose a file name such as mlsd.apkg."
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Cannot write {out}: you are not allowed to write in {folder}. Choose a folder "
                "you can write to, such as your Documents folder.")
    return (f"Cannot write {out}: {exc.strerror or exc}. Choose another location and export "
            "again.")


def _explain_sqlite(exc: sqlite3.Error, out: Path) -> str:
    if "full" in str(exc):
        return _explain(OSError(errno.ENOSPC, str(exc)), out)
    return (f"Cannot write {out}: {exc}. Check the folder {out.parent} and the space left on "
            "its disk, then export again.")
