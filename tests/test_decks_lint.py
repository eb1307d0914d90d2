"""The card linter: each rule on a small deck, file:line and card ids, the shipped deck, imports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.db.store import Store
from app.decks.cards import generate_cards
from app.decks.library import import_outline
from app.decks.lint import RULES, Finding, lint_cards
from app.decks.loader import load_path, load_text
from app.model import CardId, CardSpec, Deck, DeckId, TopicId

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

HEADER = "deck:\n  id: lint\n  title: Lint\n  version: 1\ntopics:\n"


def lint(body: str) -> list[Finding]:
    deck = load_text(HEADER + body, "lint.yaml")
    return lint_cards(deck, generate_cards(deck))


def rules(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.card_id, f.rule) for f in found]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the deck text (header included) where ``needle`` first shows."""
    return (HEADER + text).splitlines().index(next(
        line for line in (HEADER + text).splitlines() if needle in line)) + 1


def test_a_clean_deck_has_no_findings() -> None:
    body = """\
  - id: sampling
    title: Sampling methods
    cards:
      - cloze: "{{c1::Reservoir sampling}} keeps a uniform sample from a stream."
    children:
      - id: reservoir
        title: Reservoir sampling
        notes: Keeps a uniform random sample of k items from a stream of unknown length.
      - id: stratified
        title: Stratified sampling
        notes: Draws from each group in proportion so that rare groups are represented.
"""
    assert lint(body) == []


# --- leaks: the front shows the answer ----------------------------------------------------------

LEAKY = """\
  - id: methods
    title: random, stratified, reservoir, importance sampling
    cards:
      - cloze: "{{c1::Reservoir sampling}} keeps a uniform random sample of k items."
"""


def test_a_breadcrumb_that_lists_the_answer_is_a_leak() -> None:
    [finding] = lint(LEAKY)
    assert (finding.card_id, finding.rule) == ("lint/methods/cloze/0/c1", "leak")
    assert finding.line == line_of(LEAKY, "cloze:")  # the authored card's line
    assert finding.path == "lint.yaml"
    assert "breadcrumb" in finding.message and "'Reservoir sampling'" in finding.message
    assert str(finding) == f"lint.yaml:{finding.line}: lint/methods/cloze/0/c1: leak: " \
                           f"{finding.message}"


def test_word_forms_count_as_the_same_word() -> None:
    # "samples" and "Reservoirs" are forms of "sampling" and "reservoir": still a leak.
    assert rules(lint(LEAKY.replace("importance sampling", "importance samples")
                      .replace("reservoir,", "Reservoirs,"))) == [
        ("lint/methods/cloze/0/c1", "leak")]
    # One of the two words alone is no leak.
    assert lint(LEAKY.replace("reservoir, ", "")) == []


def test_a_prompt_leaks_only_when_it_has_the_answer_words_in_a_row() -> None:
    leak = """\
  - id: negatives
    title: Negative sampling
    cards:
      - cloze: "{{c1::In-batch negatives}} reuse the other items in the same training batch as negatives."
      - cloze: "Skip-gram predicts {{c1::the context words from the centre word}}; CBOW predicts the centre word from its context."
"""  # noqa: E501
    [finding] = lint(leak)
    assert (finding.card_id, finding.rule) == ("lint/negatives/cloze/0/c1", "leak")
    assert "prompt" in finding.message


def test_generated_cards_never_leak_because_the_generator_drops_them() -> None:
    body = """\
  - id: parent
    title: Reservoir sampling and friends
    ordered: true
    children:
      - {id: first, title: Reservoir sampling, notes: Keeps a uniform sample of k items.}
      - {id: second, title: Friends, notes: The other methods that keep a sample of a stream.}
"""
    deck = load_text(HEADER + body, "lint.yaml")
    cards = generate_cards(deck)
    assert "lint/parent/enum/first" not in {c.id for c in cards}
    assert [f for f in lint_cards(deck, cards) if f.rule == "leak"] == []


# --- placeholders, pointers and shorthand -------------------------------------------------------

