"""Card search on a real SQLite file: every kind of term, the FTS index kept exact, sorting."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.clock import to_ms
from app.db import study
from app.db.search import SORT_KEYS, CardRow, FoundCards, find_cards, search_cards
from app.db.store import Store
from app.decks.library import USER, sync_decks
from app.decks.query import SearchError
from app.scheduling.scheduler import CardState, Grade, Queue, study_day

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DAY = study_day(NOW, UTC)
DECK = """\
deck:
  id: ml
  title: ML
  version: 1
topics:
  - id: metrics
    title: Metrics
    step: 2
    notes: Offline metrics such as précision and recall; online metrics such as CTR.
    cards:
      - q: What does NDCG reward?
        a: Relevant items ranked near the top.
      - q: Which metric suits imbalanced classes?
        a: The area under the precision-recall curve.
    children:
      - id: ranking
        title: Ranking metrics
        cards:
          - q: What is MRR?
            a: Mean reciprocal rank of the first relevant item.
  - id: serving
    title: Prediction service
    step: 7
    notes: Batch or online prediction, behind a feature store.
    cards:
      - q: When is batch prediction enough?
        a: When features change slowly.
"""
OTHER = """\
deck:
  id: notes
  title: Notes
  version: 1
topics:
  - id: misc
    title: Miscellany
    cards:
      - q: What keeps latency low?
        a: Caching and a feature store.
"""


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    decks = tmp_path / "decks"
    _write(decks, "ml.yaml", DECK)
    _write(decks, "notes.yaml", OTHER)
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(decks, USER)], NOW).problems == ()
    yield opened
    opened.close()


def ids(store: Store, query: str) -> set[str]:
    return set(find_cards(store, query, NOW, DAY))


def fronts(store: Store, query: str) -> set[str]:
    return {row.front for row in search_cards(store, query, NOW, DAY)}


def qa(deck: str, topic: str, index: int) -> str:
    return f"{deck}/{topic}/qa/{index}"


def answer(store: Store, card_id: str, state: CardState, grade: Grade = Grade.GOOD,
           at: datetime = NOW) -> None:
    """Store a new state for a card through the answer path, with its review-log row."""
    card = study.get_card(store, card_id)
    assert card is not None
    study.record_answer(store, card, grade, state, at, 3000, None)


def review_state(due: datetime, interval_days: int, lapses: int = 0, reps: int = 3,
                 stability: float = 10.0, difficulty: float = 5.0) -> CardState:
    return CardState(queue=Queue.REVIEW, stability=stability, difficulty=difficulty, due=due,
                     last_review=due - timedelta(days=interval_days), reps=reps, lapses=lapses)


def check_index(store: Store) -> None:
    """FTS5's own check that the index holds exactly the text of the view (raises if not)."""
    store.conn.execute("INSERT INTO card_search (card_search, rank) VALUES ('integrity-check', 1)")


# --- free text -----------------------------------------------------------------------------------

def test_free_text_searches_front_back_topic_title_and_explanation(store: Store) -> None:
    assert ids(store, "NDCG") == {qa("ml", "metrics", 0)}                 # front
    assert ids(store, "reciprocal") == {qa("ml", "ranking", 0)}           # back
    assert qa("ml", "ranking", 0) in ids(store, "ranking")                # topic title
    assert ids(store, "CTR") >= {qa("ml", "metrics", 0), qa("ml", "metrics", 1)}  # explanation
    assert not ids(store, "zebra")


def test_words_match_word_starts_without_case_or_accents(store: Store) -> None:
    assert ids(store, "reciproc") == ids(store, "RECIPROCAL") == {qa("ml", "ranking", 0)}
    assert qa("ml", "metrics", 0) in ids(store, "precision")  # the notes say "précision"
    assert not ids(store, "eciprocal")  # not a substring in the middle of a word


