"""`mlsd-study decks`, `stats` and `cards --search` on a real data folder; errors name the ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from app import clock
from app.cli import SORT_KEYS, main
from app.db import search
from app.db.store import Store
from app.db.study import Scope
from app.instance_lock import InstanceLock
from app.scheduling.review import ReviewSession
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings


def built_in_cards() -> int:
    """How many cards the built-in deck makes (a count the generator's changes move)."""
    from app.decks.cards import generate_cards
    from app.decks.loader import load_path
    from app.paths import shipped_decks_dir

    return len(generate_cards(load_path(next(shipped_decks_dir().glob("*.yaml")))))

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SHIPPED = "ml-system-design"
MINE = """\
deck:
  id: mine
  title: My deck
  version: 1
topics:
  - id: sampling
    title: Sampling methods
    notes: Reservoir sampling keeps a uniform sample of a stream.
    children:
      - id: stratified
        title: Stratified sampling
        notes: Draws from each group in proportion, so that rare groups are represented.
"""


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands read the clock through app.clock: fixed here, in UTC."""
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)

    def utc_zone() -> tzinfo:
        return UTC

    monkeypatch.setattr(clock, "local_zone", utc_zone)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def study(data_dir: Path, answers: list[tuple[Grade, datetime]]) -> list[str]:
    """Answer new cards of the whole collection at the given times; the ids answered."""
    store = Store.open(data_dir)
    answered = []
    try:
        for grade, when in answers:
            session = ReviewSession(store, Fsrs(SchedulerSettings(fuzz=False)), Scope(), when,
                                    UTC)
            card = session.view().card
            assert card is not None
            session.reveal(when)
            session.answer(grade, when + timedelta(seconds=30))
            answered.append(card.id)
    finally:
        store.close()
    return answered


# --- decks ---------------------------------------------------------------------------------------

def test_decks_lists_ids_titles_and_counts(data_dir: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    (data_dir / "decks").mkdir(parents=True)
    (data_dir / "decks" / "mine.yaml").write_text(MINE, encoding="utf-8")
    code, out, _ = run(capsys, "decks", "--json")
    assert code == 0
    listed = {d["id"]: d for d in json.loads(out)}
    assert set(listed) == {SHIPPED, "mine"}
    assert listed["mine"]["title"] == "My deck"
    store = Store.open(data_dir)
    try:
        for deck_id, deck in listed.items():
            cards = search.find_cards(store, f"deck:{deck_id}", NOW, clock_day())
            assert deck["cards"] == len(cards) > 0
            assert deck["new"] == deck["cards"] and deck["due"] == 0
    finally:
        store.close()
    code, out, _ = run(capsys, "decks")
    assert out.splitlines()[0].split() == ["id", "cards", "due", "new", "title"]
    assert any(line.split()[0] == "mine" and line.endswith("My deck")
               for line in out.splitlines())


def clock_day() -> search.StudyDay:
    from app.scheduling.scheduler import study_day

    return study_day(NOW, UTC)


def test_decks_topics_prints_the_topic_ids_as_a_tree(data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / "decks").mkdir(parents=True)
    (data_dir / "decks" / "mine.yaml").write_text(MINE, encoding="utf-8")
    code, out, _ = run(capsys, "decks", "--topics", "mine")
    assert (code, out) == (0, "sampling  Sampling methods\n  stratified  Stratified sampling\n")
    code, out, _ = run(capsys, "decks", "--topics", "mine", "--json")
    assert json.loads(out) == [{"id": "sampling", "title": "Sampling methods"},
                               {"id": "stratified", "title": "Stratified sampling"}]
    code, out, err = run(capsys, "decks", "--topics", "nope")
    assert (code, out) == (1, "")
    assert err == f"mlsd-study: No deck 'nope'. The decks are: mine, {SHIPPED}.\n"


# --- stats ---------------------------------------------------------------------------------------

def test_stats_reports_reviews_minutes_retention_streak_and_steps(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "decks")[0] == 0  # syncs the built-in deck
    days = [NOW - timedelta(days=n) for n in (40, 2, 1, 0)]
    answered = set(study(data_dir, [(Grade.GOOD, day) for day in days]))  # learning ones again
    code, out, _ = run(capsys, "stats", "--json")
    assert code == 0
    figures = json.loads(out)
    assert figures["periods"] == [{"days": 7, "reviews": 3, "minutes": 1.5},
                                  {"days": 30, "reviews": 3, "minutes": 1.5}]
    assert figures["streak"] == 3
    assert [s["step"] for s in figures["steps"]] == list(range(1, 10))
    assert all(s["deck"] == SHIPPED for s in figures["steps"])
    # The same counts as card search finds them (two separate queries of the store).
    store = Store.open(data_dir)
    try:
        def found(query: str) -> int:
            return len(search.find_cards(store, query, NOW, clock_day()))

        assert figures["due_today"] == found("is:due")
        assert figures["new"] == found("is:new -is:suspended") == built_in_cards() - len(answered)
        assert figures["learning"] + figures["review"] == found("-is:new") == len(answered)
        for step in figures["steps"]:
            assert step["due"] == found(f"step:{step['step']} is:due"), step
            assert step["total"] == found(f"step:{step['step']}"), step
    finally:
        store.close()
    # New cards answered Good are learning or review cards, not yet review-state answers.
    assert figures["retention"] == [{"span": "this week", "reviews": 0, "passed": 0,
                                     "rate": None},
                                    {"span": "last 4 weeks", "reviews": 0, "passed": 0,
                                     "rate": None}]
    code, out, _ = run(capsys, "stats")
    assert "Last 7 days: 3 reviews, 1.5 minutes" in out
    assert "Streak: 3 days" in out
    assert "1 Problem Formulation" in out


def test_stats_streak_survives_a_day_not_yet_studied(data_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "decks")[0] == 0
    study(data_dir, [(Grade.GOOD, NOW - timedelta(days=2)), (Grade.GOOD, NOW - timedelta(days=1))])
    assert json.loads(run(capsys, "stats", "--json")[1])["streak"] == 2
    study(data_dir, [(Grade.GOOD, NOW - timedelta(days=4))])  # a gap on day -3
    assert json.loads(run(capsys, "stats", "--json")[1])["streak"] == 2


# --- cards --search ------------------------------------------------------------------------------

def test_cards_search_prints_lines_and_json(data_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / "decks").mkdir(parents=True)
    (data_dir / "decks" / "mine.yaml").write_text(MINE, encoding="utf-8")
    code, out, _ = run(capsys, "cards", "--search", "reservoir deck:mine")
    assert code == 0
    lines = out.splitlines()
    assert lines and all(line.split()[0] == "new" and "mine/sampling/" in line for line in lines)
    code, out, _ = run(capsys, "cards", "--deck", "mine", "--search", "rare", "--json")
    found = json.loads(out)
    assert {c["topic_id"] for c in found} == {"stratified"}
    assert all(c["deck_id"] == "mine" and c["due"] is None and c["queue"] == 0 for c in found)
    code, out, _ = run(capsys, "cards", "--search", "deck:mine", "--sort", "front", "--desc",
                       "--json")
    fronts = [c["front"].lower() for c in json.loads(out)]
    assert fronts == sorted(fronts, reverse=True) and len(fronts) > 1


def test_cards_search_shows_the_schedule(data_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "decks")[0] == 0
    [card] = study(data_dir, [(Grade.EASY, NOW - timedelta(days=1))])
    code, out, _ = run(capsys, "cards", "--search=-is:new", "--json")  # "=" before a "-"
    assert code == 0
    [found] = json.loads(out)
    assert found["id"] == card and found["reviews"] == 1 and found["due"] is not None
    assert found["interval"] >= 1


@pytest.mark.parametrize(("args", "says"), [
    (["cards", "--search", "is:fresh"],
     "mlsd-study: search: 'is:fresh' at column 1: is: takes due, new, learn, review, "
     "suspended or buried\n"),
    (["cards", "--search", "recall deck:nope"],
     f"mlsd-study: search: 'deck:nope' at column 8: no deck 'nope'; the decks are: {SHIPPED}\n"),
    (["cards", "--deck", "nope", "--search", "recall"],
     f"mlsd-study: No deck 'nope'. The decks are: {SHIPPED}.\n"),
    (["export-anki", "-o", "out.apkg", "--deck", "nope"],
     f"mlsd-study: No deck 'nope'. The decks are: {SHIPPED}.\n"),
])
def test_errors_name_the_bad_token_or_the_valid_ids(data_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str],
                                                    args: list[str], says: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (1, "", says)
    assert not (tmp_path / "out.apkg").exists()


def test_export_anki_unknown_topic_says_how_to_list_them(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export-anki", "-o", str(tmp_path / "x.apkg"), "--topic", "nope")
    assert code == 1
    assert f"`mlsd-study decks --topics {SHIPPED}` lists them" in err


def test_reading_commands_work_while_the_app_holds_the_folder(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "decks")[0] == 0  # the app's start would have synced the deck
    (data_dir / "decks").mkdir(parents=True)
    (data_dir / "decks" / "mine.yaml").write_text(MINE, encoding="utf-8")
    lock = InstanceLock.acquire(data_dir)
    try:
        code, out, _ = run(capsys, "cards", "--search", "is:new", "--json")
        assert code == 0 and len(json.loads(out)) == built_in_cards()
        # The store as the app keeps it: the new deck file is not synced behind its back.
        code, out, _ = run(capsys, "decks", "--json")
        assert [d["id"] for d in json.loads(out)] == [SHIPPED]
        assert run(capsys, "stats")[0] == 0
    finally:
        lock.release()
    code, out, _ = run(capsys, "decks", "--json")  # free again: synced, and the lock let go
    assert {d["id"] for d in json.loads(out)} == {SHIPPED, "mine"}
    InstanceLock.acquire(data_dir).release()


def test_the_sort_choices_are_the_search_sort_keys() -> None:
    assert (*SORT_KEYS,) == tuple(search.SORT_KEYS)
