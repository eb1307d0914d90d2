"""The deck loader: valid text becomes the expected values, bad text one located DeckError."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.decks.loader import decode, iter_problems, load_path, load_text
from app.decks.yaml_nodes import MAX_NESTING
from app.errors import DeckError, Problem
from app.model import (
    AuthoredCard,
    Deck,
    DeckId,
    Question,
    RubricItem,
    Source,
    Topic,
    TopicId,
)

REPO = Path(__file__).resolve().parent.parent
FORMAT_DOC = REPO / "decks" / "README.md"

#: Lines 1-4 of most test decks: valid metadata, so only the topics under test can be wrong.
HEAD = "deck:\n  id: d\n  title: D\n  version: 1\n"
#: Marks, in a test text, the spot a problem must point at; removed before loading.
HERE = "▶"


def located(text: str) -> tuple[str, int, int]:
    """The text without its ``HERE`` marker, and the marker's 1-based line and column."""
    assert text.count(HERE) == 1, "a case marks exactly one spot"
    offset = text.index(HERE)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return text.replace(HERE, ""), line, column


def problems_of(text: str, source: str = "bad.yaml") -> tuple[Problem, ...]:
    with pytest.raises(DeckError) as caught:
        load_text(text, source)
    return caught.value.problems


def topics(*lines: str) -> str:
    """A deck with valid metadata whose ``topics:`` list holds ``lines`` (from line 6 on)."""
    return HEAD + "topics:\n" + "".join(line + "\n" for line in lines)


def line_of(text: str, fragment: str) -> int:
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


# ---------------------------------------------------------------------------------------------
# Valid decks


def test_minimal_deck_loads() -> None:
    deck = load_text(topics("  - id: only", "    title: Only topic"), "tiny.yaml")

    assert deck == Deck(id=DeckId("d"), title="D", version=1,
                        topics=(Topic(id=TopicId("only"), title="Only topic", line=6),),
                        path="tiny.yaml")
    assert deck.questions == ()
    assert deck.source == Source()


def readme_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "decks/README.md has one ```yaml example"
    return str(blocks[0])


def test_readme_example_loads_as_documented() -> None:
    text = readme_example()
    deck = load_text(text, "README.md")

    assert deck == Deck(
        id=DeckId("ml-system-design"),
        title="Machine Learning System Design",
        version=3,
        description="The 9-step flow for ML system design interviews.",
        source=Source(title="Machine Learning System Design (outline)",
                      url="https://github.com/alirezadir/Machine-Learning-Interviews",
                      author="Alireza Dirafzoon", licence="MIT"),
        topics=(Topic(
            id=TopicId("s2"),
            title="Metrics (Offline and Online)",
            step=2,
            notes="Decide how success is measured **before** modelling ...",
            rubric=(
                RubricItem("An offline metric that fits the task",
                           ("precision", "recall", "auc", "ndcg", "mrr", "log-loss")),
                RubricItem("An online metric tied to the business goal",
                           ("ctr", "conversion rate", "watch time"),
                           (("online", "a/b", "live", "production"),
                            ("clicks", "revenue", "retention", "<percent>"))),
            ),
            followups=("Your positives are 0.1% of the data. Which offline metric do you report, "
                       "and why?",
                       "Your new model gains 2% nDCG offline and nothing online. Why?"),
            followup_categories=((), ("recommendation",)),
            cards=(
                AuthoredCard(question="When does PR-AUC tell you more than ROC-AUC?",
                             answer="With heavily imbalanced classes, where ROC-AUC looks good "
                                    "thanks to the many true negatives.",
                             line=line_of(text, "- q: When does")),
                AuthoredCard(cloze="nDCG discounts a relevant result by {{c1::log2(rank + 1)}}.",
                             line=line_of(text, "- cloze:")),
            ),
            children=(Topic(id=TopicId("s2-offline"),
                            title="Offline metrics (e.g. classification, relevance metrics)",
                            notes="Measured on held-out data before launch.",
                            ordered=False, line=line_of(text, "- id: s2-offline")),),
            line=line_of(text, "- id: s2 "),
        ),),
        questions=(Question(
            id="q-video-recommendation",
            title="Video recommendation (Netflix, YouTube)",
            category="recommendation",
            prompt='Design the "Up next" recommendations for a video platform with 200M daily '
                   "users ...",
            reference={1: ("Objective: long-term watch time, not clicks; rank candidates per user.",
                           "200M DAU ..."),
                       2: ("...",)},
            followups={4: ("A new upload has no views yet. How does it get its first "
                           "impressions?",)},
            rubric={2: (RubricItem("Optimises long-term watch time rather than clicks",
                                   ("watch time per user", "long-term retention")),)},
        ),),
        path="README.md",
    )


