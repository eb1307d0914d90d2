"""Test data and helpers shared by several test modules: a small deck, step labels, a clock."""

from __future__ import annotations

import errno
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.clock import to_ms
from app.db.store import Store
from app.db.study import Scope
from app.model import DeckId, TopicId
from app.scheduling.scheduler import CardState

DEMO = DeckId("demo")

DECK = """\
deck:
  id: demo
  title: Demo
  version: 1
topics:
  - id: alpha
    title: Alpha
    notes: Alpha notes.
    ordered: true  # its children are asked in order (enum cards)
    children:
      - id: a-one
        title: One
        notes: First child.
      - id: a-two
        title: Two
        notes: Second child.
  - id: bravo
    title: Bravo
    notes: Bravo notes.
    cards:
      - q: What is B?
        a: The second letter.
"""

ALPHA = "demo/alpha/explain"
ENUM_ONE = "demo/alpha/enum/a-one"
ENUM_TWO = "demo/alpha/enum/a-two"
ONE = "demo/a-one/explain"
TWO = "demo/a-two/explain"
BRAVO = "demo/bravo/explain"
BRAVO_QA = "demo/bravo/qa/0"
IN_ORDER = [ALPHA, ENUM_ONE, ENUM_TWO, ONE, TWO, BRAVO, BRAVO_QA]
ALPHA_BRANCH = Scope(DEMO, frozenset({TopicId("alpha"), TopicId("a-one"), TopicId("a-two")}))

#: The nine steps as the tree labels them, in order.
STEP_LABELS = [
    "Step 1 Problem Formulation",
    "Step 2 Metrics (Offline and Online)",
    "Step 3 Architectural Components (MVP Logic)",
    "Step 4 Data Collection and Preparation",
    "Step 5 Feature Engineering",
    "Step 6 Model Development and Offline Evaluation",
    "Step 7 Prediction Service",
    "Step 8 Online Testing and Deployment",
    "Step 9 Scaling, Monitoring, and Updates",
]


class FakeClock:
    """An injected "now" that moves only when a test says so (tests never sleep)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def refuse_folder_fsync(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make ``os.fsync`` fail on folders, as some network and FUSE file systems do; files still
    sync. Returns the list of refused descriptors, so a test can check a folder sync was tried."""
    real = os.fsync
    refused: list[int] = []

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            refused.append(fd)
            raise OSError(errno.EINVAL, "Invalid argument")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return refused


def set_state(store: Store, card_id: str, state: CardState) -> None:
    """Put a card straight into a state (test set-up only; no review-log row)."""
    store.conn.execute(
        "UPDATE cards SET queue = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
        "last_review = ?, reps = ?, lapses = ? WHERE id = ?",
        [int(state.queue), state.step, state.stability, state.difficulty,
         None if state.due is None else to_ms(state.due),
         None if state.last_review is None else to_ms(state.last_review), state.reps,
         state.lapses, card_id])
    store.conn.commit()


def synced_demo_store(tmp_path: Path, synced_at: datetime) -> Store:
    """A store in ``tmp_path/data`` with :data:`DECK` synced as a user deck at ``synced_at``."""
    from app.decks.library import USER, sync_decks

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "deck.yaml").write_text(DECK, encoding="utf-8")
    opened = Store.open(tmp_path / "data")
    assert sync_decks(opened, [(folder, USER)], synced_at).problems == ()
    return opened
