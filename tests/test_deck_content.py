"""The shipped deck: valid, credited, faithful to the upstream outline, and worth studying."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.decks.loader import load_path
from app.model import Deck, Topic

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"
SEED = REPO / "tests" / "data" / "seed-outline.txt"

#: Seed section heading -> id of the deck's top-level topic that encodes it.
SECTIONS = {
    "1. Problem Formulation": "s1",
    "2. Metrics (Offline and Online)": "s2",
    "3. Architectural Components (MVP Logic)": "s3",
    "4. Data Collection and Preparation": "s4",
    "5. Feature Engineering": "s5",
    "6. Model Development and Offline Evaluation": "s6",
    "7. Prediction Service": "s7",
    "8. Online Testing and Model Deployment": "s8",
    "9. Scaling, Monitoring, and Updates": "s9",
    "Other topics:": "other-topics",
    "2. ML System Design Sample Questions": "sample-questions",
    "3. ML System Design Topics": "ml-topics",
}
#: Sections whose unbulleted lines are sub-headings one level above their bullets.
WITH_SUBHEADINGS = {"ml-topics"}
#: A line that starts a section of the seed (and so ends the one before).
SECTION_START = re.compile(r"^(?:\d+\. \S.*|Other topics:)$")
BULLET = re.compile(r"^(?P<indent> +)• (?P<title>.+)$")

#: Text lines of the seed that are neither bullets nor sub-headings, by section.
SEED_PROSE = [
    ("s3", "..."),  # an unbulleted continuation under "Train data generator"
    ("sample-questions", "Design a:"),
    ("ml-topics", "I observed there are certain sets of topics that are frequently brought up or "
                  "can be used as part of the logic of the system. Here are some of the important "
                  "ones:"),
]
#: Deliberate wording changes in the deck: topic id -> the seed's title it stands for.
DEVIATIONS = {
    "s3-more-models": "...",  # the bare "..." bullet became "... (more models as needed)"
}


def normalise(title: str) -> str:
    return " ".join(title.split()).casefold().rstrip(",:. ")


def seed_sections() -> tuple[dict[str, list[tuple[int, str]]], list[tuple[str, str]]]:
    """Each mapped section's bullets (and sub-headings) as (depth, title), and the prose lines."""
    sections: dict[str, list[tuple[int, str]]] = {}
    prose: list[tuple[str, str]] = []
    current: str | None = None
    below_heading = 0
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if SECTION_START.match(line):
            current = SECTIONS.get(line)
            if current is not None:
                assert current not in sections, f"seed heading {line!r} appears twice"
                sections[current] = []
            below_heading = 0
            continue
        if current is None or not line.strip():
            continue
        bullet = BULLET.match(line)
        if bullet:
            spaces = len(bullet["indent"])
            assert spaces % 2 == 0, f"odd indent in seed line {line!r}"
            sections[current].append((spaces // 2 + below_heading, bullet["title"]))
        elif current in WITH_SUBHEADINGS and not line.startswith(" ") and not line.endswith(":"):
            sections[current].append((1, line))
            below_heading = 1
        else:
            prose.append((current, line.strip()))
    assert set(sections) == set(SECTIONS.values()), "every mapped heading is in the seed"
    return sections, prose


def seed_step_names() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    names = re.findall(r"^Step (\d) (.+)$", text, re.MULTILINE)
    assert [int(n) for n, _ in names] == list(range(1, 10))
    return [name for _, name in names]


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_path(SHIPPED_DECK)


def subtree(topic: Topic) -> list[tuple[int, str]]:
    """The topic's descendants in outline order as (depth below it, seed-comparable title)."""
    found: list[tuple[int, str]] = []

    def visit(node: Topic, depth: int) -> None:
        for child in node.children:
            found.append((depth, normalise(DEVIATIONS.get(child.id, child.title))))
            visit(child, depth + 1)

    visit(topic, 1)
    return found


def explained_text(deck: Deck) -> str:
    """The notes of every topic, each with its title: a title names what its notes explain."""
    return "\n\n".join(f"{topic.title}\n{topic.notes}" for topic, _ in deck.walk()
                       if topic.notes.strip())


def test_shipped_deck_loads_and_credits_its_source(deck: Deck) -> None:
    upstream = re.search(r"^# Upstream: (\S+)$", SEED.read_text(encoding="utf-8"), re.MULTILINE)
    assert upstream is not None

    assert deck.id == "ml-system-design"
    assert deck.source.url == upstream[1]
    assert deck.source.author == "Alireza Dirafzoon"
    assert deck.source.licence == "MIT"
    assert deck.source.title
    assert deck.description.strip()


def test_seed_parser_sees_only_known_prose() -> None:
    sections, prose = seed_sections()

    assert prose == SEED_PROSE
    assert sections["s1"][0] == (1, "Clarifying questions")
    assert (2, "Candidate generation") in sections["ml-topics"]
    assert all(len(bullets) >= 3 for bullets in sections.values())


@pytest.mark.parametrize("topic_id", list(SECTIONS.values()))
def test_deck_section_matches_the_seed_outline(deck: Deck, topic_id: str) -> None:
    sections, _ = seed_sections()
    [topic] = [t for t in deck.topics if t.id == topic_id]

    expected = [(depth, normalise(title)) for depth, title in sections[topic_id]]
    assert subtree(topic) == expected


def test_deviations_name_real_topics(deck: Deck) -> None:
    titles = {str(topic.id): topic.title for topic, _ in deck.walk()}

    for topic_id, seed_title in DEVIATIONS.items():
        assert topic_id in titles
        assert normalise(titles[topic_id]) != normalise(seed_title), "no longer a deviation"


def test_the_nine_steps_come_first_in_order_with_the_seed_names(deck: Deck) -> None:
    first = deck.topics[:9]

    assert [t.id for t in first] == [f"s{n}" for n in range(1, 10)]
    assert [t.step for t in first] == list(range(1, 10))
    assert [normalise(t.title) for t in first] == [normalise(n) for n in seed_step_names()]
    assert [t.id for t, _ in deck.walk() if t.step is not None] == [t.id for t in first]


@pytest.mark.parametrize("step", range(1, 10))
def test_each_step_is_explained_at_length(deck: Deck, step: int) -> None:
    topic = deck.topics[step - 1]

    assert len(topic.notes.split()) >= 80, topic.id


def test_nearly_every_topic_has_notes(deck: Deck) -> None:
    topics = [topic for topic, _ in deck.walk()]
    without = [str(t.id) for t in topics if not t.notes.strip()]

    assert len(without) <= 0.05 * len(topics), without


#: Terms a learner must be able to explain, as regular expressions (matched case-insensitively
#: at the start of a word, so "recall" does not match inside "unrecallable").
KEY_TERMS = [
    "precision", "recall", "F1", "ROC[- ]AUC", "PR[- ]AUC", "log-loss", "nDCG", "MRR", "mAP",
    "calibrat", "CTR", "counter metric", "covariate shift", "concept (shift|drift)",
    "label shift", "two-tower", "candidate generat", "collaborative filtering",
    "matrix factori[sz]ation", "learning to rank", "negative sampling", "data leakage",
    "class imbalance", "embedding", "feature store", "one[- ]hot", "cold start", "A/B test",
    "null hypothesis", "canary", "shadow", "bandit", "quanti[sz]ation", "distillation",
    "approximate nearest[- ]neighbou?r", "batch prediction", "online prediction",
    "feedback loop", "data parallelism", "model parallelism", "hyperparameter",
    "transfer learning", "active learning", "weak supervision", "BLEU",
]


@pytest.mark.parametrize("term", KEY_TERMS)
def test_key_term_is_explained_in_some_notes(deck: Deck, term: str) -> None:
    pattern = re.compile(rf"(?<![\w-]){term}", re.IGNORECASE)

    assert pattern.search(explained_text(deck)), f"no topic explains {term!r}"


SEED_QUESTIONS = [
    "video recommendation", "friend", "people you may know", "newsfeed", "search", "ads",
    "named entity linking", "harmful", "autocompletion", "ride matching",
    "language identification", "chatbot", "proximity", "yelp", "food delivery", "self-driving",
    "sentiment", "healthcare", "fraud",
]


@pytest.mark.parametrize("question", SEED_QUESTIONS)
def test_sample_questions_include_the_seed_question(deck: Deck, question: str) -> None:
    [samples] = [t for t in deck.topics if t.id == "sample-questions"]
    titles = [t.title.casefold() for t, _ in Deck(deck.id, "", 1, samples.children).walk()]

    assert any(question in title for title in titles), (question, titles)


def test_check_deck_accepts_the_shipped_deck_silently() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "check-deck", "decks/ml-system-design.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False)

    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
