"""Freeze a released schema version: build its database with that version's own code, dump it.

    python tests/data/schemas/freeze.py 5            # a released version, from its commit below
    python tests/data/schemas/freeze.py 6 --worktree # a new version, from the checkout, at release

Each ``vN.sql`` is a database exactly as MLSD Study at schema version N built and filled it: its
migrations, and rows in every table written through that version's own APIs (deck sync, review
sessions, cram, suspend and bury, settings, mock interviews), at fixed times with fuzz off. The
code runs from ``git archive <commit>`` in a subprocess, never from today's ``app``.
tests/test_db_migrations.py loads the dumps: each must upgrade to today's schema with its data, and
today's migrations up to N must still build exactly N's schema. Made once per version, committed,
never edited; run this when a new migration is released (the tests fail until its dump exists).
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DB_NAME = "mlsd-study.db"
# The last commit at each schema version before the next migration was added (the code a user
# of that version ran longest); the migrations themselves never changed after their release.
RELEASED = {
    1: "b16bb54",  # Keep sqlite-utils and YAML off the unchanged start-up path
    2: "29fc532",  # Review screen as one card pane
    3: "7ec1613",  # Study queues hold ids, not rows; covering partial indexes (schema v3)
    4: "03b30fd",  # Timed mock interviews
    5: "c90431a",  # Import Markdown outlines as decks (the last commit before app/ became packages)
}
T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
# A small user deck: a branch with two children (an enumeration) and a leaf. Plain topics only,
# so every version's loader reads it; the cards come from each version's own generator.
DECK = """\
deck:
  id: demo
  title: Demo
  version: 1
  description: A small deck frozen with the schema.
  source:
    title: Notes
    url: https://example.org/notes
    author: Ann
    licence: MIT
topics:
  - id: alpha
    title: Alpha
    notes: Alpha notes.
    children:
      - id: a-one
        title: One
        notes: First child.
      - id: a-two
        title: Two
        notes: Second child.
      - id: a-three
        title: Three
        notes: Third child, removed later.
  - id: bravo
    title: Bravo
    notes: Bravo notes.
"""
OTHER = "deck:\n  id: other\n  title: Other\n  version: 1\ntopics:\n  - id: x\n    title: Ex\n" \
        "    notes: Ex notes.\n"


# --- the fill, run inside the old version's code -------------------------------------------------

def _module(*names: str) -> ModuleType:
    """The first of ``names`` that this version of the app has."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(f"none of {names} in this version")


def _find(name: str, *modules: str) -> Any:
    for module in modules:
        try:
            found = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        if hasattr(found, name):
            return getattr(found, name)
    raise AttributeError(f"{name} is in none of {modules}")


def fill(tree: Path, work: Path, version: int) -> None:
    """Build ``work/data/mlsd-study.db`` at ``version`` through the app in ``tree``."""
    # Only the tree's app: an editable install's finder would supply today's modules that the
    # old version lacks (app.db.store, say) behind the old ones.
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, str(tree))
    os.chdir(work)  # deck paths are stored as given: relative ones keep the dump reproducible
    import app

    assert Path(app.__file__).resolve().is_relative_to(tree.resolve()), app.__file__
    store_module = _module("app.db.store", "app.store")
    migrations = _module("app.db.migrations", "app.store")
    library = _module("app.decks.library", "app.library")
    assert version == migrations.SCHEMA_VERSION, (
        f"this code is at schema version {migrations.SCHEMA_VERSION}, not {version}")
    decks = Path("decks")
    decks.mkdir()
    (decks / "demo.yaml").write_text(DECK, encoding="utf-8")
    (decks / "other.yaml").write_text(OTHER, encoding="utf-8")
    store = store_module.Store.open(Path("data"))
    sync = library.sync_decks
    assert sync(store, [(decks, library.USER)], T0).problems == ()
    store.set_setting("last_topic", "demo/alpha")
    store.set_setting("window.splitter", [220, 680])
    if version >= 2:
        _study(store, version)
    # The deck loses a topic (retired with its cards) and the other deck's file goes (missing).
    (decks / "demo.yaml").write_text(DECK.replace(
        "      - id: a-three\n        title: Three\n        notes: Third child, removed later.\n",
        ""), encoding="utf-8")
    (decks / "other.yaml").unlink()
    assert sync(store, [(decks, library.USER)], T0 + timedelta(hours=2)).problems == ()
    if version >= 4:
        _interviews(store, tree)
    if version >= 8:
        _user_layer(store)
    store.close()


def _study(store: Any, version: int) -> None:
    scheduler = _module("app.scheduling.scheduler", "app.scheduler")
    study = _module("app.db.study", "app.study_store")
    review = _module("app.scheduling.review", "app.review")
    settings = scheduler.SchedulerSettings
    # Study settings were saved through app.study_store until the restructure.
    save = (getattr(study, "save_scheduler_settings", None)
            or _find("save_study_settings", "app.db.settings"))
    save(store, settings(new_per_day=15))
    fsrs = scheduler.Fsrs(settings(fuzz=False))
    grade = scheduler.Grade
    session = review.ReviewSession(store, fsrs, study.Scope(), T0, UTC)
    now = T0
    for answer in (grade.GOOD, grade.AGAIN, grade.EASY, grade.HARD, grade.GOOD, grade.AGAIN):
        session.reveal(now)
        session.answer(answer, now)
        now += MINUTE
    session.suspend(now)
    session.bury(now)
    study.set_suspended(store, ["demo/bravo/explain"], True)  # kept by the deck edit below
    cram = review.ReviewSession(store, fsrs, study.Scope(), now, UTC, "cram")
    for answer in (grade.AGAIN, grade.GOOD):
        cram.reveal(now)
        cram.answer(answer, now + MINUTE)