def test_each_word_may_be_in_another_field_but_a_phrase_is_in_order(store: Store) -> None:
    # "batch" is in the front, "slowly" in the back: both words are enough.
    assert ids(store, "batch slowly") == {qa("ml", "serving", 0)}
    # In the serving topic's explanation (so all its cards) and in the other deck's back.
    assert ids(store, '"feature store"') == ids(store, "topic:serving") | {qa("notes", "misc", 0)}
    assert not ids(store, '"store feature"')
    assert ids(store, '"mean reciprocal rank"') == {qa("ml", "ranking", 0)}
    # Words and phrases of one AND are matched together; a negated word stays apart.
    assert ids(store, '"feature store" latency') == {qa("notes", "misc", 0)}
    assert ids(store, '"feature store" -latency') == ids(store, "topic:serving")
    assert ids(store, "caching store is:new") == {qa("notes", "misc", 0)}


# --- combining -----------------------------------------------------------------------------------

def test_or_negation_and_parentheses(store: Store) -> None:
    every = ids(store, "")
    assert len(every) == len(store.conn.execute(
        "SELECT id FROM cards WHERE retired = 0").fetchall())
    assert ids(store, "NDCG or MRR") == {qa("ml", "metrics", 0), qa("ml", "ranking", 0)}
    assert ids(store, "-NDCG") == every - {qa("ml", "metrics", 0)}
    assert ids(store, "(NDCG or MRR) -reciprocal") == {qa("ml", "metrics", 0)}
    assert ids(store, "-(NDCG or MRR)") == every - {qa("ml", "metrics", 0), qa("ml", "ranking", 0)}
    assert ids(store, "store and latency") == {qa("notes", "misc", 0)}


# --- where a card is -----------------------------------------------------------------------------

def test_deck_topic_with_its_subtree_and_step(store: Store) -> None:
    assert ids(store, "deck:notes") == {qa("notes", "misc", 0)}
    metrics_branch = ids(store, "topic:metrics")
    assert {qa("ml", "metrics", 0), qa("ml", "metrics", 1), qa("ml", "ranking", 0)} \
        <= metrics_branch
    assert all(card.startswith(("ml/metrics/", "ml/ranking/")) for card in metrics_branch)
    assert ids(store, "topic:ranking") == {c for c in metrics_branch
                                           if c.startswith("ml/ranking/")}
    assert ids(store, "step:2") == metrics_branch
    assert ids(store, "step:7") == {c for c in ids(store, "deck:ml")
                                    if c.startswith("ml/serving/")}
    assert not ids(store, "step:3")


def test_unknown_deck_or_topic_names_the_token_and_the_ids(store: Store) -> None:
    with pytest.raises(SearchError) as caught:
        find_cards(store, "is:new deck:nope", NOW, DAY)
    assert str(caught.value) == ("search: 'deck:nope' at column 8: no deck 'nope'; the decks "
                                 "are: ml, notes")
    with pytest.raises(SearchError, match="'topic:nope' at column 1: no topic 'nope'"):
        find_cards(store, "topic:nope", NOW, DAY)


# --- state and properties ------------------------------------------------------------------------

def test_states_due_learning_review_suspended_buried(store: Store) -> None:
    due_today, due_later, learning = (qa("ml", "metrics", 0), qa("ml", "metrics", 1),
                                      qa("ml", "ranking", 0))
    answer(store, due_today, review_state(DAY.end - timedelta(hours=1), 5))
    answer(store, due_later, review_state(NOW + timedelta(days=3), 5))
    answer(store, learning, CardState(queue=Queue.LEARNING, step=0, stability=1.0,
                                      difficulty=5.0, due=NOW + timedelta(minutes=10),
                                      last_review=NOW, reps=1))
    every = ids(store, "")
    assert ids(store, "is:due") == {due_today, learning}
    assert ids(store, "is:review") == {due_today, due_later}
    assert ids(store, "is:learn") == {learning}
    assert ids(store, "is:new") == every - {due_today, due_later, learning}
    study.set_suspended(store, [due_today], True)
    study.bury(store, [learning], DAY.end)
    assert ids(store, "is:suspended") == {due_today}
    assert ids(store, "is:buried") == {learning}
    assert ids(store, "is:due") == set()  # suspended and buried cards wait
    assert ids(store, "-is:buried -is:suspended") == every - {due_today, learning}
    study.unbury(store, [learning])
    assert ids(store, "is:due") == {learning}


