"""Anki export, checked by importing every package into the real ``anki`` package: counts, deck
tree, tags, field HTML, cloze cards, updates in place, progress, compression and safe writing."""

from __future__ import annotations

import errno
import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.dbproxy import DBProxy
from anki.import_export_pb2 import ImportResponse
from shared import refuse_folder_fsync

from app.clock import local_zone, to_ms, utc_now
from app.db import study as db
from app.db.store import Store
from app.decks.library import SHIPPED, USER, load_stored_deck, sync_decks
from app.export import note_types, progress
from app.export.notes import note_guid
from app.export.package import ExportError, ExportResult, export_deck
from app.model import Deck
from app.scheduling.scheduler import Fsrs, Grade, Queue, SchedulerSettings, study_day

SHIPPED_DECK = Path(__file__).resolve().parent.parent / "decks" / "ml-system-design.yaml"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # in the past: Anki refuses ids from the future
DECK = """\
deck:
  id: demo
  title: "Demo :: deck"
  version: 1
  description: A **small** deck.
  source:
    title: Demo source
    url: "https://example.com/deck?a=1&b=2"
    author: Ann Author
    licence: MIT
topics:
  - id: s1
    title: Problem Formulation
    step: 1
    notes: "Frame the **goal**. <script>alert('x')</script>"
    cards:
      - q: "What does <b>bold</b> do?"
        a: "It is `code` & text."
      - cloze: "Precision = {{c1::TP / (TP + FP)}}; recall = {{c2::TP / (TP + FN)}}."
    children:
      - id: s1-clarify
        title: Clarify requirements
        notes: Ask about scale.
      - id: s1-scope
        title: Scope
        notes: Pin the output.
  - id: s2
    title: Metrics
    step: 2
    notes: Measure success.
    children:
      - id: s2-offline
        title: Offline metrics
        notes: Held-out data.
  - id: extra
    title: Extra topics
    notes: More to read.
    children:
      - id: extra-capacity
        title: Capacity planning
        notes: Estimate the peak queries per second.
questions:
  - id: q-video
    title: Video recommendation
    category: recommendation
    prompt: Design the **home feed**.
"""
ROOT = "Demo : deck"
QA = "demo/s1/qa/0"
CLOZE_NOTE = "demo/s1/cloze/1"
OFFLINE = "demo/s2-offline/explain"


# --- helpers -------------------------------------------------------------------------------------

@dataclass
class Library:
    """A deck file synced into a store, as the app has it."""

    folder: Path
    store: Store

    def deck(self) -> Deck:
        return load_stored_deck(self.store, "demo")

    def rewrite(self, text: str, now: datetime) -> Deck:
        (self.folder / "demo.yaml").write_text(text, encoding="utf-8")
        assert sync_decks(self.store, [(self.folder, USER)], now).problems == ()
        return self.deck()

    def card_ids(self) -> list[str]:
        return [r[0] for r in self.store.conn.execute(
            "SELECT id FROM cards WHERE deck_id = 'demo' AND retired = 0 ORDER BY ord")]


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    folder = tmp_path / "decks"
    folder.mkdir()
    store = Store.open(tmp_path / "data")
    made = Library(folder, store)
    made.rewrite(DECK, T0 - timedelta(days=1))
    yield made
    store.close()


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[Collection]:
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def import_package(col: Collection, path: Path, *, with_scheduling: bool = False
                   ) -> ImportResponse.Log:
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling, merge_notetypes=True)
    return col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def rows(col: Collection) -> DBProxy:
    assert col.db is not None
    return col.db


def note_by_key(col: Collection, key: str) -> Any:
    ids = rows(col).list("SELECT id FROM notes WHERE guid = ?", note_guid(key))
    assert len(ids) == 1, key
    return col.get_note(ids[0])


def deck_names(col: Collection) -> set[str]:
    return {d.name for d in col.decks.all_names_and_ids()} - {"Default"}


def answer(store: Store, card_id: str, grade: Grade, at: datetime,
           duration_ms: int = 8_000) -> None:
    card = db.get_card(store, card_id)
    assert card is not None
    after = Fsrs(SchedulerSettings(fuzz=False)).answer(card.state, grade, at)
    db.record_answer(store, card, grade, after, at, duration_ms, None)


