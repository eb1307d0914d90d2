"""Markdown outlines -> decks: structure, notes, numbering, stable ids, bounds, re-import."""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from shared import refuse_folder_fsync

from app.cli import main
from app.db import study as db
from app.db.store import Store
from app.decks.cards import generate_cards
from app.decks.library import SHIPPED, USER, deck_hash, import_outline, sync_decks
from app.decks.loader import load_path, load_text
from app.decks.yaml_nodes import MAX_NESTING
from app.errors import AppError, DeckError, OutlineError
from app.files import MAX_READ_BYTES as MAX_BYTES
from app.model import Deck, Topic
from app.outline import importer
from app.outline.deck_file import IMPORT_MARKER, imported_from, outline_to_yaml
from app.outline.importer import parse_outline, read_outline, write_deck_file
from app.outline.tree import MAX_DEPTH, MAX_NOTES, MAX_TITLE
from app.paths import shipped_decks_dir, user_decks_dir
from app.scheduling.scheduler import Fsrs, Grade, Queue, SchedulerSettings

DATA = Path(__file__).resolve().parent / "data" / "outlines"
OUTLINES = sorted(DATA.glob("*.md"))
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


def comparable(deck: Deck) -> Deck:
    """The deck without what differs between an outline and its YAML: lines and the path."""

    def topic(t: Topic) -> Topic:
        return replace(t, line=0, children=tuple(topic(c) for c in t.children))

    return replace(deck, path="", topics=tuple(topic(t) for t in deck.topics))


def tree(deck: Deck) -> list[tuple[int, str, bool]]:
    """(depth, title, ordered) of every topic in outline order."""
    return [(len(ancestors), t.title, t.ordered) for t, ancestors in deck.walk()]


def titled(deck: Deck, title: str) -> Topic:
    [found] = [t for t, _ in deck.walk() if t.title == title]
    return found


def parse(text: str, **kwargs: str) -> Deck:
    return parse_outline(text, "notes.md", **kwargs)


def all_notes(deck: Deck) -> str:
    return "\n".join([deck.description, *(t.notes for t, _ in deck.walk())])


# --- the outlines in tests/data/outlines --------------------------------------------------------