def test_properties_compare_interval_lapses_reps_stability_difficulty(store: Store) -> None:
    short, long_ = qa("ml", "metrics", 0), qa("ml", "ranking", 0)
    answer(store, short, review_state(NOW + timedelta(days=2), 3, lapses=2, reps=9,
                                      stability=3.0, difficulty=8.0))
    answer(store, long_, review_state(NOW + timedelta(days=30), 40, reps=4, stability=45.0,
                                      difficulty=2.0))
    assert ids(store, "prop:ivl>10") == {long_}
    assert ids(store, "prop:ivl=3") == {short}
    assert ids(store, "prop:ivl>=3") == {short, long_}
    assert ids(store, "prop:lapses>1") == {short}
    assert qa("ml", "serving", 0) in ids(store, "prop:lapses=0")  # a new card has none
    assert ids(store, "prop:reps<5 -is:new") == {long_}
    assert ids(store, "prop:s>10") == {long_}
    assert ids(store, "prop:d>=8") == {short}
    # A new card has no stability: -prop:s>10 finds it (it is not over 10).
    assert qa("ml", "serving", 0) in ids(store, "-prop:s>10")


def test_rated_counts_study_days_back_with_an_optional_grade(store: Store) -> None:
    today, yesterday, old = qa("ml", "metrics", 0), qa("ml", "metrics", 1), qa("ml", "ranking", 0)
    answer(store, today, review_state(NOW + timedelta(days=3), 3), Grade.AGAIN, NOW)
    answer(store, yesterday, review_state(NOW + timedelta(days=3), 3), Grade.GOOD,
           DAY.start - timedelta(hours=1))
    answer(store, old, review_state(NOW + timedelta(days=3), 3), Grade.GOOD,
           NOW - timedelta(days=10))
    assert ids(store, "rated:1") == {today}
    assert ids(store, "rated:2") == {today, yesterday}
    assert ids(store, "rated:30") == {today, yesterday, old}
    assert ids(store, "rated:30:1") == {today}
    assert ids(store, "rated:30:3") == {yesterday, old}


def test_flags(store: Store) -> None:
    card = qa("ml", "metrics", 1)
    with store.transaction() as conn:  # flags are set by the Anki import (issue 19) for now
        conn.execute("UPDATE cards SET flag = 3 WHERE id = ?", [card])
    assert ids(store, "flag:3") == {card}
    assert card not in ids(store, "flag:0")


# --- what is hidden, and the index kept exact ----------------------------------------------------

