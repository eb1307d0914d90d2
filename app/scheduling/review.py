"""A review session as a state machine: it decides, stores every answer, and returns plain state.

The screen only shows :class:`ReviewView` and forwards key presses. Every answer is committed
(card state, review-log row, buried siblings) before the next card is chosen.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from app.clock import from_ms, to_ms
from app.db import study as db
from app.db.store import Store
from app.db.study import LoggedAnswer, Scope, StudyCard
from app.errors import StoreError
from app.model import CardId
from app.plural import counted
from app.scheduling.overview import Counts as Counts
from app.scheduling.overview import next_due, study_queues
from app.scheduling.scheduler import (
    CardState,
    Fsrs,
    Grade,
    Queue,
    format_interval,
    study_day,
)

#: "study": the due and new cards of a scope under the daily limits; "filtered": every card of
#: the scope now, due or not, each answer a real FSRS review (Anki's filtered deck: an early
#: review for a card not yet due); "cram": every card, nothing scheduled.
Mode = Literal["study", "filtered", "cram"]
LEARN_AHEAD = timedelta(minutes=20)
MAX_DURATION_MS = 60 * 60 * 1000  # a card left open for hours is not an hour of thinking
CRAM_AGAIN_GAP, CRAM_HARD_GAP = 3, 6  # cram: show an Again card again after 3 others

GRADE_LABELS = {Grade.AGAIN: "Again", Grade.HARD: "Hard", Grade.GOOD: "Good", Grade.EASY: "Easy"}
_SAFE = "Everything done before it is saved."


def _not_saved(what: str, error: StoreError, then: str) -> StoreError:
    """The store's reason, told as what happened to the person's action and what comes next."""
    return StoreError(f"{what} {error.message} {then} {_SAFE}")


@dataclass(frozen=True)
class Button:
    grade: Grade
    label: str
    interval: str  # "10m", "3d"; in cram mode what happens to the card ("again", "done")


@dataclass(frozen=True)
class Summary:
    answered: int
    again: int
    seconds: float

    @property
    def pass_rate(self) -> float | None:
        return None if not self.answered else (self.answered - self.again) / self.answered


@dataclass(frozen=True)
class ReviewView:
    """Everything the review screen needs, as plain values."""

    mode: Mode
    card: StudyCard | None
    revealed: bool
    counts: Counts
    buttons: tuple[Button, ...]
    summary: Summary
    message: str
    can_undo: bool
    #: What the last bury, suspension or undo did, to confirm it ("Card suspended.").
    notice: str = ""
    #: On the finished screen: when the scope next has a card to study, and its buried cards.
    next_due: datetime | None = None
    buried: int = 0

    @property
    def finished(self) -> bool:
        return self.card is None


@dataclass(frozen=True)
class _Undo:
    kind: Literal["answer", "cram", "suspend", "bury"]
    card: StudyCard
    logged: LoggedAnswer | None = None
    cram_log: int = 0
    cram_queue: tuple[CardId, ...] = ()
    duration_ms: int = 0
    grade: Grade = Grade.GOOD


def _undone(last: _Undo) -> str:
    """The notice for an undo: what was taken back, on which card."""
    what = {"suspend": "suspension", "bury": "bury"}.get(last.kind, GRADE_LABELS[last.grade])
    words = " ".join(last.card.prompt.replace("*", "").split())
    return f"Undid: {what} on “{words if len(words) <= 48 else words[:47] + '…'}”"


class ReviewSession:
    """Due and new cards of a scope ("study"), all of them now ("filtered"), or all of them
    without scheduling ("cram")."""

    def __init__(self, store: Store, fsrs: Fsrs, scope: Scope, now: datetime,
                 local: tzinfo, mode: Mode = "study") -> None:
        self.store = store
        self.fsrs = fsrs
        self.scope = scope
        self.mode: Mode = mode
        self.local = local
        # Queues hold ids only (learning as a heap of (due ms, id)); a card's row is read when
        # it is shown, so building a queue of thousands of due cards stays cheap.
        self._learning: list[tuple[int, CardId]] = []
        self._reviews: deque[CardId] = deque()
        self._new: deque[CardId] = deque()
        self._cram: deque[CardId] = deque()
        self._filtered: deque[CardId] = deque()
        self._pending: dict[CardId, Queue] = {}
        self._counts = {Queue.NEW: 0, Queue.LEARNING: 0, Queue.REVIEW: 0}
        self._current: StudyCard | None = None
        self._revealed = False
        self._shown_at = now
        self._preview: dict[Grade, CardState] = {}
        self._undo: list[_Undo] = []
        self._notice = ""
        self._answered = 0
        self._again = 0
        self._milliseconds = 0
        self._build(now)
        self._advance(now)

    # --- queue -----------------------------------------------------------------------------------

    def _build(self, now: datetime) -> None:
        """Load the queue from the store (at start and after an undo)."""
        self._learning.clear()
        self._reviews.clear()
        self._new.clear()
        self._cram.clear()
        self._filtered.clear()
        self._pending.clear()
        self._counts = {Queue.NEW: 0, Queue.LEARNING: 0, Queue.REVIEW: 0}
        if self.mode == "cram":
            self._cram.extend(i for _, i in db.queue_ids(self.store, self.scope, "cram", now))
            return
        if self.mode == "filtered":
            for queue, card_id in db.filtered_ids(self.store, self.scope, now):
                self._filtered.append(card_id)
                self._track(card_id, Queue.LEARNING if queue == Queue.RELEARNING else queue)
            return
        queues = study_queues(self.store, self.scope, self.fsrs.settings, now, self.local)
        for due, card_id in queues.learning:
            self._learning.append((due or 0, card_id))
            self._track(card_id, Queue.LEARNING)
        heapq.heapify(self._learning)
        for _, card_id in queues.review:
            self._reviews.append(card_id)
            self._track(card_id, Queue.REVIEW)
        for _, card_id in queues.new:
            self._new.append(card_id)
            self._track(card_id, Queue.NEW)

    def _track(self, card_id: CardId, queue: Queue) -> None:
        self._pending[card_id] = queue
        self._counts[queue] += 1

    def _untrack(self, card_id: CardId) -> bool:
        queue = self._pending.pop(card_id, None)
        if queue is None:
            return False
        self._counts[queue] -= 1
        return True

    def _forget(self, card_id: CardId) -> None:
        """Take a card out of every queue: it is on screen again after an undo. Only
        untracking it would leave its old entry behind, and once the card is answered and
        tracked again that stale entry would bring it back with its pre-answer state."""
        self._untrack(card_id)
        self._learning = [entry for entry in self._learning if entry[1] != card_id]
        heapq.heapify(self._learning)
        self._reviews = deque(i for i in self._reviews if i != card_id)
        self._new = deque(i for i in self._new if i != card_id)
        self._filtered = deque(i for i in self._filtered if i != card_id)

    def _push_learning(self, card_id: CardId, due: datetime) -> None:
        heapq.heappush(self._learning, (to_ms(due), card_id))
        self._track(card_id, Queue.LEARNING)

    def _pop_learning(self, limit: datetime, avoid: CardId | None = None) -> CardId | None:
        """The learning card due first by ``limit``; ``avoid`` (the card just answered) only
        when no other one is due by then, so a card is not shown twice in a row needlessly."""
        limit_ms = to_ms(limit)
        held: tuple[int, CardId] | None = None
        found: CardId | None = None
        while self._learning and self._learning[0][0] <= limit_ms:
            entry = heapq.heappop(self._learning)
            if entry[1] not in self._pending:
                continue  # a stale entry: the card was shown or left the session since
            if entry[1] == avoid and held is None:
                held = entry
                continue
            found = entry[1]
            break
        if held is not None:
            if found is None:
                found = held[1]
            else:
                heapq.heappush(self._learning, held)
        if found is not None:
            self._untrack(found)
        return found

    def _pop(self, queue: deque[CardId]) -> CardId | None:
        while queue:
            card_id = queue.popleft()
            if self._untrack(card_id):
                return card_id
        return None

    def _advance(self, now: datetime) -> None:
        """Show the next card: never the one just buried or suspended, and not the one just
        answered while another card is available."""
        last = None if self._current is None else self._current.id
        while True:
            if self.mode == "cram":
                card_id = self._cram.popleft() if self._cram else None
            else:
                card_id = self._pop_learning(now, last)
                for queue in (self._filtered,) if self.mode == "filtered" else (
                        self._reviews, self._new):
                    card_id = card_id or self._pop(queue)
                card_id = card_id or self._pop_learning(now + LEARN_AHEAD, last)
            card = None if card_id is None else db.get_card(self.store, card_id)
            if card_id is None or (card is not None and self._available(card, now)):
                break  # a card that vanished, or was suspended or buried meanwhile, is skipped
        self._show(card, now)

    def _available(self, card: StudyCard, now: datetime) -> bool:
        if card.suspended:
            return False
        return self.mode == "cram" or card.buried_until is None or card.buried_until <= now

    def _show(self, card: StudyCard | None, now: datetime) -> None:
        self._current = card
        self._revealed = False
        self._shown_at = now
        self._preview = {}

    def _planned(self) -> dict[Grade, CardState]:
        """Each button's outcome, computed once per card when first needed (not on the
        answer-to-next-card path) from the moment the card appeared."""
        if not self._preview and self._current is not None and self.mode != "cram":
            self._preview = self.fsrs.preview(self._current.state, self._shown_at)
        return self._preview

    # --- what the screen shows -------------------------------------------------------------------

    def view(self) -> ReviewView:
        card = self._current
        if self.mode == "cram":
            counts = Counts(new=0, learning=0, review=len(self._cram) + (card is not None))
        else:
            # As in Anki, the card on screen is still counted in the queue it came from.
            showing = {Queue.NEW: 0, Queue.LEARNING: 0, Queue.REVIEW: 0}
            if card is not None:
                origin = card.state.queue
                showing[Queue.LEARNING if origin == Queue.RELEARNING else origin] = 1
            counts = Counts(new=self._counts[Queue.NEW] + showing[Queue.NEW],
                            learning=self._counts[Queue.LEARNING] + showing[Queue.LEARNING],
                            review=self._counts[Queue.REVIEW] + showing[Queue.REVIEW])
        when, buried = None, 0
        if card is None:
            when, ahead = next_due(self.store, self.scope, self.fsrs.settings,
                                   self._shown_at, self.local)
            buried = ahead.buried
        return ReviewView(mode=self.mode, card=card, revealed=self._revealed, counts=counts,
                          buttons=self._buttons(), summary=self.summary(),
                          message=self._message(), can_undo=bool(self._undo),
                          notice=self._notice, next_due=when, buried=buried)

    def _buttons(self) -> tuple[Button, ...]:
        """The grade buttons, once the answer is shown (as in Anki)."""
        if self._current is None or not self._revealed:
            return ()
        if self.mode == "cram":
            cram = {Grade.AGAIN: "again soon", Grade.HARD: "again later", Grade.GOOD: "done",
                    Grade.EASY: "done"}
            return tuple(Button(g, GRADE_LABELS[g], cram[g]) for g in Grade)
        planned = self._planned()
        return tuple(Button(g, GRADE_LABELS[g], format_interval(
            (planned[g].due or self._shown_at) - self._shown_at)) for g in Grade)

    def _message(self) -> str:
        if self._current is not None:
            return ""
        if self.mode == "cram":
            return "Cram finished: every card of this branch was practised. Schedules unchanged."
        if self._learning:
            wait = from_ms(self._learning[0][0]) - self._shown_at
            back = "comes" if len(self._learning) == 1 else "come"
            return (f"Congratulations! You are done for now. "
                    f"{counted(len(self._learning), 'learning card')} {back} back in "
                    f"{format_interval(wait)}.")
        if self.mode == "filtered":
            return "Finished: every card of this session was studied."
        return "Congratulations! You have finished this branch for today."

    def summary(self) -> Summary:
        return Summary(answered=self._answered, again=self._again,
                       seconds=self._milliseconds / 1000)

    # --- actions ---------------------------------------------------------------------------------

    def reload_current(self, now: datetime) -> ReviewView:
        """Read the card on screen from the store again (after its text was edited): it stays
        shown, answer revealed or not, timed from when it appeared. Its button intervals are
        planned again only if its schedule changed; a card no longer in its deck (deleted
        by the edit) gives way to the next one."""
        card = self._current
        if card is None:
            return self.view()
        fresh = db.get_card(self.store, card.id)
        if fresh is None or not db.card_ids(self.store, Scope(card_ids=frozenset({card.id}))):
            self._advance(now)
            return self.view()
        if fresh.state != card.state:
            self._preview = {}
        self._current = fresh
        return self.view()

    def reveal(self, now: datetime) -> ReviewView:
        self._notice = ""
        if self._current is not None:
            self._revealed = True
        return self.view()

    def answer(self, grade: Grade, now: datetime) -> ReviewView:
        """Grade the current card; the answer is committed before the next card is chosen.

        If it cannot be stored (a full disk, a read-only database) :class:`StoreError` is
        raised and nothing changes: the same card stays shown with its answer, to be answered
        again.
        """
        card = self._current
        if card is None:
            return self.view()
        self._notice = ""
        try:
            self._record(card, grade, now)
        except StoreError as error:
            raise _not_saved("Your answer was not saved.", error,
                             "The card stays on screen: answer it again.") from None
        self._advance(now)
        return self.view()

    def _record(self, card: StudyCard, grade: Grade, now: datetime) -> None:
        # The write comes before any change to the session, so a failed one changes nothing.
        duration = max(0, min(MAX_DURATION_MS,
                              int((now - self._shown_at).total_seconds() * 1000)))
        if self.mode == "cram":
            snapshot = tuple(self._cram)
            log_id = db.record_cram(self.store, card.id, grade, now, duration)
            gap = {Grade.AGAIN: CRAM_AGAIN_GAP, Grade.HARD: CRAM_HARD_GAP}.get(grade)
            if gap is not None:
                self._cram.insert(min(gap, len(self._cram)), card.id)
            self._undo.append(_Undo("cram", card, cram_log=log_id, cram_queue=snapshot,
                                    duration_ms=duration, grade=grade))
        else:
            planned = self._planned()[grade]
            # The buttons showed intervals from when the card appeared; keep them exact.
            shift = now - self._shown_at
            after = replace(planned, due=(planned.due or now) + shift, last_review=now)
            day = study_day(now, self.local, self.fsrs.settings.rollover_hour)
            logged = db.record_answer(self.store, card, grade, after, now, duration,
                                      bury_siblings_until=day.end)
            for sibling in logged.buried:
                self._untrack(sibling)
            if after.queue in (Queue.LEARNING, Queue.RELEARNING) and after.due is not None \
                    and after.due < day.end:
                self._push_learning(card.id, after.due)
            self._undo.append(_Undo("answer", card, logged=logged, duration_ms=duration,
                                    grade=grade))
        self._answered += 1
        self._again += grade == Grade.AGAIN
        self._milliseconds += duration

    def undo(self, now: datetime) -> ReviewView:
        """Take back the last answer, suspension or burial; its card is shown again.

        If the store refuses (:class:`StoreError`), nothing changes and it can be undone again.
        """
        if not self._undo:
            return self.view()
        last = self._undo[-1]  # popped only once the store has taken it back
        try:
            if last.kind == "answer" and last.logged is not None:
                db.undo_answer(self.store, last.logged)
            elif last.kind == "cram":
                db.undo_cram(self.store, last.cram_log)
            elif last.kind == "suspend":
                db.set_suspended(self.store, [last.card.id], False)
            elif last.kind == "bury":
                db.unbury(self.store, [last.card.id])
        except StoreError as error:
            what = {"suspend": "The card was not unsuspended.",
                    "bury": "The card was not unburied."}.get(last.kind,
                                                              "The last answer was not undone.")
            raise _not_saved(what, error, "Nothing changed; you can undo again.") from None
        self._undo.pop()
        if last.kind in ("answer", "cram"):
            self._answered -= 1
            self._again -= last.grade == Grade.AGAIN
            self._milliseconds -= last.duration_ms
        if self.mode == "cram":
            self._cram = deque(last.cram_queue) if last.kind == "cram" else self._cram
            if last.kind != "cram" and self._current is not None:
                self._cram.appendleft(self._current.id)
        else:
            self._build(now)
            self._forget(last.card.id)
        self._show(last.card, now)
        self._notice = _undone(last)
        return self.view()

    def poll(self, now: datetime) -> ReviewView:
        """On the finished screen: bring back learning cards whose time has come."""
        if self._current is None and self.mode != "cram" and self._learning \
                and self._learning[0][0] <= to_ms(now + LEARN_AHEAD):
            self._advance(now)
        return self.view()

    @property
    def waiting(self) -> bool:
        """Finished for now, with learning cards coming back later today."""
        return self._current is None and self.mode != "cram" and bool(self._learning)

    def suspend(self, now: datetime) -> ReviewView:
        """Suspend the current card (it leaves all queues until unsuspended)."""
        card = self._current
        if card is not None:
            try:
                db.set_suspended(self.store, [card.id], True)
            except StoreError as error:
                raise _not_saved("The card was not suspended.", error,
                                 "It stays on screen; you can suspend it again.") from None
            self._undo.append(_Undo("suspend", card))
            self._advance(now)
            self._notice = "Card suspended (Ctrl+Z undoes)."
        return self.view()

    def bury(self, now: datetime) -> ReviewView:
        """Hide the current card until the next study day."""
        card = self._current
        if card is not None:
            day = study_day(now, self.local, self.fsrs.settings.rollover_hour)
            try:
                db.bury(self.store, [card.id], day.end)
            except StoreError as error:
                raise _not_saved("The card was not buried.", error,
                                 "It stays on screen; you can bury it again.") from None
            self._undo.append(_Undo("bury", card))
            self._advance(now)
            self._notice = "Card buried until tomorrow (Ctrl+Z undoes)."
        return self.view()