def test_every_optional_field_loads() -> None:
    text = topics(
        "  - id: flow",
        "    title: '  The flow  '",
        "    ordered: true",
        "    notes: |",
        "",
        "      Two paragraphs,",
        "",
        "      kept as written.",
        "",
        "    children:",
        "      - id: first",
        "        title: First",
        "        step: 1",
        "        children:",
        "      - id: second",
        "        title: Second",
        "        cards:",
        "          - id: pinned",
        "            cloze: 'The answer is {{c1::42::a number}}.'",
        "          - q: |",
        "              Two-line",
        "              question?",
        "            a: Yes.",
        "questions:",
        "  - id: q-flow",
        "    title: Walk the flow",
        "    topic: second",
        "  - id: q-bare",
        "    title: No topic",
    )
    deck = load_text(text)

    flow = deck.topics[0]
    assert (flow.title, flow.ordered, flow.step) == ("The flow", True, None)
    assert flow.notes == "Two paragraphs,\n\nkept as written."
    assert [(c.id, c.step, c.ordered) for c in flow.children] == [
        ("first", 1, False), ("second", None, False)]
    assert flow.children[0].children == ()
    assert flow.children[1].cards == (
        AuthoredCard(cloze="The answer is {{c1::42::a number}}.", id="pinned", line=23),
        AuthoredCard(question="Two-line\nquestion?", answer="Yes.", line=25),
    )
    assert deck.questions == (Question(id="q-flow", title="Walk the flow",
                                       topic=TopicId("second")),
                              Question(id="q-bare", title="No topic"))
    assert [t.id for t, _ in deck.walk()] == ["flow", "first", "second"]
    assert deck.path == "<deck>"


def test_question_bank_keys_load_by_step() -> None:
    text = topics(
        "  - id: s3",
        "    title: Architecture",
        "    step: 3",
        "    followups:",
        "      - Where do features come from?",
        "      - text: >-",
        "          Your ranker can score only 500 items.",
        "          How do you close the gap?",
        "        categories: [search]",
        "questions:",
        "  - id: q-fraud",
        "    title: Fraud",
        "    category: fraud",
        "    reference:",
        "      1:",
        "        - 'Objective: cut fraud losses.'",
        "        - 5,000 transactions/s at peak.",
        "      4: [Chargebacks arrive 60 days late.]",
        "    followups:",
        "      4: [Which transactions do you train on this week?]",
        "    rubric:",
        "      6:",
        "        - text: Handles class imbalance",
        "          terms: [class imbalance, downsampling]",
        "  - {id: q-search, title: Search, category: search}",
    )
    deck = load_text(text)

    step = deck.topics[0]
    assert step.followups == ("Where do features come from?",
                              "Your ranker can score only 500 items. How do you close the gap?")
    assert step.followup_categories == ((), ("search",))
    fraud = deck.questions[0]
    assert fraud.reference == {1: ("Objective: cut fraud losses.", "5,000 transactions/s at peak."),
                               4: ("Chargebacks arrive 60 days late.",)}
    assert fraud.followups == {4: ("Which transactions do you train on this week?",)}
    assert fraud.rubric == {6: (RubricItem("Handles class imbalance",
                                           ("class imbalance", "downsampling")),)}
    assert (deck.questions[1].reference, deck.questions[1].followups,
            deck.questions[1].rubric) == ({}, {}, {})


def test_untagged_follow_ups_leave_no_categories() -> None:
    deck = load_text(topics("  - id: s3", "    title: A", "    step: 3",
                            "    followups: [Why?, How?]"))
    assert deck.topics[0].followups == ("Why?", "How?")
    assert deck.topics[0].followup_categories == ()


def test_topic_tree_keeps_file_order_at_every_level() -> None:
    text = topics(
        "  - {id: z, title: Z, children: [{id: z2, title: Z2}, {id: z1, title: Z1}]}",
        "  - {id: a, title: A}",
        "  - {id: m, title: M, children: [{id: m9, title: M9, children: [{id: m0, title: M0}]}]}",
    )
    deck = load_text(text)

    assert [(t.id, len(a)) for t, a in deck.walk()] == [
        ("z", 0), ("z2", 1), ("z1", 1), ("a", 0), ("m", 0), ("m9", 1), ("m0", 2)]


