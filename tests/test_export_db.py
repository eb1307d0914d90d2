"""What an export reads from the store (app.db.export): active cards in order, clozes, the log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.db import export as queries
from app.db import study as db
from app.db.browse import set_flag
from app.db.store import Store
from app.decks.library import USER, sync_decks
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DECK = """\
deck:
  id: {deck}
  title: {deck}
  version: 1
topics:
  - id: a
    title: A
    notes: About A.
    cards:
      - q: First?
        a: One.
      - cloze: "{{{{c1::x}}}} and {{{{c2::y}}}}"
      - q: Dropped later?
        a: Yes.
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    folder = tmp_path / "decks"
    folder.mkdir()
    for deck in ("one", "two"):
        (folder / f"{deck}.yaml").write_text(DECK.format(deck=deck), encoding="utf-8")
    made = Store.open(tmp_path / "data")
    assert sync_decks(made, [(folder, USER)], T0).problems == ()
    yield made
    made.close()


def answer(store: Store, card_id: str, at: datetime) -> None:
    card = db.get_card(store, card_id)
    assert card is not None
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, Grade.GOOD, at)
    db.record_answer(store, card, Grade.GOOD, after, at, 5_000, None)


def retire(store: Store, card_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE cards SET retired = 1 WHERE id = ?", [card_id])


def test_active_cards_are_the_decks_unretired_cards_in_outline_order(store: Store) -> None:
    ordered = [r[0] for r in store.conn.execute(
        "SELECT id FROM cards WHERE deck_id = 'one' ORDER BY ord, id")]
    assert len(ordered) == 5  # explain, qa 0, cloze c1 and c2, qa 2
    retire(store, "one/a/qa/2")
    rows = list(queries.active_cards(store, "one"))
    assert [r[0] for r in rows] == [c for c in ordered if c != "one/a/qa/2"]
    assert {r[1] for r in rows} == {"a"}
    first = next(r for r in rows if r[0] == "one/a/qa/0")
    assert first[2:6] == ("qa", "A", "First?", "One.")
    assert first[6:] == (0, None, None, None, None, None, 0, 0, 0, 0)  # new, unflagged
    set_flag(store, ["one/a/qa/0"], 3)
    flags = {r[0]: r[-1] for r in queries.active_cards(store, "one")}
    assert flags == {card_id: 3 if card_id == "one/a/qa/0" else 0 for card_id in flags}


def test_cloze_cards_are_the_active_cloze_cards_of_the_deck(store: Store) -> None:
    assert sorted(queries.cloze_cards(store, "one")) == [("one/a/cloze/1/c1", "a"),
                                                         ("one/a/cloze/1/c2", "a")]
    retire(store, "one/a/cloze/1/c2")
    assert queries.cloze_cards(store, "one") == [("one/a/cloze/1/c1", "a")]


def test_review_log_is_the_decks_reviews_oldest_first_retired_cards_included(
        store: Store) -> None:
    answer(store, "one/a/qa/2", T0 + timedelta(minutes=2))
    answer(store, "two/a/qa/0", T0 + timedelta(minutes=1))
    answer(store, "one/a/qa/0", T0 + timedelta(minutes=1))
    answer(store, "one/a/qa/0", T0 + timedelta(minutes=3))
    retire(store, "one/a/qa/2")
    log = list(queries.review_log(store, "one"))
    assert [(r[0], r[1]) for r in log] == [
        ("one/a/qa/0", int((T0 + timedelta(minutes=1)).timestamp() * 1000)),
        ("one/a/qa/2", int((T0 + timedelta(minutes=2)).timestamp() * 1000)),
        ("one/a/qa/0", int((T0 + timedelta(minutes=3)).timestamp() * 1000)),
    ]
    assert {r[2] for r in log} == {int(Grade.GOOD)}
    assert {r[3] for r in log} == {5_000}