def export(library: Library, out: Path, **options: Any) -> ExportResult:
    return export_deck(library.store, library.deck(), out, now=options.pop("now", T0), **options)


# --- what the package holds ----------------------------------------------------------------------

def test_counts_deck_tree_and_tags_match_ours(library: Library, anki: Collection,
                                              out_dir: Path) -> None:
    ours = library.card_ids()
    result = export(library, out_dir / "demo.apkg")
    log = import_package(anki, result.path)

    # One note per card, except the cloze note whose c1 and c2 are two cards.
    assert result.cards == len(ours) == anki.card_count()
    assert result.notes == len(ours) - 1 == anki.note_count() == len(log.new)
    assert result.decks == len(deck_names(anki)) == 8
    assert deck_names(anki) == {
        ROOT,  # "Demo :: deck" would have made a deck "deck" under "Demo"
        f"{ROOT}::Step 1 Problem Formulation",
        f"{ROOT}::Step 1 Problem Formulation::Clarify requirements",
        f"{ROOT}::Step 1 Problem Formulation::Scope",
        f"{ROOT}::Step 2 Metrics",
        f"{ROOT}::Step 2 Metrics::Offline metrics",
        f"{ROOT}::Extra topics",
        f"{ROOT}::Extra topics::Capacity planning",
    }
    qa = note_by_key(anki, QA)
    assert set(qa.tags) == {"mlsd::step-1", "mlsd::topic::s1", "mlsd::kind::qa"}
    assert anki.decks.name(qa.cards()[0].did) == f"{ROOT}::Step 1 Problem Formulation"
    offline = note_by_key(anki, OFFLINE)
    assert set(offline.tags) == {"mlsd::step-2", "mlsd::topic::s2::s2-offline",
                                 "mlsd::kind::explain"}
    assert anki.decks.name(offline.cards()[0].did) == f"{ROOT}::Step 2 Metrics::Offline metrics"
    # a part of the deck outside the steps has no card of its own ("Explain: Extra topics"
    # would be noise); its topics' cards carry no step tag
    extra = note_by_key(anki, "demo/extra-capacity/explain")
    assert set(extra.tags) == {"mlsd::topic::extra::extra-capacity", "mlsd::kind::explain"}
    # Every card of ours is a card in Anki (cards are all new without progress).
    assert {c.type for c in (anki.get_card(i) for i in anki.find_cards(""))} == {0}


def test_fields_are_rendered_markdown_with_deck_text_escaped(library: Library, anki: Collection,
                                                             out_dir: Path) -> None:
    import_package(anki, export(library, out_dir / "demo.apkg").path)
    qa = note_by_key(anki, QA)
    assert qa.note_type()["name"] == "MLSD Study Basic"
    assert qa.note_type()["id"] == note_types.BASIC_MODEL_ID
    assert qa["Prompt"] == "<p>What does &lt;b&gt;bold&lt;/b&gt; do?</p>"
    assert qa["Answer"] == "<p>It is <code>code</code> &amp; text.</p>"
    assert qa["Context"] == "Step 1 Problem Formulation"
    assert qa["Explanation"] == (
        "<p>Frame the <strong>goal</strong>. &lt;script&gt;alert('x')&lt;/script&gt;</p>")
    assert qa["Source"] == ('Source: <a href="https://example.com/deck?a=1&amp;b=2">Demo source'
                            "</a> by Ann Author (MIT licence)")
    # The explanation card's answer is the notes: they are not repeated below it.
    explain = note_by_key(anki, "demo/s1/explain")
    assert explain["Explanation"] == ""
    assert explain["Answer"].startswith("<p>Frame the <strong>goal</strong>")
    every_field = [f for nid in anki.find_notes("") for f in anki.get_note(nid).fields]
    assert not any("<script" in f for f in every_field)
    # Anki renders it: the card's question has the breadcrumb and the prompt as HTML.
    question = qa.cards()[0].question()
    assert '<div class="context">Step 1 Problem Formulation</div>' in question
    assert "&lt;b&gt;bold&lt;/b&gt;" in question
    css = qa.note_type()["css"]
    assert ".nightMode" in css and ".night_mode" in css


