"""Custom study (as in Anki): more new cards today, and the cards of a one-off session picked by
review ahead, forgotten lately or preview new (raw sqlite3, like app.db.study)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from app.clock import to_ms
from app.db.store import Store
from app.db.study import AVAILABLE, Scope, scope_where
from app.errors import AppError
from app.model import CardId

CustomKind = Literal["more_new", "review_ahead", "forgotten", "preview_new"]
#: The settings row holding today's extra new cards: {"day": <study day start, ms>, "count": N}.
EXTRA_NEW_KEY = "study.extra_new_today"
#: The bounds of each option's number (cards or days), as the dialog offers them.
AMOUNT_RANGES: dict[CustomKind, tuple[int, int]] = {
    "more_new": (1, 9999), "review_ahead": (1, 365), "forgotten": (1, 365),
    "preview_new": (1, 9999)}


@dataclass(frozen=True)
class CustomStudy:
    """One custom-study choice: what, and how many cards (more_new, preview_new) or days."""

    kind: CustomKind
    amount: int

    def checked(self) -> CustomStudy:
        low, high = AMOUNT_RANGES[self.kind]
        if not low <= self.amount <= high:
            raise AppError(f"Custom study: {self.amount} is out of range for {self.kind} "
                           f"(from {low} to {high}).")
        return self


def extra_new_today(store: Store, day_start: datetime) -> int:
    """New cards added to today's limit by custom study; 0 on any other study day."""
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?",
                             [EXTRA_NEW_KEY]).fetchone()
    if row is None:
        return 0
    try:
        value = json.loads(row[0])
        if value["day"] == to_ms(day_start):
            return max(0, int(value["count"]))
    except (TypeError, ValueError, KeyError):
        pass  # hand-edited or corrupted: no extra cards
    return 0


def add_new_today(store: Store, day_start: datetime, count: int) -> int:
    """Raise today's new-card limit by ``count`` (on top of what was added today already);
    it lapses when the study day ends. Returns today's extra now."""
    total = extra_new_today(store, day_start) + count
    with store.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                     "DO UPDATE SET value = excluded.value",
                     [EXTRA_NEW_KEY, json.dumps({"day": to_ms(day_start), "count": total})])
    return total


def _condition(choice: CustomStudy, day_start: datetime, day_end: datetime
               ) -> tuple[str, str, dict[str, object]]:
    """WHERE condition, ORDER BY and parameters of the cards a choice picks."""
    if choice.kind == "review_ahead":  # due today or in the next N study days
        return ("queue != 0 AND due < :until", "due",
                {"until": to_ms(day_end + timedelta(days=choice.amount))})
    if choice.kind == "forgotten":  # answered Again today or in the N - 1 days before
        return ("queue != 0 AND id IN (SELECT card_id FROM review_log WHERE rating = 1 "
                "AND reviewed_at >= :since)", "due",
                {"since": to_ms(day_start - timedelta(days=choice.amount - 1))})
    return "queue = 0", "deck_id, ord", {}  # new cards, in the order sessions introduce them


def custom_cards(store: Store, scope: Scope, choice: CustomStudy, now: datetime,
                 day_start: datetime, day_end: datetime) -> list[CardId]:
    """The cards of the scope a review-ahead, forgotten or preview choice studies, in order
    (suspended and buried cards left out). ``more_new`` picks none: it raises a limit."""
    choice.checked()
    if choice.kind == "more_new":
        return []
    condition, order, extra = _condition(choice, day_start, day_end)
    where, params = scope_where(scope)
    limit = " LIMIT :limit" if choice.kind == "preview_new" else ""
    rows = store.conn.execute(
        f"SELECT id FROM cards WHERE {condition} AND {AVAILABLE}{where} ORDER BY {order}{limit}",
        {**params, **extra, "now": to_ms(now), "limit": choice.amount}).fetchall()
    return [CardId(r[0]) for r in rows]


def custom_count(store: Store, scope: Scope, choice: CustomStudy, now: datetime,
                 day_start: datetime, day_end: datetime) -> int:
    """How many cards a choice would study now; for ``more_new``, the new cards there are."""
    if choice.kind == "more_new":
        choice = CustomStudy("preview_new", AMOUNT_RANGES["preview_new"][1])
    return len(custom_cards(store, scope, choice, now, day_start, day_end))
