"""Finding deck files and keeping the store in line with them at start-up."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.db.store import Store, StoredTopic
from app.errors import AppError, DeckError, OutlineError, Problem
from app.files import deck_read_limit, read_capped, replace_durably, size_text
from app.model import CARD_GENERATOR_VERSION, Deck, DeckId

if TYPE_CHECKING:
    from app.decks.lint import Finding
    from app.outline.reimport import Carried

SHIPPED = "shipped"
USER = "user"
# Part of every content hash: bump it when loading or syncing changes, so decks are re-read.
# The card generator's version is part of it too, so new generator rules reach stored decks.
_SYNC_FORMAT = f"mlsd-sync-2 cards-{CARD_GENERATOR_VERSION}\n".encode()


@dataclass(frozen=True)
class SyncReport:
    """What happened to the deck files at start-up."""

    decks: tuple[DeckId, ...]
    problems: tuple[Problem, ...]
    parsed: int  # files that were read and validated (unchanged files are skipped)


def deck_hash(data: bytes) -> str:
    """The content hash a deck file is stored with; an unchanged hash skips re-parsing it."""
    return hashlib.sha256(_SYNC_FORMAT + data).hexdigest()


def deck_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _deck_file_data(sources: list[tuple[Path, str]],
                    problems: list[Problem]) -> Iterator[tuple[Path, str, bytes]]:
    """Each deck file of ``sources`` in load order, with its origin and bytes; a file that
    cannot be read goes to ``problems`` instead."""
    for folder, origin in sources:
        for path in deck_files(folder):
            try:
                data = read_capped(path, deck_read_limit())
            except OSError as exc:
                problems.append(Problem(str(path), 1, 1, f"cannot read the file: "
                                        f"{exc.strerror or exc}"))
                continue
            yield path, origin, data


def _claim(owners: dict[DeckId, str], deck_id: DeckId, name: str) -> Problem | None:
    """Give ``deck_id`` to the file ``name``, or say which earlier file has it: the first file
    of an id wins."""
    if deck_id in owners:
        return Problem(name, 1, 1, f"deck id '{deck_id}' is already used by {owners[deck_id]}; "
                       "give this deck another id")
    owners[deck_id] = name
    return None


def sync_decks(store: Store, sources: list[tuple[Path, str]], now: datetime) -> SyncReport:
    """Sync every deck file into the store; a bad file is reported and the others still load.

    A file whose bytes are unchanged since the last sync is not parsed again. A bad file keeps
    the last good copy of its deck in the store (and visible), so nothing the user had is lost.
    """
    known = store.deck_hashes()
    present: list[DeckId] = []
    owners: dict[DeckId, str] = {}
    problems: list[Problem] = []
    parsed = 0
    for path, origin, data in _deck_file_data(sources, problems):
        name = str(path)
        digest = deck_hash(data)
        previous = known.get(name)
        if previous is not None and previous[1] == digest and previous[0] not in owners:
            present.append(previous[0])
            owners[previous[0]] = name
            continue
        parsed += 1
        # YAML and the card generator are loaded only when a file changed
        from app.decks.cards import generate_cards
        from app.decks.loader import decode, load_text

        try:
            deck = load_text(decode(data, name), name)
        except DeckError as error:
            problems.extend(error.problems)
            if previous is not None and previous[0] not in owners:
                present.append(previous[0])  # show the last good copy
                owners[previous[0]] = name
            continue
        if (taken := _claim(owners, deck.id, name)) is not None:
            problems.append(taken)
            continue
        if origin == SHIPPED:  # the user's edits and cards, over this version's text
            from app.decks.editing import layered

            deck = layered(store, deck, record=True)
        store.sync_deck(deck, content_hash=digest, origin=origin, now=now,
                        cards=generate_cards(deck))
        present.append(deck.id)
    store.mark_missing(present)
    return SyncReport(decks=tuple(present), problems=tuple(problems), parsed=parsed)


def load_decks(sources: list[tuple[Path, str]]) -> tuple[dict[DeckId, Deck], tuple[Problem, ...]]:
    """Every deck of the deck files of ``sources``, parsed without a store: by id in load
    order, the first file of an id winning as in :func:`sync_decks`, and the problems of the
    files left out."""
    from app.decks.loader import decode, load_text

    decks: dict[DeckId, Deck] = {}
    owners: dict[DeckId, str] = {}
    problems: list[Problem] = []
    for path, _origin, data in _deck_file_data(sources, problems):
        name = str(path)
        try:
            deck = load_text(decode(data, name), name)
        except DeckError as error:
            problems.extend(error.problems)
            continue
        if (taken := _claim(owners, deck.id, name)) is not None:
            problems.append(taken)
            continue
        decks[deck.id] = deck
    return decks, tuple(problems)


@dataclass(frozen=True)
class ImportResult:
    """What importing an outline did: the deck, the file written and the topic changes."""

    deck_id: DeckId
    title: str
    path: Path  # the deck file written in the user's decks folder
    topics: int
    cards: int
    added: int  # topics new to the store
    updated: int  # topics kept, with their progress
    retired: int  # topics gone from the outline, kept hidden with their history
    reimported: bool  # the deck was there before (the same outline imported again)
    findings: tuple[Finding, ...] = ()  # the card linter's warnings, at lines of the outline
    renamed: int = 0  # of the topics kept, those whose heading was reworded
    moved: int = 0  # of the topics kept, those now under another parent

    def summary(self) -> str:
        """What a re-import did, in words: "3 added, 40 kept (1 renamed, 2 moved), 1 retired"."""
        changed = [f"{count} {what}" for count, what in ((self.renamed, "renamed"),
                                                         (self.moved, "moved")) if count]
        kept = f"{self.updated} kept" + (f" ({', '.join(changed)})" if changed else "")
        return f"{self.added} added, {kept}, {self.retired} retired"


#: The stages an import reports to ``progress(done, IMPORT_STAGES)``: read and parsed, deck
#: file and cards made, file written, stored.
IMPORT_STAGES = 4


def import_outline(store: Store, path: Path, data_dir: Path, now: datetime, *,
                   deck_id: str | None = None, title: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   parsed: Deck | None = None) -> ImportResult:
    """Turn a Markdown outline into a deck file in the user's decks folder and store it.

    Importing the same outline again replaces its deck file and updates the deck in place:
    topics whose heading path and title are unchanged keep their cards and progress, topics
    that are gone are retired with their history. Raises :class:`OutlineError` (nothing is
    written) for an unreadable or empty outline, or an id that belongs to another deck.
    ``parsed`` is the outline already read with :func:`app.outline.importer.load_outline`
    (the command line reads it before it takes the data folder's lock).
    """
    from app.decks.cards import generate_cards
    from app.decks.lint import lint_cards
    from app.outline.deck_file import outline_to_yaml
    from app.outline.importer import load_outline, write_deck_file
    from app.paths import user_decks_dir

    def stage(done: int) -> None:
        if progress is not None:
            progress(done, IMPORT_STAGES)

    name = str(path)
    stage(0)
    deck = parsed or load_outline(path, deck_id=deck_id, title=title)
    stage(1)
    target = user_decks_dir(data_dir) / f"{deck.id}.yaml"
    source = str(Path(path).absolute())
    _check_import_target(store, deck.id, target, name, source, explicit=deck_id is not None)
    carried = _carry_progress(store, deck)
    deck = carried.deck
    text = outline_to_yaml(deck, source=source)
    # The file loads back to this same deck (tests/test_outline_import.py checks the round trip), so
    # it is stored as parsed: reading the YAML again would double the time of a big import.
    stored = replace(deck, path=str(target))
    cards = generate_cards(stored)
    data = text.encode("utf-8")
    if len(data) > deck_read_limit():  # it could not be read back: refused, nothing written
        raise OutlineError([Problem(name, 1, 1, (
            f"this outline makes a deck file of {size_text(len(data))}, more than the "
            f"{size_text(deck_read_limit())} a deck may take; split the outline into smaller "
            "files, or raise the limit with MLSD_STUDY_MAX_FILE_MB"))])
    stage(2)
    reimported = target.is_file()
    # The old file is kept under a second name (a hard link: no disk space needed) until the
    # store has the new deck, so a refused write or sync (a full disk) puts everything back.
    previous = _keep_previous(target) if reimported else None
    written = False
    try:
        write_deck_file(target, data)  # a failed write leaves the old file (or none) in place
        written = True
        stage(3)
        synced = store.sync_deck(stored, content_hash=deck_hash(data), origin=USER, now=now,
                                 cards=cards)
    except AppError:
        if written and previous is not None:
            replace_durably(previous, target)
        elif written and not reimported:
            target.unlink(missing_ok=True)
        raise
    finally:
        if previous is not None:
            previous.unlink(missing_ok=True)
    stage(IMPORT_STAGES)
    return ImportResult(deck_id=stored.id, title=stored.title, path=target,
                        topics=stored.topic_count(), cards=len(cards), added=synced.added,
                        updated=synced.updated, retired=synced.retired, reimported=reimported,
                        findings=tuple(lint_cards(deck, cards)), renamed=carried.renamed,
                        moved=carried.moved)


def _carry_progress(store: Store, deck: Deck) -> Carried:
    """``deck`` with the ids its topics had in the store where a heading was reworded or a
    subtree moved (:func:`app.outline.reimport.carry_ids`). The stored topics are the deck as
    it was; when none of them is gone from ``deck`` there is nothing to carry."""
    from app.model import Topic
    from app.outline.reimport import Carried, carry_ids

    stored = store.topics(deck.id)
    ids = {topic.id for topic, _ in deck.walk()}
    if all(row.id in ids for row in stored):
        return Carried(deck, 0, 0)
    rows: dict[str | None, list[StoredTopic]] = {}
    for row in stored:  # ordered by parent, then position
        rows.setdefault(row.parent_id, []).append(row)

    def build(parent: str | None) -> tuple[Topic, ...]:
        return tuple(Topic(id=row.id, title=row.title, notes=row.notes, children=build(row.id))
                     for row in rows.get(parent, ()))

    return carry_ids(replace(deck, topics=build(None)), deck)


def _keep_previous(target: Path) -> Path | None:
    """A second name for ``target`` (not a deck file: no .yaml suffix), or None if the file
    system cannot link and copying fails too; the import then goes on without a rollback."""
    keep = target.with_name(f".{target.name}.previous")
    try:
        keep.unlink(missing_ok=True)
        os.link(target, keep)
    except OSError:
        try:
            shutil.copy2(target, keep)
        except OSError:
            return None
    return keep


def _check_import_target(store: Store, deck_id: DeckId, target: Path, name: str, source: str,
                         *, explicit: bool) -> None:
    """Refuse an id that names another deck, or a deck file that an import did not write."""
    from app.outline.deck_file import imported_from, printable

    def refuse(message: str) -> OutlineError:
        return OutlineError([Problem(name, 1, 1, message)])

    for stored in store.decks(include_missing=True):
        if stored.id != deck_id:
            continue
        if stored.origin == SHIPPED:
            raise refuse(f"deck id '{deck_id}' belongs to the built-in deck '{stored.title}'; "
                         "choose another deck id (--id)")
        if not stored.missing and stored.path != str(target):
            raise refuse(f"deck id '{deck_id}' is already used by {stored.path}; choose "
                         "another deck id (--id)")
    if not target.exists():
        return
    try:
        with target.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise refuse(f"cannot read {target} to check it: {exc.strerror or exc}") from None
    origin = imported_from(head)
    source = printable(source)
    if origin is None:
        raise refuse(f"{target} already exists and was not imported from an outline, so it "
                     "was left untouched; choose another deck id (--id)")
    if origin and origin != source and not explicit:
        raise refuse(f"deck '{deck_id}' was imported from {origin}; to replace it with this "
                     f"outline give the deck id '{deck_id}' explicitly (--id {deck_id}), or "
                     "choose another deck id")


# The last deck parsed from each file, with the hash of the bytes it was parsed from: a deck
# file is parsed again only when it changes, however often the question bank or rubrics are
# asked for, and the cache holds one deck per file.
_parsed: dict[str, tuple[str, Deck]] = {}


def remember_parsed(path: str, data: bytes, deck: Deck) -> None:
    """Tell :func:`load_stored_deck` that ``data``, now the file at ``path``, parses to
    ``deck`` (an editor that has just written and checked it): the next read of the deck then
    needs no second parse (6 s for the deck of a 5 MB outline)."""
    _parsed[path] = deck_hash(data), deck


def load_stored_deck(store: Store, deck_id: str, *, user_layer: bool = True) -> Deck:
    """A stored deck parsed from its file as the file is now (for what the store does not
    keep, such as the interview question bank and rubrics), parsed once per version of the
    file; a built-in deck with the user's edits unless ``user_layer`` is false. Raises
    :class:`DeckError`."""
    from app.decks.loader import decode, load_text

    for stored in store.decks():
        if stored.id == deck_id:
            path = stored.path
            try:
                data = read_capped(path, deck_read_limit())
            except OSError as exc:
                raise DeckError([Problem(path, 1, 1, f"cannot read the file: "
                                         f"{exc.strerror or exc}")]) from None
            digest = deck_hash(data)
            cached = _parsed.get(path)
            if cached is None or cached[0] != digest:
                cached = digest, load_text(decode(data, path), path)
                _parsed[path] = cached
            if user_layer and stored.origin == SHIPPED:
                from app.decks.editing import layered

                return layered(store, cached[1])
            return cached[1]
    raise DeckError([Problem(deck_id, 1, 1, f"no deck with id '{deck_id}' is loaded")])


def interview_deck(store: Store) -> Deck | None:
    """The first visible deck that has an interview question bank and the 9 steps."""
    for stored in store.decks():
        try:
            deck = load_stored_deck(store, stored.id)
        except DeckError:
            continue
        if deck.questions and any(t.step for t in deck.topics):
            return deck
    return None


def interview_decks(store: Store) -> list[Deck]:
    """The visible decks an interview can run on (any whose topics carry ``step:`` markers),
    the one with the question bank first, then in the store's order."""
    decks = []
    for stored in store.decks():
        try:
            deck = load_stored_deck(store, stored.id)
        except DeckError:
            continue
        if any(topic.step for topic, _ in deck.walk()):
            decks.append(deck)
    return sorted(decks, key=lambda deck: not deck.questions)


@dataclass(frozen=True)
class RemovedDeck:
    """What removing a deck did: the safety backup and where its file went."""

    deck_id: DeckId
    title: str
    backup: Path
    moved_to: Path | None


def remove_deck(store: Store, deck_id: str, data_dir: Path, now: datetime) -> RemovedDeck:
    """Remove a user deck: back up the database, move its file aside, hide it in the store.

    Nothing is deleted. The deck's topics, cards and review history stay in the database,
    hidden, so importing the same outline again (same deck id) brings the progress back; the
    file goes to ``backups/removed-decks/``. Built-in decks cannot be removed.
    """
    from app.db.backup import backups_dir, create_backup

    decks = {d.id: d for d in store.decks()}
    deck = decks.get(DeckId(deck_id))
    if deck is None:
        raise DeckError([Problem(deck_id, 1, 1, f"no deck with id '{deck_id}' is loaded")])
    if deck.origin == SHIPPED:
        raise DeckError([Problem(deck.path, 1, 1, f"'{deck.title}' is built into MLSD Study "
                                 "and cannot be removed")])
    backup = create_backup(store, data_dir, now, reason=f"before-removing-{deck_id}")
    source = Path(deck.path)
    moved: Path | None = None
    if source.is_file():
        folder = backups_dir(data_dir) / "removed-decks"
        stamp = now.strftime("%Y%m%d-%H%M%S")
        moved = folder / f"{source.stem}-{stamp}{source.suffix}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            n = 1
            while moved.exists():  # never overwrite an earlier removal
                n += 1
                moved = folder / f"{source.stem}-{stamp}-{n}{source.suffix}"
            replace_durably(source, moved)
        except OSError as exc:
            raise DeckError([Problem(str(source), 1, 1, f"cannot move the deck file aside "
                                     f"({exc.strerror or exc}); nothing was removed. Check the "
                                     "permissions of the decks and backups folders")]) from None
    store.mark_missing([d for d in decks if d != deck.id])
    return RemovedDeck(deck.id, deck.title, backup, moved)
