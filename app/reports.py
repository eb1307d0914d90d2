"""What the headless commands report: decks, topic ids, study figures and found cards."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo

from app.db import stats
from app.db.search import CardRow, search_cards
from app.db.settings import load_study_settings
from app.db.store import Store
from app.db.study import TopicCounts, topic_counts
from app.decks.query import And, Deck, parse
from app.decks.tree import TreeNode, aggregate_counts, build_tree
from app.errors import AppError
from app.plural import counted
from app.scheduling.scheduler import study_day

__all__ = ["DeckLine", "StepLine", "Summary", "deck_lines", "decks_text", "format_summary",
           "found_cards", "found_line", "found_record", "stats_text", "study_summary",
           "topic_lines"]


@dataclass(frozen=True)
class DeckLine:
    id: str
    title: str
    cards: int
    due: int  # today
    new: int


@dataclass(frozen=True)
class StepLine:
    deck: str
    step: int
    title: str
    due: int     # due today in the step's subtree
    known: int   # cards recalled now with at least the desired retention
    total: int


@dataclass(frozen=True)
class Period:
    days: int
    reviews: int
    minutes: float


@dataclass(frozen=True)
class Retention:
    span: str
    reviews: int  # answers to cards in review state
    passed: int   # Hard, Good or Easy

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


@dataclass(frozen=True)
class Summary:
    due_today: int
    new: int
    learning: int
    review: int
    suspended: int
    steps: list[StepLine]
    periods: list[Period]
    retention: list[Retention]
    streak: int  # study days in a row with answers, up to today (or yesterday)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["retention"] = [{**asdict(r), "rate": r.rate} for r in self.retention]
        return data


def _counted_tree(store: Store, now: datetime, local: tzinfo
                  ) -> tuple[list[TreeNode], dict[str, TopicCounts]]:
    settings = load_study_settings(store)
    day = study_day(now, local, settings.rollover_hour)
    roots = build_tree(store)
    per_topic = topic_counts(store, now, day.end, settings.desired_retention)
    return roots, aggregate_counts(roots, per_topic)


def deck_lines(store: Store, now: datetime, local: tzinfo) -> list[DeckLine]:
    """Each visible deck with its active cards, due today and new (suspended ones left out)."""
    roots, counts = _counted_tree(store, now, local)
    return [DeckLine(root.deck_id, root.title, counts[root.key].total, counts[root.key].due,
                     counts[root.key].new) for root in roots]


def topic_lines(store: Store, deck_id: str) -> list[str]:
    """A deck's topic ids as an indented tree, each with its title ("" for an unknown deck)."""
    for root in build_tree(store):
        if root.deck_id == deck_id:
            return [f"{'  ' * (len(node.ancestors()) - 1)}{node.topic_id}  {node.label}"
                    for node in root.walk() if node.topic_id is not None]
    return []


def study_summary(store: Store, now: datetime, local: tzinfo) -> Summary:
    """The figures `mlsd-study stats` prints, from app.db.stats and the tree's counts."""
    settings = load_study_settings(store)
    rollover = settings.rollover_hour
    roots, counts = _counted_tree(store, now, local)
    steps = []
    for root in roots:
        mastery = {m.step: m for m in stats.mastery_by_step(store, root.deck_id, now,
                                                            settings.desired_retention)}
        for node in root.walk():
            if node.step and node.step in mastery:
                known = mastery[node.step]
                steps.append(StepLine(root.deck_id, node.step, node.title,
                                      counts[node.key].due, known.known, known.total))
    heatmap = stats.review_heatmap(store, now, local, 365, rollover)
    periods = [Period(days, sum(d.reviews for d in heatmap[-days:]),
                      round(sum(d.seconds for d in heatmap[-days:]) / 60, 1)) for days in (7, 30)]
    weeks = stats.true_retention_by_week(store, now, local, 4, rollover)
    retention = [Retention("this week", weeks[-1].reviews, weeks[-1].passed),
                 Retention("last 4 weeks", sum(w.reviews for w in weeks),
                           sum(w.passed for w in weeks))]
    states = stats.cards_by_state(store)
    return Summary(sum(counts[root.key].due for root in roots), states.new, states.learning,
                   states.review, states.suspended, steps, periods, retention,
                   stats.streak(heatmap))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def format_summary(summary: Summary) -> str:
    """The summary as lines of text for a terminal."""
    lines = [f"Due today: {summary.due_today}    new: {summary.new}    learning: "
             f"{summary.learning}    review: {summary.review}    suspended: "
             f"{summary.suspended}"]
    for period in summary.periods:
        lines.append(f"Last {period.days} days: {counted(period.reviews, 'review')}, "
                     f"{period.minutes:g} minutes")
    for kept in summary.retention:
        lines.append(f"True retention, {kept.span}: {_percent(kept.passed, kept.reviews)} "
                     f"({kept.passed} of {kept.reviews} review answers passed)")
    lines.append(f"Streak: {summary.streak} day{'s' if summary.streak != 1 else ''}")
    if summary.steps:
        lines.append("")
        width = max(len(step.deck) for step in summary.steps)
        lines.append(f"{'deck':<{width}} {'step':<48} {'due':>5} {'mastery':>8} {'known':>11}")
        for step in summary.steps:
            label = f"{step.step} {step.title}"
            lines.append(f"{step.deck:<{width}} {label:<48.48} {step.due:>5} "
                         f"{_percent(step.known, step.total):>8} "
                         f"{f'{step.known}/{step.total}':>11}")
    return "\n".join(lines)


