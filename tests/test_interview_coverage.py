"""Rubric coverage: a sentence that expresses a criterion ticks it, and is its evidence."""

from __future__ import annotations

import pytest
from interview_deck import GOOD_METRICS_NOTES, STEPS

from app.decks.loader import load_path, load_text
from app.errors import DeckError
from app.interview.coverage import (
    Tick,
    _verdicts,
    coverage,
    criterion_ticks,
    normalised,
    teaching_topics,
)
from app.interview.steps import interview_steps, notes_template
from app.model import RubricItem
from app.paths import shipped_decks_dir

SHIPPED = interview_steps(load_path(shipped_decks_dir() / "ml-system-design.yaml"))
LATENCY = RubricItem("Sets latency and freshness targets",
                     groups=(("latency", "fresh", "stale"), ("<ms>", "<percentile>", "hourly")))
PRIVACY = RubricItem("Names constraints", terms=("privacy", "cold start"))
SCALE = RubricItem("Quantifies the scale", terms=("qps", "million"),
                   groups=(("users", "videos"), ("<count>",)))


def shipped_ticks(step: int, notes: str) -> tuple[bool, ...]:
    info = SHIPPED[step - 1]
    return coverage(notes, info.rubric, info.template, title=info.title)


def test_good_metrics_notes_cover_the_rubric() -> None:
    metrics = STEPS[1]
    covered = coverage(GOOD_METRICS_NOTES, metrics.rubric, metrics.template,
                       title=metrics.title)
    # Everything but "why offline and online disagree", which the notes never mention.
    assert covered == (True, True, True, True, False)


def test_each_tick_carries_the_sentence_that_earned_it() -> None:
    notes = ("## Requirements\n- Keep it simple.\n"
             "- Latency must stay within 200 ms at p99. Also fun.\n")
    assert criterion_ticks(notes, (LATENCY, PRIVACY)) == (
        Tick(True, "Latency must stay within 200 ms at p99."), Tick(False, None))


@pytest.mark.parametrize(("notes", "hit"), [
    ("Latency under 200ms for the whole page.", True),  # a concept and a number with its unit
    ("We serve it with p99 latency of 150 ms.", True),
    ("Recommendations may be stale by an hour, refreshed hourly.", True),
    ("Latency matters.", False),  # one group only
    ("The page has 200 ms of animation.", False),  # a number alone
    ("Latency is important.\nWe budget 200 ms for the animation.", False),  # two sentences
    ("We won't track latency, no 200 ms target.", False),  # negated
])
def test_a_criterion_needs_two_of_its_groups_in_one_sentence(notes: str, hit: bool) -> None:
    assert coverage(notes, (LATENCY,)) == (hit,)


@pytest.mark.parametrize(("notes", "hit"), [
    ("We must respect user privacy under GDPR.", True),
    ("We will not consider privacy.", False),
    ("Privacy won't matter for this product.", False),
    ("We can ignore privacy, but cold start is a real problem for new videos.", True),
    ("Without privacy rules we would collect everything.", False),
])
def test_a_negation_in_the_clause_voids_the_match(notes: str, hit: bool) -> None:
    assert coverage(notes, (PRIVACY,)) == (hit,)


@pytest.mark.parametrize(("notes", "hit"), [
    ("We have a million reasons to ship.", False),  # a generic word alone
    ("The catalogue holds 5 million videos.", True),  # with a concept of another group
    ("We expect 10k QPS at peak.", True),  # a specific term
    ("There are 150M users.", True),  # a count with its unit
])
def test_generic_words_never_count_alone(notes: str, hit: bool) -> None:
    assert coverage(notes, (SCALE,)) == (hit,)


@pytest.mark.parametrize("notes", [
    "latency, p99, freshness, stale, privacy, cold start",
    "- p99 latency freshness privacy\n- privacy, cold start",
    "Latency / p99 / hourly",
])
def test_a_keyword_list_earns_nothing(notes: str) -> None:
    assert coverage(notes, (LATENCY, PRIVACY)) == (False, False)