def test_retired_cards_and_missing_decks_are_not_found(store: Store, tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    mrr = ("        cards:\n          - q: What is MRR?\n            a: Mean reciprocal rank "
           "of the first relevant item.\n")
    assert mrr in DECK
    _write(decks, "ml.yaml", DECK.replace(mrr, ""))
    (decks / "notes.yaml").unlink()
    assert sync_decks(store, [(decks, USER)], NOW).problems == ()
    assert not ids(store, "reciprocal")  # retired with its history
    assert not ids(store, "latency")     # its deck file is gone
    with pytest.raises(SearchError, match=r"the decks are: ml$"):
        find_cards(store, "deck:notes", NOW, DAY)
    check_index(store)


def test_retiring_and_bringing_back_cards_keeps_the_index_exact(store: Store,
                                                                tmp_path: Path) -> None:
    """The index holds only cards not retired (so words are answered by it alone): retiring
    takes a card out, a sync that brings it back with new text puts that text in, and a topic
    edited while one of its cards is retired re-indexes only the others."""
    decks = tmp_path / "decks"
    mrr = qa("ml", "ranking", 0)
    gone = DECK.replace("        cards:\n          - q: What is MRR?\n            a: Mean "
                        "reciprocal rank of the first relevant item.\n", "")
    assert gone != DECK
    _write(decks, "ml.yaml", gone.replace("title: Ranking metrics", "title: Ranked lists"))
    assert sync_decks(store, [(decks, USER)], NOW).problems == ()
    check_index(store)
    assert store.conn.execute("SELECT retired FROM cards WHERE id = ?", [mrr]).fetchone() == (1,)
    assert not ids(store, "reciprocal")
    assert ids(store, "ranked") and mrr not in ids(store, "ranked")  # the topic's new title
    _write(decks, "ml.yaml", DECK.replace("Mean reciprocal rank", "Mean reciprocal ranking"))
    assert sync_decks(store, [(decks, USER)], NOW + timedelta(hours=1)).problems == ()
    check_index(store)
    assert store.conn.execute("SELECT retired FROM cards WHERE id = ?", [mrr]).fetchone() == (0,)
    assert mrr in ids(store, "reciprocal ranking")
    assert mrr in ids(store, "ranking metrics")  # its topic's title, back as it was


def test_edited_text_is_found_and_the_old_text_is_not(store: Store, tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    _write(decks, "ml.yaml", DECK.replace("online metrics such as CTR", "online metrics like "
                                          "dwell time").replace("Relevant items ranked",
                                                                "Graded relevance ranked"))
    before = ids(store, "NDCG")
    answer(store, qa("ml", "metrics", 0), review_state(NOW + timedelta(days=3), 3))  # not text
    assert sync_decks(store, [(decks, USER)], NOW + timedelta(hours=1)).problems == ()
    assert not ids(store, "CTR")
    assert ids(store, "dwell") >= {qa("ml", "metrics", 0), qa("ml", "metrics", 1)}
    assert ids(store, "graded") == {qa("ml", "metrics", 0)}
    assert ids(store, "NDCG") == before
    check_index(store)


def test_a_wrong_index_is_caught_by_the_check(store: Store) -> None:
    """The integrity check the tests rely on does fail when the index disagrees with the text."""
    with store.transaction() as conn:
        conn.execute("DROP TRIGGER card_search_card_changed")
        conn.execute("UPDATE cards SET prompt = 'changed' WHERE id = ?", [qa("ml", "metrics", 0)])
    with pytest.raises(sqlite3.DatabaseError, match=r"malformed|corrupt"):
        check_index(store)


def test_unsorted_ids_are_the_sorted_ones_each_once(store: Store) -> None:
    """Unsorted ids come back as one joined string, the words of the top level drive a join:
    the same cards, each once, as the sorted path (one row per card) finds."""
    answer(store, qa("ml", "metrics", 0), review_state(NOW - timedelta(days=1), 3))
    for query in ("", "metrics", "metrics is:due", "feature store", "-metrics", "ndcg or latency",
                  '"feature store" -deck:notes', "step:2 precision", "(metrics) recall"):
        unsorted = find_cards(store, query, NOW, DAY)
        assert len(unsorted) == len(set(unsorted)), query
        assert set(unsorted) == set(find_cards(store, query, NOW, DAY, order="outline")), query
        assert set(unsorted) == {row.id for row in search_cards(store, query, NOW, DAY)}, query
    assert set(find_cards(store, "metrics", NOW, DAY)) == {
        qa("ml", "metrics", 0), qa("ml", "metrics", 1), qa("ml", "ranking", 0)} | {
        card for card in ids(store, "") if card.startswith("ml/metrics/")
        or card.startswith("ml/ranking/")}


def test_an_id_holding_the_separator_comes_back_whole(store: Store) -> None:
    odd = "ml/serving/qa/\x1fodd"
    with store.transaction() as conn:
        conn.execute("UPDATE cards SET id = ? WHERE id = ?", [odd, qa("ml", "serving", 0)])
    assert odd in find_cards(store, "batch", NOW, DAY)
    assert odd in find_cards(store, "", NOW, DAY)


def test_found_cards_read_their_ids_a_page_at_a_time(store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A search's result is a sequence of ids read when asked for (from rowids): indexing,
    slices and iteration across pages and batches of pages give the ids of the sorted path."""
    monkeypatch.setattr(FoundCards, "PAGE", 2)
    monkeypatch.setattr(FoundCards, "BATCH", 2)
    for query in ("metrics or batch or latency", ""):  # words (rowids), no words (ids at once)
        for order in (None, "outline", "front"):
            expected = list(search_cards(store, query, NOW, DAY, order=order or "outline"))
            found = find_cards(store, query, NOW, DAY, order=order)  # type: ignore[arg-type]
            if order is not None:
                assert [row.id for row in expected] == list(found), (query, order)
            wanted = list(found)
            assert len(wanted) == len(found) == len(expected) >= 5, (query, order)
            assert sorted(wanted) == sorted(row.id for row in expected)
            fresh = find_cards(store, query, NOW, DAY, order=order)  # type: ignore[arg-type]
            assert [fresh[i] for i in range(len(fresh))] == wanted  # one page at a time
            assert fresh[-1] == wanted[-1] and fresh[1:4] == wanted[1:4]
            assert fresh[::2] == wanted[::2]
            assert fresh == wanted and wanted == fresh and fresh != wanted[:-1]
            with pytest.raises(IndexError):
                fresh[len(wanted)]


def test_a_card_gone_since_the_search_reads_as_empty(store: Store) -> None:
    found = find_cards(store, "metrics", NOW, DAY)
    first = found.rowids[0]
    with store.transaction() as conn:
        conn.execute("DELETE FROM cards WHERE rowid = ?", [first])
    assert "" in list(found) and len(found) == len(set(found))


# --- rows and sorting ----------------------------------------------------------------------------

def test_rows_carry_the_browser_columns(store: Store) -> None:
    card = qa("ml", "ranking", 0)
    due = NOW + timedelta(days=6)
    answer(store, card, review_state(due, 6, lapses=1, reps=5, stability=7.5, difficulty=4.0))
    [row] = search_cards(store, "MRR", NOW, DAY)
    assert (row.id, row.deck_id, row.topic_id, row.front, row.topic) == (
        card, "ml", "ranking", "What is MRR?", "Ranking metrics")
    assert (row.queue, row.due, row.interval, row.stability, row.difficulty, row.reviews,
            row.lapses, row.suspended, row.buried, row.flag) == (
        Queue.REVIEW, datetime.fromtimestamp(to_ms(due) / 1000, UTC), 6, 7.5, 4.0, 5, 1,
        False, False, 0)
    [step_row] = search_cards(store, "NDCG", NOW, DAY)
    assert step_row.topic == "Step 2 Metrics"


def test_every_sort_key_sorts_both_ways(store: Store) -> None:
    answer(store, qa("ml", "metrics", 0), review_state(NOW + timedelta(days=2), 2, lapses=3,
                                                       reps=4, stability=2.0, difficulty=9.0))
    answer(store, qa("ml", "ranking", 0), review_state(NOW + timedelta(days=20), 20, lapses=1,
                                                       reps=8, stability=25.0, difficulty=3.0))
    values: dict[str, Callable[[CardRow], Any]] = {
        "front": lambda r: r.front.lower(), "topic": lambda r: r.topic.removeprefix(
            "Step 2 ").removeprefix("Step 7 ").lower(),
        "due": lambda r: r.due, "interval": lambda r: r.interval,
        "stability": lambda r: r.stability, "difficulty": lambda r: r.difficulty,
        "reviews": lambda r: r.reviews, "lapses": lambda r: r.lapses,
    }
    assert set(values) == set(SORT_KEYS)
    for key, value in values.items():
        rows = search_cards(store, "deck:ml", NOW, DAY, order=key)  # type: ignore[arg-type]
        known = [value(r) for r in rows if value(r) is not None]
        assert known == sorted(known), key
        assert all(value(r) is None for r in rows[len(known):]), f"{key}: empty ones last"
        down = [value(r) for r in search_cards(store, "deck:ml", NOW, DAY, order=key,  # type: ignore[arg-type]
                                               descending=True) if value(r) is not None]
        assert down == sorted(known, reverse=True), key
        assert find_cards(store, "deck:ml", NOW, DAY, order=key) == [  # type: ignore[arg-type]
            r.id for r in rows]


def test_outline_order_and_paging(store: Store) -> None:
    rows = search_cards(store, "", NOW, DAY)
    assert [r.id for r in rows] == find_cards(store, "", NOW, DAY, order="outline")
    assert [r.deck_id for r in rows] == sorted(r.deck_id for r in rows)
    page = search_cards(store, "", NOW, DAY, limit=2, offset=1)
    assert [r.id for r in page] == [r.id for r in rows[1:3]]
    with pytest.raises(ValueError, match="cannot sort by 'colour'"):
        find_cards(store, "", NOW, DAY, order="colour")  # type: ignore[arg-type]
