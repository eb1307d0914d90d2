"""Fit FSRS parameters to the user's review log with fsrs-rs (the optimizer Anki uses; no torch)."""

# Reviews become FSRS training items as Anki builds them: per card, its answers in time order,
# each with the whole study days since the previous answer (0 for the first and for same-day
# answers); one item per answer after the first whose gap is at least a day (the answer the
# model must predict), carrying the history before it. The items are made in one pass over the
# whole log in time order, so they come ordered by the time of the answer they predict, as Anki
# orders them (by review id): fsrs-rs weighs later items more, in fitting and in scoring, so
# recent answers count for more. Both parameter sets are scored on the same items with
# fsrs-rs's own evaluation (log loss and RMSE over bins, as Anki shows them).

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from operator import itemgetter
from typing import TypeVar

from app.clock import from_ms
from app.errors import AppError
from app.plural import counted
from app.scheduling.scheduler import study_day

__all__ = ["DEFAULT_PARAMETERS", "MIN_REVIEWS", "Answer", "Fit", "StudyDays", "TooFewReviews",
           "answers_in_time_order", "fit_log", "fit_parameters", "log_items",
           "training_items"]

#: FSRS-6's default parameters (fsrs-rs and py-fsrs agree on them), what we schedule with until
#: a fit is applied.
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)

#: Fewer reviews than this and we do not fit. 21 parameters fitted to a few hundred answers
#: mostly learn noise: fsrs-rs itself keeps the defaults below 8 items and only pre-trains the
#: first four (initial stabilities) below a few hundred, so the "after" figures would compare
#: the defaults with themselves. 400 reviews is Anki's own long-standing guideline.
MIN_REVIEWS = 400


class TooFewReviews(AppError):
    """Not enough reviews to fit; the message says how many there are and how many we need."""


@dataclass(frozen=True)
class Fit:
    """A fit: the parameters found, and both sets' scores on the same items."""

    reviews: int
    items: int
    before: tuple[float, ...]
    after: tuple[float, ...]
    log_loss_before: float
    rmse_before: float
    log_loss_after: float
    rmse_after: float

    @property
    def better(self) -> bool:
        """Whether the fitted set predicts the user's answers better on both measures."""
        return self.log_loss_after < self.log_loss_before and self.rmse_after < self.rmse_before


#: One card's answers: (time in ms since the epoch, rating 1..4), oldest first.
History = Sequence[tuple[int, int]]


class StudyDays:
    """The study day number (a date ordinal) of moments in ms, cached per hour: the study day
    only changes on the hour, and a log of 100,000 reviews spans a few thousand hours."""

    def __init__(self, local: tzinfo, rollover_hour: int) -> None:
        self.local, self.rollover_hour = local, rollover_hour
        self.cache: dict[int, int] = {}  # hour (ms // 3,600,000) -> study day

    def __call__(self, at: int) -> int:
        hour = at // 3_600_000
        day = self.cache.get(hour)
        if day is None:
            start = study_day(from_ms(at), self.local, self.rollover_hour).start
            day = self.cache[hour] = start.astimezone(self.local).date().toordinal()
        return day


#: An answer of the review log: (time in ms since the epoch, its card (any key), rating 1..4).
Answer = tuple[int, Hashable, int]
_Review = TypeVar("_Review")
_Item = TypeVar("_Item")


def answers_in_time_order(histories: Iterable[History]) -> list[Answer]:
    """Per-card histories as one log in time order (a card is its history's index); answers at
    the same moment keep the order of the histories."""
    log: list[Answer] = [(at, card, rating) for card, history in enumerate(histories)
                         for at, rating in history]
    log.sort(key=itemgetter(0))
    return log