def test_the_bare_terms_of_every_shipped_criterion_earn_nothing() -> None:
    for step in SHIPPED[:9]:
        for item in step.rubric:
            line = ", ".join(t for t in item.terms) + "\n"
            assert not any(coverage(line, step.rubric, step.template, title=step.title)), item


@pytest.mark.parametrize(("term", "notes", "hit"), [
    ("log-loss", "we minimise log loss on the holdout", True),
    ("log-loss", "we report logloss on the holdout", True),
    ("log loss", "We report Log-Loss.", True),
    ("a/b test", "We run A/B tests for two weeks.", True),
    ("a/b test", "We run an AB-test for two weeks.", True),
    ("a/b test", "We use a/b testing for two weeks.", True),  # same stem
    ("embeddings", "We learn one embedding per user.", True),
    ("ctr", "Press ctrl-c to stop the job.", False),
    ("click-through rate", "We track click through rates (CTR) daily.", True),
    ("transformer", "Counts are log-transformed before training.", False),
    ("transformer", "We train two transformers for text.", True),
    ("watch time", "We track watch\ntime.", False),  # a phrase does not run across lines
])
def test_terms_match_by_stem(term: str, notes: str, hit: bool) -> None:
    assert coverage(notes, (RubricItem("item", (term,)),), ()) == (hit,)


@pytest.mark.parametrize(("concept", "notes"), [
    ("<ms>", "within 200 ms"), ("<ms>", "under 1.5 s"), ("<ms>", "at 80ms"),
    ("<percentile>", "p99 under target"), ("<percentile>", "the 95th percentile"),
    ("<qps>", "10k QPS"), ("<qps>", "5,000 requests per second"),
    ("<percent>", "1% of traffic"), ("<count>", "150M users"), ("<count>", "40,000 rows"),
    ("<bytes>", "1 PB a week"), ("<duration>", "two weeks"), ("<ratio>", "1:1000 classes"),
])
def test_numbers_with_units_are_concepts(concept: str, notes: str) -> None:
    item = RubricItem("item", groups=((concept,), ("because",)))
    assert coverage(f"We plan for {notes} because it matters.", (item,)) == (True,)


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
    for step in (*STEPS, *SHIPPED):
        assert not any(coverage(notes_template(step), step.rubric, step.template,
                                title=step.title)), step.label


def test_a_template_heading_can_name_one_group_of_a_criterion() -> None:
    # "Business goal" is a template heading of step 1: with the notes' own words it counts.
    assert shipped_ticks(1, "- Business goal: long-term watch time over the next year.")[0]
    assert not any(shipped_ticks(1, "- Business goal"))


def test_unrelated_notes_score_low() -> None:
    metrics = STEPS[1]
    notes = ("Boil the pasta for nine minutes, then stir in the tomato sauce.\n"
             "Cooked the recipe from memory; the authentication service is down.")
    assert sum(coverage(notes, metrics.rubric, metrics.template, title=metrics.title)) == 0


def test_issue_examples_on_the_shipped_rubric() -> None:
    assert not shipped_ticks(1, "We will not consider privacy.")[3]
    assert shipped_ticks(1, "Latency under 200ms for the home page.")[2]
    for generic in ("million", "rules", "filter", "cache", "daily"):
        assert not any(shipped_ticks(1, f"We talked about {generic} today.")), generic
    data = ("Human labelers annotate a sample of 20k images each month, and we check their "
            "inter-annotator agreement.\nWe split into train, validation and test sets by date "
            "so that no future data leaks into training.")
    assert shipped_ticks(4, data)[2] and shipped_ticks(4, data)[5]
    model = "We train a GNN on weekly graph snapshots because friendships form a graph."
    assert shipped_ticks(6, model)[1]


