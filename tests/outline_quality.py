"""Card defects an import can leave, counted over generated cards: for the outline corpus test."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.decks.render import render_markdown
from app.model import CardSpec, Deck

_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.DOTALL)
# What a reader should never see on a card: link or image syntax, table rows and rules,
# "Column N" names, raw heading markers.
_RAW = re.compile(r"\]\(|!\[|\]\[|^\s*\|.*\|\s*$|\|\s*-{3,}|\bColumn \d+\b|^#{1,6} ", re.MULTILINE)


def visible(markdown: str, *, code: bool = True) -> str:
    """The text a reader sees when the app shows ``markdown``; without code (which may hold
    any syntax) unless ``code``."""
    import html

    shown = render_markdown(markdown)
    return html.unescape(_TAG.sub("", shown if code else _CODE.sub(" ", shown))).strip()


@dataclass(frozen=True)
class Defect:
    card: CardSpec
    why: str


def defects(deck: Deck, cards: list[CardSpec]) -> list[Defect]:
    """The cards with raw Markdown or table debris on either side, an empty or
    punctuation-only answer, or a title mangled on its way into Markdown."""
    titles = {topic.title for topic, _ in deck.walk()}
    found = []
    for card in cards:
        back = visible(card.answer)
        if _RAW.search(visible(card.prompt, code=False)) or _RAW.search(visible(card.answer,
                                                                              code=False)):
            found.append(Defect(card, "raw syntax"))
        elif not any(c.isalnum() for c in back):
            found.append(Defect(card, "empty answer"))
        elif card.kind in ("concept", "enum") and back not in titles:
            found.append(Defect(card, "mangled title"))
    return found
