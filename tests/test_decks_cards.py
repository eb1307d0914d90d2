"""Card generation: positions only for ordered lists, meaning for sets, short explanations, ids."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import study
from app.db.store import Store
from app.decks import words
from app.decks.cards import MAX_EXPLAIN_WORDS, generate_cards
from app.decks.library import SHIPPED
from app.decks.loader import load_path, load_text
from app.decks.titles import asked_title, is_term, shares_a_word
from app.decks.words import hide_term, shown_in, word_count
from app.model import (
    CARD_GENERATOR_VERSION,
    AuthoredCard,
    CardId,
    CardSpec,
    Deck,
    DeckId,
    Topic,
    TopicId,
    step_label,
)
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"
# A learner's reviews on 150 cards of generator version 1 (commit 9cf6192), with their kinds.
REVIEWS_V1 = REPO / "tests" / "data" / "cards-v1-reviews.json"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUTHORED = {"qa", "cloze"}
CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::.+?\}\}", re.DOTALL)
STEP_KINDS = ("step-number", "step-after", "step-covers")

DEMO = """\
deck:
  id: demo
  title: Demo deck
  version: 1
topics:
  - id: s1
    title: Framing
    step: 1
    notes: Turn the request into an ML task.
    children:
      - id: goal
        title: Business goal
        notes: What the company wants from it.
      - id: reqs
        title: Requirements
        notes: What the system must meet.
        ordered: true
        children:
          - {id: r-alpha, title: Alpha}
          - {id: r-bravo, title: Bravo}
          - {id: r-charlie, title: Charlie}
          - {id: r-delta, title: Delta}
          - {id: r-echo, title: Echo}
  - id: s2
    title: Metrics
    step: 2
    cards:
      - q: Which curve for heavily imbalanced classes?
        a: The precision-recall curve.
      - id: pr
        cloze: "{{c1::Precision}} trades off against {{c2::recall::r...}}."
    children:
      - id: offline
        title: Offline metrics
        notes: Measured before launch.
        cards:
          - cloze: "nDCG discounts by {{c1::log2(rank + 1)}}."
        children:
          - id: only-child
            title: Only child
            notes: Alone in its list.
      - id: online
        title: Online metrics
  - id: extra
    title: Other topics
    notes: Loose ends.
    children:
      - id: sampling
        title: Sampling methods
        children:
          - id: random
            title: Random sampling
            notes: Every example has the same chance of being picked, independently of the others.
          - id: stratified
            title: Stratified sampling
            notes: >-
              Split the population into groups (strata) and draw from each group in proportion,
              so that rare groups are represented.
          - id: reservoir
            title: Reservoir sampling
            notes: >-
              Keeps a uniform random sample of k items from a stream of unknown length; a
              **reservoir** of k slots, where item n replaces a random slot with probability k/n.
