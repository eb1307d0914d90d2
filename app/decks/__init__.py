"""Deck files -> validated topic trees -> cards; the library of decks in the store."""