def test_placeholders_pointers_and_shorthand_are_named_at_their_line() -> None:
    body = """\
  - id: modular
    title: Modular architecture
    notes: Split the system into models that can be trained and served on their own.
    children:
      - id: more-models
        title: "... (more models as needed)"
      - id: monitoring
        title: Monitoring (below)
        notes: Monitoring and updates matter at scale; they are detailed in the sections below.
      - id: tradeoffs
        title: Trade-offs b/w metrics
        notes: Optimising one metric can hurt another, e.g. clicks against watch time and revenue.
      - id: labels
        title: Lack of labels
        notes: Common answers are the next siblings in the outline, e.g. weak supervision.
      - id: auc
        title: ROC AUC
        notes: The probability that a random positive is scored above a random negative one.
        cards:
          - q: "What is a model w/ high AUC good at?"
            a: Ranking positives above negatives.
"""
    found = lint(body)
    assert rules(found) == [
        ("lint/more-models", "placeholder"),
        ("lint/monitoring/explain", "pointer"),  # the title: "(below)"
        ("lint/monitoring/explain", "pointer"),  # the notes: "detailed in the sections"
        ("lint/tradeoffs/explain", "shorthand"),
        ("lint/labels/concept", "pointer"),  # the concept card's front is the same notes
        ("lint/labels/explain", "pointer"),
        ("lint/auc/qa/0", "shorthand"),
    ]
    lines = {f.card_id: f.line for f in found}
    assert lines["lint/more-models"] == line_of(body, "id: more-models")
    assert lines["lint/auc/qa/0"] == line_of(body, "- q:")
    by_rule = {(f.card_id, f.rule, f.message.split("'")[1]) for f in found}
    assert ("lint/tradeoffs/explain", "shorthand", "b/w") in by_rule
    assert ("lint/labels/explain", "pointer", "next siblings") in by_rule
    assert ("lint/auc/qa/0", "shorthand", "w/") in by_rule
    # "scored above a random negative" and "Ranking positives above negatives" point nowhere.
    assert not any(f.card_id.startswith("lint/auc/") and f.rule == "pointer" for f in found)


def test_fcn_is_shorthand_in_notes_and_titles() -> None:
    body = """\
  - id: loss
    title: Loss functions
    notes: The loss fcn says how far the predictions are from the labels.
  - id: activation
    title: Activation Fcn choice
    notes: ReLU for hidden layers, sigmoid for a binary output.
"""
    found = {(f.card_id, f.rule, f.message.split("'")[1]) for f in lint(body)}
    assert ("lint/loss/explain", "shorthand", "fcn") in found
    assert ("lint/activation/explain", "shorthand", "Fcn") in found
    assert {rule for _, rule, _ in found} == {"shorthand"}
    assert lint(body.replace("fcn", "function").replace("Fcn", "function")) == []


def test_a_heading_answer_over_12_words_and_an_etc_list() -> None:
    long_title = "The goal is to evaluate your ability to design a production ML system end to end"
    body = f"""\
  - id: pipeline
    title: Training pipeline
    ordered: true
    children:
      - id: collect
        title: Collect the data
      - id: goal
        title: {long_title}
      - id: etc
        title: Deploy, monitor, etc
"""
    found = lint(body)
    assert rules(found) == [("lint/pipeline/enum/goal", "long-heading"),
                            ("lint/pipeline/enum/etc", "shorthand")]
    assert found[0].line == line_of(body, "id: goal")
    assert "of 16 words" in found[0].message


# --- the 60-word rule ----------------------------------------------------------------------------

def test_notes_over_60_words_without_cards_are_flagged_and_give_no_card() -> None:
    words = " ".join(f"w{n}" for n in range(61))
    body = f"""\
  - id: essay
    title: An essay
    notes: {words}
  - id: studied
    title: Studied essay
    notes: {words}
    cards:
      - q: What does the essay say about w7?
        a: That it comes after w6.
  - id: short
    title: A short note
    notes: {" ".join(words.split()[:60])}
"""
    deck = load_text(HEADER + body, "lint.yaml")
    cards = generate_cards(deck)
    assert {c.id for c in cards if c.kind == "explain"} == {"lint/short/explain"}
    found = lint_cards(deck, cards)
    assert rules(found) == [("lint/essay/explain", "long-note")]  # "studied" has its cards
    assert found[0].line == line_of(body, "id: essay")
    assert "61 words" in found[0].message