def test_scalars_that_look_like_other_types_are_titles_and_ids() -> None:
    deck = load_text(topics("  - id: 2020-01-01", "    title: 3", "    notes: yes",
                            "  - id: '7'", "    title: '2024-05-01'"))

    assert [(t.id, t.title, t.notes) for t in deck.topics] == [
        ("2020-01-01", "3", "yes"), ("7", "2024-05-01", "")]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + topics("  - id: a", "    title: A").encode())

    deck = load_path(path)

    assert (deck.id, deck.path, deck.topics[0].title) == ("d", str(path), "A")


def test_iter_problems_reports_only_the_broken_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(topics("  - id: a", "    title: A"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(topics("  - id: a"), encoding="utf-8")

    assert list(iter_problems([str(good)])) == []
    assert list(iter_problems([str(good), str(bad)])) == [
        Problem(str(bad), 6, 5, "topic a: missing 'title'")]


# ---------------------------------------------------------------------------------------------
# One problem per bad input, at the right spot, saying what is wrong and where in the tree

BAD_INPUTS = {
    "yaml syntax": (topics("  - id: a", f"    title: a{HERE}: b"),
                    ["YAML syntax error", "mapping values are not allowed"]),
    # The end of the file is where YAML notices; the message says where the quote opened.
    "unclosed quote": (topics("  - id: a", "    title: 'open") + HERE,
                       ["YAML syntax error", "end of stream", "quoted scalar",
                        "line 7, column 12"]),
    "tab indentation": (topics("  - id: a", f"{HERE}\ttitle: A"),
                        ["YAML syntax error", "spaces, not tabs"]),
    "tab after dash": (topics("  - id: a", "    title: A", f"  -{HERE}\tid: b"),
                       ["YAML syntax error", "spaces, not tabs"]),
    "title is a list": (topics("  - id: a", f"    title: {HERE}[x, y]"),
                        ["topic a:", "'title' must be text, not a list"]),
    "title is a mapping": (topics("  - id: a", f"    title: {HERE}{{x: y}}"),
                           ["topic a:", "'title' must be text, not a mapping"]),
    "step is text": (topics("  - id: a", "    title: A", f"    step: {HERE}two"),
                     ["topic a:", "'step' must be a whole number, not text"]),
    "step is a float": (topics("  - id: a", "    title: A", f"    step: {HERE}2.5"),
                        ["topic a:", "'step' must be a whole number, not a number"]),
    "version is text": (f"deck:\n  id: d\n  title: D\n  version: {HERE}one\n"
                        "topics:\n  - {id: a, title: A}\n",
                        ["deck:", "'version' must be a whole number, not text"]),
    "version is zero": (f"deck:\n  id: d\n  title: D\n  version: {HERE}0\n"
                        "topics:\n  - {id: a, title: A}\n",
                        ["deck:", "'version' is 0; it must be >= 1"]),
    "version too big to store": (f"deck:\n  id: d\n  title: D\n  version: {HERE}{2**64}\n"
                                 "topics:\n  - {id: a, title: A}\n",
                                 ["deck:", f"'version' is {2**64}, too large to store"]),
    "version missing": (f"deck:\n  {HERE}id: d\n  title: D\n"
                        "topics:\n  - {id: a, title: A}\n",
                        ["deck:", "missing 'version'"]),
    "ordered is not a boolean": (topics("  - id: a", "    title: A", f"    ordered: {HERE}maybe"),
                                 ["topic a:", "'ordered' must be true or false, not text"]),
    "children is a mapping": (topics("  - id: a", "    title: A", "    children:",
                                     f"      {HERE}id: b", "      title: B"),
                              ["topic a:", "'children' must be a list", "not a mapping"]),
    "missing title": (topics(f"  - {HERE}id: a", "    notes: no title"),
                      ["topic a:", "missing 'title'"]),
    "empty title": (topics("  - id: a", f"    title: {HERE}''"),
                    ["topic a:", "'title' is empty"]),
    "blank title": (topics("  - id: a", f"    title: {HERE}'   '"),
                    ["topic a:", "'title' is empty"]),
    "multi-line title": (topics("  - id: a", f"    title: {HERE}|", "      one", "      two"),
                         ["topic a:", "'title' must fit on one line", "notes"]),
    "missing id": (topics(f"  - {HERE}title: A"), ["topics:", "missing 'id'"]),
    "missing id of a child": (topics("  - id: a", "    title: A", "    children:",
                                     f"      - {HERE}title: B"),
                              ["topic a:", "missing 'id'"]),
    "bad id characters": (topics(f"  - id: {HERE}Bad_Id", "    title: A"),
                          ["'Bad_Id'", "lowercase letters, digits and dashes"]),
    "id starting with a dash": (topics(f"  - id: {HERE}'-a'", "    title: A"),
                                ["'-a'", "starting with a letter or digit"]),
    "duplicate topic id": (topics("  - id: a", "    title: A", "  - id: b", "    title: B",
                                  "    children:", f"      - id: {HERE}a", "        title: A2"),
                           ["topic b > a:", "duplicate topic id 'a'", "first at line 6"]),
    "duplicate key": (topics("  - id: a", "    title: A", f"    {HERE}title: B"),
                      ["topic a:", "duplicate key 'title'", "first at line 7"]),
    "unknown key with a suggestion": (topics("  - id: a", "    title: A",
                                             f"    {HERE}chidren: []"),
                                      ["topic a:", "unknown key 'chidren'",
                                       "did you mean 'children'?"]),
    "unknown key in the metadata": (f"deck:\n  id: d\n  {HERE}titel: D\n  title: D\n"
                                    "  version: 1\ntopics:\n  - {id: a, title: A}\n",
                                    ["deck:", "unknown key 'titel'", "did you mean 'title'?"]),
    "unknown key without a close match": (topics("  - id: a", "    title: A",
                                                 f"    {HERE}zzz: 1"),
                                          ["unknown key 'zzz'", "allowed keys: id, title, notes"]),
    "empty file": (f"{HERE}", ["the deck is empty"]),
    "only comments": (f"{HERE}# a deck to be\n\n   \n", ["the deck is empty"]),
    "no topics": (HEAD + f"topics: {HERE}[]\n", ["the deck has no topics"]),
    "topics key with nothing after it": (HEAD + f"topics:{HERE}\n", ["the deck has no topics"]),
    "topics is a mapping": (HEAD + f"topics:\n  {HERE}a: b\n",
                            ["'topics' must be a list", "not a mapping"]),
    "missing deck": (f"{HERE}topics:\n  - id: a\n    title: A\n", ["missing top-level 'deck:'"]),
    "file is a list": (f"{HERE}- a\n- b\n", ["the deck file must be a mapping", "not a list"]),
    "python object tag": (topics("  - id: a",
                                 f"    title: {HERE}!!python/object/apply:os.system ['true']"),
                          ["'!!python/object/apply:os.system' is not allowed"]),
    "python name tag": (topics("  - id: a", f"    title: {HERE}!!python/name:os.system"),
                        ["'!!python/name:os.system' is not allowed"]),
    "custom tag": (topics("  - id: a", f"    title: {HERE}!foo bar"),
                   ["'!foo' is not allowed"]),
    "custom tag on a mapping": (topics(f"  - {HERE}!foo", "    id: a", "    title: A"),
                                ["'!foo' is not allowed"]),
    "binary tag": (topics("  - id: a", f"    title: {HERE}!!binary aGVsbG8="),
                   ["'!!binary' is not allowed"]),
    "alias": (topics("  - &first", "    id: a", "    title: A", f"  - {HERE}*first"),
              ["aliases (*first) are not allowed"]),
    "second document": (topics("  - id: a", "    title: A", f"{HERE}---", "more: 1"),
                        ["one YAML document", "second '---'"]),
    "control character": (topics("  - id: a", f"    title: A{HERE}\x07b"),
                          ["character U+0007 is not allowed", "control character"]),
    "control character after a two-byte character": (
        topics("  - id: a", f"    title: é{HERE}\x1b"), ["character U+001B is not allowed"]),
    "control character after astral characters": (
        topics("  - id: a", f"    title: 😀😀 {HERE}\x07"), ["character U+0007 is not allowed"]),
    "lone surrogate": (topics("  - id: a", f"    title: A{HERE}\ud800"), ["U+D800"]),
    "step 0": (topics("  - id: a", "    title: A", f"    step: {HERE}0"),
               ["topic a:", "'step' is 0; it must be 1..9"]),
    "step 10": (topics("  - id: a", "    title: A", f"    step: {HERE}10"),
                ["topic a:", "'step' is 10; it must be 1..9"]),
    "repeated step": (topics("  - id: a", "    title: A", "    step: 3", "  - id: b",
                             "    title: B", f"    step: {HERE}3"),
                      ["topic b:", "step 3 is already topic at line 6"]),
    "rubric on a non-step topic": (topics("  - id: a", "    title: A", f"    {HERE}rubric:",
                                          "      - {text: T, terms: [x]}"),
                                   ["topic a:", "'rubric' is only used on the 9 steps"]),
    "followups on a non-step topic": (topics("  - id: a", "    title: A",
                                             f"    {HERE}followups: [Why?]"),
                                      ["topic a:", "'followups' is only used on the 9 steps"]),
    "rubric item without terms": (topics("  - id: a", "    title: A", "    step: 1",
                                         "    rubric:", f"      - {HERE}text: T"),
                                  ["topic a:", "needs 'terms'"]),
    "card with q and cloze": (topics("  - id: a", "    title: A", "    cards:",
                                     f"      - {HERE}q: Q", "        a: A",
                                     "        cloze: '{{c1::x}}'"),
                              ["topic a:", "either 'q'+'a' or 'cloze', not both"]),
    "card without an answer": (topics("  - id: a", "    title: A", "    cards:",
                                      f"      - {HERE}q: Q"),
                               ["topic a:", "missing 'a'"]),
    "cloze without a deletion": (topics("  - id: a", "    title: A", "    cards:",
                                        f"      - cloze: {HERE}'{{{{c1:x}}}} is not a deletion'"),
                                 ["topic a:", "cloze text has no deletion", "{{c1::answer}}"]),
    "question on an unknown topic": (topics("  - id: a", "    title: A") + "questions:\n"
                                     f"  - id: q1\n    title: Q\n    topic: {HERE}nope\n",
                                     ["question q1:", "topic 'nope' is not a topic id"]),
    "duplicate question id": (topics("  - id: a", "    title: A") + "questions:\n"
                              f"  - {{id: q1, title: Q}}\n  - {{id: {HERE}q1, title: R}}\n",
                              ["duplicate question id 'q1'", "first at line 9"]),
    "reference is a list": (topics("  - id: a", "    title: A") + "questions:\n"
                            f"  - id: q1\n    title: Q\n    reference: {HERE}[x, y]\n",
                            ["question q1:", "'reference' must map step numbers to lists"]),
    "reference keyed by a word": (topics("  - id: a", "    title: A") + "questions:\n"
                                  f"  - id: q1\n    title: Q\n    reference:\n"
                                  f"      {HERE}data: [x]\n",
                                  ["keyed by step numbers 1..9, not data"]),
    "reference of step 10": (topics("  - id: a", "    title: A") + "questions:\n"
                             f"  - id: q1\n    title: Q\n    reference:\n      {HERE}10: [x]\n",
                             ["keyed by step numbers 1..9, not 10"]),
    "reference of a step is text": (topics("  - id: a", "    title: A") + "questions:\n"
                                    f"  - id: q1\n    title: Q\n    reference:\n"
                                    f"      2: {HERE}just text\n",
                                    ["'reference' of step 2 must be a list"]),
    "empty reference bullet": (topics("  - id: a", "    title: A") + "questions:\n"
                               f"  - id: q1\n    title: Q\n    reference:\n"
                               f"      2: [x, {HERE}'']\n",
                               ["a reference bullet must be non-empty text"]),
    "same step twice in follow-ups": (topics("  - id: a", "    title: A") + "questions:\n"
                                      "  - id: q1\n    title: Q\n    followups:\n"
                                      f"      4: [Why?]\n      {HERE}4: [How?]\n",
                                      ["step 4 appears twice in 'followups'"]),
    "question rubric item without terms": (topics("  - id: a", "    title: A") + "questions:\n"
                                           "  - id: q1\n    title: Q\n    rubric:\n"
                                           f"      6:\n        - {HERE}text: Imbalance\n",
                                           ["rubric item needs 'terms'"]),
    "follow-up category no question has": (
        topics("  - id: a", "    title: A", "    step: 3", "    followups:",
               f"      - {{text: Why?, categories: [{HERE}rankng]}}")
        + "questions:\n  - {id: q1, title: Q, category: ranking}\n",
        ["no question has the category 'rankng'; did you mean 'ranking'?"]),
    "follow-up with an unknown key": (topics("  - id: a", "    title: A", "    step: 3",
                                             "    followups:",
                                             f"      - {{text: Why?, {HERE}tags: [fraud]}}"),
                                      ["unknown key 'tags' in a follow-up"]),
    "follow-up with empty categories": (topics("  - id: a", "    title: A", "    step: 3",
                                               "    followups:",
                                               f"      - {{text: Why?, {HERE}categories: []}}"),
                                        ["'categories' is empty"]),
}


@pytest.mark.parametrize(("marked", "fragments"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_located_problem(marked: str, fragments: list[str]) -> None:
    text, line, column = located(marked)

    problems = problems_of(text)

    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.path, problem.line, problem.column) == ("bad.yaml", line, column), problem
    for fragment in fragments:
        assert fragment in problem.message, (fragment, problem.message)


def test_error_message_is_path_line_column_message() -> None:
    with pytest.raises(DeckError) as caught:
        load_text(topics("  - id: a"), "decks/mine.yaml")

    assert str(caught.value) == "decks/mine.yaml:6:5: topic a: missing 'title'"


def test_every_problem_of_a_file_is_reported() -> None:
    text = (
        "deck:\n"
        "  id: Deck\n"
        "  title: D\n"
        "  version: 1\n"
        "topics:\n"
        "  - id: s1\n"
        "    title: [S1]\n"
        "    step: 1\n"
        "    chidren: []\n"
        "  - id: s1\n"
        "    title: Again\n"
        "    step: 1\n"
        "    cards:\n"
        "      - cloze: plain\n"
        "questions:\n"
        "  - id: q\n"
        "    topic: s9\n"
    )
    with pytest.raises(DeckError) as caught:
        load_text(text, "bad.yaml")

    problems = caught.value.problems
    found = sorted((p.line, p.column, p.message) for p in problems)
    expected = [
        (2, 7, "id 'Deck' must use only lowercase"),
        (7, 12, "'title' must be text"),
        (9, 5, "unknown key 'chidren'"),
        (10, 9, "duplicate topic id 's1' (first at line 6)"),
        (12, 11, "step 1 is already topic at line 6"),
        (14, 16, "cloze text has no deletion"),
        (16, 5, "missing 'title'"),
        (17, 12, "topic 's9' is not a topic id"),
    ]
    assert [(line, column) for line, column, _ in found] == [(ln, c) for ln, c, _ in expected]
    for (_, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message
    assert str(caught.value) == f"{problems[0]} (and 7 more problems)"


def test_executing_tags_run_nothing(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    control = tmp_path / "control"
    payload = "!!python/object/apply:os.mkdir [{!r}]"
    # The payload is live: an unsafe loader does run it.
    yaml.unsafe_load(payload.format(str(control)))
    assert control.is_dir()

    for where in (f"  - id: a\n    title: {payload.format(str(target))}\n",
                  f"  - id: a\n    title: A\n    notes: {payload.format(str(target))}\n",
                  f"  - {payload.format(str(target))}\n"):
        problems = problems_of(HEAD + "topics:\n" + where)
        assert "'!!python/object/apply:os.mkdir' is not allowed" in problems[0].message
        assert not target.exists()


def test_billion_laughs_is_refused_at_the_first_alias_quickly() -> None:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, 12)]
    started = time.perf_counter()

    problems = problems_of("\n".join(lines) + "\n")

    assert time.perf_counter() - started < 1.0
    assert problems == (Problem("bad.yaml", 2, 14, "aliases (*lol0) are not allowed in a deck; "
                                "write the text out in full"),)


def test_nesting_up_to_the_limit_is_read_and_beyond_is_refused() -> None:
    # The root mapping, `topics`, the topic and its `notes` value use 3 levels before the lists.
    prefix = HEAD + "topics:\n  - id: a\n    title: A\n    notes: "
    lists = MAX_NESTING - 3
    at_limit = problems_of(prefix + "[" * lists + "]" * lists + "\n")
    assert [p.message for p in at_limit] == ["topic a: 'notes' must be text, not a list"]

    beyond = problems_of(prefix + "[" * (lists + 1) + "]" * (lists + 1) + "\n")
    assert beyond == (Problem("bad.yaml", 8, len("    notes: ") + lists + 1,
                              f"nesting deeper than {MAX_NESTING} levels; flatten the outline"),)


def chain(depth: int) -> str:
    """A deck whose topics nest ``depth`` levels deep, in block style."""
    lines = []
    for level in range(1, depth + 1):
        pad = "    " * (level - 1)
        lines += [f"{pad}  - id: t{level}", f"{pad}    title: T{level}"]
        if level < depth:
            lines.append(f"{pad}    children:")
    return topics(*lines)


def test_deepest_allowed_topic_tree_loads_and_one_more_level_is_refused() -> None:
    # A topic level costs two YAML levels (its mapping and its children list).
    deepest = (MAX_NESTING - 1) // 2
    deck = load_text(chain(deepest))
    assert max(len(ancestors) for _, ancestors in deck.walk()) == deepest - 1

    problems = problems_of(chain(deepest + 1))
    expected_line = 6 + 3 * deepest
    assert [(p.line, p.column) for p in problems] == [(expected_line, 4 * deepest + 5)]
    assert "nesting deeper than" in problems[0].message


def test_pathological_nesting_is_a_deck_error() -> None:
    problems = problems_of("[" * 100_000)

    assert len(problems) == 1
    assert problems[0].line == 1
    assert "nest" in problems[0].message


# ---------------------------------------------------------------------------------------------
# Bytes and files


def test_binary_bytes_are_refused() -> None:
    with pytest.raises(DeckError) as caught:
        decode(b"deck:\x00\x01\x02", "blob.yaml")

    assert caught.value.problems == (Problem("blob.yaml", 1, 1, "this is a binary file, not a "
                                             "YAML deck"),)


@pytest.mark.parametrize(("data", "line", "column"), [
    (b"deck:\n  title: caf\xe9\n", 2, 13),
    (b"deck:\n  title: \xc3\xa9\xff\n", 2, 11),  # the column counts characters, not bytes
    (b"\xff", 1, 1),
])
def test_non_utf8_bytes_are_refused_with_their_position(data: bytes, line: int,
                                                        column: int) -> None:
    with pytest.raises(DeckError) as caught:
        decode(data, "latin1.yaml")

    assert caught.value.problems == (Problem("latin1.yaml", line, column, "the file is not UTF-8 "
                                             "text; save it as UTF-8"),)


def test_load_path_refuses_binary_and_non_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(topics("  - id: a", "    title: Caf\xe9").encode("latin-1"))

    with pytest.raises(DeckError) as caught:
        load_path(binary)
    assert [(p.path, p.line, p.column) for p in caught.value.problems] == [(str(binary), 1, 1)]
    assert "binary" in caught.value.problems[0].message

    with pytest.raises(DeckError) as caught:
        load_path(latin)
    assert [(p.path, p.line, p.column) for p in caught.value.problems] == [(str(latin), 7, 15)]
    assert "not UTF-8" in caught.value.problems[0].message


def test_load_path_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "deck.yaml"

    with pytest.raises(DeckError) as caught:
        load_path(missing)

    [problem] = caught.value.problems
    assert problem.path == str(missing)
    assert "cannot read the file" in problem.message
    assert str(missing) in str(caught.value)


def test_load_path_names_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as caught:
        load_path(tmp_path)

    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (str(tmp_path), 1, 1)
    assert "cannot read the file" in problem.message


def test_load_path_reports_problems_under_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(topics("  - id: a", "    chidren: []"), encoding="utf-8")

    with pytest.raises(DeckError) as caught:
        load_path(path)

    assert {p.path for p in caught.value.problems} == {str(path)}
    assert [p.line for p in caught.value.problems] == [7, 6]


# ---------------------------------------------------------------------------------------------
# Properties


def line_breaks(text: str) -> int:
    """An upper bound on the lines YAML sees: it also breaks lines at CR, NEL, LS and PS."""
    return sum(text.count(c) for c in "\n\r\x85\u2028\u2029")


def assert_only_located_deck_errors(text: str) -> None:
    try:
        load_text(text, "fuzz.yaml")
    except DeckError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == "fuzz.yaml"
            assert 1 <= problem.line <= line_breaks(text) + 2, problem
            assert problem.column >= 1, problem
            assert problem.message.strip(), problem


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_deck_or_located_deck_errors(text: str) -> None:
    assert_only_located_deck_errors(text)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_give_text_or_a_deck_error(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.yaml")
    except DeckError as error:
        assert all(p.line >= 1 and p.column >= 1 for p in error.problems)
    else:
        assert_only_located_deck_errors(text)


DECK_WORDS = ["deck", "topics", "questions", "id", "title", "version", "description", "source",
              "url", "author", "licence", "notes", "step", "ordered", "children", "cards",
              "rubric", "followups", "q", "a", "cloze", "text", "terms", "category", "prompt",
              "reference", "categories",
              "topic", "chidren", "tittle", "x", "<<", "? a"]
SCALARS = ["", "a", "s1", "A title", "1", "9", "10", "0", "-3", "2.5", "true", "no", "~", "null",
           "[]", "{}", "[a, b]", "{id: a, title: A}", "[", "{", "'quoted'", '"dq\\n"', "'open",
           "|", ">-", "|\n  block", "&anc x", "*anc", "!!str 3", "!!int x", "!!python/name:os.sep",
           "!foo", "{{c1::x}}", "'{{c1::x::hint}}'", "2020-01-01", "0x1F", "1:30", "é😀", "\t",
           "# comment", "---", "...", "- a", "%YAML 1.1", "\x07", ": :", "-"]


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """Lines of `key: value` and `- item` at random indents, mostly with real deck keys."""
    lines = []
    for _ in range(draw(st.integers(1, 25))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 2, 4, 4, 6, 8, 1, 3]))
        dash = draw(st.sampled_from(["", "", "- ", "-"]))
        shape = draw(st.sampled_from(["pair", "pair", "pair", "key", "item"]))
        value = draw(st.sampled_from(SCALARS) | st.text(max_size=6))
        key = draw(st.sampled_from(DECK_WORDS))
        if shape == "pair":
            lines.append(f"{indent}{dash}{key}: {value}")
        elif shape == "key":
            lines.append(f"{indent}{dash}{key}:")
        else:
            lines.append(f"{indent}- {value}")
    if draw(st.booleans()):
        lines = ["deck:", "  id: d", "  title: D", "  version: 1", "topics:", *lines]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yamlish())
def test_yamlish_text_gives_a_deck_or_located_deck_errors(text: str) -> None:
    assert_only_located_deck_errors(text)


IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,11}", fullmatch=True)
# PyYAML's emitter (allow_unicode) writes NEL, LS and PS unescaped, and YAML reads them back as
# line breaks: that is the dumper's loss, not the loader's, so generated text leaves them out.
TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x85\u2028\u2029")
TITLES = st.text(TEXT, min_size=1, max_size=20).filter(
    lambda t: t == t.strip() and "\n" not in t and "\r" not in t)
