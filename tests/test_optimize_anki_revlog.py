"""Our FSRS training items against the ones Anki builds from its own review log: the same
simulated answers written into an Anki collection's revlog make as many items, and every
parameter set scores the same on Anki's items as on ours (scores depend on the items' order)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

import pytest
from anki.collection import Collection
from fsrs_sim import histories

from app.scheduling.optimizer import DEFAULT_PARAMETERS, fit_parameters, score, training_items

HISTORIES = histories(600, 300)
NOTE_IDS = 1_600_000_000_000  # note and card id of the first history's card; one per history


def anki_local() -> tzinfo:
    """The UTC offset Anki's study days follow: the machine's, now. Anki counts whole days of
    86,400 s back from its next day start, so a fixed offset reproduces its day numbers."""
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def anki_collection_with(found: Sequence[Sequence[tuple[int, int]]], path: Path) -> Collection:
    """An Anki collection at ``path`` with one Basic note and card per history and its answers
    in the revlog, as Anki writes them: the first a learning step (type 0), an answer after an
    Again a relearning step (2), the rest reviews (1); ivl the days to the next answer. Written
    with plain sqlite3 in one transaction (Anki's own add_note takes minutes for 100,000)."""
    col = Collection(str(path))
    model = col.models.by_name("Basic")
    assert model is not None
    deck_id = col.decks.id("Bench")
    col.close()
    notes, cards, revlog = [], [], []
    used: set[int] = set()
    for i, history in enumerate(found):
        cid = NOTE_IDS + i
        notes.append((cid, f"g{i}", model["id"], 0, 0, "", f"Q{i}\x1fA{i}", f"Q{i}", 0, 0, ""))
        cards.append((cid, cid, deck_id, 0, 0, 0, 2, 2, 0, 1, 2500, len(history), 0, 0, 0, 0,
                      0, ""))
        last_ivl, previous = 0, 0
        for k, (at, rating) in enumerate(history):
            revlog_id = at
            while revlog_id in used:  # Anki's ids are unique: a clash moves on by a millisecond
                revlog_id += 1
            used.add(revlog_id)
            ivl = ((history[k + 1][0] - at) // 86_400_000) if k + 1 < len(history) else 1
            kind = 0 if k == 0 else 2 if previous == 1 else 1
            revlog.append((revlog_id, cid, 0, rating, ivl, last_ivl, 0 if k == 0 else 2500,
                           5000, kind))
            last_ivl, previous = ivl, rating
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", notes)
        conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                         "?, ?, ?)", cards)
        conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
                         "type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog)
    conn.close()
    return Collection(str(path))


def test_anki_builds_our_items_from_its_review_log(tmp_path: Path) -> None:
    local = anki_local()
    items = training_items(HISTORIES, local, 4)
    fitted = fit_parameters(HISTORIES, local, 4).after
    col = anki_collection_with(HISTORIES, tmp_path / "collection.anki2")
    try:
        assert col.get_config("rollover", 4) == 4
        optimised = col._backend.compute_fsrs_params(
            search="", current_params=list(DEFAULT_PARAMETERS), ignore_revlogs_before_ms=0,
            num_of_relearning_steps=1, health_check=False)
        assert optimised.fsrs_items == len(items)
        for parameters in (DEFAULT_PARAMETERS, fitted, tuple(optimised.params)):
            on_ankis = col._backend.evaluate_params_legacy(
                params=list(parameters), search="", ignore_revlogs_before_ms=0)
            # fsrs-rs sums the RMSE's bins in parallel: its last bits vary from call to call.
            assert (on_ankis.log_loss, on_ankis.rmse_bins) == pytest.approx(
                score(parameters, items), rel=1e-6)
    finally:
        col.close()