def test_teaching_topics_name_the_topics_that_teach_a_criterion() -> None:
    deck = load_path(shipped_decks_dir() / "ml-system-design.yaml")
    by_text = {item.text: item for step in SHIPPED[:9] for item in step.rubric}
    shift = teaching_topics(deck, by_text[
        "Detects data shift (covariate, label, concept) with a concrete statistical check"])
    assert shift[0] == "s9-shift-detection" and len(shift) <= 5
    labels = teaching_topics(deck, by_text[
        "A strategy for getting labels (natural, human, programmatic) with its cost and quality"])
    assert {"s4-human-annotation", "s4-natural-labels"} <= set(labels)
    assert teaching_topics(deck, RubricItem("Nothing taught", ("zzyzx quux",))) == ()
    for step in SHIPPED[:9]:  # every shipped criterion leads somewhere to study
        assert all(teaching_topics(deck, item) for item in step.rubric), step.label


def test_a_rubric_group_must_be_a_list() -> None:
    deck = ("deck: {id: d, title: D, version: 1}\ntopics:\n  - id: s1\n    title: One\n"
            "    step: 1\n    rubric:\n      - text: Latency\n"
            "        groups: [[latency, p99], \"<ms>\"]\n")
    with pytest.raises(DeckError, match=r"d\.yaml:8:.*a rubric group must be a list"):
        load_text(deck, source="d.yaml")
    fixed = load_text(deck.replace('"<ms>"', '["<ms>"]'), source="d.yaml")
    assert fixed.topics[0].rubric[0].groups == (("latency", "p99"), ("<ms>",))


def test_typing_reads_only_the_sentence_being_edited() -> None:
    """Each keystroke rescans the notes: sentences already read keep their verdicts, so long
    notes stay quick to type in (1,200 pasted lines took about a second per key before)."""
    step = next(s for s in SHIPPED if s.rubric)
    notes = "".join(f"- idea {i}: rank by predicted watch time, dedupe, diversify\n"
                    for i in range(300))
    before = criterion_ticks(notes, step.rubric, step.template, step.title)
    read = _verdicts.cache_info().misses
    typed = notes + "we log impressions"
    for end in range(len(notes) + 1, len(typed) + 1):  # one key at a time
        criterion_ticks(typed[:end], step.rubric, step.template, step.title)
    # read as words: "we log impr" and "we log impressions" are one sentence
    new_sentences = {normalised(typed[len(notes):end].strip())
                     for end in range(len(notes) + 1, len(typed) + 1)}
    assert _verdicts.cache_info().misses - read == len(new_sentences)  # none of the 300 again
    assert criterion_ticks(notes, step.rubric, step.template, step.title) == before


@pytest.mark.parametrize(("written", "read"), [
    ("no hist CTR -> advertiser avg as default",
     "no history CTR → advertiser average as default"),
    ("distance driver->pickup", "distance driver → pickup"),
    ("run 2 wks min w/o peeking", "run 2 weeks min without peeking"),
    ("user feats: # friends, acct age", "user features: number of friends, account age"),
    ("need answer in 2s", "need answer within 2s"),
    ("ship if lift sig. at p<0.05", "ship if lift significant at p under 0.05"),
    ("LR first, tune lr later", "logistic regression first, tune learning rate later"),
    ("affinity user<->author, 30d", "affinity user between author, 30 days"),
    ("1 row = (user, post)", "1 row is (user, post)"),
    ("predict P(click)", "predict probability of (click)"),
    ("shadow mode first", "shadow deployment first"),
    ("Stored in the DB. Then we train.", "Stored in the database. Then we train."),
])
def test_shorthand_is_read_as_words(written: str, read: str) -> None:
    assert normalised(written) == read


