"""Reviewing in the real Anki over simulated days, for the progress-import tests and benchmark."""

# Anki's scheduler reads the wall clock. A day is simulated by moving the collection's past one
# day back (its creation day, the review log, learning due times and FSRS last-review times),
# which is what Anki sees when a day passes: cards due tomorrow become due today.

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

DAY_S = 86_400


@contextmanager
def anki_collection(folder: Path) -> Iterator[Collection]:
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        col.set_config("fsrs", True)  # FSRS with its default parameters, as we schedule
        yield col
    finally:
        col.close()


def import_with_scheduling(col: Collection, package: Path) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))


def pass_days(col: Collection, days: int) -> None:
    """Make ``days`` days pass for the collection."""
    assert col.db is not None
    shift = days * DAY_S
    col.db.execute("UPDATE col SET crt = crt - ?", shift)
    col.db.execute("UPDATE revlog SET id = id - ?", shift * 1000)
    col.db.execute("UPDATE cards SET due = due - ? WHERE queue IN (1, 4) OR "
                   "(queue = -1 AND type IN (1, 3) AND due > 1000000000)", shift)
    col.db.execute("UPDATE cards SET data = json_set(data, '$.lrt', "
                   "json_extract(data, '$.lrt') - ?) WHERE data != '' AND "
                   "json_extract(data, '$.lrt') IS NOT NULL", shift)
    col.close()  # the backend reads crt afresh on reopening
    col.reopen()


def review_days(col: Collection, days: int, ratings: tuple[int, ...] = (3, 3, 2, 3, 1, 4, 3),
                per_day: int = 3) -> int:
    """Study the queue Anki gives for ``days`` days (each card at most ``per_day`` times a
    day: a learning step may bring it back the same day); the number of answers given."""
    given = 0
    names = {col.decks.name(col.get_card(cid).did).split("::")[0] for cid in col.find_cards("")}
    col.decks.select(col.decks.id(sorted(names)[0]))  # the deck our export made
    for day in range(days):
        seen: dict[int, int] = {}
        while (card := col.sched.getCard()) is not None and seen.get(card.id, 0) < per_day:
            seen[card.id] = seen.get(card.id, 0) + 1
            card.timer_started = time.time() - 8
            col.sched.answerCard(card, ratings[(given + day) % len(ratings)])  # type: ignore[arg-type]
            given += 1
        pass_days(col, 1)
    return given


def export(col: Collection, out: Path, *, legacy: bool = False, collection: bool = False,
           scheduling: bool = True) -> Path:
    if collection:
        col.export_collection_package(str(out), include_media=False, legacy=legacy)
    else:
        col.export_anki_package(out_path=str(out), options=ExportAnkiPackageOptions(
            with_scheduling=scheduling, with_deck_configs=scheduling, with_media=False,
            legacy=legacy), limit=None)
    return out
