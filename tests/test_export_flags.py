"""Card flags in Anki exports, checked with the real ``anki``: an export with progress carries
each card's flag into Anki, one without does not (as Anki's own export without scheduling), and
a round trip through Anki and back keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.collection import Collection
from anki_sim import anki_collection, export, import_with_scheduling

from app.clock import utc_now
from app.db import study as db
from app.db.browse import set_due_date, set_flag
from app.db.store import Store
from app.decks.library import USER, load_stored_deck, sync_decks
from app.export.anki_progress import card_guids, import_anki_progress
from app.export.package import export_deck
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

if TYPE_CHECKING:  # anki.cards cannot be imported first: it imports itself in a cycle
    from anki.cards import CardId

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # in the past: Anki refuses ids from the future
DECK = """\
deck:
  id: demo
  title: Demo
  version: 1
topics:
  - id: s1
    title: Framing
    notes: Frame the goal.
    cards:
      - q: What is the goal?
        a: The business metric.
      - cloze: "Precision = {{c1::TP / (TP + FP)}}; recall = {{c2::TP / (TP + FN)}}."
  - id: s2
    title: Metrics
    notes: Measure success.
  - id: s3
    title: Extra
    notes: More to read.
"""
NEW_QA = "demo/s1/qa/0"
C1, C2 = "demo/s1/cloze/1/c1", "demo/s1/cloze/1/c2"  # two cards of one Anki cloze note
REVIEWED = "demo/s2/explain"
SUSPENDED = "demo/s3/explain"
UNFLAGGED = "demo/s1/explain"
#: Red, orange, green, blue on a new card, both cards of a cloze note and a reviewed card;
#: purple (7, beyond the browser's menu but Anki's) on a suspended one.
FLAGS = {NEW_QA: 1, C1: 2, C2: 3, REVIEWED: 4, SUSPENDED: 7, UNFLAGGED: 0}
#: Anki note GUID -> {card ordinal: our card id} (a card id's third part is its kind).
GUIDS = card_guids([(card_id, card_id.split("/")[2]) for card_id in FLAGS])


@dataclass(frozen=True)
class Seen:
    """One of our cards as Anki has it."""

    flags: int      # the raw column: the flag in its low 3 bits
    user_flag: int  # what Anki's browser shows
    queue: int


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    """A data folder whose demo deck has the cards of FLAGS flagged, one reviewed and one
    reviewed then suspended."""
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DECK, encoding="utf-8")
    data = tmp_path / "data"
    store = Store.open(data)
    try:
        assert sync_decks(store, [(folder, USER)], T0 - timedelta(days=1)).problems == ()
        assert {r[0] for r in store.conn.execute("SELECT id FROM cards")} == set(FLAGS)
        for card_id in (REVIEWED, SUSPENDED):
            card = db.get_card(store, card_id)
            assert card is not None
            after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, Grade.EASY, T0)
            db.record_answer(store, card, Grade.EASY, after, T0, 8_000, None)
        db.set_suspended(store, [SUSPENDED], True)
        for card_id, flag in FLAGS.items():
            set_flag(store, [card_id], flag)
    finally:
        store.close()
    yield data


def _export(data: Path, out: Path, *, with_progress: bool) -> Path:
    store = Store.open(data)
    try:
        return export_deck(store, load_stored_deck(store, "demo"), out,
                           now=T0 + timedelta(hours=1), with_progress=with_progress).path
    finally:
        store.close()


def _our_id(col: Collection, cid: CardId) -> str:
    """Our card id of the Anki card ``cid``."""
    card = col.get_card(cid)
    return GUIDS[card.note().guid][card.ord]


def _seen(col: Collection) -> dict[str, Seen]:
    """Our cards in the collection, by our card id; every card of it must be one of ours."""
    seen: dict[str, Seen] = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        seen[_our_id(col, cid)] = Seen(card.flags, card.user_flag(), card.queue)
    assert set(seen) == set(FLAGS)
    return seen


def _our_flags(data: Path) -> dict[str, int]:
    store = Store.open(data)
    try:
        return dict(store.conn.execute("SELECT id, flag FROM cards").fetchall())
    finally:
        store.close()


def test_an_export_with_progress_gives_each_card_its_flag_in_anki(data: Path,
                                                                   tmp_path: Path) -> None:
    package = _export(data, tmp_path / "progress.apkg", with_progress=True)
    with anki_collection(tmp_path / "anki") as col:
        import_with_scheduling(col, package)
        seen = _seen(col)
        # Anki's colours, card by card (the two cards of the cloze note apart), in the low bits.
        assert {card_id: s.user_flag for card_id, s in seen.items()} == FLAGS
        assert {card_id: s.flags for card_id, s in seen.items()} == FLAGS
        # The flag does not disturb the schedule: the suspended card stays out of the queue.
        assert seen[SUSPENDED].queue == -1
        assert seen[REVIEWED].queue == 2 and seen[NEW_QA].queue == 0
        # Anki's own search by flag finds them.
        for card_id in (NEW_QA, C1, C2, REVIEWED, SUSPENDED):
            found = col.find_cards(f"flag:{FLAGS[card_id]}")
            assert [_our_id(col, cid) for cid in found] == [card_id]


def test_an_export_without_progress_leaves_flags_out_as_ankis_own_does(data: Path,
                                                                        tmp_path: Path) -> None:
    with anki_collection(tmp_path / "flagged") as col:
        import_with_scheduling(col, _export(data, tmp_path / "progress.apkg",
                                            with_progress=True))
        assert {s.user_flag for s in _seen(col).values()} == {0, 1, 2, 3, 4, 7}
        # What Anki does: its export without scheduling information drops the flags.
        theirs = export(col, tmp_path / "anki-plain.apkg", scheduling=False)
    with anki_collection(tmp_path / "from-anki") as col:
        import_with_scheduling(col, theirs)
        assert {s.flags for s in _seen(col).values()} == {0}
    # And so does ours without progress, even when Anki is asked to import the progress.
    with anki_collection(tmp_path / "from-us") as col:
        import_with_scheduling(col, _export(data, tmp_path / "plain.apkg", with_progress=False))
        seen = _seen(col)
        assert {s.flags for s in seen.values()} == {0}
        assert {s.queue for s in seen.values()} == {0}  # all new: no schedule either


def test_flags_survive_a_round_trip_through_anki_and_a_change_there_comes_back(
        data: Path, tmp_path: Path) -> None:
    package = _export(data, tmp_path / "progress.apkg", with_progress=True)
    with anki_collection(tmp_path / "anki") as col:
        import_with_scheduling(col, package)
        by_id = {_our_id(col, cid): cid for cid in col.find_cards("")}
        # In Anki: the blue card turns red; another card is answered (new progress to bring).
        col.set_user_flag_for_cards(1, [by_id[REVIEWED]])
        card = col.get_card(by_id[UNFLAGGED])
        card.start_timer()
        col.sched.answerCard(card, 3)  # type: ignore[arg-type]
        back = export(col, tmp_path / "back.apkg")  # with scheduling information
    store = Store.open(data)
    try:
        report = import_anki_progress(store, data, back, now=utc_now())
    finally:
        store.close()
    assert report.reviews_added == 1
    assert report.flags_changed == 1  # only the one changed in Anki; the rest agreed
    assert _our_flags(data) == {**FLAGS, REVIEWED: 1}


def test_a_new_card_given_a_due_date_reaches_anki_as_a_review_card(data: Path,
                                                                   tmp_path: Path) -> None:
    """The browser's Set Due Date makes a new card a review card with a memory state and no
    answer in the log: an export with progress must still give Anki a review card due that day
    with that memory state (none of the export's review-log paths may assume a history)."""
    store = Store.open(data)
    try:
        assert set_due_date(store, [NEW_QA], (5, 5), T0, UTC, 4) == (1, 1)
        state = db.get_card(store, NEW_QA)
        assert state is not None and state.state.stability is not None
    finally:
        store.close()
    package = _export(data, tmp_path / "progress.apkg", with_progress=True)
    with anki_collection(tmp_path / "anki") as col:
        import_with_scheduling(col, package)
        [cid] = [c for c in col.find_cards("") if _our_id(col, c) == NEW_QA]
        card = col.get_card(cid)
        assert card.queue == 2 and card.type == 2  # review, not new
        assert card.ivl == 5
        assert card.memory_state is not None
        assert card.memory_state.stability == pytest.approx(state.state.stability, rel=1e-3)
        assert card.memory_state.difficulty == pytest.approx(state.state.difficulty, rel=1e-3)
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", cid) == 0
