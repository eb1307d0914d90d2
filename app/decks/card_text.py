"""Generated cards as plain text, for reading or checking a deck outside the app."""

from __future__ import annotations

from app.decks.words import plain_text
from app.model import CardSpec

__all__ = ["card_block", "card_record"]


def card_record(card: CardSpec) -> dict[str, str]:
    """A card as the `cards` command prints it: ids and kind, then what the learner reads, with
    Markdown and cloze markup stripped to plain text."""
    return {
        "id": card.id,
        "kind": card.kind,
        "deck": card.deck_id,
        "topic": card.topic_id,
        "breadcrumb": plain_text(card.context),
        "front": plain_text(card.prompt),
        "back": plain_text(card.answer),
    }


def card_block(record: dict[str, str]) -> str:
    """A record as a block a person reads: a header line, the breadcrumb, then Q and A."""
    return "\n".join([f"{record['id']}  [{record['kind']}]",
                      f"   {record['breadcrumb']}",
                      _labelled("Q: ", record["front"]),
                      _labelled("A: ", record["back"])])


def _labelled(label: str, text: str) -> str:
    indent = " " * len(label)
    lines = text.splitlines() or [""]
    return "\n".join([label + lines[0], *((indent + line).rstrip() for line in lines[1:])])