def test_an_explain_answer_over_60_words_is_flagged() -> None:
    deck = load_text(HEADER + "  - {id: t, title: T}\n", "lint.yaml")
    card = CardSpec(CardId("lint/t/explain"), DeckId("lint"), TopicId("t"), "explain", "Lint",
                    "Explain: T", " ".join(["**word**"] * 61), 0)
    assert rules(lint_cards(deck, [card])) == [("lint/t/explain", "long-explain")]
    shorter = CardSpec(CardId("lint/t/explain"), DeckId("lint"), TopicId("t"), "explain",
                       "Lint", "Explain: T", " ".join(["**word**"] * 60), 0)
    assert lint_cards(deck, [shorter]) == []


# --- repeated fronts and guessable step cards ---------------------------------------------------

def test_two_cards_with_the_same_front_are_flagged_once() -> None:
    body = """\
  - id: labels
    title: Labels
    children:
      - id: labels-active
        title: Active learning
        notes: Ask people to label the examples the model is least sure about.
  - id: updates
    title: Updates
    children:
      - id: updates-active
        title: Active learning
        notes: Pick the examples to label next by the model's uncertainty.
"""
    found = lint(body)
    assert rules(found) == [("lint/updates-active/explain", "duplicate-front")]
    assert "lint/labels-active/explain" in found[0].message
    assert f"line {line_of(body, 'id: labels-active')}" in found[0].message


def test_a_which_step_covers_card_sharing_a_word_with_the_step_is_flagged() -> None:
    body = """\
  - id: s5
    title: Feature Engineering
    step: 5
    children:
      - {id: choosing, title: Choosing features}
"""
    deck = load_text(HEADER + body, "lint.yaml")
    assert [c.kind for c in generate_cards(deck)] == ["step-number"]  # no guessable card
    # As the generator before issue 15 made it:
    old = CardSpec(CardId("lint/s5/step-covers/choosing"), DeckId("lint"), TopicId("s5"),
                   "step-covers", "Lint", "Which step of the flow covers 'Choosing features'?",
                   "Step 5 Feature Engineering", 0)
    [finding] = lint_cards(deck, [old])
    assert (finding.rule, finding.line) == ("covers-shares-word", line_of(body, "id: choosing"))
    assert "'Choosing features' shares a word with 'Feature Engineering'" in finding.message


def test_every_rule_is_described() -> None:
    assert set(RULES) == {"placeholder", "pointer", "shorthand", "long-heading", "leak",
                          "long-explain", "long-note", "duplicate-front", "covers-shares-word"}


# --- the shipped deck and imported outlines -----------------------------------------------------

def shipped_findings() -> list[Finding]:
    deck = load_path(SHIPPED_DECK)
    return lint_cards(deck, generate_cards(deck))


def test_the_shipped_deck_has_no_card_defects() -> None:
    assert [str(f) for f in shipped_findings()] == []


def test_a_defect_added_to_the_shipped_deck_is_found_at_its_line() -> None:
    text = SHIPPED_DECK.read_text(encoding="utf-8")
    probe = "  - id: lint-probe\n    title: More on this below (see below)\n"
    assert "\nquestions:" in text
    edited = text.replace("\nquestions:", f"\n{probe}questions:", 1)
    deck: Deck = load_text(edited, "shipped.yaml")
    found = lint_cards(deck, generate_cards(deck))
    line = edited[:edited.index(probe)].count("\n") + 1
    assert Finding("shipped.yaml", line, "ml-system-design/lint-probe", "pointer",
                   "the title says '(see below)': name the topic itself; cards are seen "
                   "without the outline around them") in found
    assert len(found) == len(shipped_findings()) + 1


def test_an_outline_import_reports_the_findings_at_outline_lines(tmp_path: Path) -> None:
    long_note = " ".join(f"word{n}" for n in range(70))
    source = tmp_path / "prep.md"
    source.write_text(
        "# Prep\n\n## Metrics\n\n- Precision\n  The share of predicted positives that are right."
        f"\n- Recall\n\n## Serving\n\n{long_note}\n\n## Monitoring (below)\n", encoding="utf-8")
    store = Store.open(tmp_path / "data")
    try:
        result = import_outline(store, source, tmp_path / "data", NOW)
    finally:
        store.close()
    assert [(f.path, f.line, f.rule) for f in result.findings] == [
        (str(source), 9, "long-note"), (str(source), 13, "pointer")]
    assert result.findings[0].card_id.endswith("/explain")
