"""``optimize-fsrs``: fit FSRS to the review log, apply the fit when it is better, reschedule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import tzinfo

from app.clock import from_ms
from app.db.anki_import import CardProgress, ReplayedReview, our_reviews, write_progress
from app.db.review_history import answer_log, reviewed_cards
from app.db.settings import load_study_settings, save_study_settings
from app.db.store import Store
from app.plural import counted
from app.scheduling.optimizer import Fit, fit_log
from app.scheduling.scheduler import CardState, Fsrs, Grade, SchedulerSettings

__all__ = ["Optimised", "optimise_from_reviews"]


@dataclass(frozen=True)
class Optimised:
    fit: Fit
    applied: bool
    rescheduled: int  # cards whose schedule was recomputed with the new parameters

    def lines(self) -> list[str]:
        fit = self.fit
        out = [f"Reviews: {fit.reviews} ({fit.items} training items)",
               f"Log loss: {fit.log_loss_before:.4f} before, {fit.log_loss_after:.4f} after",
               f"RMSE: {fit.rmse_before:.2%} before, {fit.rmse_after:.2%} after"]
        if not fit.better:
            out.append("The fit does not predict your answers better:")
            out.append("the current parameters are kept.")
        elif self.applied:
            out.append("Applied: new answers use the fitted parameters.")
            out.append(f"{counted(self.rescheduled, 'card')} rescheduled with them."
                       if self.rescheduled
                       else "Due dates are kept; reschedule to recompute them.")
        else:
            out.append("Not applied (a dry run).")
        return out


def optimise_from_reviews(store: Store, *, local: tzinfo, apply: bool = True,
                          reschedule: bool = False,
                          progress: Callable[[str], None] | None = None) -> Optimised:
    """Fit, and when the fit is better (and ``apply``) store it; ``reschedule`` then replays
    every reviewed card's history with it. Raises optimizer.TooFewReviews when too few."""
    settings = load_study_settings(store)
    fit = fit_log(answer_log(store), local, settings.rollover_hour,
                  current=settings.parameters or None, progress=progress)
    if not (apply and fit.better):
        return Optimised(fit, False, 0)
    fitted = replace(settings, parameters=fit.after)
    save_study_settings(store, fitted)
    if not reschedule:
        return Optimised(fit, True, 0)
    if progress is not None:
        progress("Rescheduling your cards")
    return Optimised(fit, True, _reschedule(store, replace(fitted, fuzz=False)))


def _reschedule(store: Store, settings: SchedulerSettings) -> int:
    fsrs = Fsrs(settings)
    cards = reviewed_cards(store)
    logs = our_reviews(store, (card_id for card_id, _, _ in cards))
    reviews: list[ReplayedReview] = []
    progress: list[CardProgress] = []
    for card_id, suspended, flag in cards:
        state = CardState()
        for r in logs.get(card_id, []):
            after = fsrs.answer(state, Grade(r.rating), from_ms(r.reviewed_at))
            reviews.append(ReplayedReview(r.log_id, card_id, r.reviewed_at, r.rating,
                                          r.duration_ms, r.anki_id, state, after))
            state = after
        progress.append(CardProgress(card_id, state, suspended, flag))
    write_progress(store, reviews, progress)
    return len(progress)