"""


def demo() -> Deck:
    return load_text(DEMO, "demo.yaml")


def demo_with(text: str) -> Deck:
    return load_text(text, "demo.yaml")


@pytest.fixture(scope="module")
def shipped() -> Deck:
    return load_path(SHIPPED_DECK)


@pytest.fixture(scope="module")
def shipped_cards(shipped: Deck) -> list[CardSpec]:
    return generate_cards(shipped)


def by_id(cards: list[CardSpec]) -> dict[str, CardSpec]:
    return {card.id: card for card in cards}


def of_kind(cards: list[CardSpec], kind: str) -> list[CardSpec]:
    return [card for card in cards if card.kind == kind]


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def gives_away(card: CardSpec) -> bool:
    """The answer already shows in what the learner sees before turning the card."""
    return norm(card.answer) in norm(f"{card.context}\n{card.prompt}")


def assert_well_formed(cards: list[CardSpec]) -> None:
    ids = [card.id for card in cards]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    pairs = Counter((card.context, card.prompt) for card in cards)
    assert [p for p, n in pairs.items() if n > 1] == []
    assert [card.order for card in cards] == list(range(len(cards)))
    generated = [card for card in cards if card.kind not in AUTHORED]
    assert [card.id for card in generated if gives_away(card)] == []
    assert all(card.context and card.prompt and card.answer for card in cards)


# --- enumerations: overlapping cloze ---------------------------------------------------------

def test_an_enumeration_hides_one_item_and_shows_only_its_neighbours() -> None:
    cards = of_kind(generate_cards(demo()), "enum")
    listed = [c for c in cards if c.topic_id == "reqs"]
    titles = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert [c.answer for c in listed] == titles  # one card per item, in order
    for index, card in enumerate(listed):
        assert card.id == f"demo/reqs/enum/r-{titles[index].lower()}"
        assert card.context == "Step 1 Framing > Requirements"
        assert card.prompt.startswith(f"Requirements, item {index + 1} of 5:\n\n")
        assert f"{index + 1}. **[...]**" in card.prompt
        shown = {t for t in titles if t in card.prompt}
        neighbours = {titles[j] for j in (index - 1, index + 1) if 0 <= j < len(titles)}
        assert shown == neighbours  # the hidden item and the far ones are absent
        assert ("…" in card.prompt.split("**[...]**")[0]) == (index >= 2)
        assert ("…" in card.prompt.split("**[...]**")[1]) == (index <= 2)
    assert {c.sibling_group for c in listed} == {"demo/reqs/enum"}


def test_an_enumeration_prompt_is_a_numbered_list_from_the_real_position() -> None:
    card = by_id(generate_cards(demo()))["demo/reqs/enum/r-charlie"]
    assert card.prompt == ("Requirements, item 3 of 5:\n\n…\n\n2. Bravo\n3. **[...]**\n4. Delta"
                           "\n\n…")


def test_positional_cards_only_for_ordered_lists() -> None:
    cards = generate_cards(demo())
    # reqs is `ordered: true`; s1, s2 and the sampling methods are sets: no positions.
    assert Counter(c.topic_id for c in of_kind(cards, "enum")) == {"reqs": 5}
    assert not any(re.search(r"item \d+ of \d+", c.prompt) for c in cards if c.topic_id != "reqs")
    assert not any(c.answer in ("Framing", "Metrics", "Other topics") for c in cards)


def test_an_ordered_list_gets_no_name_all_card_and_a_set_no_positions() -> None:
    unordered = demo_with(DEMO.replace("        ordered: true\n", ""))
    kinds = Counter(c.kind for c in generate_cards(unordered) if c.topic_id == "reqs")
    assert kinds["enum"] == 0 and kinds["name-all"] == 1
    ordered = demo_with(DEMO.replace("      - id: sampling\n        title: Sampling methods\n",
                                     "      - id: sampling\n        title: Sampling methods\n"
                                     "        ordered: true\n"))
    kinds = Counter(c.kind for c in generate_cards(ordered) if c.topic_id == "sampling")
    assert kinds == {"enum": 3}


def test_shipped_positional_cards_come_only_from_ordered_lists(
        shipped: Deck, shipped_cards: list[CardSpec]) -> None:
    ordered = {t.id for t, _ in shipped.walk() if t.ordered}
    assert {c.topic_id for c in of_kind(shipped_cards, "enum")} <= ordered
    made = by_id(of_kind(shipped_cards, "enum"))
    labels = {t.id: step_label(t.title, t.step) for t, _ in shipped.walk()}
    for parent, ancestors in shipped.walk():
        if not parent.ordered or len(parent.children) < 2:
            continue
        breadcrumb = " > ".join(labels[a.id] for a in (*ancestors, parent))
        items = parent.children
        for index, item in enumerate(items):
            card_id = f"ml-system-design/{parent.id}/enum/{item.id}"
            if card_id in made:
                assert made[card_id].answer == item.title
                continue
            # dropped only because the front would show the answer
            shown = "\n".join([labels[parent.id]] + [
                items[j].title for j in (index - 1, index + 1) if 0 <= j < len(items)])
            assert (norm(item.title) in norm(f"{breadcrumb}\n{shown}")
                    or shown_in(item.title, breadcrumb, shown) is not None), card_id


# --- sets: meaning, not position --------------------------------------------------------------

def test_a_concept_card_hides_the_term_and_its_word_forms() -> None:
    cards = by_id(generate_cards(demo()))
    card = cards["demo/reservoir/concept"]
    assert card.kind == "concept" and card.answer == "Reservoir sampling"
    assert card.context == "Other topics > Sampling methods"  # the parent as context
    assert card.prompt == (
        "Name the term:\n\nKeeps a uniform random [...] of k items from a stream of unknown "
        "length; a **[...]** of k slots, where item n replaces a random slot with probability k/n.")
    assert "reservoir" not in card.prompt.casefold()
    assert "sampl" not in card.prompt.casefold()  # "sample" is a form of "sampling"
    assert "a **[...]** of k slots" in card.prompt
    # the explanation asks the same fact the other way round: they bury each other
    explain = cards["demo/reservoir/explain"]
    assert explain.prompt == "Explain: Reservoir sampling"
    assert card.sibling_group == explain.sibling_group == "demo/reservoir/meaning"


@pytest.mark.parametrize(("notes", "term", "hidden"), [
    # an acronym's spelled-out form tells the answer as plainly as the acronym
    ("A convolutional neural network slides learned filters over a grid; CNNs rule vision.",
     "CNN", "A [...] slides learned filters over a grid; [...] rule vision."),
    ("Click-through rate = clicks / impressions.", "CTR", "[...] = clicks / impressions."),
    # words that only happen to start with its letters are kept when one is a stop word
    ("Compare the new model against the old.", "CTN", "Compare the new model against the old."),
])
def test_an_acronym_term_hides_its_spelled_out_form(notes: str, term: str, hidden: str) -> None:
    assert hide_term(notes, term).text == hidden


@pytest.mark.parametrize("title", [
    "What embeddings can represent", "Needed for unstructured data", "Train the candidate model",
    "Correction", "Portions", "How to A/B test?", "Evaluate against the production model",
    "Deploy gradually with rollback",
])
def test_questions_instructions_and_section_words_are_no_terms(title: str) -> None:
    assert not is_term(title)


@pytest.mark.parametrize("title", ["Reservoir sampling", "Sampling", "Logging", "CNN", "Joiner",
                                   "Train data generator", "Test set",
                                   "Use case", "Normalized entropy (NE)"])
def test_names_are_terms(title: str) -> None:
    assert is_term(title)


def test_concept_cards_need_a_term_and_a_description_left_to_read() -> None:
    cards = by_id(generate_cards(demo()))
    assert "demo/stratified/concept" in cards
    # "What the company wants from it." leaves too little once "Business goal" is hidden...
    assert "demo/goal/concept" not in cards and "demo/goal/explain" in cards
    # ... and a step is asked by the step cards, not from its essay.
    assert not any(c.kind == "concept" and c.topic_id in ("s1", "s2") for c in cards.values())
    # A top-level topic is a part of the deck, not a term: "Other topics" from its notes is
    # noise, asked either way. Its notes stay what the tree shows for it.
    described = demo_with(DEMO.replace("notes: Loose ends.", "notes: Cross-cutting concerns that "
                                       "come up near the end of an interview, as follow-ups."))
    assert "demo/extra/concept" not in by_id(generate_cards(described))
    # In a deck laid out as the ML design flow it gets no explain card either; in another deck
    # with steps ("Framing", "Metrics": an outline's numbered sections) it keeps it.
    assert "demo/extra/explain" in by_id(generate_cards(described))
    flow = demo_with(described_text := DEMO.replace(
        "notes: Loose ends.", "notes: Cross-cutting concerns that come up near the end of an "
        "interview, as follow-ups.").replace("title: Framing", "title: Problem Formulation")
        .replace("    title: Metrics\n", "    title: Metrics (Offline and Online)\n"))
    assert "Problem Formulation" in described_text
    assert "demo/extra/explain" not in by_id(generate_cards(flow))
    assert "demo/s1/explain" in by_id(generate_cards(flow))  # a step is no mere part
    # In a deck without steps, the top-level topics are what it teaches.
    flat = load_text("deck: {id: flat, title: Flat, version: 1}\ntopics:\n"
                     "  - {id: attention, title: Attention, notes: Weighs each token by its "
                     "relevance to the query token.}\n", "flat.yaml")
    assert [c.id for c in generate_cards(flat)] == ["flat/attention/explain"]
    long_title = demo_with(DEMO.replace("title: Stratified sampling",
                                        "title: Stratified sampling, by groups, etc"))
    assert "demo/stratified/concept" not in by_id(generate_cards(long_title))


def test_a_small_set_of_terms_gets_one_name_all_card_with_cues() -> None:
    cards = of_kind(generate_cards(demo()), "name-all")
    assert [c.id for c in cards] == ["demo/sampling/name-all"]
    card = cards[0]
    assert card.context == "Other topics > Sampling methods"
    assert card.prompt == "Sampling methods: name all 3.\n\nCues: R…, S…, R…"
    assert card.answer == "- Random sampling\n- Stratified sampling\n- Reservoir sampling"


def test_no_name_all_card_for_big_sets_steps_or_sections() -> None:
    six = DEMO.replace(
        "          - id: reservoir\n",
        "".join(f"          - {{id: extra-{n}, title: Sampler {n}}}\n" for n in range(3))
        + "          - id: reservoir\n")
    assert not of_kind(generate_cards(demo_with(six)), "name-all")
    # s1 (a step) and s2's children are sets too, but they are asked by the step cards
    assert not any(c.topic_id in ("s1", "s2") for c in of_kind(generate_cards(demo()), "name-all"))
    # members with children of their own are sections, not a set of terms
    nested = DEMO.replace("            title: Random sampling\n",
                          "            title: Random sampling\n"
                          "            children: [{id: deeper, title: Deeper}]\n")
    assert not of_kind(generate_cards(demo_with(nested)), "name-all")


def test_generated_cards_whose_breadcrumb_shows_the_answer_are_dropped() -> None:
    # The seed's habit: a parent titled with its children's names.
    leaky = DEMO.replace("title: Sampling methods", "title: random, stratified, reservoir sampling")
    cards = by_id(generate_cards(demo_with(leaky)))
    assert "demo/reservoir/concept" not in cards  # "Reservoir sampling" is in the breadcrumb
    assert "demo/reservoir/explain" in cards  # the notes are not
    ordered = leaky.replace("      - id: sampling\n",
                            "      - id: sampling\n        ordered: true\n")
    enum = {c.id for c in of_kind(generate_cards(demo_with(ordered)), "enum")
            if c.topic_id == "sampling"}
    assert enum == set()  # every item shows in the list's own title


# --- explanations: at most 60 words ----------------------------------------------------------

def test_explain_cards_only_from_notes_of_at_most_60_words() -> None:
    sixty = " ".join(f"word{n}" for n in range(60))
    deck = demo_with(DEMO.replace("notes: Measured before launch.", f"notes: {sixty}.")
                     .replace("notes: What the company wants from it.",
                              f"notes: {sixty} more."))
    cards = by_id(generate_cards(deck))
    assert cards["demo/offline/explain"].answer == f"{sixty}."  # 60 words: kept whole
    assert "demo/goal/explain" not in cards  # 61: never cut, no card (the linter says so)
    assert "demo/goal/concept" not in cards
    assert max(word_count(c.answer) for c in of_kind(list(cards.values()), "explain")) == 60


def test_hidden_words_merge_across_one_stop_word_only() -> None:
    assert hide_term("LTR: learning to rank; ranking metrics.", "Learning to rank (LTR)").text \
        == "[...]: [...]; [...] metrics."
    assert hide_term("a mixture of topics and each topic as words", "Topic modeling").text \
        == "a mixture of [...] and each [...] as words"


def test_a_generic_word_of_a_term_is_hidden_only_beside_its_telling_words() -> None:
    """"model" alone says nothing of "Model calibration": it stays, so the sentence reads;
    beside "calibration" it goes with it; a term of generic words only is hidden whole."""
    calibrated = hide_term("A model is calibrated when its probabilities match; model "
                           "calibration needs held-out data.", "Model calibration")
    assert calibrated.text == "A model is [...] when its probabilities match; [...] needs " \
        "held-out data."
    assert calibrated.places == 2
    assert hide_term("Machine learning needs data; learning is slow.", "Machine learning").text \
        == "[...] needs data; [...] is slow."
    # A generic word left shown counts as a word to read.
    assert hide_term("the model and data", "Model calibration").shown == 2
    assert hide_term("the model and data", "Model calibration").places == 0


def test_markdown_markers_are_not_words() -> None:
    assert word_count("**Bold** and `code`, a [link](https://example.org/a/b) - and 0.5") == 7


# --- contexts ----------------------------------------------------------------------------------

def test_contexts_are_breadcrumbs_with_step_labels() -> None:
    cards = by_id(generate_cards(demo()))
    # explain: the path above the topic (its label is in the prompt), the deck title at the top
    assert cards["demo/s1/explain"].context == "Demo deck"
    assert cards["demo/s1/explain"].prompt == "Explain: Step 1 Framing"
    assert cards["demo/reqs/explain"].context == "Step 1 Framing"
    assert cards["demo/only-child/explain"].context == "Step 2 Metrics > Offline metrics"
    # authored cards: down to the topic that holds them
    assert cards["demo/s2/qa/0"].context == "Step 2 Metrics"
    assert cards["demo/offline/cloze/0/c1"].context == "Step 2 Metrics > Offline metrics"
    # enumerations: down to the parent
    assert cards["demo/reqs/enum/r-alpha"].context == "Step 1 Framing > Requirements"


def test_breadcrumbs_use_the_tree_step_labels(shipped: Deck,
                                              shipped_cards: list[CardSpec]) -> None:
    steps = sorted((t.step, t) for t in shipped.topics if t.step)
    numbers = {c.answer for c in of_kind(shipped_cards, "step-number")}
    assert numbers == {step_label(t.title, n) for n, t in steps}
    roots = {step_label(t.title, t.step) for t in shipped.topics}
    assert {c.context.split(" > ")[0] for c in shipped_cards} <= roots | {shipped.title}


def test_the_generator_imports_no_store_qt_or_scheduler() -> None:
    script = "import json, sys\nimport app.decks.cards\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    loaded = {name for name in json.loads(result.stdout) if name.startswith("app.")}
    assert loaded == {"app.decks", "app.decks.cards", "app.decks.titles", "app.decks.words",
                      "app.model"}


# --- authored cards ----------------------------------------------------------------------------

def test_authored_question_answer_cards_are_kept_as_written() -> None:
    card = by_id(generate_cards(demo()))["demo/s2/qa/0"]
    assert (card.kind, card.prompt, card.answer) == (
        "qa", "Which curve for heavily imbalanced classes?", "The precision-recall curve.")
    assert card.topic_id == "s2" and card.sibling_group == ""


def test_a_cloze_makes_one_card_per_number_with_the_others_shown() -> None:
    cards = by_id(generate_cards(demo()))
    first, second = cards["demo/s2/cloze/pr/c1"], cards["demo/s2/cloze/pr/c2"]
    assert first.prompt == "[...] trades off against recall."
    assert first.answer == "**Precision** trades off against recall."
    assert second.prompt == "Precision trades off against [r...]."  # the hint replaces [...]
    assert second.answer == "Precision trades off against **recall**."
    assert first.sibling_group == second.sibling_group == "demo/s2/cloze/pr"
    assert len([c for c in cards.values() if c.id.startswith("demo/s2/cloze/")]) == 2


def test_a_cloze_number_used_twice_hides_both_on_one_card() -> None:
    deck = load_text(DEMO.replace("{{c2::recall::r...}}", "{{c1::recall}}"))
    cards = [c for c in generate_cards(deck) if c.id.startswith("demo/s2/cloze/pr")]
    assert [(c.id, c.prompt, c.answer) for c in cards] == [(
        "demo/s2/cloze/pr/c1", "[...] trades off against [...].",
        "**Precision** trades off against **recall**.")]


# --- steps and explanations --------------------------------------------------------------------

def nine_steps() -> str:
    lines = ["deck:", "  id: flow", "  title: The flow", "  version: 1", "topics:"]
    for n in range(1, 10):
        lines += [f"  - id: s{n}", f"    title: Stage {chr(64 + n)}", f"    step: {n}",
                  "    children:"]
        lines += [f"      - {{id: s{n}-c{k}, title: Part {n}.{k}}}" for k in range(1, n % 3 + 2)]
    return "\n".join(lines) + "\n"


def test_the_nine_steps_get_number_after_and_covers_cards() -> None:
    deck = load_text(nine_steps())
    cards = generate_cards(deck)
    kinds = Counter(c.kind for c in cards)
    children = sum(len(t.children) for t in deck.topics)
    assert (kinds["step-number"], kinds["step-after"], kinds["step-covers"]) == (9, 8, children)
    ids = by_id(cards)
    # "Stage C" is no step of the ML design flow: the cards name the deck
    assert ids["flow/s3/step-number/3"].prompt == "What is step 3 of 'The flow'?"
    assert ids["flow/s3/step-number/3"].answer == "Step 3 Stage C"
    assert ids["flow/s3/step-after/3"].prompt == "Which step comes after Step 3 Stage C?"
    assert ids["flow/s3/step-after/3"].answer == "Step 4 Stage D"
    assert "flow/s9/step-after/9" not in ids
    covers = ids["flow/s5/step-covers/s5-c2"]
    assert (covers.prompt, covers.answer) == ("Which step of 'The flow' covers 'Part 5.2'?",
                                              "Step 5 Stage E")
    # their context is the deck: a step's own breadcrumb would show the answer
    assert {c.context for c in cards if c.kind in STEP_KINDS} == {"The flow"}
    assert_well_formed(cards)


def test_the_shipped_deck_has_the_step_cards(shipped: Deck,
                                             shipped_cards: list[CardSpec]) -> None:
    kinds = Counter(c.kind for c in shipped_cards)
    steps = [t for t, _ in shipped.walk() if t.step]
    assert (kinds["step-number"], kinds["step-after"]) == (9, 8)
    titles = Counter(norm(c.title) for t in steps for c in t.children)
    guessable = [c for t in steps for c in t.children if shares_a_word(c.title, t.title)]
    unique = {c.id for t in steps for c in t.children
              if titles[norm(c.title)] == 1 and not shares_a_word(c.title, t.title)}
    covered = {c.id.rpartition("/")[2] for c in of_kind(shipped_cards, "step-covers")}
    assert covered.isdisjoint(c.id for c in guessable)
    # "Dataset" (step 6) reads as step 4's "Data", "Data processing and verification" (step 7)
    # too, and "Off-policy evaluation" (step 8) as step 6's "Offline Evaluation"
    assert unique - covered == {"s6-dataset", "s7-data-processing", "s8-ope"}
    assert kinds["step-covers"] == len(covered) == len(unique) - 3


def test_which_step_covers_only_titles_that_share_no_word_with_the_step() -> None:
    text = (nine_steps().replace("title: Stage E", "title: Feature Engineering")
            .replace("title: Part 5.1", "title: Choosing features")
            .replace("title: Part 5.2", "title: Missing values"))
    covers = {c.prompt: c.answer for c in of_kind(generate_cards(load_text(text)),
                                                   "step-covers") if c.topic_id == "s5"}
    # "features" is a form of "Feature": the title gives the step away
    assert covers == {"Which step of 'The flow' covers 'Missing values'?":
                      "Step 5 Feature Engineering",
                      "Which step of 'The flow' covers 'Part 5.3'?": "Step 5 Feature Engineering"}


def test_a_title_under_two_steps_gets_no_covers_card() -> None:
    text = nine_steps().replace("title: Part 2.1", "title: Shared").replace(
        "title: Part 4.1", "title: shared")
    cards = generate_cards(load_text(text))
    assert not any("hared" in c.prompt for c in cards if c.kind == "step-covers")
    assert "flow/s2/step-covers/s2-c2" in by_id(cards)


def test_a_title_that_points_at_another_step_gets_no_covers_card() -> None:
    """'Dataset' under step 6 reads as step 4's 'Data ...'; 'Off-policy evaluation' under step 8
    as step 6's '... Evaluation': a learner who names the other step is not wrong."""
    text = nine_steps().replace("title: Stage D", "title: Data Collection").replace(
        "title: Stage F", "title: Offline Evaluation").replace(
        "title: Part 8.1", "title: Off-policy evaluation").replace(
        "title: Part 7.1", "title: Dataset")
    covers = {c.prompt for c in generate_cards(load_text(text)) if c.kind == "step-covers"}
    assert not any("Dataset" in p or "Off-policy" in p for p in covers)
    assert "Which step of 'The flow' covers 'Part 7.2'?" in covers  # its siblings keep theirs