def test_a_cloze_note_gives_one_card_per_cloze_number(library: Library, anki: Collection,
                                                      out_dir: Path) -> None:
    assert {f"{CLOZE_NOTE}/c1", f"{CLOZE_NOTE}/c2"} <= set(library.card_ids())
    import_package(anki, export(library, out_dir / "demo.apkg").path)
    note = note_by_key(anki, CLOZE_NOTE)  # the GUID of the card id without "/cN"
    assert note.note_type()["id"] == note_types.CLOZE_MODEL_ID
    assert note["Text"] == ("<p>Precision = {{c1::TP / (TP + FP)}}; "
                            "recall = {{c2::TP / (TP + FN)}}.</p>")
    cards = sorted(note.cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]
    assert "TP / (TP + FN)" in cards[0].question()  # c1 hides only the first
    assert "TP / (TP + FP)" not in cards[0].question()


def test_reexport_after_an_edit_updates_the_notes_in_place(library: Library, anki: Collection,
                                                           out_dir: Path) -> None:
    first = export(library, out_dir / "demo.apkg")
    assert len(import_package(anki, first.path).new) == first.notes
    edited = library.rewrite(DECK.replace("What does <b>bold</b> do?", "What does *bold* do?"),
                             T0 + timedelta(days=1))
    again = export_deck(library.store, edited, out_dir / "demo.apkg",
                        now=T0 + timedelta(days=1))
    log = import_package(anki, again.path)
    assert len(log.new) == 0
    assert anki.note_count() == first.notes
    assert anki.card_count() == first.cards
    assert note_by_key(anki, QA)["Prompt"] == "<p>What does <em>bold</em> do?</p>"


def test_the_same_export_twice_is_byte_identical(library: Library, out_dir: Path) -> None:
    one = export(library, out_dir / "one.apkg", with_progress=True)
    two = export(library, out_dir / "two.apkg", with_progress=True)
    assert one.path.read_bytes() == two.path.read_bytes()


# --- scope ---------------------------------------------------------------------------------------

def test_a_branch_exports_only_its_cards(library: Library, anki: Collection,
                                         out_dir: Path) -> None:
    result = export(library, out_dir / "s2.apkg", topic_id="s2")
    import_package(anki, result.path)
    tags = {t for nid in anki.find_notes("") for t in anki.get_note(nid).tags}
    assert tags >= {"mlsd::step-2"} and "mlsd::step-1" not in tags
    ours = [c for c in library.card_ids() if c.split("/")[1] in {"s2", "s2-offline"}]
    assert result.cards == anki.card_count() == len(ours)
    assert deck_names(anki) == {ROOT, f"{ROOT}::Step 2 Metrics",
                                f"{ROOT}::Step 2 Metrics::Offline metrics"}


def test_topic_ids_export_exactly_those_topics(library: Library, anki: Collection,
                                               out_dir: Path) -> None:
    result = export(library, out_dir / "weak.apkg",
                    topic_ids=frozenset({"s1-scope", "s2-offline"}))
    import_package(anki, result.path)
    topics = {t for nid in anki.find_notes("") for t in anki.get_note(nid).tags
              if t.startswith("mlsd::topic::")}
    assert topics == {"mlsd::topic::s1::s1-scope", "mlsd::topic::s2::s2-offline"}
    assert result.notes == anki.note_count() == 2


def test_unknown_topic_or_empty_scope_is_an_export_error(library: Library,
                                                         out_dir: Path) -> None:
    with pytest.raises(ExportError, match="'nope' is not in the deck"):
        export(library, out_dir / "x.apkg", topic_id="nope")
    with pytest.raises(ExportError, match="Nothing to export"):
        export(library, out_dir / "x.apkg", topic_ids=frozenset())
    with pytest.raises(ValueError):
        export(library, out_dir / "x.apkg", topic_id="s1", topic_ids=frozenset({"s1"}))
    assert list(out_dir.iterdir()) == []


