"""Deck Markdown -> the HTML of Anki note fields, with the app's rendering policy."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.decks.render import LINK_OFF_THE_WEB

__all__ = ["markdown_renderer"]


# Text that goes through markdown-it even when it is one paragraph: "<" (cmark drops raw HTML
# where we escape it), "~" (cmark writes <del>, markdown-it <s>) and whitespace other than
# space, tab and newlines (the two trim it differently), runs of three or more emphasis
# delimiters and more than four emphasis characters in all (where the two nest <strong> and
# <em> differently: cmark-gfm follows an older CommonMark on flanking punctuation), and images
# and links that are not plainly to a web host (app.decks.render's policy: no <img>, links to
# http(s) only; cmark keeps both).
_SLOW_PATH = re.compile(r"[<~]|[^\S \t\n\r]|\*{3,}|_{3,}|(?s:(?:[*_].*?){5})|!\[|"
                        r"\]\((?!https?://[^\s/?#()<>\\&])")
# The same test, faster: one character class (the characters _SLOW_PATH's first two branches
# match: "<", "~" and every str.isspace() character but space, tab and newlines), then
# substring tests for the delimiter runs. tests hold the two equal.
_SLOW_CHARACTER = re.compile(
    "[<~\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _slow_path(text: str) -> bool:
    """True when ``text`` needs markdown-it (``_SLOW_PATH`` matches it)."""
    return ("***" in text or "___" in text or "![" in text
            or text.count("*") + text.count("_") > 4
            or _SLOW_CHARACTER.search(text) is not None
            or ("](" in text and LINK_OFF_THE_WEB.search(text) is not None))


def markdown_renderer() -> Callable[[str], str]:
    """Deck Markdown -> card HTML.

    Text without "<" goes through cmark-gfm (C, about 25x faster: the bulk of an export's time
    was Markdown); text with "<" goes through markdown-it-py, because cmark *drops* raw HTML
    while we want it shown as text ("<s>" is a token an NLP card may well mention). Both are
    CommonMark renderers with the same extensions; tests hold them equal (the shipped deck,
    generated text). Unusual whitespace also takes the markdown-it path: the two trim it
    differently. Worth its keep: at 10,000 cards, markdown-it alone makes the whole export
    about 3x slower (tests/benchmarks/bench_export.py measures both).
    """
    from cmarkgfm import markdown_to_html, markdown_to_html_with_extensions

    from app.decks.render import MARKDOWN_EXTENSIONS, markdown_parser

    # The app's own policy: raw HTML shown as text, links only to the web, no images loaded,
    # and the extensions its own (GitHub-flavoured) view shows.
    md = markdown_parser()
    extensions = list(MARKDOWN_EXTENSIONS)

    def render(text: str) -> str:
        if not text.strip():
            return ""
        one_paragraph = _one_paragraph(text)
        if one_paragraph and not _slow_path(text):
            # Without "|" no table can start, so the extension-free call (5x cheaper) suffices.
            fast: str = (markdown_to_html(text, options=0) if "|" not in text else
                         markdown_to_html_with_extensions(text, options=0,
                                                          extensions=extensions))
            return fast.strip()
        if one_paragraph:  # skip block parsing (a third faster)
            inline: str = md.renderInline(text)
            return f"<p>{inline}</p>"
        rendered: str = md.render(text)
        return rendered.strip()

    return render


# What a line may start with to open a block other than a paragraph: a heading, a quote, a
# list, a thematic break, a code fence, a link reference definition, HTML or a table.
_BLOCK_START = frozenset("#>-+*_=`~[<|0123456789")


def _one_paragraph(text: str) -> bool:
    """True when ``text`` is exactly one paragraph: one line, unindented, starting no block."""
    return ("\n" not in text and "\r" not in text and text == text.strip()
            and text[0] not in _BLOCK_START)