def found_record(row: CardRow) -> dict[str, object]:
    """A found card as JSON: its id, where it is, and its schedule."""
    record = asdict(row)
    record["due"] = None if row.due is None else row.due.isoformat(timespec="seconds")
    return record


def found_line(row: CardRow, local: tzinfo) -> str:
    """A found card as one line: due date (or its state), interval, lapses, id and front."""
    if row.suspended:
        when = "suspended"
    elif row.due is None:
        when = "new"
    else:
        when = row.due.astimezone(local).strftime("%Y-%m-%d")
    front = " ".join(row.front.split())
    return f"{when:<10} {row.interval:>5}d {row.lapses:>3}  {row.id}  {front}"


# --- the commands' text --------------------------------------------------------------------------

def found_cards(store: Store, query: str, deck_id: str | None, now: datetime, local: tzinfo,
                *, order: str, descending: bool, as_json: bool) -> str:
    """`cards --search`: the found cards, one line each, or a JSON list."""
    parsed = parse(query)
    if deck_id is not None:  # --deck ID: as if deck:ID were typed before the query
        ids = sorted(deck.id for deck in store.decks())
        if deck_id not in ids:
            raise AppError(f"No deck '{deck_id}'. The decks are: {', '.join(ids)}.")
        parsed = And((Deck(deck_id, f"deck:{deck_id}", 0), parsed))
    day = study_day(now, local, load_study_settings(store).rollover_hour)
    rows = search_cards(store, parsed, now, day, order=order,  # type: ignore[arg-type]
                        descending=descending)
    if as_json:
        return json.dumps([found_record(row) for row in rows], ensure_ascii=False, indent=1)
    return "\n".join(found_line(row, local) for row in rows)


def decks_text(store: Store, topics: str | None, now: datetime, local: tzinfo, *,
               as_json: bool) -> str:
    """`decks`: each deck's id, counts and title; with ``topics``, that deck's topic ids."""
    lines = deck_lines(store, now, local)
    if topics is not None:
        if topics not in {line.id for line in lines}:
            raise AppError(f"No deck '{topics}'. The decks are: "
                           f"{', '.join(sorted(line.id for line in lines))}.")
        found = topic_lines(store, topics)
        if as_json:
            return json.dumps([dict(zip(("id", "title"), t.strip().split("  ", 1), strict=True))
                               for t in found], ensure_ascii=False, indent=1)
        return "\n".join(found)
    if as_json:
        return json.dumps([asdict(line) for line in lines], ensure_ascii=False, indent=1)
    return "\n".join([f"{'id':<24} {'cards':>6} {'due':>5} {'new':>5}  title",
                      *(f"{line.id:<24} {line.cards:>6} {line.due:>5} {line.new:>5}  "
                        f"{line.title}" for line in lines)])


def stats_text(store: Store, now: datetime, local: tzinfo, *, as_json: bool) -> str:
    """`stats`: the study summary as text or one JSON object."""
    summary = study_summary(store, now, local)
    if as_json:
        return json.dumps(summary.as_json(), ensure_ascii=False, indent=1)
    return format_summary(summary)
