"""What a branch holds before and after studying it: today's counts under the limits, when its
next card comes due, what is buried; and that moment in words ("in 3 h", "tomorrow at 04:00")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from app.db import study as db
from app.db.custom_study import extra_new_today
from app.db.store import Store
from app.db.study import Scope
from app.model import CardId
from app.scheduling.scheduler import SchedulerSettings, study_day


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    review: int


@dataclass(frozen=True)
class StudyQueues:
    """(due ms, id) of the cards a study session of a scope starts with, under today's limits."""

    learning: list[tuple[int | None, CardId]]
    review: list[tuple[int | None, CardId]]
    new: list[tuple[int | None, CardId]]

    @property
    def counts(self) -> Counts:
        return Counts(new=len(self.new), learning=len(self.learning), review=len(self.review))


def study_queues(store: Store, scope: Scope, settings: SchedulerSettings, now: datetime,
                 local: tzinfo) -> StudyQueues:
    """Learning cards due today, reviews due today and new cards, each under today's limit
    (less what was answered earlier today; more new cards when custom study added some)."""
    day = study_day(now, local, settings.rollover_hour)
    new_done, reviews_done = db.answered_today(store, day.start)
    new_limit = settings.new_per_day + extra_new_today(store, day.start)
    # New cards: one per sibling group and none whose sibling review is due (answering a card
    # buries its new siblings), so the counts and the limit are what the session shows.
    learning = db.queue_ids(store, scope, "learning", now, day.end)
    review = db.queue_ids(store, scope, "review", now, day.end,
                          settings.reviews_per_day - reviews_done)
    new = db.new_ids_by_group(store, scope, now, day.end, new_limit - new_done)
    return StudyQueues(learning=learning, review=review, new=new)


def next_due(store: Store, scope: Scope, settings: SchedulerSettings, now: datetime,
             local: tzinfo) -> tuple[datetime | None, db.Upcoming]:
    """(when the scope next has a card to study, what it holds beyond today's queue).

    A studied card's due (or the end of its burial); new cards wait for the next study day
    once today's limit is used up. A moment already past means a daily limit holds the card
    back: it comes with the next study day.
    """
    day = study_day(now, local, settings.rollover_hour)
    ahead = db.upcoming(store, scope, now)
    moments = [] if ahead.next_studied_due is None else [ahead.next_studied_due]
    if ahead.new and settings.new_per_day > 0:
        moments.append(day.end)
    if not moments:
        return None, ahead
    when = min(moments)
    return (day.end if when <= now else when), ahead


@dataclass(frozen=True)
class Overview:
    counts: Counts  # what "Study now" shows today: new, learning, due, under the limits
    new_total: int  # new cards in the scope (the limit shows ``counts.new`` of them today)
    new_limit: int  # today's new-card limit left, custom study's extra included
    buried: int
    next_due: datetime | None  # when there is something to study again; None: never
    # New cards that neither the limit nor a burial holds back and still wait for a later
    # day: each asks a fact another card of the scope asks (an explanation and its "name the
    # term"), and a fact comes once a day.
    new_waiting: int = 0

    @property
    def empty(self) -> bool:
        return not (self.counts.new or self.counts.learning or self.counts.review)


def overview(store: Store, scope: Scope, settings: SchedulerSettings, now: datetime,
             local: tzinfo) -> Overview:
    """The branch's overview, counted exactly as a study session of it starts."""
    counts = study_queues(store, scope, settings, now, local).counts
    day = study_day(now, local, settings.rollover_hour)
    new_done, _ = db.answered_today(store, day.start)
    limit = max(0, settings.new_per_day + extra_new_today(store, day.start) - new_done)
    when, ahead = next_due(store, scope, settings, now, local)
    waiting = max(0, min(ahead.new - ahead.new_buried, limit) - counts.new)
    return Overview(counts=counts, new_total=ahead.new, new_limit=limit, buried=ahead.buried,
                    next_due=when, new_waiting=waiting)


def describe_when(when: datetime, now: datetime, local: tzinfo) -> str:
    """A moment as a person reads it, in local time: "now", "in 25 min (15:25)", "in 3 h
    (today at 18:05)", "tomorrow at 04:00", "on Wednesday at 09:00", "on 9 March 2026 at
    10:30 (in 12 days)"."""
    delta = when - now
    at = when.astimezone(local)
    clock = f"{at:%H:%M}"
    if delta < timedelta(minutes=1):
        return "now"
    if delta < timedelta(hours=1):
        return f"in {round(delta.total_seconds() / 60)} min ({clock})"
    days = (at.date() - now.astimezone(local).date()).days
    if days == 0:
        return f"in {round(delta.total_seconds() / 3600)} h (today at {clock})"
    if days == 1:
        return f"tomorrow at {clock}"
    if days < 7:
        return f"on {at:%A} at {clock}"
    return f"on {at.day} {at:%B %Y} at {clock} (in {days} days)"
