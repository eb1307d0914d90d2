"""The card linter: defects a learner would meet in a deck's generated cards, with file:line."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.decks.cards import MAX_EXPLAIN_WORDS, TEMPLATED_KINDS
from app.decks.titles import shares_a_word
from app.decks.words import plain_text, shown_in, word_count
from app.model import CLOZE, AuthoredCard, CardSpec, Deck, Topic, cloze_answer

__all__ = ["MAX_HEADING_WORDS", "RULES", "Finding", "lint_cards"]

#: A heading answer longer than this cannot be recalled word for word, nor graded at a glance.
MAX_HEADING_WORDS = 12

#: Every rule, with what it catches.
RULES = {
    "placeholder": "the answer is a placeholder, not content",
    "pointer": "the text points at a place in the outline instead of saying something",
    "shorthand": "the source's shorthand (b/w, w/, ect, fcn, etc in a heading)",
    "long-heading": f"a heading answer of more than {MAX_HEADING_WORDS} words",
    "leak": "the breadcrumb or the prompt already shows the answer (compared by word stems)",
    "long-explain": f"an explain answer of more than {MAX_EXPLAIN_WORDS} words",
    "long-note": f"notes of more than {MAX_EXPLAIN_WORDS} words with no card to learn them by",
    "duplicate-front": "two cards of the deck show the same front",
    "covers-shares-word": "a 'which step covers' prompt shares a word with the step's title",
}

# Answers that are headings (a topic's title), as opposed to sentences or notes.
_HEADING_KINDS = frozenset({"enum", "concept", "step-number", "step-after", "step-covers"})
# Kinds whose prompt is text of its own (not just titles, which are checked once per topic).
_OWN_PROMPT = frozenset({"qa", "cloze", "concept"})

_PLACEHOLDER = re.compile(
    r"^\W*$|^\s*(?:\.\.\.|…)|\bmore\b[^.]{0,40}\bas needed\b|^\W*(?:etc|tbd|tba|todo|n/?a)\W*$",
    re.IGNORECASE)
# "below"/"above" only where they point at other text: "(below)", "the sections below", "see
# above"; never "scored above a negative" or "dips below 0.05".
_POINTER = re.compile(
    r"\((?:see\s+)?(?:below|above)\)"
    r"|\b(?:see|children|child|sections?|siblings?|sub-?topics?|topics?|headings?|list|fixes"
    r"|variants|setup|examples|cards|detailed|described|listed|explained|discussed|covered"
    r"|shown|mentioned|defined|introduced|outlined)\s+(?:below|above)\b"
    r"|\b(?:next|previous|following)\s+siblings?\b|\bin\s+the\s+outline\b"
    r"|\bdetailed\s+in\s+the\s+sections?\b",
    re.IGNORECASE)
_SHORTHAND = re.compile(r"\bb/w\b|\bw/o?(?=\s|$)|\bect\b|\bfcn\b", re.IGNORECASE)
_ETC = re.compile(r"\betc\b", re.IGNORECASE)
# What the generator appends to tell colliding fronts apart; the same question stays the same.
_TELLER = re.compile(r"\s*\((?:card \d+|\d+|item \d+ of \d+)\)", re.IGNORECASE)
_COVERS = re.compile(r"covers '(.*)'\?$", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    """One defect: where it is written (the deck file and line), the card, the rule, and why."""

    path: str
    line: int
    card_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.card_id}: {self.rule}: {self.message}"


def lint_cards(deck: Deck, cards: Sequence[CardSpec]) -> list[Finding]:
    """Every defect of the deck's generated cards (see :data:`RULES`), in file order.

    A pure function of the deck and its cards: lines come from the deck (the topic's line,
    or the authored card's), so findings point at the text to edit.
    """
    where = _Places(deck)
    found: list[Finding] = []

    def add(card_id: str, line: int, rule: str, message: str) -> None:
        found.append(Finding(deck.path or deck.id, line or 1, card_id, rule, message))

    for card in cards:
        line = where.line(card)
        for rule, message in _card_defects(card, where):
            add(card.id, line, rule, message)
    first_card: dict[str, str] = {}
    for card in cards:
        first_card.setdefault(card.topic_id, card.id)
    for topic, _ in deck.walk():
        shown_as = first_card.get(topic.id, f"{deck.id}/{topic.id}")
        for rule, message in _title_defects(topic.title):
            add(shown_as, topic.line, rule, message)
        notes = topic.notes.strip()
        if notes and not topic.cards and (count := word_count(notes)) > MAX_EXPLAIN_WORDS:
            add(f"{deck.id}/{topic.id}/explain", topic.line, "long-note",
                f"the notes have {count} words, so they give no card (explain answers are at "
                f"most {MAX_EXPLAIN_WORDS}); write focused cards for them (`cards:`: why it "
                "matters, a pitfall, the example's numbers) or shorten them")
    found.extend(_duplicates(deck, cards, where))
    return sorted(found, key=lambda f: (f.line, f.card_id, f.rule))


class _Places:
    """Where each card is written: topic lines, authored cards by id, cloze deletions."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.topics: dict[str, Topic] = {}
        self.authored: dict[str, AuthoredCard] = {}
        for topic, _ in deck.walk():
            self.topics[topic.id] = topic
            for index, card in enumerate(topic.cards):
                key = card.id or str(index)
                kind = "cloze" if card.cloze else "qa"
                self.authored.setdefault(f"{deck.id}/{topic.id}/{kind}/{key}", card)

    def _source(self, card: CardSpec) -> AuthoredCard | None:
        base = re.sub(r"~\d+$", "", card.id)
        if card.kind == "cloze":
            base = base.rpartition("/c")[0]
        return self.authored.get(base)

    def line(self, card: CardSpec) -> int:
        if card.kind in ("qa", "cloze") and (source := self._source(card)) is not None:
            return source.line
        if card.kind in ("enum", "step-covers"):  # the item asked about
            item = self.topics.get(card.id.rpartition("/")[2])
            if item is not None:
                return item.line
        topic = self.topics.get(card.topic_id)
        return topic.line if topic is not None else 1

    def core(self, card: CardSpec) -> str:
        """What the learner must recall: a cloze card's deletions, else the whole answer."""
        if card.kind == "cloze" and (source := self._source(card)) is not None:
            number = card.id.rpartition("/c")[2].partition("~")[0]
            hidden = [cloze_answer(m.group(2)) for m in CLOZE.finditer(source.cloze)
                      if m.group(1).lstrip("0") == number.lstrip("0")]
            if hidden:
                return " ".join(hidden)
        return card.answer

    def covered_title(self, card: CardSpec) -> str:
        item = self.topics.get(card.id.rpartition("/")[2])
        if item is not None:
            return item.title
        match = _COVERS.search(card.prompt)
        return match.group(1) if match else ""


def _card_defects(card: CardSpec, where: _Places) -> Iterator[tuple[str, str]]:
    answer = plain_text(card.answer)
    prompt = plain_text(card.prompt)
    # A heading answer is a title: its text is checked once, at its topic (_title_defects).
    heading = card.kind in _HEADING_KINDS
    texts = ([] if heading else [("answer", answer)]) + (
        [("prompt", prompt)] if card.kind in _OWN_PROMPT else [])
    if not heading and _PLACEHOLDER.search(answer):
        yield "placeholder", (f"the answer '{_short(answer)}' is a placeholder; write what it "
                              "stands for, or remove the item")
    for part, text in texts:
        if _may_point(text) and (match := _POINTER.search(text)):
            yield "pointer", (f"the {part} says '{match.group(0)}': say the thing itself; a "
                              "card is seen alone, without the outline around it")
        if match := _SHORTHAND.search(text):
            yield "shorthand", f"the {part} keeps the shorthand '{match.group(0)}'; spell it out"
    if heading:
        if (count := len(answer.split())) > MAX_HEADING_WORDS:
            yield "long-heading", (f"the answer is a heading of {count} words; shorten the "
                                   f"title to {MAX_HEADING_WORDS} words or fewer and put the "
                                   "rest in the notes")
        if _ETC.search(answer):
            yield "shorthand", ("the answer is a heading ending a list with 'etc'; name the "
                                "items or drop them")
    if card.kind == "explain" and (count := word_count(card.answer)) > MAX_EXPLAIN_WORDS:
        yield "long-explain", (f"the explain answer has {count} words (at most "
                               f"{MAX_EXPLAIN_WORDS}); split the notes into focused cards")
    if card.kind not in TEMPLATED_KINDS:
        core = plain_text(where.core(card))
        if (shown := shown_in(core, card.context, prompt)) is not None:
            yield "leak", (f"the {shown} already shows the answer '{_short(core)}'; reword "
                           "the title or the card so that the front does not give it away")
    if card.kind == "step-covers":
        title = where.covered_title(card)
        step = where.topics.get(card.topic_id)
        if step is not None and shares_a_word(title, step.title):
            yield "covers-shares-word", (f"'{title}' shares a word with '{step.title}', so the "
                                         "step can be guessed from it")


def _title_defects(title: str) -> Iterator[tuple[str, str]]:
    """A title shows in prompts and breadcrumbs: its defects are reported once, at the topic."""
    if _may_point(title) and (match := _POINTER.search(title)):
        yield "pointer", (f"the title says '{match.group(0)}': name the topic itself; cards "
                          "are seen without the outline around them")
    if match := _SHORTHAND.search(title):
        yield "shorthand", f"the title keeps the shorthand '{match.group(0)}'; spell it out"
    if _PLACEHOLDER.search(title):
        yield "placeholder", f"the title '{_short(title)}' is a placeholder; name the topic"


def _duplicates(deck: Deck, cards: Sequence[CardSpec], where: _Places) -> Iterator[Finding]:
    first: dict[str, CardSpec] = {}
    for card in cards:
        front = " ".join(_TELLER.sub("", plain_text(card.prompt)).split()).casefold()
        seen = first.setdefault(front, card)
        if seen is not card:
            yield Finding(deck.path or deck.id, where.line(card) or 1, card.id, "duplicate-front",
                          f"the same front as {seen.id} (line {where.line(seen) or 1}); merge "
                          "the two, or make each ask what only it answers")


def _may_point(text: str) -> bool:
    """A cheap test before the pointer pattern: most texts have none of its words."""
    folded = text.casefold()
    return any(word in folded for word in ("below", "above", "sibling", "outline"))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