def test_explain_cards_only_for_topics_with_notes() -> None:
    deck = demo()
    explained = {c.topic_id for c in generate_cards(deck) if c.kind == "explain"}
    assert explained == {t.id for t, _ in deck.walk() if t.notes.strip()}
    card = by_id(generate_cards(deck))["demo/goal/explain"]
    assert (card.prompt, card.answer) == ("Explain: Business goal",
                                          "What the company wants from it.")


def test_shipped_explain_cards_match_the_notes(shipped: Deck,
                                               shipped_cards: list[CardSpec]) -> None:
    explained = {c.topic_id: c.answer for c in of_kind(shipped_cards, "explain")}
    assert explained == {t.id: t.notes.strip() for t, above in shipped.walk()
                         if t.notes.strip() and word_count(t.notes) <= MAX_EXPLAIN_WORDS
                         and (above or t.step)}  # parts of the deck ("Introduction") are not


@pytest.mark.parametrize(("title", "asked"), [
    # An aside that explains or lists holds the answer: the card asks for the heading alone.
    ("Human annotation (super costly, slow, privacy issues)", "Human annotation"),
    ("Natural labels (extracted from data e.g. clicks, likes, purchase, etc)", "Natural labels"),
    ("Featurizer (raw data -> features)", "Featurizer"),
    ("Precision@k, Recall@k (do not consider ranking quality)", "Precision@k, Recall@k"),
    ("type (e.g. image, text, video, etc) and volume", "type and volume"),
    ("unstructured(e.g. image, text, video, audio)", "unstructured"),
    ("Reciprocal rank of first click, etc", "Reciprocal rank of first click"),
    ("SGD, AdaGrad, RMSProp, Adam, etc.", "SGD, AdaGrad, RMSProp, Adam"),
    ("Hybrid: e.g. Netflix: batch for titles, online for rows", "Hybrid"),
    # The outline's notes to its reader are no part of the name.
    ("CTC algorithm (advanced)", "CTC algorithm"),
    ("Dialog and chatbots (Advanced)", "Dialog and chatbots"),
    # Short names and qualifiers stay, as does the label that tells siblings apart.
    ("Normalized entropy (NE)", "Normalized entropy (NE)"),
    ("Step 2 Metrics (Offline and Online)", "Step 2 Metrics (Offline and Online)"),
    ("data distribution difference (test vs online)", "data distribution difference (test vs "
     "online)"),
    ("Use case(s) and business goal", "Use case(s) and business goal"),
    ("Ranking (item 2 of 3)", "Ranking (item 2 of 3)"),
    # Nothing would be left to ask: the title as it is.
    ("(e.g. clicks, likes)", "(e.g. clicks, likes)"),
])
def test_an_explain_card_asks_for_the_heading_without_its_explaining_aside(
        title: str, asked: str) -> None:
    assert asked_title(title) == asked
    deck = load_text(f"deck:\n  id: d\n  title: D\n  version: 1\ntopics:\n  - id: s\n"
                     f"    title: Section\n    children:\n      - id: t\n"
                     f"        title: {json.dumps(title)}\n"
                     f"        notes: Zebras graze quietly on open grassland all day.\n",
                     "d.yaml")
    # a heading in lower case continues its parent's, which the front then names
    shown = f"Section: {asked}" if asked[:1].islower() else asked
    assert by_id(generate_cards(deck))["d/t/explain"].prompt == f"Explain: {shown}"


