"""Splicing edits into deck text: only the changed values move; the result loads as intended."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.decks.loader import load_text
from app.decks.yaml_edit import (
    YamlEditError,
    add_card,
    delete_card,
    set_card,
    set_topic_text,
)
from app.model import AuthoredCard, Deck, Topic

DECK = """\
# My deck: a comment the editor must keep.
deck:
  id: mine
  title: Mine
  version: 1

topics:
  - id: alpha   # the first topic
    title: Alpha
    notes: |
      Alpha notes,
      on two lines.

    # a comment between keys
    cards:
      - q: "What is A?"   # trailing comment
        a: >-
          The first
          letter.
      - cloze: "{{c1::Beta}} follows alpha."
      - id: pinned
        q: Third?
        a: Yes.
    children:
      - id: a-one
        title: One
  - id: bravo
    title: Bravo
    step: 1
  - {id: flow, title: Flow topic}
"""


def topic(deck: Deck, topic_id: str) -> Topic:
    return next(t for t, _ in deck.walk() if t.id == topic_id)


def changed_lines(before: str, after: str) -> set[str]:
    return set(before.splitlines()) ^ set(after.splitlines())


def test_a_title_edit_changes_that_line_only() -> None:
    after = set_topic_text(DECK, "alpha", title="Alpha: the first")
    assert changed_lines(DECK, after) == {"    title: Alpha",
                                          "    title: 'Alpha: the first'"}
    assert topic(load_text(after), "alpha").title == "Alpha: the first"


def test_a_notes_edit_keeps_comments_order_and_other_values() -> None:
    after = set_topic_text(DECK, "alpha", notes="New notes\nover two lines with # and: colons")
    deck = load_text(after)
    assert topic(deck, "alpha").notes == "New notes\nover two lines with # and: colons"
    assert after.startswith("# My deck: a comment the editor must keep.\n")
    for kept in ("    # a comment between keys", '      - q: "What is A?"   # trailing comment',
                 "  - id: alpha   # the first topic"):
        assert kept in after
    assert topic(deck, "alpha").cards == topic(load_text(DECK), "alpha").cards


def test_notes_are_added_after_the_title_and_removed_with_their_key() -> None:
    added = set_topic_text(DECK, "bravo", notes="Bravo explained.")
    assert "    title: Bravo\n    notes: Bravo explained.\n    step: 1\n" in added
    assert topic(load_text(added), "bravo").notes == "Bravo explained."
    removed = set_topic_text(DECK, "alpha", notes="")
    assert "notes:" not in removed and "Alpha notes" not in removed
    assert topic(load_text(removed), "alpha").notes == ""


def test_a_flow_topic_is_refused_with_the_reason() -> None:
    with pytest.raises(YamlEditError, match="flow style"):
        set_topic_text(DECK, "flow", title="Other")
    with pytest.raises(YamlEditError, match="No topic 'nope'"):
        set_topic_text(DECK, "nope", title="X")


def test_a_card_edit_replaces_its_changed_value_and_keeps_the_rest() -> None:
    after = set_card(DECK, "alpha", 0, AuthoredCard(question="What is A?",
                                                   answer="The first letter, changed."))
    assert changed_lines(DECK, after) == {"        a: >-", "          The first",
                                          "          letter.",
                                          "        a: The first letter, changed."}
    assert topic(load_text(after), "alpha").cards[0].answer == "The first letter, changed."


def test_a_card_changing_kind_is_rewritten_with_its_id() -> None:
    after = set_card(DECK, "alpha", 2, AuthoredCard(cloze="The {{c1::third}} card."))
    card = topic(load_text(after), "alpha").cards[2]
    assert (card.id, card.cloze, card.question) == ("pinned", "The {{c1::third}} card.", "")


def test_a_card_is_added_after_the_last_one_and_a_first_card_before_the_children() -> None:
    after = add_card(DECK, "alpha", AuthoredCard(question="New?", answer="Multi\nline",
                                                 id="mine-1"))
    cards = topic(load_text(after), "alpha").cards
    assert (cards[-1].id, cards[-1].question, cards[-1].answer) == ("mine-1", "New?",
                                                                   "Multi\nline")
    first = add_card(DECK, "a-one", AuthoredCard(cloze="{{c1::One}} is first.", id="mine-1"))
    assert topic(load_text(first), "a-one").cards[0].cloze == "{{c1::One}} is first."
    at_end = add_card(DECK.rstrip("\n").replace("  - {id: flow, title: Flow topic}", ""),
                      "bravo", AuthoredCard(question="B?", answer="b", id="mine-1"))
    assert topic(load_text(at_end), "bravo").cards[0].answer == "b"


def test_deleting_a_card_pins_the_positions_of_the_cards_after_it() -> None:
    after = delete_card(DECK, "alpha", 0)
    cards = topic(load_text(after), "alpha").cards
    # The cloze card was card 1 (its ids end in /1): it keeps that as its id.
    assert [(c.id, c.cloze or c.question) for c in cards] == [
        ("1", "{{c1::Beta}} follows alpha."), ("pinned", "Third?")]
    assert "# a comment between keys" in after
    only = delete_card(add_card(DECK, "bravo", AuthoredCard(question="B?", answer="b")),
                       "bravo", 0)
    assert only == DECK


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc"))
                | st.sampled_from("\n#:'\"{}[]-|>"), min_size=1, max_size=60
                ).map(lambda s: s.strip()).filter(bool)


@settings(max_examples=150, deadline=None)
@given(title=texts.filter(lambda s: "\n" not in s), notes=texts, answer=texts)
def test_any_text_round_trips(title: str, notes: str, answer: str) -> None:
    after = set_topic_text(DECK, "alpha", title=title, notes=notes)
    after = set_card(after, "alpha", 0, AuthoredCard(question="Q?", answer=answer))
    after = add_card(after, "bravo", AuthoredCard(question=answer, answer=title, id="mine-1"))
    deck = load_text(after)
    alpha = topic(deck, "alpha")
    assert (alpha.title, alpha.notes, alpha.cards[0].answer) == (title, notes.strip("\n"),
                                                                 answer)
    assert topic(deck, "bravo").cards[0].question == answer
