# mypy: disallow-untyped-calls=False
"""Review of the changes since 953309b (session 6): each test shows a defect a reviewer found in
them (now fixed), on made-up decks and on the real outlines in tests/data/outlines/real."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pytestqt.qtbot import QtBot
from shared import ALPHA, BRAVO, BRAVO_QA, ENUM_ONE, ONE, TWO, set_state, synced_demo_store

from app.db import study as db
from app.db.store import Store
from app.db.study import Scope
from app.decks.cards import generate_cards
from app.decks.loader import load_text
from app.decks.words import hide_term, plain_text
from app.model import DeckId, TopicId
from app.outline.importer import parse_outline
from app.scheduling.overview import overview
from app.scheduling.scheduler import CardState, Queue, SchedulerSettings
from app.ui.overview_page import OverviewPage

OUTLINES = Path(__file__).resolve().parent / "data" / "outlines" / "real"
NOW = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
_TAG = re.compile(r"<[^>]+>")


def rendered(markdown: str) -> str:
    text = html.unescape(_TAG.sub("", MarkdownIt("commonmark").renderInline(markdown)))
    return " ".join(text.split())


def explain_fronts(yaml: str) -> dict[str, str]:
    return {c.topic_id: c.prompt for c in generate_cards(load_text(yaml, "d.yaml"))
            if c.kind == "explain"}


# --- plain_text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("markdown", ["snake__case__name", "a__b__", "__a__b"])
def test_double_underscores_inside_a_word_stay(markdown: str) -> None:
    assert plain_text(markdown) == rendered(markdown) == markdown


@pytest.mark.parametrize("markdown", ["`[x](y)`", "`![img](u)`", "`<https://x.com>`"])
def test_code_spans_keep_link_syntax_literal(markdown: str) -> None:
    assert plain_text(markdown) == rendered(markdown)


def test_a_longer_backtick_run_does_not_close_a_code_span() -> None:
    assert plain_text("`a``b`") == rendered("`a``b`") == "a``b"


# --- hide_term: acronyms ------------------------------------------------------------------------

@pytest.mark.parametrize(("notes", "term", "kept"), [
    ("Information technology keeps it running for the staff who use it.", "IT", "keeps it running"),
    ("Operations research picks schedules or routes at least cost.", "OR", "schedules or routes"),
])
def test_an_acronym_that_spells_a_stop_word_keeps_the_stop_word(notes: str, term: str,
                                                                kept: str) -> None:
    assert kept in hide_term(notes, term).text


@pytest.mark.parametrize(("notes", "term", "kept"), [
    ("Machine learning models learn patterns from examples.", "ML", "models learn"),
    ("Cache data near users; content delivery networks do this at the edge.", "CDN",
     "Cache data near"),
    ("Artificial intelligence agents interact with environments.", "AI", "agents interact"),
])
def test_words_that_only_share_an_acronyms_initials_are_kept(notes: str, term: str,
                                                             kept: str) -> None:
    assert kept in hide_term(notes, term).text


@pytest.mark.parametrize(("notes", "term", "told"), [
    ("Learning to rank orders items by their relevance to a query.", "LTR", "Learning to rank"),
    ("Queries per second measure the load a service must take.", "QPS", "Queries per second"),
    ("People you may know suggests connections from the graph.", "PYMK", "People you may know"),
])
def test_a_spelled_out_form_with_a_function_word_is_hidden(notes: str, term: str,
                                                           told: str) -> None:
    assert told not in hide_term(notes, term).text


# --- explain fronts of lower-case fragments -----------------------------------------------------

FRAGMENTS = """deck: {id: d, title: D, version: 1}
topics:
  - id: top
    title: Ranking metrics
    children:
      - id: map
        title: mAP
        children:
          - {id: mapc, title: how to compute, notes: Average the precision at each relevant rank.}
      - id: ios
        title: iOS clients
        children:
          - {id: iosc, title: caching on device, notes: Keep the last feed on disk for cold starts.}
      - id: emb
        title: Embeddings
        children:
          - id: learn
            title: how to learn?
            notes: Train a two tower model with in-batch negatives on click pairs.
            children:
              - {id: neg, title: negatives, notes: Other items of the batch serve as negatives.}
      - id: cons
        title: "Cons:"
        children:
          - {id: slow, title: slow to train, notes: Each epoch reads the whole click log again.}