def test_include_questions_adds_the_question_bank(library: Library, anki: Collection,
                                                  out_dir: Path) -> None:
    plain = export(library, out_dir / "plain.apkg")
    result = export(library, out_dir / "q.apkg", include_questions=True)
    assert result.notes == plain.notes + 1
    import_package(anki, result.path)
    note = note_by_key(anki, "demo/questions/q-video")
    assert set(note.tags) == {"mlsd::question", "mlsd::category::recommendation"}
    assert note["Prompt"] == ("<h3>Video recommendation</h3>\n"
                              "<p>Design the <strong>home feed</strong>.</p>")
    assert "<li>Problem Formulation</li>" in note["Answer"]
    assert "<li>Metrics</li>" in note["Answer"]
    assert anki.decks.name(note.cards()[0].did) == f"{ROOT}::Interview questions"


def test_progress_is_reported_note_by_note(library: Library, out_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = export(library, out_dir / "demo.apkg",
                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, result.notes) for i in range(result.notes + 1)]


# --- progress ------------------------------------------------------------------------------------

def _study_date(moment: datetime) -> date:
    return study_day(moment, local_zone(), 4).start.astimezone(local_zone()).date()


def test_progress_carries_schedules_and_review_log(library: Library, anki: Collection,
                                                   out_dir: Path) -> None:
    review, relearning, learning, suspended = (QA, f"{CLOZE_NOTE}/c1", "demo/s2/explain",
                                               "demo/extra-capacity/explain")
    fresh = f"{CLOZE_NOTE}/c2"
    # review: learn it (Good, Good), then pass its first review.
    answer(library.store, review, Grade.GOOD, T0)
    answer(library.store, review, Grade.GOOD, T0 + timedelta(minutes=10), duration_ms=95_000)
    card = db.get_card(library.store, review)
    assert card is not None and card.state.due is not None
    answer(library.store, review, Grade.GOOD, card.state.due + timedelta(hours=1))
    # relearning: straight to review with Easy, then forgotten when due.
    answer(library.store, relearning, Grade.EASY, T0 + timedelta(seconds=30))
    card = db.get_card(library.store, relearning)
    assert card is not None and card.state.due is not None
    lapse_at = card.state.due + timedelta(hours=2)
    answer(library.store, relearning, Grade.AGAIN, lapse_at)
    # learning: Again on a new card, then Good once.
    answer(library.store, learning, Grade.AGAIN, lapse_at + timedelta(seconds=30))
    answer(library.store, learning, Grade.GOOD, lapse_at + timedelta(minutes=2))
    # suspended: in review, then suspended.
    answer(library.store, suspended, Grade.EASY, T0 + timedelta(minutes=1))
    db.set_suspended(library.store, [suspended], True)
    library.store.set_setting("study.desired_retention", 0.85)

    result = export(library, out_dir / "progress.apkg", with_progress=True,
                    now=lapse_at + timedelta(minutes=5))
    assert result.with_progress
    import_package(anki, result.path, with_scheduling=True)
    today = _study_date(utc_now())

    def anki_card(card_id: str) -> Any:
        key, _, number = card_id.rpartition("/c") if "/cloze/" in card_id else (card_id, "", "")
        note = note_by_key(anki, key)
        ordinal = int(number) - 1 if number else 0
        return next(c for c in note.cards() if c.ord == ordinal)

    logs = Counter(r[0] for r in library.store.conn.execute("SELECT card_id FROM review_log"))
    for card_id in (review, relearning, learning, suspended, fresh):
        ours = db.get_card(library.store, card_id)
        assert ours is not None
        theirs = anki_card(card_id)
        state = ours.state
        assert (theirs.reps, theirs.lapses) == (state.reps, state.lapses), card_id
        revlog = rows(anki).all("SELECT id, ease, time, type, ivl, lastIvl FROM revlog "
                                "WHERE cid = ? ORDER BY id", theirs.id)
        assert len(revlog) == logs[card_id], card_id
        ours_log = library.store.conn.execute(
            "SELECT reviewed_at, rating, duration_ms, queue_before FROM review_log "
            "WHERE card_id = ? ORDER BY reviewed_at", [card_id]).fetchall()
        assert [tuple(r[:4]) for r in revlog] == [
            (at, rating, min(ms, 60_000), {0: 0, 1: 0, 2: 1, 3: 2}[before])
            for at, rating, ms, before in ours_log]
        if state.queue == Queue.NEW:
            assert (theirs.type, theirs.queue, theirs.memory_state) == (0, 0, None)
            continue
        assert state.stability is not None and state.difficulty is not None
        assert theirs.memory_state.stability == pytest.approx(state.stability, abs=1e-3)
        assert theirs.memory_state.difficulty == pytest.approx(state.difficulty, abs=1e-3)
        assert theirs.desired_retention == pytest.approx(0.85)
        assert state.due is not None and state.last_review is not None
        if state.queue == Queue.REVIEW:
            assert theirs.type == 2
            days = round((state.due - state.last_review) / timedelta(days=1))
            assert theirs.ivl == days >= 1
            assert theirs.due - anki.sched.today == (_study_date(state.due) - today).days
        else:
            assert theirs.type == (3 if state.queue == Queue.RELEARNING else 1)
            assert theirs.due == to_ms(state.due) // 1000  # Unix seconds while learning
            assert theirs.left >= 1
        assert theirs.queue == (-1 if card_id == suspended else
                                2 if state.queue == Queue.REVIEW else 1)

    # The review card's log: two learning steps (negative seconds), then a review in days.
    revlog = rows(anki).all("SELECT ivl, lastIvl, type FROM revlog WHERE cid = ? ORDER BY id",
                            anki_card(review).id)
    assert revlog[0] == [-600, 0, 0]
    assert revlog[1][0] >= 1 and revlog[1][1:] == [-600, 0]
    assert revlog[2][1] == revlog[1][0] and revlog[2][2] == 1
    # Anki's scheduler agrees: everything is overdue by now, the suspended card stays out.
    root = anki.decks.id_for_name(ROOT)
    assert root is not None
    anki.decks.select(root)
    new = anki.card_count() - len(logs)
    assert anki.sched.counts() == (min(new, 20), 2, 1)
    # Importing the same package again adds no notes, cards or review-log rows.
    revlog_rows = rows(anki).scalar("SELECT count() FROM revlog")
    assert len(import_package(anki, result.path, with_scheduling=True).new) == 0
    assert rows(anki).scalar("SELECT count() FROM revlog") == revlog_rows == sum(logs.values())