@pytest.mark.parametrize(("parent", "title", "front"), [
    ("Embeddings", "how to generate/learn?", "Explain: Embeddings: how to generate/learn?"),
    ("How to A/B test?", "what portion of users?",
     "Explain: How to A/B test? What portion of users?"),
    ("structured", "numerical", "Explain: Structured: numerical"),
    # a name with capitals inside is a term of its own; so is a capitalised heading
    ("Ranking metrics", "mAP, MRR, nDCG", "Explain: mAP, MRR, nDCG"),
    ("Ranking metrics", "Precision@k", "Explain: Precision@k"),
])
def test_an_explain_card_of_a_heading_that_continues_its_parent_names_the_parent(
        parent: str, title: str, front: str) -> None:
    deck = load_text(f"deck:\n  id: d\n  title: D\n  version: 1\ntopics:\n  - id: s\n"
                     f"    title: {json.dumps(parent)}\n    children:\n      - id: t\n"
                     f"        title: {json.dumps(title)}\n"
                     f"        notes: Zebras graze quietly on open grassland all day.\n",
                     "d.yaml")
    assert by_id(generate_cards(deck))["d/t/explain"].prompt == front


def test_siblings_asked_alike_keep_their_whole_titles() -> None:
    deck = load_text("deck:\n  id: d\n  title: D\n  version: 1\ntopics:\n  - id: s\n"
                     "    title: Serving\n    children:\n"
                     "      - id: a\n        title: Batch (precomputed nightly, stored)\n"
                     "        notes: Scores every user overnight and stores the results.\n"
                     "        children:\n          - id: a1\n            title: Cost\n"
                     "            notes: Cheap per prediction, paid for users who never come.\n"
                     "      - id: b\n        title: Batch (micro-batches, e.g. Spark)\n"
                     "        notes: Groups requests arriving within a minute and scores them.\n"
                     "      - id: c\n        title: Online (per request, e.g. gRPC)\n"
                     "        notes: Scores each request as it arrives, within its budget.\n",
                     "d.yaml")
    cards = by_id(generate_cards(deck))
    assert [cards[f"d/{t}/explain"].prompt for t in "abc"] == [
        "Explain: Batch (precomputed nightly, stored)", "Explain: Batch (micro-batches, e.g. "
        "Spark)", "Explain: Online"]
    # The breadcrumbs below them keep the whole title too: "Batch" alone would not say which.
    assert cards["d/a1/explain"].context == "Serving > Batch (precomputed nightly, stored)"
    assert cards["d/c/explain"].context == "Serving"


