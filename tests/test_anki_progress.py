"""Progress back from Anki, end to end with the real ``anki``: our export, reviewed in Anki over
simulated days with FSRS, exported with scheduling (.apkg current and legacy, .colpkg), imported;
bad packages, a SIGKILL mid-import, and the command."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_sim import anki_collection, export, import_with_scheduling, review_days
from shared import DECK

from app.cli import main
from app.clock import utc_now
from app.db.anki_collection import AnkiPackageError
from app.db.store import Store
from app.decks.library import USER, load_stored_deck, sync_decks
from app.export.anki_progress import card_guids, import_anki_progress
from app.export.package import export_deck

DAYS = 14


@dataclass(frozen=True)
class AnkiCardSeen:
    stability: float
    difficulty: float
    due: datetime
    answers: int
    suspended: bool
    flag: int


@dataclass(frozen=True)
class Round:
    """A data folder as exported, the packages Anki wrote back, and Anki's view of each card."""

    data: Path
    packages: dict[str, Path]
    anki: dict[str, AnkiCardSeen]  # by our card id
    answers: int
    foreign_guid: str


def _snapshot(data: Path) -> tuple[list[tuple[object, ...]], ...]:
    """The cards, the review log and the schema (an import may rebuild the log's indexes)."""
    conn = sqlite3.connect(data / "mlsd-study.db")
    try:
        return (conn.execute("SELECT * FROM cards ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM review_log ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall())
    finally:
        conn.close()


def _indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = 'review_log' ORDER BY name").fetchall()


def _anki_view(col: Collection, ours: dict[str, dict[int, str]]) -> dict[str, AnkiCardSeen]:
    assert col.db is not None
    seen = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        card_id = ours.get(card.note().guid, {}).get(card.ord)
        if card_id is None or not card.memory_state:
            continue
        due = datetime.fromtimestamp(col.crt + card.due * 86_400).astimezone()
        seen[card_id] = AnkiCardSeen(
            card.memory_state.stability, card.memory_state.difficulty, due,
            col.db.scalar("SELECT count() FROM revlog WHERE cid = ? AND ease > 0", cid),
            card.queue == -1, card.user_flag())
    return seen


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> Round:
    root = tmp_path_factory.mktemp("round")
    (root / "decks").mkdir()
    (root / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    # Anki stamps reviews with the wall clock, so this history is laid out around it.
    now = utc_now()
    store = Store.open(root / "data")
    try:
        sync_decks(store, [(root / "decks", USER)], now - timedelta(days=40))
        package = export_deck(store, load_stored_deck(store, "demo"), root / "ours.apkg",
                              now=now - timedelta(days=DAYS + 1), with_progress=True).path
        guids = card_guids([(r[0], r[1]) for r in store.conn.execute(
            "SELECT id, kind FROM cards")])
    finally:
        store.close()
    with anki_collection(root / "anki") as col:
        import_with_scheduling(col, package)
        answers = review_days(col, DAYS)
        # Suspend one card and flag another in Anki; add a note of the user's own.
        first, second = sorted(col.find_cards("deck:Demo*"))[:2]
        col.sched.suspend_cards([first])
        col.set_user_flag_for_cards(3, [second])
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = "Mine", "Not from MLSD Study"
        col.add_note(note, col.decks.id("Default"))
        anki = _anki_view(col, guids)
        packages = {"apkg": export(col, root / "current.apkg"),
                    "legacy-apkg": export(col, root / "legacy.apkg", legacy=True),
                    "colpkg": export(col, root / "all.colpkg", collection=True)}
        col.reopen()
        packages["no-scheduling"] = export(col, root / "plain.apkg", scheduling=False)
        foreign = note.guid
    return Round(root / "data", packages, anki, answers, foreign)


@pytest.fixture
def data(round_trip: Round, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "data"
    shutil.copytree(round_trip.data, copy)
    yield copy


@pytest.mark.parametrize("kind", ["apkg", "legacy-apkg", "colpkg"])
def test_reviews_made_in_anki_come_back_with_anki_memory_and_due_dates(
        round_trip: Round, data: Path, kind: str) -> None:
    package = round_trip.packages[kind]
    store = Store.open(data)
    try:
        steps: list[tuple[int, int]] = []
        report = import_anki_progress(store, data, package, now=utc_now(),
                                      progress=lambda done, total: steps.append((done, total)))
        assert steps == [(0, 2), (1, 2), (2, 2)]
        assert report.reviews_added == round_trip.answers > 0
        assert report.cards_matched == 7
        assert report.notes_not_ours == 1  # the user's own note, left alone
        assert report.backup is not None and report.backup.exists()
        assert round_trip.anki, "Anki reviewed none of our cards"
        for card_id, anki in round_trip.anki.items():
            stability, difficulty, due, suspended, flag = store.conn.execute(
                "SELECT stability, difficulty, due, suspended, flag FROM cards WHERE id = ?",
                [card_id]).fetchone()
            assert stability == pytest.approx(anki.stability, rel=0.01), card_id
            assert difficulty == pytest.approx(anki.difficulty, rel=0.01), card_id
            assert due == int(anki.due.timestamp() * 1000), card_id
            answers = store.conn.execute("SELECT count(*) FROM review_log WHERE card_id = ?",
                                         [card_id]).fetchone()[0]
            assert answers == anki.answers, card_id
            assert (bool(suspended), flag) == (anki.suspended, anki.flag), card_id
        assert sum(a.suspended for a in round_trip.anki.values()) == 1
        assert sum(a.flag == 3 for a in round_trip.anki.values()) == 1
    finally:
        store.close()
    before = _snapshot(data)
    store = Store.open(data)
    try:
        again = import_anki_progress(store, data, package, now=utc_now())
    finally:
        store.close()
    assert (again.reviews_added, again.reviews_known, again.changed) == (
        0, round_trip.answers, False)
    assert _snapshot(data) == before


def test_the_three_formats_give_the_same_result(round_trip: Round, tmp_path: Path) -> None:
    results = []
    for kind in ("apkg", "legacy-apkg", "colpkg"):
        copy = tmp_path / kind
        shutil.copytree(round_trip.data, copy)
        store = Store.open(copy)
        try:
            import_anki_progress(store, copy, round_trip.packages[kind], now=utc_now())
        finally:
            store.close()
        cards, log, _ = _snapshot(copy)
        results.append((cards, [row[1:] for row in log]))
    assert results[0] == results[1] == results[2]


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("collection.anki21", "w", force_zip64=True) as entry:
        block = bytes(1 << 20)
        for _ in range(3 * 1024):  # 3 GiB of zeros, a few MB compressed
            entry.write(block)
    return path


def _bad_packages(round_trip: Round, folder: Path) -> dict[str, tuple[Path, str]]:
    truncated = folder / "truncated.apkg"
    whole = round_trip.packages["apkg"].read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    other = folder / "other.apkg"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("deck.json", "{}")
    text = folder / "notes.apkg"
    text.write_text("just text", encoding="utf-8")
    return {
        "no scheduling": (round_trip.packages["no-scheduling"], "no scheduling"),
        "another app": (other, "no Anki collection"),
        "truncated": (truncated, "truncated"),
        "not a zip": (text, "not a readable Anki package"),
        "missing": (folder / "gone.apkg", "no such file"),
    }


def test_bad_packages_are_refused_with_a_clear_message_and_nothing_changes(
        round_trip: Round, data: Path, tmp_path: Path) -> None:
    before = _snapshot(data)
    cases = _bad_packages(round_trip, tmp_path)
    store = Store.open(data)
    try:
        for name, (path, words) in cases.items():
            with pytest.raises(AnkiPackageError) as caught:
                import_anki_progress(store, data, path, now=utc_now())
            assert words in str(caught.value), name
            assert str(path) in str(caught.value), name
    finally:
        store.close()
    assert _snapshot(data) == before
    assert not (data / "backups").exists() or not list((data / "backups").iterdir())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(data: Path, tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.apkg")
    assert bomb.stat().st_size < 20 << 20
    before = _snapshot(data)
    store = Store.open(data)
    try:
        with pytest.raises(AnkiPackageError, match="refused as unsafe"):
            import_anki_progress(store, data, bomb, now=utc_now())
    finally:
        store.close()
    assert _snapshot(data) == before


def test_a_package_of_only_foreign_notes_is_refused(round_trip: Round, tmp_path: Path) -> None:
    with anki_collection(tmp_path / "anki") as col:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"] = "Someone else's"
        col.add_note(note, col.decks.id("Default"))
        package = export(col, tmp_path / "theirs.apkg")
    data = tmp_path / "data"
    shutil.copytree(round_trip.data, data)
    store = Store.open(data)
    try:
        with pytest.raises(AnkiPackageError, match="came from MLSD Study"):
            import_anki_progress(store, data, package, now=utc_now())
    finally:
        store.close()




def test_the_replayed_log_carries_ankis_memory_at_every_card(round_trip: Round,
                                                              data: Path) -> None:
    """The memory is recomputed from the merged log (fsrs-rs, Anki's engine), not copied from
    Anki's cards: the review log's last state agrees with Anki within 1% on every card."""
    store = Store.open(data)
    try:
        import_anki_progress(store, data, round_trip.packages["apkg"], now=utc_now())
        off = []
        for card_id, anki in round_trip.anki.items():
            (replayed,) = store.conn.execute(
                "SELECT stability_after FROM review_log WHERE card_id = ? "
                "ORDER BY reviewed_at DESC LIMIT 1", [card_id]).fetchone()
            off.append(abs(replayed - anki.stability) / anki.stability)
    finally:
        store.close()
    assert max(off) < 0.01


def test_an_import_larger_than_the_log_builds_its_indexes_again(round_trip: Round,
                                                                 data: Path) -> None:
    """More reviews added than the log holds: its indexes are dropped and built again once,
    in the import's transaction, exactly as the schema defines them, and still enforced."""
    conn = sqlite3.connect(data / "mlsd-study.db")
    try:
        indexes = _indexes(conn)
        assert len(indexes) >= 3 and conn.execute("SELECT COUNT(*) FROM review_log"
                                                  ).fetchone()[0] < round_trip.answers
        roots = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' "
                             "AND tbl_name = 'review_log' ORDER BY name").fetchall()
    finally:
        conn.close()
    store = Store.open(data)
    try:
        report = import_anki_progress(store, data, round_trip.packages["apkg"], now=utc_now())
        assert report.reviews_added == round_trip.answers
        conn = store.conn
        assert _indexes(conn) == indexes
        assert conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' "
                            "AND tbl_name = 'review_log' ORDER BY name").fetchall() != roots
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        plan = " ".join(str(row) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT reviewed_at FROM review_log WHERE card_id = 'x'"))
        assert "review_log_by_card" in plan
        with pytest.raises(sqlite3.IntegrityError):  # anki_id is still unique
            conn.execute("UPDATE review_log SET anki_id = (SELECT MAX(anki_id) FROM review_log) "
                         "WHERE id = (SELECT MIN(id) FROM review_log)")
    finally:
        store.close()


# --- a kill mid-import, and the command -----------------------------------------------------------

WORKER = Path(__file__).resolve().parent / "anki_import_worker.py"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_kill_mid_import_leaves_the_previous_state(round_trip: Round, data: Path) -> None:
    before = _snapshot(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, str(WORKER), str(data),
                           str(round_trip.packages["apkg"])], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, env=env) as worker:
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "WRITING"
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(timeout=60) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
    conn = sqlite3.connect(data / "mlsd-study.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert _snapshot(data) == before  # the review log written before the kill is gone too


def test_the_command_reports_then_finds_nothing_new(round_trip: Round, data: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    package = str(round_trip.packages["colpkg"])
    assert main(["--data-dir", str(data), "import-anki-progress", package]) == 0
    first = capsys.readouterr().out
    assert "Cards matched: 7" in first
    assert f"Reviews added: {round_trip.answers} (0 already here)" in first
    assert "Notes not from MLSD Study (ignored): 1" in first
    assert "Backup taken first" in first
    assert main(["--data-dir", str(data), "import-anki-progress", package]) == 0
    second = capsys.readouterr().out
    assert f"Reviews added: 0 ({round_trip.answers} already here)" in second
    assert "Nothing new" in second


def test_the_command_explains_a_bad_file(data: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.apkg"
    bad.write_bytes(b"PK\x03\x04 broken")
    assert main(["--data-dir", str(data), "import-anki-progress", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mlsd-study: ") and str(bad) in err and err[-1] == "\n"


def test_a_card_reviewed_on_both_sides_is_merged_in_time_order(round_trip: Round,
                                                               data: Path) -> None:
    from app.db import study
    from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

    card_id = next(c for c, seen in round_trip.anki.items() if not seen.suspended)
    store = Store.open(data)
    try:
        card = study.get_card(store, card_id)
        assert card is not None
        now = utc_now()  # after every review made in Anki
        after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, Grade.GOOD, now)
        study.record_answer(store, card, Grade.GOOD, after, now, 4000, None)
        report = import_anki_progress(store, data, round_trip.packages["apkg"], now=now)
        assert report.reviewed_both_sides == 1
        assert "Reviewed both here and in Anki: 1 card," in "\n".join(report.lines())
        ratings = [r[0] for r in store.conn.execute(
            "SELECT anki_id FROM review_log WHERE card_id = ? ORDER BY reviewed_at", [card_id])]
        assert len(ratings) == round_trip.anki[card_id].answers + 1
        assert ratings[-1] is None  # ours is the last: it decides the schedule
        (due,) = store.conn.execute("SELECT due FROM cards WHERE id = ?", [card_id]).fetchone()
        assert due != int(round_trip.anki[card_id].due.timestamp() * 1000)
        (due_after,) = store.conn.execute(
            "SELECT due_after FROM review_log WHERE card_id = ? ORDER BY reviewed_at DESC "
            "LIMIT 1", [card_id]).fetchone()
        assert due == due_after
    finally:
        store.close()


def test_a_suspension_or_flag_from_anki_keeps_a_schedule_no_answer_made(
        tmp_path: Path) -> None:
    """Cards given a due date here (a new one, and one answered before), then only suspended
    or flagged in Anki: the import sets the mark and leaves the schedule as it was. Replaying
    their answers would have lost the due date, and made the new one new again."""
    import random
    from datetime import UTC

    from app.db import browse, study
    from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    now = utc_now()
    store = Store.open(tmp_path / "data")
    try:
        sync_decks(store, [(tmp_path / "decks", USER)], now - timedelta(days=5))
        fresh, answered = [r[0] for r in store.conn.execute(
            "SELECT id FROM cards ORDER BY ord LIMIT 2")]
        card = study.get_card(store, answered)
        assert card is not None
        first = now - timedelta(days=3)
        study.record_answer(store, card, Grade.GOOD, Fsrs(SchedulerSettings(fuzz=False)).answer(
            card.state, Grade.GOOD, first), first, 3000, None)
        browse.set_due_date(store, [fresh, answered], (9, 9), now - timedelta(days=1), UTC, 4,
                            random.Random(1))
        columns = "queue, due, stability, difficulty, last_review, reps, lapses"
        before = {r[0]: r[1:] for r in store.conn.execute(
            f"SELECT id, {columns} FROM cards WHERE id IN (?, ?)", [fresh, answered])}
        package = export_deck(store, load_stored_deck(store, "demo"), tmp_path / "ours.apkg",
                              now=now, with_progress=True).path
        guids = card_guids([(r[0], r[1]) for r in store.conn.execute(
            "SELECT id, kind FROM cards")])
    finally:
        store.close()
    with anki_collection(tmp_path / "anki") as col:
        import_with_scheduling(col, package)
        ids = {guids[col.get_card(cid).note().guid][col.get_card(cid).ord]: cid
               for cid in col.find_cards("")}
        col.sched.suspend_cards([ids[fresh]])
        col.set_user_flag_for_cards(2, [ids[answered]])
        back = export(col, tmp_path / "back.apkg")
    store = Store.open(tmp_path / "data")
    try:
        report = import_anki_progress(store, tmp_path / "data", back, now=utc_now())
        assert (report.reviews_added, report.suspensions_changed, report.flags_changed) == (
            0, 1, 1)
        after = {r[0]: r[1:] for r in store.conn.execute(
            f"SELECT id, {columns} FROM cards WHERE id IN (?, ?)", [fresh, answered])}
        assert after[fresh] == before[fresh]  # untouched, the new card's whole schedule too
        # The answered card's review is linked to its copy in Anki's log, so it is replayed:
        # the same schedule, its memory through fsrs-rs's 32-bit floats.
        assert after[answered][:2] == before[answered][:2]
        assert after[answered][2:4] == pytest.approx(before[answered][2:4], rel=1e-6)
        assert after[answered][4:] == before[answered][4:]
        marks = dict(store.conn.execute(
            "SELECT id, suspended * 10 + flag FROM cards WHERE id IN (?, ?)", [fresh, answered]))
        assert marks == {fresh: 10, answered: 2}
    finally:
        store.close()
