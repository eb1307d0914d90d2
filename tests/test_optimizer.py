"""Fitting FSRS to the review log with fsrs-rs: against Anki's own optimizer, applied only when
better, the scheduler using the fit, rescheduling, the minimum, and the command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import anki.scheduler_pb2 as anki_pb
import pytest
from anki.collection import Collection
from fsrs_sim import histories

from app.cli import main
from app.clock import from_ms
from app.db.anki_import import ReplayedReview, write_progress
from app.db.review_history import answer_log
from app.db.settings import current_decay, load_study_settings, save_study_settings
from app.db.stats import all_figures, mastery_by_step, mastery_by_topic
from app.db.store import Store
from app.db.study import topic_counts
from app.decks.library import SHIPPED, sync_decks
from app.paths import shipped_decks_dir
from app.scheduling.optimizer import (
    DEFAULT_PARAMETERS,
    MIN_REVIEWS,
    TooFewReviews,
    fit_parameters,
    log_items,
    score,
    training_items,
)
from app.scheduling.personal import optimise_from_reviews
from app.scheduling.scheduler import (
    DEFAULT_DECAY,
    CardState,
    Fsrs,
    Grade,
    Queue,
    SchedulerSettings,
)

HISTORIES = histories(600, 300)


def test_the_defaults_are_fsrs_rs_and_py_fsrs_defaults() -> None:
    from fsrs import Scheduler
    from fsrs_rs_python import DEFAULT_PARAMETERS as RS_DEFAULTS

    assert tuple(Scheduler().parameters) == pytest.approx(DEFAULT_PARAMETERS)
    assert tuple(RS_DEFAULTS) == pytest.approx(DEFAULT_PARAMETERS)


def test_items_count_whole_study_days_and_predict_only_later_days() -> None:
    base = 1_767_600_000_000  # 2026-01-05 08:00 UTC
    hour, day = 3_600_000, 86_400_000
    items = training_items([[(base, 1), (base + hour, 3), (base + day, 3),
                             (base + 3 * day - 5 * hour, 4)]], UTC, 4)
    # 08:00 day 0, 09:00 day 0, 08:00 day 1, 03:00 day 3 = study day 2 (before 4 a.m.)
    assert items == [[(1, 0), (3, 0), (3, 1)], [(1, 0), (3, 0), (3, 1), (4, 1)]]


def test_items_are_ordered_by_the_answer_they_predict_as_anki_orders_them() -> None:
    base = 1_767_600_000_000  # 2026-01-05 08:00 UTC
    hour, day = 3_600_000, 86_400_000
    first = [(base, 3), (base + day, 3), (base + 5 * day, 1)]
    second = [(base + hour, 3), (base + 2 * day, 4), (base + 3 * day, 3)]
    items = training_items([first, second], UTC, 4)
    assert items == [[(3, 0), (3, 1)],                 # the first card's day 1
                     [(3, 0), (4, 2)],                 # the second card's day 2
                     [(3, 0), (4, 2), (3, 1)],         # the second card's day 3
                     [(3, 0), (3, 1), (1, 4)]]         # the first card's day 5
    # Why the order matters: fsrs-rs weighs later items more (Anki sorts them by review id).
    many = training_items(HISTORIES, UTC, 4)
    assert score(DEFAULT_PARAMETERS, many) != score(DEFAULT_PARAMETERS, many[::-1])


def test_the_fit_matches_ankis_optimizer_on_the_same_items(tmp_path: Path) -> None:
    fit = fit_parameters(HISTORIES, UTC, 4)
    items = training_items(HISTORIES, UTC, 4)
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        anki = col._backend.compute_fsrs_params_from_items(
            [anki_pb.FsrsItem(reviews=[anki_pb.FsrsReview(rating=r, delta_t=d) for r, d in item])
             for item in items]).params
    finally:
        col.close()
    anki_loss, anki_rmse = score(anki, items)
    assert fit.rmse_after <= anki_rmse * 1.02
    assert fit.log_loss_after <= anki_loss * 1.02
    # The simulated learner forgets faster than the defaults assume: the fit must see it.
    assert fit.better and fit.rmse_after < 0.8 * fit.rmse_before
    assert fit.after[0] < DEFAULT_PARAMETERS[0] and fit.after[2] < DEFAULT_PARAMETERS[2]


def test_too_few_reviews_is_refused_with_the_numbers() -> None:
    few = HISTORIES[:25]
    count = sum(map(len, few))
    assert count < MIN_REVIEWS
    with pytest.raises(TooFewReviews, match=f"{count} reviews .* at least {MIN_REVIEWS}"):
        fit_parameters(few, UTC, 4)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The built-in deck's cards, each given a simulated history."""
    opened = Store.open(tmp_path / "data")
    sync_decks(opened, [(shipped_decks_dir(), SHIPPED)], from_ms(HISTORIES[0][0][0]))
    ids = [r[0] for r in opened.conn.execute("SELECT id FROM cards ORDER BY id")]
    assert len(ids) >= 200
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    reviews = []
    for card_id, history in zip(ids, HISTORIES, strict=False):
        state = CardState()
        for at, rating in history:
            after = fsrs.answer(state, Grade(rating), from_ms(at))
            reviews.append(ReplayedReview(None, card_id, at, rating, 5000, None, state, after))
            state = after
    write_progress(opened, reviews, [])
    yield opened
    opened.close()