NOTES = st.text(TEXT, max_size=40).filter(lambda t: t == t.strip("\n"))

# A tree shape: each node is the list of its children's shapes.
Shape = list["Shape"]
SHAPES: st.SearchStrategy[Shape] = st.recursive(
    st.builds(list), lambda kids: st.lists(kids, max_size=4), max_leaves=25)
TopicDict = dict[str, Any]


@st.composite
def deck_trees(draw: st.DrawFn) -> list[TopicDict]:
    """Topic mappings as a deck author writes them: unique ids, steps used at most once."""
    forest = draw(st.lists(SHAPES, min_size=1, max_size=5))

    def count(shape: Shape) -> int:
        return 1 + sum(count(child) for child in shape)

    total = sum(count(shape) for shape in forest)
    ids = iter(draw(st.lists(IDS, min_size=total, max_size=total, unique=True)))
    steps = iter(draw(st.permutations(range(1, 10))))

    def build(shape: Shape) -> TopicDict:
        topic: TopicDict = {"id": next(ids), "title": draw(TITLES)}
        if draw(st.booleans()):
            topic["notes"] = draw(NOTES)
        if draw(st.integers(0, 4)) == 0:
            topic["step"] = next(steps, None)
        if draw(st.booleans()):
            topic["ordered"] = draw(st.booleans())
        empty_children = draw(st.booleans())  # `children: []` as well as no key at all
        if shape or empty_children:
            topic["children"] = [build(child) for child in shape]
        return {k: v for k, v in topic.items() if v is not None}

    return [build(shape) for shape in forest]


