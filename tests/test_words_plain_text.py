"""plain_text (what the CLI, the linter and word counts read) against a real CommonMark renderer.

markdown-it-py renders each snippet; its HTML with the tags removed is the text a reader sees.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app.decks.card_text import card_record
from app.decks.cards import generate_cards
from app.decks.loader import load_path
from app.decks.words import plain_text

_TAG = re.compile(r"<[^>]+>")


def rendered(markdown: str) -> str:
    text = html.unescape(_TAG.sub("", MarkdownIt("commonmark").renderInline(markdown)))
    return " ".join(text.split())


@pytest.mark.parametrize("markdown", [
    # A concept card of the built-in deck printed "(revenuetreatment - revenuecontrol)": the
    # emphasis pass ran inside the code span and took "_treatment -\nrevenue_" for italics.
    "`(revenue_treatment -\nrevenue_control) / revenue_control`",
    "snake_case_name and _emphasis_ here",
    "a __strong__ word and an_intra_word one",
    "**bold**, *italic*, ***both***",
    "code `a*b*c` then *z*",
    "`x_1` and `y_2` beside _z_",
    "escaped \\*stars\\* and \\_under\\_",
    "``a ` tick``",
    "[a link](https://example.com/a_b_c) and <https://example.com>",
])
def test_plain_text_reads_as_commonmark_renders(markdown: str) -> None:
    assert " ".join(plain_text(markdown).split()) == rendered(markdown)


def test_printed_cards_keep_snake_case_names() -> None:
    """The built-in deck's revenue-lift card keeps its formula's names as `cards` prints them."""
    deck = load_path(Path(__file__).resolve().parent.parent / "decks" / "ml-system-design.yaml")
    texts = [record["front"] + record["back"]
             for record in map(card_record, generate_cards(deck))]
    assert any("revenue_treatment - revenue_control" in text for text in texts)
    assert not any("revenuetreatment" in text for text in texts)


@given(st.text(alphabet="ab_*`\\\x00 \n1#>~[]", max_size=40))
def test_plain_text_takes_any_markup_and_keeps_the_words(markdown: str) -> None:
    """Any mix of markup characters (NUL, which marks held literals inside, too) gives text,
    and every letter of the source stays: only markup is removed (no link targets here)."""
    text = plain_text(markdown)
    assert text.count("\x00") <= markdown.count("\x00")  # no held mark is left behind
    assert sorted(c for c in text if c in "ab1") == sorted(c for c in markdown if c in "ab1")