def test_no_shipped_explain_card_gives_examples_or_etc_in_its_front(
        shipped_cards: list[CardSpec]) -> None:
    fronts = [c.prompt for c in of_kind(shipped_cards, "explain")]
    assert len(fronts) > 300
    assert not [f for f in fronts if re.search(r"\be\.g\b|\betc\b", f)]


def test_breadcrumbs_name_the_headings_without_their_asides(
        shipped_cards: list[CardSpec]) -> None:
    """The line above every card names its topic's ancestors as the explain cards ask them:
    "Offline metrics", not "Offline metrics (e.g. classification, relevance metrics)"."""
    contexts = {c.context for c in shipped_cards}
    assert "Step 2 Metrics (Offline and Online) > Offline metrics > Classification metrics" \
        in contexts
    assert not [c for c in contexts if re.search(r"\be\.g\b|\betc\b", c)]


# --- ids and order -----------------------------------------------------------------------------

def test_ids_survive_edits_reordering_and_additions() -> None:
    before = {c.id: c.topic_id for c in generate_cards(demo())}
    edited = (DEMO
              .replace("Turn the request into an ML task.", "Reworded notes.")
              .replace("title: Business goal", "title: The business goal")
              .replace("Which curve for heavily", "Which curve, for very")
              .replace("{{c1::Precision}}", "{{c1::Precision (P)}}")
              # reorder siblings: Echo first
              .replace("          - {id: r-alpha, title: Alpha}\n",
                       "          - {id: r-echo, title: Echo}\n"
                       "          - {id: r-alpha, title: Alpha}\n", 1)
              .replace("          - {id: r-echo, title: Echo}\n  - id: s2",
                       "  - id: s2")
              # add a topic
              .replace("      - id: online\n        title: Online metrics\n",
                       "      - id: online\n        title: Online metrics\n"
                       "      - id: tradeoffs\n        title: Trade-offs\n        notes: Both.\n"))
    assert edited.count("r-echo") == 1
    after_cards = generate_cards(load_text(edited))
    after = {c.id: c.topic_id for c in after_cards}
    assert {i: after[i] for i in before} == before  # same ids, same topics
    assert set(after) - set(before) == {"demo/tradeoffs/explain", "demo/s2/step-covers/tradeoffs"}
    assert by_id(after_cards)["demo/reqs/enum/r-echo"].prompt.startswith(
        "Requirements, item 1 of 5:")