def tree_of(topics_: tuple[Topic, ...]) -> list[TopicDict]:
    return [{"id": t.id, "title": t.title, "notes": t.notes, "step": t.step,
             "ordered": t.ordered, "children": tree_of(t.children)} for t in topics_]


def expected_tree(nodes: list[TopicDict]) -> list[TopicDict]:
    return [{"id": n["id"], "title": n["title"], "notes": n.get("notes", ""),
             "step": n.get("step"), "ordered": n.get("ordered", False),
             "children": expected_tree(n.get("children", []))} for n in nodes]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deck_trees(), st.booleans(), st.booleans())
def test_generated_decks_round_trip_through_yaml(tree: list[TopicDict],
                                                 unicode: bool, flow: bool) -> None:
    document = {"deck": {"id": "gen", "title": "Generated", "version": 2}, "topics": tree}
    text = yaml.safe_dump(document, allow_unicode=unicode, default_flow_style=flow,
                          sort_keys=False)

    deck = load_text(text, "gen.yaml")

    assert (deck.id, deck.title, deck.version) == ("gen", "Generated", 2)
    assert tree_of(deck.topics) == expected_tree(tree)


def test_a_pinned_card_id_used_twice_in_a_topic_is_refused() -> None:
    text = ("deck:\n  id: d\n  title: D\n  version: 1\ntopics:\n  - id: a\n    title: A\n"
            "    cards:\n      - id: same\n        q: One?\n        a: One.\n"
            "      - id: same\n        q: Two?\n        a: Two.\n")
    with pytest.raises(DeckError) as caught:
        load_text(text, "deck.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (12, 1)
    assert "topic a: card id 'same' is already used by the card at line 9" in problem.message
