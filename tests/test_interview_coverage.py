"""Rubric coverage: terms as whole words and phrases; headings and template words earn nothing."""

from __future__ import annotations

import pytest
from interview_deck import GOOD_METRICS_NOTES, STEPS

from app.interview.coverage import coverage
from app.interview.steps import notes_template
from app.model import RubricItem


def test_good_metrics_notes_cover_the_rubric() -> None:
    metrics = STEPS[1]
    covered = coverage(GOOD_METRICS_NOTES, metrics.rubric, metrics.template,
                       title=metrics.title)
    # Everything but "why offline and online disagree", which the notes never mention.
    assert covered == (True, True, True, True, False)


@pytest.mark.parametrize("notes", [
    "",
    "## Offline metrics (e.g. classification, relevance metrics)\n- \n\n## Online metrics\n- \n\n"
    "## Trade-offs b/w metrics\n- \n",
    "# Step 2 Metrics (Offline and Online)\n## Offline metrics\n## Online Metrics\n"
    "* trade-offs b/w metrics\n1. online metrics\n- [ ] Offline metrics\n> metrics\n",
    "Offline metrics online metrics metrics (offline and online)",
])
def test_headings_and_template_words_earn_nothing(notes: str) -> None:
    metrics = STEPS[1]
    assert not any(coverage(notes, metrics.rubric, metrics.template, title=metrics.title))


def test_the_notes_template_earns_nothing() -> None:
    for step in STEPS:
        assert not any(coverage(notes_template(step), step.rubric, step.template,
                                title=step.title)), step.label


def test_unrelated_notes_score_low() -> None:
    metrics = STEPS[1]
    notes = ("Boil the pasta for nine minutes, then stir in the tomato sauce.\n"
             "Recalled the recipe from memory; the authentication service is down.")
    assert sum(coverage(notes, metrics.rubric, metrics.template, title=metrics.title)) == 0


@pytest.mark.parametrize(("term", "notes", "hit"), [
    ("log-loss", "we minimise log loss", True),
    ("log-loss", "logloss on the holdout", True),
    ("log loss", "Log-Loss", True),
    ("a/b test", "run A/B tests for two weeks", True),
    ("a/b test", "an AB-test", True),
    ("a/b test", "a/b testing", False),  # a different word, not a plural
    ("auc", "compare the AUCs", True),
    ("recall", "precision/recall trade-off", True),
    ("recall", "I recalled it", False),
    ("ctr", "press ctrl-c", False),
    ("query", "two queries per second", True),
    ("queries", "one query per second", True),
    ("embeddings", "one embedding per user", True),
    ("loss", "losses", True),
    ("click-through rate", "Click through rates (CTR)", True),
    ("watch time", "watch\ntime", False),  # a phrase does not run across lines
])
def test_term_matching(term: str, notes: str, hit: bool) -> None:
    assert coverage(notes, (RubricItem("item", (term,)),), ()) == (hit,)


def test_coverage_ignores_a_template_phrase_but_keeps_what_follows_it() -> None:
    rubric = (RubricItem("Online metric", ("online metric", "ctr")),)
    template = ("Online metrics",)
    assert coverage("## Online metrics", rubric, template) == (False,)
    assert coverage("Online metrics: CTR", rubric, template) == (True,)


def test_a_one_word_heading_only_empties_a_line_that_holds_nothing_else() -> None:
    rubric = (RubricItem("Monitoring", ("monitoring", "drift")), RubricItem("Bandits", ("bandit",)))
    template = ("Monitoring", "Bandits", "Canary release")
    headings_only = "## Monitoring\n- Bandits, canary release\n### Scaling\n- monitoring\n"
    assert coverage(headings_only, rubric, template, title="Scaling") == (False, False)
    assert coverage("- monitoring of p99 latency", rubric, template) == (True, False)