def test_removing_a_card_with_an_id_removes_only_its_cards() -> None:
    before = {c.id for c in generate_cards(demo())}
    edited = DEMO.replace(
        '      - id: pr\n        cloze: "{{c1::Precision}} trades off against '
        '{{c2::recall::r...}}."\n', "")
    after = {c.id for c in generate_cards(load_text(edited))}
    assert before - after == {"demo/s2/cloze/pr/c1", "demo/s2/cloze/pr/c2"}
    assert after <= before


def test_generation_is_deterministic(shipped: Deck, shipped_cards: list[CardSpec]) -> None:
    assert generate_cards(shipped) == shipped_cards
    assert generate_cards(load_path(SHIPPED_DECK)) == shipped_cards


def test_order_is_outline_order_with_a_fixed_order_inside_a_topic(
        shipped: Deck, shipped_cards: list[CardSpec]) -> None:
    position = {t.id: i for i, (t, _) in enumerate(shipped.walk())}
    rank = {"explain": 0, "concept": 1, "qa": 2, "cloze": 2, "enum": 3, "name-all": 3,
            **dict.fromkeys(STEP_KINDS, 4)}
    keys = [(position[c.topic_id], rank[c.kind]) for c in shipped_cards]
    assert keys == sorted(keys)
    assert [c.order for c in shipped_cards] == list(range(len(shipped_cards)))