def test_without_progress_every_card_arrives_new(library: Library, anki: Collection,
                                                 out_dir: Path) -> None:
    answer(library.store, QA, Grade.EASY, T0)
    result = export(library, out_dir / "plain.apkg", now=T0 + timedelta(hours=1))
    import_package(anki, result.path, with_scheduling=True)
    assert rows(anki).scalar("SELECT count() FROM revlog") == 0
    assert rows(anki).list("SELECT DISTINCT queue FROM cards") == [0]


def test_revlog_ids_stay_unique_when_answers_share_a_millisecond(library: Library,
                                                                 anki: Collection,
                                                                 out_dir: Path) -> None:
    cards = library.card_ids()[:4]
    for card_id in cards:
        answer(library.store, card_id, Grade.GOOD, T0)
    result = export(library, out_dir / "same.apkg", with_progress=True,
                    now=T0 + timedelta(minutes=1))
    import_package(anki, result.path, with_scheduling=True)
    assert sorted(rows(anki).list("SELECT id FROM revlog")) == [to_ms(T0) + i for i in range(4)]


# --- the file ------------------------------------------------------------------------------------

def test_package_is_deflated_smaller_than_genanki_and_leaves_no_temp_files(
        library: Library, out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "system-temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    packages: list[Any] = []
    build = genanki.Package.write_to_db

    def spy(self: Any, *args: Any) -> Any:
        packages.append(self)
        return build(self, *args)

    monkeypatch.setattr(genanki.Package, "write_to_db", spy)
    result = export(library, out_dir / "demo.apkg", include_questions=True)

    assert sorted(p.name for p in out_dir.iterdir()) == ["demo.apkg"]
    assert list(temp.iterdir()) == []
    with zipfile.ZipFile(result.path) as archive:
        entries = archive.infolist()
        assert archive.testzip() is None
    assert {e.filename for e in entries} == {"collection.anki2", "media"}
    assert {e.compress_type for e in entries} == {zipfile.ZIP_DEFLATED}
    assert result.size_bytes == result.path.stat().st_size
    # genanki's own writer on the very same package stores the collection uncompressed.
    raw = tmp_path / "raw.apkg"
    packages[0].write_to_file(str(raw), timestamp=T0.timestamp())
    assert result.size_bytes < raw.stat().st_size / 3


def test_shipped_deck_exports_every_card(tmp_path: Path, anki: Collection) -> None:
    store = Store.open(tmp_path / "data")
    try:
        assert sync_decks(store, [(SHIPPED_DECK.parent, SHIPPED)], T0).problems == ()
        deck = load_stored_deck(store, "ml-system-design")
        ours = store.conn.execute("SELECT count(*) FROM cards WHERE deck_id = ? AND retired = 0",
                                  [deck.id]).fetchone()[0]
        result = export_deck(store, deck, tmp_path / "mlsd.apkg", now=T0,
                             include_questions=True)
    finally:
        store.close()
    import_package(anki, result.path)
    assert result.cards == ours + len(deck.questions) == anki.card_count()
    assert result.notes == anki.note_count()
    assert result.decks == len(deck_names(anki))
    assert (f"{deck.title}::Step 2 Metrics (Offline and Online)::Offline metrics (e.g. "
            "classification, relevance metrics)") in deck_names(anki)


# --- failures ------------------------------------------------------------------------------------

def test_missing_folder_is_an_export_error(library: Library, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "demo.apkg"
    with pytest.raises(ExportError) as caught:
        export(library, target)
    assert str(target) in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert not target.parent.exists()


def test_a_file_as_folder_is_an_export_error(library: Library, out_dir: Path) -> None:
    (out_dir / "file").write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        export(library, out_dir / "file" / "demo.apkg")


def test_a_folder_as_target_is_an_export_error(library: Library, out_dir: Path) -> None:
    (out_dir / "demo.apkg").mkdir()
    with pytest.raises(ExportError, match="it is a folder"):
        export(library, out_dir / "demo.apkg")
    assert [p.name for p in out_dir.iterdir()] == ["demo.apkg"]


def test_permission_denied_is_an_export_error(library: Library, out_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ExportError) as caught:
        export(library, out_dir / "demo.apkg")
    assert f"you are not allowed to write in {out_dir}" in str(caught.value)


def test_full_disk_leaves_the_old_file_and_no_temp_file(library: Library, out_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = out_dir / "demo.apkg"
    target.write_bytes(b"the previous export")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ExportError, match="the disk is full") as caught:
        export(library, target)
    assert str(target) in str(caught.value)
    assert [p.name for p in out_dir.iterdir()] == ["demo.apkg"]
    assert target.read_bytes() == b"the previous export"


def test_a_refused_folder_sync_after_the_rename_is_a_written_export(
        library: Library, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = out_dir / "demo.apkg"
    target.write_bytes(b"the previous export")
    refused = refuse_folder_fsync(monkeypatch)
    result = export(library, target)  # the package is in place: no error to report
    assert refused
    assert result.size_bytes == target.stat().st_size
    assert zipfile.ZipFile(target).namelist() == ["collection.anki2", "media"]
    assert [p.name for p in out_dir.iterdir()] == ["demo.apkg"]


def test_an_interrupted_export_leaves_no_temp_file(library: Library, out_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(library, out_dir / "demo.apkg")
    assert list(out_dir.iterdir()) == []


def test_review_due_day_is_the_local_study_day() -> None:
    # 08:30 UTC is 03:30 in New York: still the previous study day (rollover at 4 a.m.).
    new_york = timezone(timedelta(hours=-5))
    moment = datetime(2026, 3, 5, 8, 30, tzinfo=UTC)
    assert progress.study_date(to_ms(moment), new_york, 4) == date(2026, 3, 4)
    assert progress.study_date(to_ms(moment + timedelta(hours=1)), new_york, 4) == \
        date(2026, 3, 5)
    assert progress.study_date(to_ms(moment), UTC, 4) == date(2026, 3, 5)