def _items(log: Iterable[Answer], local: tzinfo, rollover_hour: int,
           review: Callable[[int, int], _Review], item: Callable[[list[_Review]], _Item]
           ) -> list[_Item]:
    """The items of a log in time order, made in one pass: each card's answers so far as
    ``review(rating, study days since its previous answer)``, and ``item(those reviews)`` (it
    must copy them) at each answer after a card's first that came on a later study day. Each
    distinct (rating, days) review is made once and shared: a card's items are prefixes of its
    answers, so the items of 100,000 answers hold over a million reviews."""
    day_of = StudyDays(local, rollover_hour)
    days = day_of.cache  # read here first: 100,000 answers fall in a few thousand hours
    made: dict[int, _Review] = {}  # days * 8 + rating -> its review (an int key: no tuple made)
    answered: dict[Hashable, list[_Review]] = {}  # card -> its reviews so far
    last_day: dict[Hashable, int] = {}  # card -> study day of its previous answer
    items: list[_Item] = []
    add = items.append
    for at, card, rating in log:
        day = days.get(at // 3_600_000)
        if day is None:
            day = day_of(at)
        reviews = answered.get(card)
        delta = 0 if reviews is None else day - last_day[card]
        key = delta * 8 + rating
        made_review = made.get(key)
        if made_review is None:
            made_review = made[key] = review(rating, delta)
        if reviews is None:
            answered[card] = [made_review]
            last_day[card] = day
        else:
            reviews.append(made_review)
            if delta:
                last_day[card] = day
                add(item(reviews))
    return items


def training_items(histories: Iterable[History], local: tzinfo, rollover_hour: int
                   ) -> list[list[tuple[int, int]]]:
    """The FSRS items of ``histories`` as lists of (rating, days since the previous answer),
    in the time order of the answer each predicts."""
    return log_items(answers_in_time_order(histories), local, rollover_hour)


def log_items(log: Iterable[Answer], local: tzinfo, rollover_hour: int
              ) -> list[list[tuple[int, int]]]:
    """:func:`training_items` of a log in time order (what :func:`fit_log` fits)."""
    return _items(log, local, rollover_hour, lambda rating, delta: (rating, delta), list)


def fit_parameters(histories: Iterable[History], local: tzinfo, rollover_hour: int, *,
                   current: Sequence[float] | None = None,
                   progress: Callable[[str], None] | None = None) -> Fit:
    """Fit parameters to ``histories`` and score them against ``current`` (the defaults if
    None). Raises :class:`TooFewReviews` below :data:`MIN_REVIEWS` answers."""
    return fit_log(answers_in_time_order(histories), local, rollover_hour, current=current,
                   progress=progress)


def fit_log(log: Sequence[Answer], local: tzinfo, rollover_hour: int, *,
            current: Sequence[float] | None = None,
            progress: Callable[[str], None] | None = None) -> Fit:
    """:func:`fit_parameters` on the review log itself, in time order (answers at the same
    moment in the order of their cards, as :func:`answers_in_time_order` gives them)."""
    reviews = len(log)
    if reviews < MIN_REVIEWS:
        raise TooFewReviews(
            f"{counted(reviews, 'review')} {'is' if reviews == 1 else 'are'} too few to fit "
            f"FSRS to your memory: at least {MIN_REVIEWS} are needed (with fewer, the fit "
            "mostly learns noise). Keep studying and try again.")
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview  # only the optimizer needs it

    # One list of fsrs-rs items serves both scores and the fit (each call copies it in Rust).
    items = _items(log, local, rollover_hour, FSRSReview, FSRSItem)
    before = tuple(current) if current else DEFAULT_PARAMETERS
    if progress is not None:
        progress("Scoring the current parameters")
    scored_before = FSRS(list(before)).evaluate(items)
    if progress is not None:
        progress(f"Fitting to {reviews} reviews ({len(items)} items)")
    after = tuple(FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items))
    if after == before:  # e.g. fitted again on the log the current set was fitted to
        scored_after = scored_before  # the same score, not a second pass over the items
    else:
        if progress is not None:
            progress("Scoring the fitted parameters")
        scored_after = FSRS(list(after)).evaluate(items)
    return Fit(reviews, len(items), before, after, scored_before.log_loss,
               scored_before.rmse_bins, scored_after.log_loss, scored_after.rmse_bins)


def score(parameters: Sequence[float], items: list[list[tuple[int, int]]]) -> tuple[float, float]:
    """(log loss, RMSE) of ``parameters`` on ``items`` (as :func:`training_items` makes them)."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    result = FSRS(list(parameters)).evaluate(
        [FSRSItem([FSRSReview(rating, delta) for rating, delta in item]) for item in items])
    return result.log_loss, result.rmse_bins
