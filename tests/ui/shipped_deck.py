"""The built-in deck as its file defines it, so GUI tests derive sizes instead of hard-coding."""

from __future__ import annotations

from dataclasses import dataclass

from app.decks.cards import generate_cards
from app.decks.loader import load_path
from app.model import CardSpec, Deck
from app.paths import shipped_decks_dir


@dataclass(frozen=True)
class ShippedDeck:
    """The deck and the cards generated from it."""

    deck: Deck
    cards: tuple[CardSpec, ...]

    @property
    def topics(self) -> int:
        return self.deck.topic_count()

    def cards_under(self, topic_ids: set[str]) -> int:
        return sum(1 for card in self.cards if card.topic_id in topic_ids)


def load_shipped() -> ShippedDeck:
    deck = load_path(shipped_decks_dir() / "ml-system-design.yaml")
    return ShippedDeck(deck, tuple(generate_cards(deck)))
