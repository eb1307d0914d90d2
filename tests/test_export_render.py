"""The export's Markdown -> field HTML: the cmark fast path renders exactly as markdown-it does."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.decks.loader import load_path
from app.decks.render import markdown_parser
from app.export import render

SHIPPED_DECK = Path(__file__).resolve().parent.parent / "decks" / "ml-system-design.yaml"

_MARKDOWN_TEXT = st.lists(st.sampled_from(
    [*"ab1 *_`[]()<>!#\\&;:/.-+=~|\t\n\xa0", "&amp;", "http://x.y", "**", "~~", "1. ",
     "](javascript:", "](file:///", "!["]),
    max_size=20).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_MARKDOWN_TEXT)
@example("!**_**a**a**")  # nested strong beside punctuation: cmark-gfm nests differently
def test_the_fast_paths_render_as_markdown_it_does(text: str) -> None:
    md = markdown_parser()
    expected = md.render(text).strip() if text.strip() else ""
    assert render.markdown_renderer()(text) == expected


def test_cmark_and_markdown_it_agree_on_every_text_of_the_shipped_deck() -> None:
    md = markdown_parser()
    deck = load_path(SHIPPED_DECK)
    texts = [q.prompt for q in deck.questions]
    for topic, _ in deck.walk():
        texts += [topic.title, topic.notes]
        texts += [t for c in topic.cards for t in (c.question, c.answer, c.cloze)]
    to_html = render.markdown_renderer()
    checked = [t for t in texts if t.strip()]
    assert len(checked) > 900
    fast = [t for t in checked if render._one_paragraph(t) and not render._slow_path(t)]
    assert len(fast) > 300  # the fast path is really taken, not only the markdown-it one
    for text in checked:
        assert to_html(text) == md.render(text).strip(), text


def test_slow_path_test_matches_its_pattern() -> None:
    for code in range(0x110000):
        text = f"a{chr(code)}b"
        assert render._slow_path(text) == bool(render._SLOW_PATH.search(text)), code
    for text in ["a**b", "a***b", "a__b", "a___b", "plain text", "x ~ y", "a < b", "![a](b)",
                 "[a](https://x.y)", "[a](http://)", "[a](file:///x)", "[a](b) [c](http://d)"]:
        assert render._slow_path(text) == bool(render._SLOW_PATH.search(text)), text