@pytest.mark.parametrize(("step", "notes", "criterion"), [
    (7, "- rider app -> dispatch svc -> ranker -> response", 1),  # a request flow
    (3, "- rider app -> dispatch svc -> ranker", 3),  # services and how they interact
    (3, "- mod decisions logged -> used as labels", 5),
    (5, "- no hist CTR -> advertiser avg as default", 6),  # the arrow ends the negation
    (5, "- distance driver->pickup", 2),
    (8, "- run 2 wks min (weekly cycle + novelty effect)", 3),
    (5, "- user feats: account age, prior strikes, follower count", 1),
    (8, "- shadow mode first, then 5% canary", 4),
    (1, "- need answer in 2s", 3),
    (6, "- train wks 1-3, test on N+1", 4),
    (9, "- retrain nightly", 6),  # a few words, all about one criterion: a note, not a list
    (1, "- GDPR compliance required", 4),
])
def test_terse_notes_meet_criteria(step: int, notes: str, criterion: int) -> None:
    assert shipped_ticks(step, notes)[criterion - 1]


@pytest.mark.parametrize(("step", "notes", "criterion"), [
    (9, "- retrain when its bad", 6),  # names retraining, no plan
    (9, "- retrain when needed", 6),
    (5, "- user features, account age, item features", 1),  # still a keyword list
    (1, "- no privacy", 4),
    (1, "- Business goal", 1),  # one term alone is a heading
    (1, "- p99 freshness privacy", 4),  # a few words about several criteria: a list
])
def test_bare_mentions_and_lists_do_not(step: int, notes: str, criterion: int) -> None:
    assert not shipped_ticks(step, notes)[criterion - 1]


def test_a_plan_is_more_than_the_word() -> None:
    assert shipped_ticks(9, "- retrain weekly, warm start from the last model")[5]


PATHS = RubricItem("Separates the paths", groups=(("online", "request"), ("offline", "batch")))


@pytest.mark.parametrize(("notes", "hit"), [
    # a line that carries on the one before: wrapped, indented, or after "...:" or "->"
    ("- we measure latency\n  at the client, 200 ms budget", True),
    ("- Latency, measured at\nthe client: 200 ms budget", True),
    ("Latency target ->\n200 ms at the client", True),
    ("- Latency matters\n- 200 ms of animation on the page", False),  # two bullets
    ("- Latency matters\n\n  200 ms of animation", False),  # a blank line between
    ("Latency is important.\n  We budget 200 ms for the animation.", False),  # a full stop
])
def test_a_thought_carried_to_the_next_line(notes: str, hit: bool) -> None:
    assert coverage(notes, (LATENCY,)) == (hit,)


@pytest.mark.parametrize(("notes", "hit"), [
    ("- online: app calls the model\n- offline: nightly job retrains it", True),
    ("- online: app calls the model\n- the nightly job retrains it offline", False),
])
def test_parallel_headings_of_adjacent_lines(notes: str, hit: bool) -> None:
    assert coverage(notes, (PATHS,)) == (hit,)


@pytest.mark.parametrize(("notes", "hit"), [
    ("Latency must stay under 200 ms at the client.", True),
    ("Latency came up in the review, and the designers want icons, fonts and colours "
     "polished, with 200 ms animations.", False),  # far apart, in other clauses
    ("Latency target: the whole page, rendered on a slow phone, in 200 ms.", True),  # heading
])
def test_two_groups_must_be_near_each_other(notes: str, hit: bool) -> None:
    assert coverage(notes, (LATENCY,)) == (hit,)


@pytest.mark.parametrize(("notes", "hit"), [
    ("We keep p99 latency within 200 ms.", True),
    ("keep latency the within 200 ms p99 We.", False),  # "the within"
    ("We the latency keep within 200 ms.", False),  # "We the"
    ("keep within 200 ms The latency p99.", False),  # a first word inside a sentence
    ("p99 within 200 ms latency and.", False),  # ends on "and"
    ("Then an A/B test keeps the on-call latency within 200 ms.", True),  # compounds
    ("Compare the results of A and B: latency within 200 ms.", True),
])
def test_word_salad_earns_nothing(notes: str, hit: bool) -> None:
    assert coverage(notes, (LATENCY,)) == (hit,)


def test_a_pair_of_lines_is_the_evidence() -> None:
    ticks = criterion_ticks("- we budget latency\n  within 200 ms", (LATENCY,))
    assert ticks == (Tick(True, "we budget latency within 200 ms"),)
