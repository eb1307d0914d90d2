"""The card search syntax: what each piece of text parses to, and errors that point at the token."""

from __future__ import annotations

import pytest

from app.decks.query import (
    And,
    Deck,
    Flag,
    Not,
    Or,
    Prop,
    Rated,
    SearchError,
    State,
    Step,
    Text,
    Topic,
    parse,
)


def test_empty_text_matches_everything() -> None:
    assert parse("") == And(())
    assert parse("   ") == And(())


def test_words_are_anded_and_phrases_kept_whole() -> None:
    assert parse('recall "online testing"') == And((
        Text("recall", phrase=False, column=1), Text("online testing", phrase=True, column=8)))
    assert parse("a b") == And((Text("a", False, 1), Text("b", False, 3)))
    assert parse("a AND b") == And((Text("a", False, 1), Text("b", False, 7)))


def test_or_binds_looser_than_and_and_parentheses_group() -> None:
    a, b, c = Text("a", False, 1), Text("b", False, 6), Text("c", False, 8)
    assert parse("a or b c") == Or((a, And((b, c))))
    assert parse("(a or b) c") == And((Or((Text("a", False, 2), Text("b", False, 7))),
                                       Text("c", False, 10)))
    assert parse("a OR b") == Or((a, b))


def test_minus_negates_the_term_or_group_it_touches() -> None:
    assert parse("-is:new") == Not(State("new"))
    assert parse("-(a or b)") == Not(Or((Text("a", False, 3), Text("b", False, 8))))
    assert parse("--a") == Not(Not(Text("a", False, 3)))
    assert parse("tf-idf") == Text("tf-idf", False, 1)  # a dash inside a word is the word's


@pytest.mark.parametrize("state", ["due", "new", "learn", "review", "suspended", "buried"])
def test_every_state(state: str) -> None:
    assert parse(f"is:{state}") == State(state)  # type: ignore[arg-type]
    assert parse(f"IS:{state.upper()}") == State(state)  # type: ignore[arg-type]


def test_keys_with_values() -> None:
    assert parse("flag:0 flag:7") == And((Flag(0), Flag(7)))
    assert parse("step:9") == Step(9)
    assert parse("deck:mine") == Deck("mine", "deck:mine", 1)
    assert parse('deck:"two words"') == Deck("two words", 'deck:"two words"', 1)
    assert parse("topic:a-one") == Topic("a-one", "topic:a-one", 1)
    assert parse("rated:7") == Rated(7, None)
    assert parse("rated:1:4") == Rated(1, 4)


@pytest.mark.parametrize(("text", "prop"), [
    ("prop:ivl>10", Prop("ivl", ">", 10)), ("prop:lapses>=2", Prop("lapses", ">=", 2)),
    ("prop:reps<3", Prop("reps", "<", 3)), ("prop:lapses=0", Prop("lapses", "=", 0)),
    ("prop:ivl!=1", Prop("ivl", "!=", 1)), ("prop:s<=2.5", Prop("s", "<=", 2.5)),
    ("prop:d>7", Prop("d", ">", 7)), ("PROP:IVL>1", Prop("ivl", ">", 1)),
])
def test_properties(text: str, prop: Prop) -> None:
    assert parse(text) == prop


def test_quotes_make_text_of_what_looks_like_a_key() -> None:
    assert parse('"is:due"') == Text("is:due", True, 1)
    assert parse('"say \\"hi\\""') == Text('say "hi"', True, 1)
    assert parse("recall*") == Text("recall", False, 1)  # Anki's wildcard: a prefix already


@pytest.mark.parametrize(("text", "token", "column", "says"), [
    ("is:fresh", "is:fresh", 1, "is: takes due, new, learn, review, suspended or buried"),
    ("a flag:8", "flag:8", 3, "from 0 to 7"),
    ("step:10", "step:10", 1, "from 1 to 9"),
    ("step:x", "step:x", 1, "whole number"),
    ("rated:0", "rated:0", 1, "from 1 to"),
    ("rated:2:5", "rated:2:5", 1, "grade must be a whole number from 1 to 4"),
    ("prop:ease>2", "prop:ease>2", 1, "prop: takes ivl, lapses, reps, s, d"),
    ("prop:ivl>1.5", "prop:ivl>1.5", 1, "whole number"),
    ("prop:s>x", "prop:s>x", 1, "compares with a number"),
    ("deck:", "deck:", 1, "needs an id"),
    ("x front:recall", "front:recall", 3, "unknown search key 'front:'"),
    ('a "open', '"open', 3, "never closed"),
    ("a or", "or", 3, "needs a term after it"),
    ("or a", "or", 1, "needs a term before it"),
    ("a or or b", "or", 3, "needs a term after it"),
    ("a and", "and", 3, "needs a term on each side"),
    ("(a", "(", 1, "never closed"),
    ("a (", "(", 3, "never closed"),
    ("a )", ")", 3, "has no '(' before it"),
    ("()", "(", 1, "nothing inside"),
    ("a -", "-", 3, "no letters or digits"),
    ("a &&", "&&", 3, "no letters or digits"),
])
def test_errors_name_the_token_and_its_column(text: str, token: str, column: int,
                                              says: str) -> None:
    with pytest.raises(SearchError) as caught:
        parse(text)
    assert (caught.value.token, caught.value.column) == (token, column)
    assert f"'{token}' at column {column}" in str(caught.value)
    assert says in str(caught.value)


def test_an_unknown_key_says_how_to_search_for_the_text() -> None:
    with pytest.raises(SearchError, match="put it in double quotes"):
        parse("ratio:3")
