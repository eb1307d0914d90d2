"""Markdown outline -> deck: text preparation, Markdown tokens, tree building, the deck file."""