def test_the_log_is_read_in_time_order_and_gives_the_histories_items(store: Store) -> None:
    """optimize-fsrs reads the log itself in time order, not per-card histories: the same
    answers, the same items in the same order, the same fit as fitting the histories."""
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cards ORDER BY id")]
    answered = HISTORIES[:len(ids)]  # the fixture gave the cards in id order these histories
    log = answer_log(store)
    assert log == sorted(((at, card_id, rating)
                          for card_id, history in zip(ids, answered, strict=False)
                          for at, rating in history), key=lambda answer: answer[0])
    assert log_items(log, UTC, 4) == training_items(answered, UTC, 4)
    fit = optimise_from_reviews(store, local=UTC, apply=False).fit
    assert fit.after == fit_parameters(answered, UTC, 4).after
    # Answers at the same moment: in card id order, as answers_in_time_order keeps histories'.
    at = log[-1][0] + 86_400_000
    write_progress(store, [ReplayedReview(None, card_id, at, rating, 5000, None, CardState(),
                                          CardState())
                           for card_id, rating in ((ids[2], 1), (ids[0], 4), (ids[1], 2))], [])
    assert answer_log(store)[-3:] == [(at, ids[0], 4), (at, ids[1], 2), (at, ids[2], 1)]


def _interval(settings: SchedulerSettings) -> timedelta:
    now = from_ms(HISTORIES[0][0][0])
    state = Fsrs(settings).answer(CardState(), Grade.GOOD, now)
    state = Fsrs(settings).answer(state, Grade.GOOD, now + timedelta(days=1))
    assert state.due is not None and state.queue == Queue.REVIEW
    return state.due - (now + timedelta(days=1))


def test_a_better_fit_is_applied_and_then_schedules_new_answers(store: Store) -> None:
    assert load_study_settings(store).parameters == ()
    result = optimise_from_reviews(store, local=UTC)
    assert result.applied and result.rescheduled == 0
    settings = load_study_settings(store)
    assert settings.parameters == pytest.approx(result.fit.after)
    assert current_decay(store) == pytest.approx(result.fit.after[20])  # "known" uses it
    fitted = replace_fuzz(settings)
    assert _interval(fitted) != _interval(replace_fuzz(SchedulerSettings()))
    # Fitted again on the same log, the fit is itself (fsrs-rs is deterministic), so it is not
    # scored a second time: the same figures, no better, nothing changes.
    steps: list[str] = []
    again = optimise_from_reviews(store, local=UTC, progress=steps.append)
    assert again.fit.before == pytest.approx(result.fit.after)
    assert again.fit.after == again.fit.before
    assert (again.fit.log_loss_after, again.fit.rmse_after) == (again.fit.log_loss_before,
                                                                again.fit.rmse_before)
    assert steps[0] == "Scoring the current parameters" and len(steps) == 2
    assert not again.applied


def replace_fuzz(settings: SchedulerSettings) -> SchedulerSettings:
    from dataclasses import replace

    return replace(settings, fuzz=False)