# The cards generate_cards made from a frozen copy of the built-in deck (tests/data/
# generator-pin.yaml.gz, the deck of 2026-12-07) at this generator version, as a digest.
PINNED_GENERATOR = (5, "cd489efdecd4521c1c8ffd69467f4b9bc07b2050f0625b1858096b10c7487039")


def test_the_generator_version_changes_with_the_cards_it_makes() -> None:
    """Stored decks are synced again only when the deck file or CARD_GENERATOR_VERSION changes:
    a generator that makes other cards under the same version would leave every existing
    learner with the old cards."""
    pinned = Path(__file__).parent / "data" / "generator-pin.yaml.gz"
    deck = load_text(gzip.decompress(pinned.read_bytes()).decode("utf-8"), str(pinned))
    made = json.dumps([[c.id, c.kind, c.context, c.prompt, c.answer, c.sibling_group, c.order]
                       for c in generate_cards(deck)])
    version, digest = PINNED_GENERATOR
    assert (CARD_GENERATOR_VERSION, hashlib.sha256(made.encode()).hexdigest()) == (
        version, digest), (
        "generate_cards makes other cards than at the pinned version: bump "
        "app.model.CARD_GENERATOR_VERSION (stored decks then sync again) and pin the new "
        "version and digest here")


# --- progress across generator versions ------------------------------------------------------

def test_an_existing_learners_reviews_stay_on_the_cards_that_kept_their_meaning(
        shipped: Deck, shipped_cards: list[CardSpec]) -> None:
    """A learner of generator 1 upgrades: how much of their review log stays attached?

    Their store holds the old cards (ids from the fixture) with reviews; syncing the new
    generator's cards keeps the ids it still makes (with schedule and log) and retires the
    rest, history kept. Positional cards of unordered lists and guessable "which step covers"
    cards go by design; explanations, authored cards and the step cards keep their ids.
    """
    fixture = json.loads(REVIEWS_V1.read_text(encoding="utf-8"))
    assert fixture["generator"] == 1 < CARD_GENERATOR_VERSION  # the cards of an older generator
    reviews = fixture["reviews"]
    old = [CardSpec(CardId(r["card"]), shipped.id, TopicId(r["topic"]), r["kind"], "v1",
                    f"v1 prompt of {r['card']}", "v1 answer", order)
           for order, r in enumerate(reviews)]
    store = Store.in_memory()
    store.sync_deck(shipped, content_hash="v1", origin=SHIPPED, now=NOW, cards=old)
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    at = NOW
    for review in reviews:
        for _ in range(review["count"]):
            card = study.get_card(store, review["card"])
            assert card is not None
            at += timedelta(days=1)
            study.record_answer(store, card, Grade.GOOD, fsrs.answer(card.state, Grade.GOOD, at),
                                at, 4_000, None)
    logged = sum(r["count"] for r in reviews)

    store.sync_deck(shipped, content_hash="v2", origin=SHIPPED, now=at, cards=shipped_cards)

    rows = store.conn.execute(
        "SELECT review_log.card_id, cards.retired, cards.reps FROM review_log "
        "JOIN cards ON cards.id = review_log.card_id").fetchall()
    assert len(rows) == logged  # nothing is deleted: retired cards keep their history
    made = {c.id for c in shipped_cards}
    attached = [card_id for card_id, retired, _ in rows if not retired]
    assert len(attached) == sum(r["count"] for r in reviews if r["card"] in made)
    count = {r["card"]: r["count"] for r in reviews}
    assert all(reps == count[card_id] for card_id, retired, reps in rows if not retired)
    kept = Counter(r["kind"] for r in reviews for _ in range(r["count"]) if r["card"] in made)
    assert {kind: kept[kind] for kind in ("qa", "cloze", "step-number", "step-after")} == {
        kind: sum(r["count"] for r in reviews if r["kind"] == kind)
        for kind in ("qa", "cloze", "step-number", "step-after")}
    # 314 of 481 (65%) on the deck of this change; less means ids changed under the learner.
    assert len(attached) / logged >= 0.6, (len(attached), logged)


# --- collisions and bad cards ------------------------------------------------------------------

COLLIDING = """\
deck:
  id: clash
  title: Clash
  version: 1
topics:
  - id: s1
    title: Same
    step: 1
    notes: Step one.
    cards:
      - q: Same question?
        a: First answer.
      - q: Same question?
        a: Second answer.
      - id: twin
        q: Pinned?
        a: Yes.
      - id: "1"
        q: Pinned again?
        a: Also yes.
      - q: "Explain: Dup (item 1 of 3)"
        a: The author's own explanation.
    children:
      - id: a
        title: Dup
        notes: First dup.
        cards:
          - cloze: "{{c1::X}} marks the spot"
          - cloze: "{{c1::X}} marks the spot"
      - id: b
        title: dup
        notes: Second dup.
        children:
          - {id: b1, title: Leaf, notes: A leaf node.}
          - {id: b2, title: Leaf}
          - {id: b3, title: Leaf notes}
      - id: c
        title: Dup
        notes: Dup
  - id: s2
    title: Other
    step: 2
    children:
      - {id: same-1, title: Same}
      - {id: same-2, title: Same}
"""


