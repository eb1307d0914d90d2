"""Real Markdown none of us wrote imports into clean cards; tables of contents, links, titles."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from outline_quality import defects, visible

from app.decks.cards import generate_cards
from app.model import Deck, Topic
from app.outline.importer import load_outline, parse_outline

REAL = Path(__file__).resolve().parent / "data" / "outlines" / "real"
CORPUS = sorted(p for p in REAL.glob("*.md") if p.name != "README.md")


def _titles(topics: tuple[Topic, ...]) -> list[str]:
    return [t.title for t in topics]


def _all(deck: Deck) -> list[Topic]:
    return [topic for topic, _ in deck.walk()]


def test_the_corpus_is_real_small_and_credited() -> None:
    assert len(CORPUS) >= 10
    credits = (REAL / "README.md").read_text(encoding="utf-8")
    for path in CORPUS:
        assert path.stat().st_size < 40 * 1024, path.name
        [row] = [line for line in credits.splitlines() if line.startswith(f"| `{path.name}` |")]
        for licence in re.findall(r"`(licences/[^`]+)`", row):
            assert (REAL / licence).is_file(), licence
        assert "licences/" in row, f"{path.name} has no licence text"


def test_at_most_one_card_in_a_hundred_is_defective_over_the_corpus() -> None:
    total = 0
    found = []
    for path in CORPUS:
        deck = load_outline(path)
        cards = generate_cards(deck)
        total += len(cards)
        found += [f"{path.name}: {d.why}: {d.card.prompt[:60]!r} -> {d.card.answer[:60]!r}"
                  for d in defects(deck, cards)]
    assert total > 300  # the corpus makes enough cards for the rate to mean something
    assert len(found) <= total // 100, "\n".join(found)


def test_the_defect_counter_catches_what_the_issue_saw() -> None:
    # The counter must fail on the old output, or the corpus test proves nothing.
    deck = parse_outline("# T\n\n## A\n\nThe notes of A.\n\n## B\n\nThe notes of B.\n", "t.md")
    card = generate_cards(deck)[0]

    for answer in ("[Support](#support)", "- Column 2: x", "| a | b |", " .", ""):
        assert defects(deck, [replace(card, answer=answer)]), answer
    assert not defects(deck, [replace(card, answer="Support")])


LINK_TABLE = """\
# 4. Machine Learning System Design

| Step | Section |
| --- | --- |
| Step 1 | [Problem Formulation](#1-problem-formulation) |
| Step 2 | [Metrics](#2-metrics) |
| Step 3 | [Architectural Components](#3-architectural-components) |

## Contents

- [Problem Formulation](#1-problem-formulation)
- [Metrics](#2-metrics)
  - [Offline](#offline)
- [Architectural Components](#3-architectural-components)

## 1. Problem Formulation

- ML objective,
- Requirements;

## 2. Metrics

### Offline

- AUC

## 3. Architectural Components

- Serving
"""


def test_link_tables_and_lists_of_links_are_dropped_and_the_title_loses_its_number() -> None:
    deck = parse_outline(LINK_TABLE, "flow.md")
    assert deck.title == "Machine Learning System Design"
    # "Contents" held only the list of links: it goes too, and the steps are a sequence.
    assert _titles(deck.topics) == ["Problem Formulation", "Metrics",
                                    "Architectural Components"]
    assert _titles(deck.topics[0].children) == ["ML objective", "Requirements"]
    assert not any(t.title.startswith("Step ") for t in _all(deck))


def test_a_toc_of_headings_without_links_is_dropped_but_a_data_table_is_kept() -> None:
    text = ("# Guide\n\n- Setup\n- Usage\n- Licence\n\n## Setup\n\nRun it.\n\n## Usage\n\n"
            "| Name | Kind | Default |\n| --- | --- | --- |\n| `--fast` | flag | off |\n"
            "| Setup | option | `x` |\n|  | ignored | |\n| Depth | int |  |\n\n"
            "## Licence\n\nMIT.\n")
    deck = parse_outline(text, "guide.md")
    assert _titles(deck.topics) == ["Setup", "Usage", "Licence"]
    rows = deck.topics[1].children
    assert [(r.title, r.notes) for r in rows] == [
        ("--fast", "- Kind: flag\n- Default: off"),
        ("Setup", "- Kind: option\n- Default: `x`"),
        ("ignored", ""),
        ("Depth", "- Kind: int"),
    ]
    assert not any("Column" in t.notes for t in _all(deck))


def test_a_table_without_header_names_gives_values_alone() -> None:
    deck = parse_outline("# T\n\n|  |  |\n| --- | --- |\n| Key | value |\n| Other | more |\n",
                         "t.md")
    assert [(t.title, t.notes) for t in deck.topics] == [("Key", "- value"),
                                                         ("Other", "- more")]


@pytest.mark.parametrize(("written", "shown"), [
    ("See [Support](#support).", "See Support."),
    ("See [the guide](../docs/guide.md) first.", "See the guide first."),
    ("Mail [us](mailto:a@example.org).", "Mail us."),
    ("A ![diagram](img/flow.png) here.", "A diagram here."),
    ("Read [the docs](https://example.org/docs).", "Read [the docs](https://example.org/docs)."),
])
def test_only_web_links_stay_links(written: str, shown: str) -> None:
    deck = parse_outline(f"# T\n\n## A\n\nIntro.\n\n- Item\n\n  {written}\n", "t.md")
    [item] = deck.topics[0].children
    assert item.notes == shown
    assert "](" not in visible(item.notes).replace("](https://", "")


def test_titles_keep_their_text_on_cards() -> None:
    text = ("# semver\n\n## Ranges\n\n1. \\> Greater than\n2. `__bool__`\n"
            "3. `filehandle[Symbol.asyncDispose]()`\n4. *not emphasis*\n")
    deck = parse_outline(text, "semver.md")
    titles = _titles(deck.topics[0].children)
    assert titles == ["> Greater than", "__bool__", "filehandle[Symbol.asyncDispose]()",
                      "not emphasis"]
    answers = {visible(c.answer) for c in generate_cards(deck) if c.kind == "enum"}
    assert answers == set(titles)


def test_titles_lose_the_punctuation_that_ends_a_clause_and_task_boxes() -> None:
    deck = parse_outline("# T\n\n- ML objective,\n- Requirements;\n- [ ] Write tests.\n"
                         "- Wait...\n- Why?\n- Note:\n", "t.md")
    assert _titles(deck.topics) == ["ML objective", "Requirements", "Write tests", "Wait...",
                                    "Why?", "Note"]