def test_a_dry_run_changes_nothing_and_reschedule_rewrites_due_dates(store: Store) -> None:
    dues = store.conn.execute("SELECT id, due FROM cards ORDER BY id").fetchall()
    dry = optimise_from_reviews(store, local=UTC, apply=False)
    assert not dry.applied and "dry run" in " ".join(dry.lines())
    assert load_study_settings(store).parameters == ()
    assert store.conn.execute("SELECT id, due FROM cards ORDER BY id").fetchall() == dues
    done = optimise_from_reviews(store, local=UTC, reschedule=True)
    assert done.applied and done.rescheduled == len(HISTORIES)
    changed = store.conn.execute("SELECT id, due FROM cards ORDER BY id").fetchall()
    assert sum(a != b for a, b in zip(dues, changed, strict=True)) > len(HISTORIES) // 2


def test_the_command_prints_before_and_after(store: Store, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    assert store.path is not None
    data = store.path.parent
    store.close()
    assert main(["--data-dir", str(data), "optimize-fsrs", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Log loss:" in out and "RMSE:" in out and "before" in out and "after" in out
    empty = data.parent / "empty"
    assert main(["--data-dir", str(empty), "optimize-fsrs"]) == 1
    assert f"at least {MIN_REVIEWS}" in capsys.readouterr().err


def test_known_in_the_tree_and_the_statistics_follow_the_fitted_decay(tmp_path: Path) -> None:
    """Whether a card is known (its retrievability now at least the desired retention) depends
    on the forgetting curve's decay once the retention is not 0.9 (FSRS defines stability as
    the days to 90%): after parameters with another decay are applied, the tree's Known column
    and the statistics' mastery count what py-fsrs's retrievability with those parameters says."""
    from dataclasses import replace

    from shared import set_state

    store = Store.open(tmp_path / "data")
    now = from_ms(HISTORIES[0][0][0])
    sync_decks(store, [(shipped_decks_dir(), SHIPPED)], now)
    ids = [r[0] for r in store.conn.execute(  # cards under the steps, for the statistics
        "SELECT id FROM cards WHERE topic_id GLOB 's[1-9]-*' ORDER BY id LIMIT 60")]
    assert len(ids) == 60
    states = {card_id: CardState(Queue.REVIEW, None, 10.0, 5.0, now + timedelta(days=1),
                                 now - timedelta(days=days, hours=1), 3, 0)
              for days, card_id in enumerate(ids)}  # stability 10 days, 0..59 days ago
    for card_id, state in states.items():
        set_state(store, card_id, state)
    retention = 0.8
    save_study_settings(store, replace(load_study_settings(store), desired_retention=retention))

    def known_by_fsrs() -> int:
        fsrs = Fsrs(load_study_settings(store))
        return sum(fsrs.retrievability(state, now) >= retention for state in states.values())

    def known_here() -> tuple[int, int, int]:
        tree = sum(c.known for c in topic_counts(store, now, now, retention).values())
        stats = sum(known for known, _ in mastery_by_topic(store, now, retention).values())
        steps = sum(m.known for m in all_figures(store, now, UTC, retention).mastery)
        return tree, stats, steps

    with_defaults = known_here()
    assert with_defaults[:2] == (known_by_fsrs(),) * 2 == (34, 34)  # 0..33 days: 33 <= 10 k
    slow_forgetting = (*DEFAULT_PARAMETERS[:20], 0.5)  # decay 0.5: retention falls off faster
    save_study_settings(store, replace(load_study_settings(store), parameters=slow_forgetting))
    assert current_decay(store) == 0.5
    fitted = known_here()
    assert fitted[:2] == (known_by_fsrs(),) * 2 == (24, 24)  # 0..23 days: 23 <= 10 k
    # The statistics page's mastery per step (every deck: the built-in one) counts with the
    # decay in use too.
    for decay, figure in ((DEFAULT_DECAY, with_defaults[2]), (0.5, fitted[2])):
        assert figure == sum(m.known for m in mastery_by_step(
            store, "ml-system-design", now, retention, decay=decay))
    assert fitted[2] < with_defaults[2]
    store.close()