@pytest.mark.parametrize("path", OUTLINES, ids=lambda p: p.name)
def test_every_sample_outline_round_trips_through_yaml_and_check_deck(
        path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = parse_outline(read_outline(path), str(path))
    written = tmp_path / f"{deck.id}.yaml"
    written.write_text(outline_to_yaml(deck), encoding="utf-8")

    assert comparable(load_path(written)) == comparable(deck)
    assert main(["check-deck", str(written)]) == 0
    assert capsys.readouterr().out == ""
    store = Store.in_memory()
    try:
        report = sync_decks(store, [(tmp_path, USER)], NOW)
        assert report.problems == ()
        assert [t.title for t in store.topics(deck.id) if t.parent_id is None] == \
            [t.title for t in deck.topics]
        assert len(store.topics(deck.id)) == deck.topic_count()
    finally:
        store.close()


def test_ml_flow_outline_headings_numbered_steps_and_two_space_lists() -> None:
    deck = parse_outline(read_outline(DATA / "ml-flow.md"), "ml-flow.md")

    # The single top-level heading is the deck; the text under it describes the deck.
    assert (deck.id, deck.title) == ("machine-learning-system-design",
                                     "Machine Learning System Design")
    assert deck.description.startswith("A study outline of the 9-step flow")
    assert "**two** spaces" in deck.description  # emphasis kept as Markdown
    assert tree(deck)[:10] == [
        (0, "The flow", True),  # "Step N" sub-headings: an ordered sequence, numbers dropped
        (1, "Problem Formulation", False),
        (2, "Clarifying questions", False),
        (3, "Scope and use cases", False),
        (3, "Scale: users, items, QPS", False),  # inline code becomes plain text in a title
        (2, "Business objective", False),
        (2, "ML objective and ML category", True),
        (3, "Binary classification", False),
        (3, "Ranking", False),
        (3, "Regression", False),
    ]
    metrics = titled(deck, "Metrics (Offline and Online)")
    assert metrics.ordered
    # "1." items with sub-lists indented by two spaces nest (CommonMark alone would not).
    assert [(c.title, c.ordered, [g.title for g in c.children]) for c in metrics.children] == [
        ("Offline metrics", True, ["Classification: precision, recall, F1, ROC-AUC",
                                   "Relevance: nDCG, MRR, mAP"]),
        ("Online metrics", False, ["CTR", "Watch time"]),
        ("Trade-offs between metrics", False, []),
    ]
    problem = titled(deck, "Problem Formulation")
    assert "[original outline](https://github.com/alirezadir/Machine-Learning-Interviews)" \
        in problem.notes
    assert problem.line == 8
    assert titled(deck, "Architectural Components").notes == "Keep the MVP small."
    assert [t.title for t in titled(deck, "Sample questions").children] == \
        ["Video recommendation", "Feed ranking", "Ads click prediction"]


def test_primer_outline_front_matter_setext_four_spaces_tables_and_html() -> None:
    deck = parse_outline(read_outline(DATA / "primer-4space.md"), "primer-4space.md")

    assert deck.title == "System Design Primer (excerpt)"  # from the front matter
    assert deck.id == "system-design-primer-excerpt"
    assert [t.title for t in deck.topics] == [
        "Latency vs throughput", "Availability patterns", "Steps to scale"]
    assert tree(deck)[1:6] == [
        (1, "Latency is the time to perform some action", False),
        (2, "Measured in milliseconds", False),
        (2, "Tail latency: p99, p999", False),
        (1, "Throughput is the number of actions per unit of time", False),
        (2, "Aim for maximal throughput with acceptable latency", False),
    ]
    # A table: one child per row, titled by its first cell, the other cells as notes.
    rows = titled(deck, "Availability patterns").children
    assert [(r.title, r.notes) for r in rows] == [
        ("Fail-over", "- Also called: Active-passive\n"
                      "- Trade-off: More hardware, potential loss of data"),
        ("Replication", "- Also called: Master-slave\n"
                        "- Trade-off: See replication"),
        ("(unnamed)", "- Trade-off: Rows without a first cell take the next one"),
    ]
    steps = titled(deck, "Steps to scale")
    assert steps.ordered
    assert [c.title for c in steps.children] == [
        "Benchmark and profile", "Address bottlenecks", "Repeat"]
    # Images become their alt text; comments, raw HTML and front matter are gone.
    assert deck.description.endswith("to resources added. Scaling diagram")
    text = all_notes(deck)
    for dropped in ("<div", "<img", "<p>", "Raw HTML", "comment", "layout", "tags:"):
        assert dropped not in text


def test_tab_indented_outline_with_toml_front_matter_quotes_and_code() -> None:
    deck = parse_outline(read_outline(DATA / "tabs.md"), "tabs.md")

    assert deck.title == "Tabbed notes"
    assert tree(deck) == [
        (0, "Data pipelines", False),
        (1, "Ingestion", False),
        (2, "Batch", False),
        (3, "Hourly dumps", False),
        (3, "Daily snapshots", False),
        (2, "Streaming", False),
        (3, "Kafka topics", False),
        (1, "Processing", True),
        (2, "Clean", False),
        (2, "Join", False),
        (2, "Aggregate", False),
        (0, "Serving", False),
        (1, "Online", False),
        (1, "Batch", False),
    ]
    assert titled(deck, "Data pipelines").notes == (
        "> A quote under the heading becomes part of its notes.\n>\n"
        "> - even with a list in it\n\n"
        "```python\ndef features(row):\n    return [row.a, row.b]\n```")


def test_edge_case_outline() -> None:
    deck = parse_outline(read_outline(DATA / "edge-cases.md"), "edge-cases.md")

    assert (deck.id, deck.title) == ("edge-cases", "edge-cases")  # from the file name
    assert deck.description == "Text before the first heading describes the deck."
    duplicates = titled(deck, "Duplicates").children
    assert [t.title for t in duplicates] == ["Example"] * 3
    assert len({t.id for t in duplicates}) == 3
    assert [c.title for c in duplicates[2].children] == ["Child of the third example"]
    assert any(t.title == "only an image" for t in deck.topics)  # a heading of just an image
    long = deck.topics[2]
    assert len(long.title) == MAX_TITLE and long.title.endswith("typ…")
    assert long.notes.endswith("simply far too long to show")  # the whole heading is kept
    assert [(c.title, c.notes) for c in long.children] == [
        ("code first item", ""),
        ("child of an empty item", ""),  # an empty item's child moves up to take its place
        ("fenced start", "```\nfenced start\n```"),
        ("Only second column", "- value"),  # header cells empty, first cell empty
        ("lazily indented bullet", ""),
    ]
    assert "multi-line" not in all_notes(deck)


# --- Markdown features one by one -----------------------------------------------------------------

NESTED = """\
# Topic
- alpha
  - alpha one
    - alpha one deep
  - alpha two
- beta
"""


@pytest.mark.parametrize("indented", [
    NESTED,
    NESTED.replace("  ", "    "),
    NESTED.replace("  ", "\t"),
    NESTED.replace("- ", "* "),
    NESTED.replace("- ", "+ "),
    NESTED.replace("# Topic", "Topic\n=====").replace("\n-", "\n\n-", 1),
], ids=["2-spaces", "4-spaces", "tabs", "star", "plus", "setext"])
def test_indentation_bullets_and_heading_styles_give_the_same_deck(indented: str) -> None:
    expected = parse(NESTED, deck_id="d")
    deck = parse(indented, deck_id="d")
    assert tree(deck) == [(0, "alpha", False), (1, "alpha one", False),
                          (2, "alpha one deep", False), (1, "alpha two", False),
                          (0, "beta", False)]
    # Same place and title, same id: changing the indentation style keeps progress.
    assert [t.id for t, _ in deck.walk()] == [t.id for t, _ in expected.walk()]


def test_headings_nest_by_level_and_skipped_levels_still_nest() -> None:
    deck = parse("# A\n### A deep\n## A sub\n#### A sub deep\n# B\n## B sub\n")
    assert tree(deck) == [(0, "A", False), (1, "A deep", False), (1, "A sub", False),
                          (2, "A sub deep", False), (0, "B", False), (1, "B sub", False)]
    assert deck.title == "A"  # the first H1; with two of them neither is the deck


def test_lists_nest_under_the_heading_above_them() -> None:
    deck = parse("# A\n\n- one\n- two\n\n## A sub\n\n1. first\n2. second\n")
    assert tree(deck) == [(0, "one", False), (0, "two", False), (0, "A sub", True),
                          (1, "first", False), (1, "second", False)]


@pytest.mark.parametrize("items", [
    "1. Collect\n2. Clean\n3. Train",
    "1) Collect\n2) Clean\n3) Train",
    "- Step 1 Collect\n- Step 2 Clean\n- Step 3 Train",
    "- Step 1: Collect\n- Step 2 - Clean\n- Phase 3. Train",
    "### 1. Collect\n### 2. Clean\n### 3. Train",
    "### Step 1 Collect\n### Step 2 Clean\n### Step 3 Train",
    "### 1.1 Collect\n### 1.2 Clean\n### 1.3 Train",
])
def test_numbered_items_make_an_ordered_parent_and_lose_their_numbers(items: str) -> None:
    deck = parse(f"# Deck\n## Other\n## Pipeline\n\n{items}\n")
    pipeline = titled(deck, "Pipeline")
    assert pipeline.ordered
    assert [c.title for c in pipeline.children] == ["Collect", "Clean", "Train"]
    assert not titled(deck, "Other").ordered


def test_numbers_in_the_text_of_a_numbered_list_item_stay() -> None:
    deck = parse("# D\n\n1. 3.5 million users\n2. Step 2 is next\n\n# E\n")
    assert tree(deck)[:3] == [(0, "D", True), (1, "3.5 million users", False),
                              (1, "Step 2 is next", False)]


def test_a_mixed_list_is_not_ordered_and_keeps_its_numbers() -> None:
    deck = parse("# Deck\n\n- Step 1 Collect\n- Clean up\n- Phase 2 Train\n\n# Two\n")
    assert tree(deck)[:4] == [(0, "Deck", False), (1, "Step 1 Collect", False),
                              (1, "Clean up", False), (1, "Phase 2 Train", False)]


def test_paragraphs_under_headings_and_items_become_notes_with_inline_markdown() -> None:
    deck = parse(
        "# Deck\n\n## Metrics\n\n"
        "Use **precision** and *recall*; compute with `sklearn.metrics`.\n"
        "Second line of the same paragraph.\n\n"
        "Another paragraph with a [link](https://example.org \"Example\").\n\n"
        "- An item\n\n  Its own paragraph, indented under it.\n\n"
        "  ```sql\n  SELECT 1;\n  ```\n"
        "- [Linked item](https://example.org/item) with text\n")
    metrics = titled(deck, "Metrics")
    assert metrics.notes == (
        "Use **precision** and *recall*; compute with `sklearn.metrics`.\n"
        "Second line of the same paragraph.\n\n"
        "Another paragraph with a [link](https://example.org \"Example\").")
    item, linked = metrics.children
    assert item.notes == "Its own paragraph, indented under it.\n\n```sql\nSELECT 1;\n```"
    assert linked.title == "Linked item with text"  # plain text in the title ...
    assert linked.notes == "[Linked item](https://example.org/item) with text"  # ... link kept


def test_images_html_and_comments_are_dropped_from_notes() -> None:
    deck = parse(
        "# Deck\n\n## Part\n\n"
        "See ![the diagram](d.png) and ![](decorative.png) <span class=\"x\">here</span>"
        " <!-- hidden --> [ref link][r].\n\n"
        "<table><tr><td>raw</td></tr></table>\n\n"
        "<!--\nblock comment\n-->\n\n"
        "[r]: https://example.org/ref\n")
    assert titled(deck, "Part").notes == \
        "See the diagram and  here  [ref link](https://example.org/ref)."


def test_text_that_looks_like_markup_stays_text_when_notes_are_rebuilt() -> None:
    # A paragraph with a link is written back from its parts: literal markup is escaped.
    deck = parse("# D\n## P\n\nA \\*star\\*, snake\\_case, 1 < 2, [a](u) and &amp;copy;!\n")
    notes = titled(deck, "P").notes
    html = MarkdownIt("commonmark").render(notes)
    assert "<em>" not in html and "&amp;copy;" in html and "snake_case" in html


def test_quotes_code_blocks_and_rules_in_notes() -> None:
    deck = parse("# D\n## P\n\n> quoted *text*\n>\n> more\n\n    indented code\n\n---\n\n"
                 "~~~\ntilde fence\n~~~\n")
    assert titled(deck, "P").notes == (
        "> quoted *text*\n>\n> more\n\n```\nindented code\n```\n\n~~~\ntilde fence\n~~~")


def test_tables_become_child_topics_or_text_when_there_are_no_rows() -> None:
    deck = parse("# D\n## Metrics\n\n| Metric | Formula |\n|---|---|\n"
                 "| Precision | `TP / (TP + FP)` |\n| Recall | TP / (TP + FN) |\n\n"
                 "## Empty\n\n| Only | Header |\n|---|---|\n")
    rows = titled(deck, "Metrics").children
    assert [(r.title, r.notes, r.line) for r in rows] == [
        ("Precision", "- Formula: `TP / (TP + FP)`", 6),
        ("Recall", "- Formula: TP / (TP + FN)", 7),
    ]
    assert titled(deck, "Empty").notes == "| Only | Header |\n| --- | --- |"


def test_front_matter_is_ignored_and_gives_the_title() -> None:
    yaml_front = "---\ntitle: 'Front title'\nauthor: me\n---\n# Heading\n- a\n"
    assert parse(yaml_front).title == "Front title"
    assert parse(yaml_front, title="Given title").title == "Given title"
    toml_front = '+++\ntitle = "Toml title"\n+++\n# Heading\n- a\n'
    assert parse(toml_front).title == "Toml title"
    untitled = parse("---\nauthor: me\n---\n# Heading\n- a\n")
    assert untitled.title == "Heading"
    assert "author" not in all_notes(untitled)
    # A rule at the top followed by text is not front matter.
    assert tree(parse("---\n\n# One\n\n---\n\n# Two\n")) == [(0, "One", False),
                                                             (0, "Two", False)]


def test_deck_title_and_id_rules() -> None:
    single = parse("# My Study Notes\n\nIntro.\n\n## A\n## B\n")
    assert (single.id, single.title, single.description) == \
        ("my-study-notes", "My Study Notes", "Intro.")
    assert [t.title for t in single.topics] == ["A", "B"]
    lonely = parse("# Only heading\n\nJust notes.\n")
    assert [(t.title, t.notes) for t in lonely.topics] == [("Only heading", "Just notes.")]
    assert parse("- a\n- b\n").title == "notes"  # no heading: the file name
    assert parse("- a\n", deck_id="custom-id", title="  Custom   title ").title == "Custom title"
    assert parse("- a\n", deck_id="custom-id").id == "custom-id"
    assert parse("# Ünïcödé Déck\n- a\n").id == "unicode-deck"
    assert parse("# 学习笔记\n- a\n").id == "notes"  # nothing to slug: the file name
    with pytest.raises(OutlineError) as refused:
        parse("- a\n", deck_id="Bad Id")
    assert "deck id 'Bad Id'" in str(refused.value)


# --- stable ids ---------------------------------------------------------------------------------

BASE = """\
# Course

## Data
- Sources
  - Logs
  - Surveys
- Labels

## Model
1. Baseline
2. Deep model
"""


def ids_by_title(deck: Deck) -> dict[str, str]:
    return {" > ".join([*(a.title for a in ancestors), t.title]): t.id
            for t, ancestors in deck.walk()}


def test_ids_are_stable_across_parses_and_edits_elsewhere() -> None:
    first = ids_by_title(parse(BASE))
    assert ids_by_title(parse(BASE)) == first
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*-[0-9a-f]{8}", i) for i in first.values())
    edited = parse(BASE.replace("## Data\n", "## Intro\nNew notes.\n- New item\n\n## Data\n"
                                "Data notes.\n")
                   .replace("  - Surveys\n", "  - Surveys\n  - Sensors\n")
                   .replace("2. Deep model", "2. Deep model\n3. Ensemble")
                   .replace("## Model", "## model"))  # case is not part of the id
    after = ids_by_title(edited)
    renamed = {k.replace("Model", "model"): v for k, v in first.items()}
    assert {k: after[k] for k in renamed} == renamed


def test_a_renamed_or_moved_node_gets_new_ids_for_itself_and_below() -> None:
    before = ids_by_title(parse(BASE))
    after = ids_by_title(parse(BASE.replace("- Sources", "- Data sources")))
    assert after["Data > Data sources"] != before["Data > Sources"]
    assert after["Data > Data sources > Logs"] != before["Data > Sources > Logs"]
    assert after["Data > Labels"] == before["Data > Labels"]
    moved = ids_by_title(parse(BASE.replace("- Labels\n", "").replace(
        "2. Deep model", "2. Deep model\n3. Labels")))
    assert moved["Model > Labels"] != before["Data > Labels"]


def test_renumbering_steps_keeps_their_ids() -> None:
    before = parse("# D\n## Flow\n### Step 1 Frame\n### Step 2 Measure\n")
    after = parse("# D\n## Flow\n### Step 1 Clarify\n### Step 2 Frame\n### Step 3 Measure\n")
    old = {t.title: t.id for t, _ in before.walk()}
    new = {t.title: t.id for t, _ in after.walk()}
    assert new["Frame"] == old["Frame"] and new["Measure"] == old["Measure"]


# --- bounds and bad input -----------------------------------------------------------------------

def test_one_hundred_levels_of_nesting_are_flattened_at_the_depth_limit() -> None:
    text = "".join("  " * level + f"- level {level}\n" for level in range(100))
    deck = parse(text)
    depths = {t.title: len(ancestors) for t, ancestors in deck.walk()}
    assert len(depths) == 100
    assert max(depths.values()) == MAX_DEPTH - 1
    assert depths["level 58"] == 58 and depths["level 59"] == depths["level 99"] == MAX_DEPTH - 1
    assert 2 * MAX_DEPTH + 4 < MAX_NESTING  # the YAML written back stays inside the loader's limit
    assert comparable(load_text(outline_to_yaml(deck))) == comparable(deck)


def test_deep_headings_plus_deep_lists_stay_within_the_depth_limit() -> None:
    headings = "".join("#" * level + f" h{level}\n" for level in range(1, 7))
    lists = "".join("  " * level + f"- l{level}\n" for level in range(80))
    deck = parse(headings + lists)
    # The limit counts from the top heading, which then became the deck itself.
    assert max(len(a) for _, a in deck.walk()) == MAX_DEPTH - 2
    assert deck.topic_count() == 5 + 80


def test_quotes_nested_too_deeply_are_refused_with_their_line() -> None:
    text = "# D\n\n" + "".join(">" * level + " q\n" for level in range(1, 200))
    with pytest.raises(OutlineError) as refused:
        parse(text)
    [problem] = refused.value.problems
    assert problem.path == "notes.md" and problem.line > 3
    assert "nest too deeply" in problem.message


def test_an_enormous_single_line_is_cut_not_refused() -> None:
    huge = "word " * 400_000  # 2 MB on one line
    item = parse("# D\n\n- " + huge + "\n- next\n")
    first = item.topics[0]
    assert len(first.title) == MAX_TITLE and first.title.endswith("…")
    assert MAX_NOTES < len(first.notes) < MAX_NOTES + 200 and "cut here" in first.notes
    heading = parse(f"# {huge}\n\nnotes\n")
    assert len(heading.title) == MAX_TITLE
    paragraph = parse(f"# D\n## P\n\n{huge}\n")
    assert len(titled(paragraph, "P").notes) < MAX_NOTES + 200


def test_a_five_megabyte_outline_imports(tmp_path: Path) -> None:
    section = "## Section {n}\n\n" + ("Long explanation with **bold** text. " * 70 + "\n\n") * 4 \
        + "- point one\n  - detail\n- point two\n\n"
    parts = ["# Big outline\n\n"]
    size = 0
    n = 0
    while size < 5_000_000:
        n += 1
        parts.append(section.format(n=n))
        size += len(parts[-1])
    path = tmp_path / "big.md"
    path.write_text("".join(parts), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    store = Store.open(tmp_path / "data")
    try:
        started = time.perf_counter()
        result = import_outline(store, path, tmp_path / "data", NOW)
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    assert result.topics == n * 4 and result.title == "Big outline"
    assert elapsed < 60, elapsed  # about 5 s on a quiet machine


def test_parsing_in_parts_gives_the_same_deck(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Intro.\n\n" + "".join(
        f"# Part {n}\n\nNotes {n}.\n\n- item\n  - sub {n}\n\n```\n# not a heading {n}\n```\n\n"
        f"<!--\n\n# not a heading either\n\n-->\n\n## Sub {n}\n| a | b |\n|---|---|\n| x | y |\n\n"
        for n in range(40))
    whole = parse(text)
    parts: list[int] = []
    cut = importer._parts

    def counted(lines: list[str], cuts: list[int]) -> Iterator[tuple[int, str]]:
        for first, part in cut(lines, cuts):
            parts.append(first)
            yield first, part

    monkeypatch.setattr(importer, "_PART_CHARS", 100)
    monkeypatch.setattr(importer, "_parts", counted)
    assert parse(text) == whole  # lines included
    lines = text.split("\n")
    starts = [lines[first] for first in parts[1:]]
    assert len(starts) >= 39  # parts of at least 100 characters, cut before a heading
    assert all(re.fullmatch(r"#{1,2} (Part|Sub) \d+", line) for line in starts), starts
    assert whole.topic_count() == 40 * 5
    parts.clear()
    assert parse(text + "[r]: http://example.org\n") == whole  # references: one part
    assert parts == [0]


@pytest.mark.parametrize("text, message", [
    ("", "the outline is empty"),
    (" \n\t\n\n", "the outline is empty"),
    ("---\ntitle: x\n---\n", "the outline is empty"),
    ("Just a paragraph.\n\nAnother one.\n", "no headings or list items found"),
    ("<div>\n# inside html\n</div>\n", "no headings or list items found"),
    ("#\n##\n", "no headings or list items found"),
])
def test_outlines_without_topics_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(OutlineError) as refused:
        parse(text)
    [problem] = refused.value.problems
    assert (problem.path, problem.line, problem.column) == ("notes.md", 1, 1)
    assert message in problem.message


def test_unreadable_files_are_refused_with_their_location(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin.md"
    latin.write_bytes("# Cafe\n- ok\n- na\xefve\n".encode("latin-1"))
    huge = tmp_path / "huge.md"
    with huge.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 8 MB written
    cases = {binary: (1, "binary file"), latin: (3, "not UTF-8"),
             huge: (1, "larger than 8 MB"), tmp_path / "missing.md": (1, "cannot read")}
    for path, (line, message) in cases.items():
        with pytest.raises(OutlineError) as refused:
            read_outline(path)
        [problem] = refused.value.problems
        assert (problem.path, problem.line) == (str(path), line)
        assert message in problem.message
    assert read_outline(_write(tmp_path / "bom.md", "\ufeff# T\n- a\n")) == "# T\n- a\n"


def test_control_characters_and_odd_line_breaks_are_cleaned() -> None:
    deck = parse("# D\r\n- a\x00b\x07c\r\n- line\u2028sep\r- old mac\n")
    assert [t.title for t in deck.topics] == ["abc", "line sep", "old mac"]
    assert [t.line for t in deck.topics] == [2, 3, 4]
    assert comparable(load_text(outline_to_yaml(deck))) == comparable(deck)


# --- YAML -----------------------------------------------------------------------------------------

def test_yaml_is_the_documented_format_with_a_header() -> None:
    deck = parse("# Deck\n\nAbout.\n\n## Steps\n1. One\n2. Two\n\n"
                 "   Two's notes\n   on two lines.\n")
    text = outline_to_yaml(deck, source="/home/me/notes.md")
    assert text.startswith(IMPORT_MARKER)
    assert imported_from(text) == "/home/me/notes.md"
    assert "#   mlsd-study import-outline /home/me/notes.md --id deck\n" in text
    assert "&" not in text and "*" not in text  # no anchors or aliases
    body = text[text.index("deck:"):]
    assert body.startswith("deck:\n  id: deck\n  title: Deck\n  version: 1\n"
                           "  description: About.\n  source:\n    title: notes.md\ntopics:\n")
    assert "  ordered: true\n" in body
    assert "    notes: |-\n      Two's notes\n      on two lines.\n" in body
    assert imported_from("deck:\n  id: x\n") is None


# --- importing into the store -------------------------------------------------------------------

OUTLINE = """\
# Interview prep

## Metrics
Choose them before modelling.

1. Precision
   The share of predicted positives that are right.
2. Recall
3. Calibration

## Serving
- Batch
- Online
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data: Path) -> Iterator[Store]:
    opened = Store.open(data)
    sync_decks(opened, [(shipped_decks_dir(), SHIPPED), (user_decks_dir(data), USER)], NOW)
    yield opened
    opened.close()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_writes_yaml_stores_the_deck_and_start_up_does_not_reparse(
        tmp_path: Path, data: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)

    result = import_outline(store, source, data, NOW)

    target = user_decks_dir(data) / "interview-prep.yaml"
    assert (result.deck_id, result.title, result.path) == \
        ("interview-prep", "Interview prep", target)
    assert (result.topics, result.added, result.updated, result.retired, result.reimported) == \
        (7, 7, 0, 0, False)
    stored = load_path(target)
    assert result.cards == len(generate_cards(stored))
    assert [d.id for d in store.decks()] == ["ml-system-design", "interview-prep"]
    assert {t.title for t in store.topics("interview-prep")} == {
        "Metrics", "Precision", "Recall", "Calibration", "Serving", "Batch", "Online"}
    assert imported_from(target.read_text(encoding="utf-8")) == str(source)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left
    # The stored hash is the file's: the next start-up skips it.
    assert store.deck_hashes()[str(target)] == ("interview-prep", deck_hash(target.read_bytes()))
    again = sync_decks(store, [(shipped_decks_dir(), SHIPPED), (user_decks_dir(data), USER)],
                       LATER)
    assert again.parsed == 0 and again.problems == ()
    assert main(["check-deck", str(target)]) == 0
    assert capsys.readouterr().out == ""


def test_reimport_keeps_progress_of_unchanged_nodes_and_retires_the_rest(
        tmp_path: Path, data: Path, store: Store) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)
    import_outline(store, source, data, NOW)
    deck = load_path(user_decks_dir(data) / "interview-prep.yaml")
    ids = {t.title: t.id for t, _ in deck.walk()}
    kept = f"interview-prep/{ids['Precision']}/explain"
    renamed = f"interview-prep/{ids['Metrics']}/enum/{ids['Calibration']}"
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    for card_id in (kept, renamed):
        card = db.get_card(store, card_id)
        assert card is not None
        db.record_answer(store, card, Grade.GOOD, fsrs.answer(card.state, Grade.GOOD, NOW),
                         NOW, 3000, None)
    kept_state = db.get_card(store, kept)
    assert kept_state is not None and kept_state.state.reps == 1

    # Edit: new notes on a kept node, a renamed node, a removed node, a new node.
    _write(source, OUTLINE.replace("The share of", "The fraction of")
           .replace("3. Calibration", "3. Calibration error")
           .replace("- Batch\n", "")
           .replace("- Online", "- Online\n- Streaming"))
    result = import_outline(store, source, data, LATER)

    assert result.reimported
    assert (result.added, result.updated, result.retired) == (2, 5, 2)
    after = db.get_card(store, kept)
    assert after is not None and after.state == kept_state.state  # progress kept ...
    assert "fraction" in after.answer  # ... while the text follows the outline
    retired = store.conn.execute("SELECT retired FROM cards WHERE id = ?", [renamed]).fetchone()
    assert retired == (1,)
    logged = store.conn.execute("SELECT card_id FROM review_log ORDER BY id").fetchall()
    assert logged == [(kept,), (renamed,)]  # the history of the retired card stays
    topics = {t.title: t.retired for t in store.topics("interview-prep", include_retired=True)}
    assert topics["Calibration"] and topics["Batch"] and not topics["Calibration error"]
    assert after.state.queue != Queue.NEW


def test_a_failed_reimport_leaves_the_deck_file_and_store_as_they_were(
        tmp_path: Path, data: Path, store: Store) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)
    first = import_outline(store, source, data, NOW)
    before = first.path.read_bytes()
    topics = store.topics("interview-prep")
    for bad in (b"", b"\x00\x01binary", "# Caf\xe9\n".encode("latin-1"), b"Only prose.\n"):
        source.write_bytes(bad)
        with pytest.raises(OutlineError):
            import_outline(store, source, data, LATER, deck_id="interview-prep")
        assert first.path.read_bytes() == before
        assert store.topics("interview-prep") == topics
        assert sorted(p.name for p in first.path.parent.iterdir()) == [first.path.name]


def test_import_refuses_ids_of_other_decks_and_hand_written_files(
        tmp_path: Path, data: Path, store: Store) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)
    with pytest.raises(OutlineError) as shipped:
        import_outline(store, source, data, NOW, deck_id="ml-system-design")
    assert "built-in deck" in str(shipped.value)

    folder = user_decks_dir(data)
    folder.mkdir(parents=True)
    hand = _write(folder / "mine.yaml", "deck:\n  id: mine\n  title: Mine\n  version: 1\n"
                  "topics:\n  - id: a\n    title: A\n")
    with pytest.raises(OutlineError) as written_by_hand:
        import_outline(store, source, data, NOW, deck_id="mine")
    assert "not imported from an outline" in str(written_by_hand.value)
    assert hand.read_text(encoding="utf-8").startswith("deck:")

    sync_decks(store, [(shipped_decks_dir(), SHIPPED), (folder, USER)], NOW)
    (folder / "mine.yaml").rename(folder / "other-name.yaml")  # the deck id is still 'mine'
    sync_decks(store, [(shipped_decks_dir(), SHIPPED), (folder, USER)], NOW)
    with pytest.raises(OutlineError) as taken:
        import_outline(store, source, data, NOW, deck_id="mine")
    assert "already used by" in str(taken.value) and "other-name.yaml" in str(taken.value)
    assert not (folder / "mine.yaml").exists()


def test_another_outline_with_the_same_id_needs_the_id_given(
        tmp_path: Path, data: Path, store: Store) -> None:
    first = _write(tmp_path / "prep.md", OUTLINE)
    second = _write(tmp_path / "copy.md", OUTLINE.replace("## Serving", "## Deployment"))
    import_outline(store, first, data, NOW)
    with pytest.raises(OutlineError) as refused:
        import_outline(store, second, data, NOW)
    assert "was imported from" in str(refused.value) and "--id interview-prep" in \
        str(refused.value)
    replaced = import_outline(store, second, data, NOW, deck_id="interview-prep")
    # "Serving" became "Deployment" with the same children: a rename, progress kept.
    assert replaced.reimported and (replaced.added, replaced.retired, replaced.renamed) == \
        (0, 0, 1)


def test_an_unwritable_decks_folder_is_an_error_and_nothing_is_stored(
        tmp_path: Path, data: Path, store: Store) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)
    _write(user_decks_dir(data), "a file where the decks folder should be")
    with pytest.raises(OutlineError) as refused:
        import_outline(store, source, data, NOW)
    [problem] = refused.value.problems
    assert problem.path == str(user_decks_dir(data) / "interview-prep.yaml")
    assert "cannot write the deck file" in problem.message
    assert "interview-prep" not in [d.id for d in store.decks(include_missing=True)]


def test_a_refused_folder_sync_does_not_fail_a_written_deck_file(
        tmp_path: Path, data: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refuse_folder_fsync(monkeypatch)  # a file system that cannot sync a folder
    target = tmp_path / "decks" / "x.yaml"
    write_deck_file(target, b"one")
    write_deck_file(target, b"two")
    assert target.read_bytes() == b"two" and refused

    source = _write(tmp_path / "prep.md", OUTLINE)
    result = import_outline(store, source, data, NOW)
    assert result.path.read_bytes().startswith(IMPORT_MARKER.encode())
    assert store.deck_hashes()[str(result.path)][1] == deck_hash(result.path.read_bytes())


def test_a_reimport_whose_write_fails_rolls_back_and_leaves_no_second_name(
        tmp_path: Path, data: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _write(tmp_path / "prep.md", OUTLINE)
    first = import_outline(store, source, data, NOW)
    before = first.path.read_bytes()
    topics = store.topics("interview-prep")
    _write(source, OUTLINE.replace("- Online", "- Online\n- Streaming"))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutlineError, match="nothing was changed"):
        import_outline(store, source, data, LATER)
    assert first.path.read_bytes() == before
    assert store.topics("interview-prep") == topics
    assert sorted(p.name for p in first.path.parent.iterdir()) == [first.path.name]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "decks" / "x.yaml"
    (target / "inside").mkdir(parents=True)  # a folder in the way: the rename fails
    with pytest.raises(OutlineError) as refused:
        write_deck_file(target, b"deck")
    assert "nothing was changed" in str(refused.value)
    assert os.listdir(target.parent) == ["x.yaml"]
    assert os.listdir(target) == ["inside"]


# --- generated Markdown -----------------------------------------------------------------------

_TOPIC_LINES = [
    "# Heading", "## Sub", "### Step 1 Go", "#### Step 2 Foo", "- item", "  - nested",
    "    - deeper", "\t- tab", "* star", "+ plus", "1. one", "  2) two", "10. ten",
    "- [link](x)", "- ![img](y)", "1.2 Sub", "Title", "=====", "-----", "| 1 | 2 |",
]
_OTHER_LINES = [
    "", "", "#", "---", "+++", "title: x", "-", "1.", "| a | b |", "|---|---|", "| | |",
    "<!-- c -->", "<!--", "-->", "<div>", "</div>", "<pre>", "</pre>", "```", "~~~", "    code",
    "> quote", "> - q", "[r]: http://x", "text [link](http://a) ![i](b) `c` *e* **s**",
    "[x][r]", "\\", "&amp;", "<b>x</b>", "<http://a.b>", "a  ", "`` ` ``", "*", "_", "[", "!",
    "[a](<b c> \"t\")",
]
_LINE = st.one_of(  # mostly Markdown, some of it indented or followed by arbitrary text
    st.sampled_from(_TOPIC_LINES),
    st.sampled_from(_OTHER_LINES),
    st.builds(lambda n, s: " " * n + s, st.integers(0, 12),
              st.sampled_from(_TOPIC_LINES + _OTHER_LINES)),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(_TOPIC_LINES + _OTHER_LINES),
              st.text(max_size=10)),
    st.text(max_size=20),
)
_MARKDOWN = st.lists(_LINE, min_size=1, max_size=60).map("\n".join)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_MARKDOWN, st.text()), st.booleans())
def test_generated_markdown_gives_a_deck_that_round_trips_or_a_located_error(
        text: str, windows: bool) -> None:
    if windows:
        text = text.replace("\n", "\r\n")
    try:
        deck = parse_outline(text, "generated.md")
    except AppError as error:
        assert isinstance(error, DeckError)
        assert error.problems
        assert all(p.path == "generated.md" and p.line >= 1 and p.column >= 1
                   for p in error.problems)
        return
    assert deck.topics
    assert comparable(load_text(outline_to_yaml(deck), "generated.yaml")) == comparable(deck)


def test_write_deck_file_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "decks" / "x.yaml"
    write_deck_file(target, b"one")
    write_deck_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["x.yaml"]


def test_an_import_reports_its_stages_in_order(tmp_path: Path) -> None:
    from app.decks.library import IMPORT_STAGES

    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\n- Alpha\n- Beta\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    store = Store.open(tmp_path / "data")
    try:
        import_outline(store, source, tmp_path / "data", NOW,
                       progress=lambda done, total: seen.append((done, total)))
        assert seen == [(done, IMPORT_STAGES) for done in range(IMPORT_STAGES + 1)]
        seen.clear()
        source.write_bytes(b"")
        with pytest.raises(OutlineError):
            import_outline(store, source, tmp_path / "data", NOW,
                           progress=lambda done, total: seen.append((done, total)))
        assert seen == [(0, IMPORT_STAGES)], "a failed parse reports no later stage"
    finally:
        store.close()


def test_a_deck_larger_than_its_outline_still_loads_at_the_next_start(
        tmp_path: Path, data: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deck file is about twice its outline (an id and a title line per heading): an outline
    just under the read limit makes a deck over it, which every later start must read back."""
    monkeypatch.setenv("MLSD_STUDY_MAX_FILE_MB", "0.05")  # 52,428 bytes
    text = "".join(f"# Section {n}\n\nNotes on section {n}.\n\n- point {n}\n- aside {n}\n\n"
                   for n in range(900))
    source = _write(tmp_path / "wide.md", text[:50_000].rsplit("\n# ", 1)[0] + "\n")
    assert 40_000 < source.stat().st_size <= 52_428
    result = import_outline(store, source, data, NOW)
    assert result.path.stat().st_size > 52_428  # over the outline limit
    # (The built-in deck, 408 KiB, is over this test's limit: only the user's decks are read.)
    report = sync_decks(store, [(user_decks_dir(data), USER)], NOW + timedelta(days=1))
    assert report.problems == ()
    assert load_path(result.path).id == result.deck_id


def test_an_outline_whose_deck_could_not_be_read_back_is_refused(
        tmp_path: Path, data: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Headings alone grow more than four times into YAML: such a deck would be over the deck
    limit, so the import refuses it, names the sizes and what to do, and writes nothing."""
    monkeypatch.setenv("MLSD_STUDY_MAX_FILE_MB", "0.01")  # 10,485 bytes; decks 41,943
    source = _write(tmp_path / "dense.md", "".join(f"# H{n}\n" for n in range(1400)))
    assert source.stat().st_size <= 10_485
    with pytest.raises(OutlineError, match=r"deck file of [\d,]+ bytes, more than the 41,940 "
                                           r"bytes a deck may take; split the outline.*"
                                           r"MLSD_STUDY_MAX_FILE_MB") as refused:
        import_outline(store, source, data, NOW)
    assert refused.value.problems[0].path == str(source)
    assert not user_decks_dir(data).exists() or not list(user_decks_dir(data).iterdir())
    assert [d.id for d in store.decks()] == ["ml-system-design"]
