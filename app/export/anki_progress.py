"""Import progress back from Anki: match notes by GUID, merge review logs, replay FSRS, report."""

# The reverse of app/export/progress.py. A card made by our export has a note GUID derived from
# its id (app.export.notes.note_guid): the card id itself (ordinal 0), or for cloze cards the
# cloze note's key with the card at ordinal N-1. Anki's review log is merged into ours by
# Anki's review id, so a second import of the same file adds nothing; reviews our own export
# wrote into Anki come back with an id within a second of ours and the same rating, and are
# linked instead of added. Each changed card's FSRS state is then recomputed by replaying its
# merged history in time order (app.export.anki_replay).

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path

from app.clock import local_zone
from app.db.anki_collection import AnkiAnswer, AnkiCard, AnkiPackageError, read_collection
from app.db.anki_import import (
    LoggedReview,
    anki_links,
    our_cards,
    our_reviews,
    write_rows,
)
from app.db.backup import create_backup
from app.db.settings import load_study_settings
from app.db.store import Store
from app.export.anki_archive import unpack_collection
from app.export.anki_replay import Merged, replay
from app.export.notes import note_guid
from app.plural import counted

__all__ = ["ImportReport", "card_guids", "import_anki_progress"]

_CLOZE_CARD = re.compile(r"^(?P<note>.+)/c(?P<number>\d+)$")
#: Our export writes a review's Anki id as its time in ms, nudged forward when two answers
#: share a millisecond: an Anki review of the same card, rating and time within this is ours.
_SAME_REVIEW_MS = 60_000


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``changed`` False, found nothing to do)."""

    package: Path
    cards_matched: int
    reviews_added: int
    reviews_known: int        # already in our log (imported before, or written by our export)
    notes_not_ours: int       # notes in the package that our export did not write: ignored
    entries_skipped: int      # Anki log entries that are not answers (manual reschedules...)
    reviewed_both_sides: int  # cards answered here and in Anki since they last agreed
    suspensions_changed: int
    flags_changed: int
    backup: Path | None

    @property
    def changed(self) -> bool:
        """Whether anything was written (a backup is taken exactly then)."""
        return self.backup is not None

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [f"Cards matched: {self.cards_matched}",
               f"Reviews added: {self.reviews_added} ({self.reviews_known} already here)",
               f"Notes not from MLSD Study (ignored): {self.notes_not_ours}"]
        if self.entries_skipped:
            out.append(f"Anki log entries that are not answers (manual reschedules), skipped: "
                       f"{self.entries_skipped}")
        if not (self.reviewed_both_sides or self.suspensions_changed or self.flags_changed):
            out.append("Conflicts: none")
        if self.reviewed_both_sides:
            both = counted(self.reviewed_both_sides, "card")
            out.append(f"Reviewed both here and in Anki: {both}, merged in time order and "
                       "replayed")
        if self.suspensions_changed:
            out.append(f"Suspensions that differed: {self.suspensions_changed}, Anki's kept "
                       "(the newer)")
        if self.flags_changed:
            out.append(f"Flags that differed: {self.flags_changed}, Anki's kept (the newer)")
        if self.backup is not None:
            out.append(f"Backup taken first: {self.backup}")
        return out


def card_guids(card_ids: list[tuple[str, str]]) -> dict[str, dict[int, str]]:
    """Note GUID -> {card ordinal: our card id}, for every way our export writes a card."""
    found: dict[str, dict[int, str]] = defaultdict(dict)
    for card_id, kind in card_ids:
        found[note_guid(card_id)][0] = card_id  # a Basic note of its own
        match = _CLOZE_CARD.match(card_id) if kind == "cloze" else None
        if match:  # or one card of the cloze note of its text
            found[note_guid(match.group("note"))][int(match.group("number")) - 1] = card_id
    return found


def import_anki_progress(store: Store, data_dir: Path | None, package: Path, *, now: datetime,
                         local: tzinfo | None = None,
                         progress: Callable[[int, int], None] | None = None,
                         during: Callable[[], None] | None = None) -> ImportReport:
    """Merge the progress in the Anki package ``package`` into ``store``.

    Raises :class:`AnkiPackageError` (nothing changed) for a file that is not a package from
    Anki, holds no scheduling, or holds none of our notes. Before writing, the database is
    backed up into ``data_dir`` (skipped when None: a store in memory); the write is one
    transaction. Study days (between answers, for FSRS) start at the rollover hour in
    ``local`` (default: this machine's time zone). ``progress(done, 2)`` is called as the
    work advances: 0 replaying, 1 writing, 2 done.
    """
    with tempfile.TemporaryDirectory(prefix="mlsd-anki-") as scratch:
        collection_path = Path(scratch) / "collection.sqlite"
        unpack_collection(package, collection_path)
        collection = read_collection(collection_path, package)
    ours = our_cards(store)
    guids = card_guids([(card_id, kind) for card_id, kind, _, _ in ours])
    matched: dict[int, tuple[str, AnkiCard]] = {}
    foreign: set[str] = set()
    for card in collection.cards:
        card_id = guids.get(card.guid, {}).get(card.ordinal)
        if card_id is None:
            foreign.add(card.guid)
        else:
            matched[card.id] = (card_id, card)
    if not matched:
        raise AnkiPackageError(
            f"{package}: none of its {len(collection.cards)} cards came from MLSD Study (no "
            "note GUID matches our export). Import a package exported from the Anki deck that "
            "MLSD Study's File > Export to Anki made.")
    if not collection.has_log and all(card.type == 0 for _, card in matched.values()):
        raise AnkiPackageError(
            f"{package} holds no scheduling: its cards are all new and it has no review log. "
            "In Anki, export again with \"Include scheduling information\" ticked (.apkg) or "
            "as a collection package (.colpkg).")
    skipped = sum(collection.others.get(anki_id, 0) for anki_id in matched)

    state_of = {card_id: (suspended, flag) for card_id, _, suspended, flag in ours}
    linked_ids = anki_links(store, (card_id for card_id, _ in matched.values()))
    changing: list[tuple[int, str, AnkiCard, bool]] = []
    known = suspensions = flags = 0
    for anki_id, (card_id, card) in matched.items():
        suspended, flag = state_of[card_id]
        suspend_change, flag_change = suspended != (card.queue == -1), flag != card.flag
        suspensions += suspend_change
        flags += flag_change
        theirs = collection.answers.get(anki_id, ())
        linked = linked_ids.get(card_id, set())
        if suspend_change or flag_change or any(a[1] not in linked for a in theirs):
            changing.append((anki_id, card_id, card, suspend_change or flag_change))
        else:  # every answer is here already: its log is not even read
            known += len(theirs)
    logs = our_reviews(store, (card_id for _, card_id, _, _ in changing))
    plans: list[tuple[str, AnkiCard, list[Merged]]] = []
    # Cards whose only change is a suspension or a flag: those are set, and the schedule is
    # left as it is. Replaying the log would rebuild it from the answers alone and lose what
    # no answer made (a due date set in the browser, on a new card the whole schedule).
    marks: list[tuple[int, int, str]] = []
    added = both = 0
    for anki_id, card_id, card, marked in changing:
        merged, new, already, clash = _merge(logs.get(card_id, []),
                                              collection.answers.get(anki_id, []))
        added += new
        known += already
        if new or any(m.link for m in merged):
            both += clash
            plans.append((card_id, card, merged))
        elif marked:
            marks.append((int(card.queue == -1), card.flag, card_id))
    backup = None
    if not plans and not marks:
        return ImportReport(package, len(matched), 0, known, len(foreign), skipped, 0, 0, 0,
                            None)
    settings = replace(load_study_settings(store), fuzz=False)
    if progress is not None:
        progress(0, 2)
    added_rows, updated_rows, cards = replay(plans, settings, local or local_zone(),
                                             collection.created) if plans else ([], [], [])
    if progress is not None:
        progress(1, 2)
    if data_dir is not None:
        backup = create_backup(store, data_dir, now, reason="before-anki-import")
    write_rows(store, added_rows, updated_rows, cards, during, marks=marks)
    if progress is not None:
        progress(2, 2)
    return ImportReport(package, len(matched), added, known, len(foreign), skipped, both,
                        suspensions, flags, backup)


def _merge(ours: list[LoggedReview], theirs: list[AnkiAnswer]
           ) -> tuple[list[Merged], int, int, bool]:
    """The card's merged history in time order, with (added, already known, answered on both
    sides since the last shared review)."""
    # A review of ours linked to Anki counts as Anki's for the last word on due.
    merged = [Merged(r.log_id, r.reviewed_at, r.rating, r.duration_ms, r.anki_id,
                     r.anki_id is not None, False, queue_after=r.queue_after,
                     step_after=r.step_after, due_after=r.due_after)
              for r in ours]
    linked_ids = {r.anki_id for r in ours if r.anki_id is not None}
    unlinked = [m for m in merged if m.anki_id is None]
    if unlinked:
        fresh = _link_twins(unlinked, [a for a in theirs if a[1] not in linked_ids])
    else:  # the usual case (a first import, or all of ours is in Anki): no twins to look for
        fresh = [Merged(None, review_id, ease, duration_ms, review_id, True, False, interval)
                 for _, review_id, ease, interval, duration_ms in theirs
                 if review_id not in linked_ids]
    clash = bool(fresh) and any(m.at > fresh[0].at for m in unlinked if m.anki_id is None)
    if not merged:
        return fresh, len(fresh), len(theirs) - len(fresh), clash  # Anki's: oldest first
    merged.extend(fresh)
    merged.sort(key=lambda m: (m.at, m.log_id or 0))
    return merged, len(fresh), len(theirs) - len(fresh), clash


def _link_twins(unlinked: list[Merged], theirs: list[AnkiAnswer]) -> list[Merged]:
    """Link each of Anki's answers that our export wrote to our review (same rating, time
    within a minute; the nearest wins) and return Anki's other answers, as reviews to add."""
    fresh: list[Merged] = []
    free = list(unlinked)
    for _, review_id, ease, interval, duration_ms in theirs:
        twin = min((m for m in free if m.rating == ease
                    and abs(m.at - review_id) <= _SAME_REVIEW_MS),
                   key=lambda m: abs(m.at - review_id), default=None)
        if twin is None:
            fresh.append(Merged(None, review_id, ease, duration_ms, review_id, True, False,
                                interval))
        else:
            twin.anki_id, twin.link, twin.from_anki = review_id, True, True
            free.remove(twin)
    return fresh
