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
#: Deliberate wording changes in the deck: topic id -> the seed's title it stands for. Each one
#: spells out shorthand, names a placeholder or pointer, shortens a heading a learner cannot
#: recall, tells two same-named topics apart, or keeps a card's answer out of its breadcrumb.
RETITLED = {
    "s1-ml-decision": "if Yes, we choose an ML system to design. If No, follow a general system "
                      "design flow.",
    "s1-assume-ml": "Note: in an ML system design interview we can assume we need ML.",
    "s2-metric-tradeoffs": "Trade-offs b/w metrics",
    "s2-ads-metrics": "ads: CPE, etc",
    "s3-non-ml-interactions": "user, app server, DBs, KGs, etc and their interactions",
    "s3-modeling-modules": "Modeling modules (e.g. candidate generator, ranker, ect)",
    "s3-model-1": "Model 1 architecture (e.g. candidate generation)",
    "s3-model-2": "Model 2 architecture (e.g. ranker, filter)",
    "s3-more-models": "...",
    "s4-feature-generation": "Feature generation (next)",
    "s4-weak-supervision": "Weak supervision (encode heuristics e.g. keywords, regex, db, output of "
                           "other ML models)",
    "s5-text-features": "Example text features: n-grams (uni,bi), intent, topic, frequency, "
                        "length, embeddings",
    "s5-user-item-features": "Example user-item features: user-video watch history, user search "
                             "history, user-ad interactions(view, like)",
    "s5-embedding-uses": "e.g. for text, image, graphs, users (how), stores, etc",
    "s5-text-tokenize": "Text: Tokenize (Normalize, pre-tokenize, tokenizer model "
                        "(ch/word/subword level), post-process (add special tokens))",
    "s6-kiss": "Note: Always start as simple as possible (KISS) and iterate over",
    "s6-sampling-methods": "random, stratified, reservoir, importance sampling",
    "s6-weighted-loss": "weighted loss fcn",
    "s6-training-approach": "Model training",
    "s6-data-augmentation": "Data augmentation",
    "s7-ann-methods": "Tree based, LSH, Clustering based",
    "s9-scaling-sw": "Scaling general SW system (distributed servers, load balancer, sharding, "
                     "replication, caching, etc)",
    "s9-data-partitioning": "Train data / KB partitioning",
    "s9-dt-variants": "Data parallel DT, RPC based DT",
    "s9-monitoring-pointer": "Monitoring, failure tolerance, updating (below)",
    "s9-automl": "Auto ML (soft: HP tuning, hard: arch search (NAS))",
    "s9-sw-metrics": "SW system metrics",
    "s9-sw-failure": "SW system failure",
    "s9-active-learning": "Active learning",
    "mt-recsys-ranking": "Ranking",
    "mt-ltr-approaches": "point-wise (simplest), pairwise, list-wise",
    "mt-nlp-seq2seq": "Sequence 2 Sequence models",
    "mt-nlp-dialog": "[Adv] Dialog and chatbots",
    "mt-speech-hmm": "HMMs for AM",
    "intro-open-ended": "In an ML system design interview you are exposed to open ended questions "
                        "with no single correct answer",
    "intro-goal": "The goal of the ML system design interview is to evaluate your ability to zoom "
                  "out and design a production-level ML system that can be deployed as a service "
                  "within a company's ML infrastructure",
}
#: Topics the seed places elsewhere: topic id -> the id of its parent in the seed. The seed nests
#: the SGD variants under model parallelism; they say how data-parallel workers combine updates.
MOVED = {
    "s9-async-sgd": "s9-model-parallelism",
    "s9-sync-sgd": "s9-model-parallelism",
}
#: Topics the deck adds to the seed (each with everything below it): what interviewers ask
#: beyond the outline.
ADDED: set[str] = set()


#: An explanation (a topic's notes) is one card's answer: readable in a glance.
MAX_EXPLAIN_WORDS = 60


def words_in(markdown: str) -> int:
    """Words as a reader counts them: Markdown emphasis and code marks are not words."""
    return len(re.sub(r"[*`]", "", markdown).split())


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


def seed_children(topic: Topic, deck: Deck) -> list[Topic]:
    """The topic's children as the seed lists them: additions left out, moved topics put back."""
    by_id = {str(t.id): t for t, _ in deck.walk()}
    kept = [c for c in topic.children if c.id not in ADDED and c.id not in MOVED]
    return kept + [by_id[moved] for moved, parent in MOVED.items() if parent == topic.id]


def subtree(topic: Topic, deck: Deck) -> list[tuple[int, str]]:
    """The topic's descendants in seed order as (depth below it, seed-comparable title)."""
    found: list[tuple[int, str]] = []

    def visit(node: Topic, depth: int) -> None:
        for child in seed_children(node, deck):
            found.append((depth, normalise(RETITLED.get(child.id, child.title))))
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
    assert subtree(topic, deck) == expected


def test_deviations_name_real_topics(deck: Deck) -> None:
    topics = {str(topic.id): topic for topic, _ in deck.walk()}
    parents = {str(child.id): str(topic.id) for topic, _ in deck.walk() for child in topic.children}

    for topic_id, seed_title in RETITLED.items():
        assert topic_id in topics
        assert normalise(topics[topic_id].title) != normalise(seed_title), "no longer a deviation"
    for topic_id, seed_parent in MOVED.items():
        assert seed_parent in topics and parents[topic_id] != seed_parent
    assert ADDED <= set(topics)
    assert not ADDED & (set(RETITLED) | set(MOVED))


def test_the_nine_steps_come_first_in_order_with_the_seed_names(deck: Deck) -> None:
    first = deck.topics[:9]

    assert [t.id for t in first] == [f"s{n}" for n in range(1, 10)]
    assert [t.step for t in first] == list(range(1, 10))
    assert [normalise(t.title) for t in first] == [normalise(n) for n in seed_step_names()]
    assert [t.id for t, _ in deck.walk() if t.step is not None] == [t.id for t in first]


@pytest.mark.parametrize("step", range(1, 10))
def test_each_step_has_a_short_summary_and_focused_cards(deck: Deck, step: int) -> None:
    topic = deck.topics[step - 1]

    assert 30 <= words_in(topic.notes) <= MAX_EXPLAIN_WORDS, topic.id
    assert len(topic.cards) >= 4, topic.id


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