"""


def test_a_parent_name_keeps_its_case_on_a_fragment_front() -> None:
    fronts = explain_fronts(FRAGMENTS)
    assert fronts["mapc"] == "Explain: mAP: how to compute"
    assert fronts["iosc"] == "Explain: iOS clients: caching on device"


def test_a_parent_ending_in_a_colon_gives_one_colon() -> None:
    assert "::" not in explain_fronts(FRAGMENTS)["slow"]


def test_a_fragment_under_a_fragment_names_the_term_it_continues() -> None:
    assert "Embeddings" in explain_fronts(FRAGMENTS)["neg"]


# --- which titles are terms ---------------------------------------------------------------------

TERMS = """deck: {id: cv, title: CV, version: 1}
topics:
  - id: vision
    title: Vision
    children:
      - id: tasks
        title: Computer vision tasks
        children:
          - id: cls
            title: Classification
            notes: Assign one label to the whole image from a fixed set of classes.
          - id: det
            title: Detection
            notes: Locate each object in the image with a bounding box and a class label.
          - id: seg
            title: Segmentation
            notes: Assign a class label to every pixel of the image to outline objects.
      - id: choices
        title: Platform choices
        children:
          - id: bvb
            title: Build vs buy
            notes: Weigh the cost of owning an in-house platform against paying a vendor.
          - id: atc
            title: Add to cart rate
            notes: Share of product page visits that end with the product in the basket.
"""


def test_detection_in_a_set_of_tasks_is_a_term() -> None:
    ids = {c.id for c in generate_cards(load_text(TERMS, "cv.yaml"))}
    assert {"cv/tasks/name-all", "cv/det/concept"} <= ids


def test_names_that_start_with_a_verb_and_a_function_word_are_terms() -> None:
    ids = {c.id for c in generate_cards(load_text(TERMS, "cv.yaml"))}
    assert {"cv/bvb/concept", "cv/atc/concept", "cv/choices/name-all"} <= ids


# --- notes to the reader, parts of a deck: real outlines -----------------------------------------

def test_a_name_all_front_has_no_note_to_the_reader() -> None:
    deck = parse_outline((OUTLINES / "fsrs.md").read_text(encoding="utf-8"), "fsrs.md")
    fronts = [c.prompt for c in generate_cards(deck) if c.kind == "name-all"]
    assert fronts and not any("(optional)" in front for front in fronts)


def test_a_name_all_cue_is_the_initial_of_the_answer() -> None:
    deck = load_text("""deck: {id: d, title: D, version: 1}
topics:
  - id: top
    title: Decoding
    children:
      - id: dec
        title: Decoding strategies
        children:
          - {id: g, title: Greedy search}
          - {id: b, title: (advanced) Beam search}
          - {id: n, title: Nucleus sampling}
""", "d.yaml")
    card = next(c for c in generate_cards(deck) if c.kind == "name-all")
    assert card.answer == "- Greedy search\n- Beam search\n- Nucleus sampling"
    assert card.prompt.endswith("Cues: G…, B…, N…")


def test_a_numbered_table_of_contents_does_not_silence_the_sections() -> None:
    deck = parse_outline((OUTLINES / "orjson.md").read_text(encoding="utf-8"), "orjson.md")
    answers = [c.answer for c in generate_cards(deck) if c.kind == "explain"]
    assert any(a.startswith("Serialization and deserialization performance of orjson")
               for a in answers)


# --- the overview's new-card sentence -----------------------------------------------------------

@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    opened = synced_demo_store(tmp_path, NOW - timedelta(days=30))
    yield opened
    opened.close()


def review_due(due: datetime) -> CardState:
    return CardState(Queue.REVIEW, None, 5.0, 5.0, due, due - timedelta(days=5), 3, 0)


def said(qtbot: QtBot, store: Store, scope: Scope) -> str:
    seen = overview(store, scope, SchedulerSettings(fuzz=False), NOW, UTC)
    page = OverviewPage()
    qtbot.addWidget(page)
    page.show_overview("Demo", seen, NOW, UTC)
    return page.details.text()


@pytest.mark.gui
def test_the_other_is_not_said_when_more_than_one_other_is_held_back(
        qtbot: QtBot, demo_store: Store) -> None:
    db.bury(demo_store, [BRAVO, BRAVO_QA], NOW + timedelta(hours=12))
    text = said(qtbot, demo_store, Scope())
    assert text.startswith("7 new cards here, 4 of them today")
    assert "the other asks" not in text


@pytest.mark.gui
def test_a_single_waiting_new_card_is_not_the_other(qtbot: QtBot, demo_store: Store) -> None:
    for card in (ALPHA, ONE, TWO):
        set_state(demo_store, card, review_due(NOW + timedelta(days=3)))
    set_state(demo_store, ENUM_ONE, review_due(NOW - timedelta(hours=1)))
    scope = Scope(DeckId("demo"), frozenset({TopicId("alpha"), TopicId("a-one"),
                                             TopicId("a-two")}))
    seen = overview(demo_store, scope, SchedulerSettings(fuzz=False), NOW, UTC)
    assert (seen.new_total, seen.counts.new, seen.new_waiting) == (1, 0, 1)  # ENUM_TWO waits
    text = said(qtbot, demo_store, scope)
    assert "0 of them today" not in text and "the other" not in text