def test_colliding_prompts_are_told_apart_and_no_authored_card_is_lost() -> None:
    deck = load_text(COLLIDING)
    cards = generate_cards(deck)
    assert_well_formed(cards)
    authored = [c for c in cards if c.kind in AUTHORED]
    assert len(authored) == 7  # every authored card, even the duplicates
    prompts = {c.prompt: c.answer for c in authored}
    assert prompts["Same question? (card 1)"] == "First answer."
    assert prompts["Same question? (card 2)"] == "Second answer."
    assert prompts["[...] marks the spot (card 1)"] == prompts["[...] marks the spot (card 2)"]
    # a pinned id equal to another card's position key ("1") still gets its own id
    assert {"clash/s1/qa/twin", "clash/s1/qa/1", "clash/s1/qa/1~2"} <= {c.id for c in cards}
    # duplicate sibling titles get their position in breadcrumbs and explain prompts
    explains = by_id(cards)
    assert explains["clash/b/explain"].prompt == "Explain: Step 1 Same: dup (item 2 of 3)"
    assert explains["clash/b1/explain"].context == "Step 1 Same > dup (item 2 of 3)"
    # the author's card asks what the generated one would: the author's wins
    assert "clash/a/explain" not in explains
    # "Dup" whose notes are just "Dup" would answer itself
    assert "clash/c/explain" not in explains
    # a list item whose neighbour shows its title is no card
    assert "clash/b/enum/b2" not in explains and "clash/b/enum/b1" not in explains
    # the same child title twice under one step: one card, not two identical ones
    assert [c.id for c in cards if c.kind == "step-covers"] == [
        "clash/s1/step-covers/a", "clash/s2/step-covers/same-1"]


def test_the_shipped_deck_has_unique_ids_and_prompts_and_no_giveaways(
        shipped_cards: list[CardSpec]) -> None:
    assert_well_formed(shipped_cards)
    assert [c.id for c in shipped_cards if gives_away(c)] == []  # authored ones too


def test_the_shipped_deck_keeps_every_authored_card(shipped: Deck,
                                                    shipped_cards: list[CardSpec]) -> None:
    authored = [card for topic, _ in shipped.walk() for card in topic.cards]
    kinds = Counter(c.kind for c in shipped_cards)
    assert kinds["qa"] == sum(1 for card in authored if not card.cloze)
    assert kinds["cloze"] >= sum(1 for card in authored if card.cloze)
    qa = {(c.prompt, c.answer) for c in of_kind(shipped_cards, "qa")}
    assert qa == {(card.question, card.answer) for card in authored if not card.cloze}


def test_the_shipped_deck_is_generated_quickly(shipped: Deck) -> None:
    best = float("inf")
    for _ in range(5):
        words.stem.cache_clear()  # as in a fresh process: no word seen before
        words.content_stems.cache_clear()
        start = time.perf_counter()
        generate_cards(shipped)
        best = min(best, time.perf_counter() - start)
    assert best < 0.25  # about 0.1 s on a quiet machine, stemming included


# --- fuzzing -----------------------------------------------------------------------------------

TITLES = st.sampled_from(["A", "a", "B", "A B", "Step 1 A", "A (item 1 of 2)", "2", "…",
                          "[...]", "Explain: A"])
NOTES = st.sampled_from(["", "", "A", "note", "a note on B", "Explain: A"])
CLOZES = st.sampled_from(["{{c1::A}}", "{{c1::A}} {{c2::B::hint}}", "{{c2::x}} and {{c1::x}}",
                          "{{c1:: spaced }} {{c01::again}}", "{{c3::A::}} B"])


@st.composite
def authored_cards(draw: st.DrawFn) -> AuthoredCard:
    card_id = draw(st.sampled_from(["", "", "k", "0", "0/c1"]))
    if draw(st.booleans()):
        return AuthoredCard(cloze=draw(CLOZES), id=card_id)
    return AuthoredCard(question=draw(TITLES), answer=draw(TITLES), id=card_id)


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    counter = iter(range(10_000))
    free_steps = list(range(1, 10))

    def topic(depth: int) -> Topic:
        step = None
        if free_steps and draw(st.integers(0, 3)) == 0:
            step = free_steps.pop(draw(st.integers(0, len(free_steps) - 1)))
        size = draw(st.integers(0, 4)) if depth < 3 else 0
        return Topic(id=TopicId(f"t{next(counter)}"), title=draw(TITLES), notes=draw(NOTES),
                     step=step, children=tuple(topic(depth + 1) for _ in range(size)),
                     cards=tuple(draw(st.lists(authored_cards(), max_size=3))))

    tops = tuple(topic(0) for _ in range(draw(st.integers(1, 4))))
    return Deck(id=DeckId("fuzz"), title=draw(TITLES), version=1, topics=tops)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decks())
def test_any_tree_gives_unique_ids_and_prompts(deck: Deck) -> None:
    cards = generate_cards(deck)
    assert_well_formed(cards)
    assert generate_cards(deck) == cards
    # every authored card is kept: one card per q/a, one per distinct cloze number
    expected = sum(len({int(n) for n in CLOZE_NUMBER.findall(card.cloze)}) if card.cloze else 1
                   for topic, _ in deck.walk() for card in topic.cards)
    assert sum(1 for c in cards if c.kind in AUTHORED) == expected