def _interviews(store: Any, tree: Path) -> None:
    loader = _module("app.decks.loader", "app.decks")
    modules = ("app.interview.session", "app.interview.budgets", "app.interview.steps",
               "app.interview")
    session_type: Callable[..., Any] = _find("InterviewSession", *modules)
    budgets: Callable[[int], Any] = _find("default_budgets", *modules)
    steps_of: Callable[[Any], Any] = _find("interview_steps", *modules)
    saved = _module("app.db.interviews", "app.interview_store")
    shipped = next(p for p in sorted(tree.rglob("ml-system-design.yaml"))
                   if "tests" not in p.parts)
    deck = loader.load_path(shipped)
    steps = steps_of(deck)
    for started, finish in ((T0 + timedelta(hours=3), True), (T0 + timedelta(days=1), False)):
        session = session_type(deck.questions[3], steps, budgets(45), started,
                               rng=random.Random(3))
        saved.create_interview(store, session, deck.id, started)
        now = started
        for index in range(10 if finish else 3):
            session.jump(index, now)
            session.set_notes(index, f"## Notes for segment {index}\n- precision, recall, "
                              "A/B test", now + MINUTE)
            now += 3 * MINUTE
        if finish:
            saved.finish_interview(store, session, now)
            for index in range(9):
                session.set_score(index, 1 + index % 4)
            session.set_overall(3)
            saved.finish_interview(store, session, now + MINUTE)
        else:
            saved.save_interview(store, session, now)


def _user_layer(store: Any) -> None:
    layer = _module("app.db.user_layer")
    layer.save_edit(store, "demo", "alpha", "title", "Alpha (mine)", "Alpha", T0)
    layer.save_edit(store, "demo", "bravo", "own:mine-1",
                    '{"a": "", "cloze": "{{c1::Bravo}} notes", "q": ""}', None, T0, 1)
    layer.record_upstream(store, "demo", [("alpha", "title", "Alpha, renamed")])


# --- the dump, run with today's Python -----------------------------------------------------------

def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # exact: SQLite reads back the same double
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


def dump(path: Path, version: int, source: str) -> str:
    """The database as SQL: its schema as sqlite_master holds it, then every row."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                               "ORDER BY rowid").fetchall()
        lines = [f"-- An MLSD Study database at schema version {version}, frozen: never edit.",
                 f"-- Made by tests/data/schemas/freeze.py with the code of {source}.",
                 f"PRAGMA user_version = {version};", "BEGIN;"]
        # An FTS5 table's shadow tables are made by its CREATE and its rows are derived: the
        # dump builds it again with 'rebuild' once its content is loaded (schema 7 on).
        virtual = [name for kind, name, sql in objects if sql.startswith("CREATE VIRTUAL")]
        derived = {name for _, name, _ in objects
                   if name in virtual or any(name.startswith(f"{v}_") for v in virtual)}
        lines += [f"{sql};" for kind, name, sql in objects
                  if kind == "table" and (name in virtual or name not in derived)]
        for kind, name, _ in objects:
            if kind != "table" or name in derived:
                continue
            rows = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            assert rows, (f"table {name} has no rows: teach fill() to write some, so the "
                          "upgrade of its data is tested")
            lines += [f'INSERT INTO "{name}" VALUES('
                      f"{', '.join(_literal(v) for v in row)});" for row in rows]
        lines += [f"{sql};" for kind, _, sql in objects if kind != "table"]
        lines += [f"INSERT INTO {name} ({name}) VALUES ('rebuild');" for name in virtual]
        lines.append("COMMIT;")
        return "\n".join(lines) + "\n"
    finally:
        conn.close()


def freeze(version: int, worktree: bool, folder: Path = HERE) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if worktree:
            tree, source = REPO, "the working tree"
        else:
            commit = RELEASED[version]
            tree = root / "tree"
            tree.mkdir()
            archive = subprocess.run(["git", "archive", commit, "app", "decks"], cwd=REPO,
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            subject = subprocess.run(["git", "log", "-1", "--format=%h %s", commit], cwd=REPO,
                                     check=True, capture_output=True, text=True).stdout.strip()
            source = f"commit {subject}"
        work = root / "work"
        work.mkdir()
        subprocess.run([sys.executable, __file__, "--fill", str(tree), str(work), str(version)],
                       check=True, cwd=work)
        text = dump(work / "data" / DB_NAME, version, source)
    target = folder / f"v{version}.sql"
    target.write_text(text, encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", type=int)
    parser.add_argument("--worktree", action="store_true",
                        help="use the checkout's code (a version not yet in RELEASED)")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="write vN.sql here instead (to check that a dump is reproduced)")
    args = parser.parse_args()
    if not args.worktree and args.version not in RELEASED:
        parser.error(f"add version {args.version}'s commit to RELEASED, or use --worktree")
    if args.out.resolve() == HERE and (HERE / f"v{args.version}.sql").exists():
        parser.error(f"v{args.version}.sql is frozen: a released schema is never made again "
                     "(use --out to make a copy elsewhere)")
    print(freeze(args.version, args.worktree, args.out))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--fill":
        fill(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
