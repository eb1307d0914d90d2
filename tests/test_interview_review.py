"""The review of a finished interview: evidence, hand ticks, follow-up answers, the report."""

from __future__ import annotations

import random
from dataclasses import replace

from interview_deck import MIN, MINI, QUESTION, STEPS, T0

from app.interview.budgets import default_budgets
from app.interview.report import to_markdown
from app.interview.review import followup_answers, missed_topics, review_steps, written_after
from app.interview.session import InterviewSession

REFERENCE = {2: ("Offline: nDCG@10 on next-day watches; recall@500 for retrieval.",
                 "Online: watch time per DAU in a two-week A/B test.")}
AUC_LINE = "We report PR-AUC offline because positive examples are rare."


def test_written_after_is_what_was_typed_since_wherever_it_went() -> None:
    assert written_after("Goal: engagement.", "Goal: engagement.\nScale: 100M DAU.") == \
        "Scale: 100M DAU."
    assert written_after("One.\nThree.", "One.\nTwo, inserted.\nThree.") == "Two, inserted."
    assert written_after("Same.", "Same.") == ""
    assert written_after("", "All of it.") == "All of it."


def test_each_follow_up_gets_what_was_written_until_the_next_one() -> None:
    asked = [("First?", "a"), ("Second?", "a\nb")]
    answers = followup_answers(asked, "a\nb\nc")
    assert [(f.question, f.answer) for f in answers] == [("First?", "b"), ("Second?", "c")]


def _finished_session() -> InterviewSession:
    question = replace(QUESTION, reference=REFERENCE)
    session = InterviewSession(question, STEPS, default_budgets(45), T0,
                               rng=random.Random(3))
    session.jump(1, T0 + MIN)
    session.set_notes(1, AUC_LINE, T0 + 2 * MIN)
    asked = session.followup(1)
    assert asked is not None
    session.set_notes(1, f"{AUC_LINE}\nI would run the test for two weeks.", T0 + 3 * MIN)
    session.set_override(1, 3, True)  # guardrails: ticked by hand
    session.finish(T0 + 4 * MIN)
    return session


def test_the_review_shows_evidence_hand_ticks_missed_topics_and_follow_up_answers() -> None:
    session = _finished_session()
    reviews = review_steps(session.summary(), STEPS, MINI)
    metrics = reviews[1]
    assert metrics.reference == REFERENCE[2]
    assert reviews[0].reference == ()
    offline, online, ab_test, guardrails, disagree = metrics.criteria
    assert offline.met and offline.evidence == AUC_LINE and not offline.self_assessed
    assert guardrails.met and guardrails.self_assessed and guardrails.evidence is None
    assert not online.met and not disagree.met
    assert metrics.missed == (online, ab_test, disagree)  # "the test": no A/B test named
    titles = {t.id: t.title for t, _ in MINI.walk()}
    for criterion in metrics.criteria:  # each links to topics of the deck that teach it
        assert criterion.topics
        assert criterion.topic_titles == tuple(titles[t] for t in criterion.topics)
    assert set(missed_topics(reviews)) >= set(online.topics)
    [followup] = metrics.followups
    assert followup.question == session.asked(1)[0]
    assert followup.answer == "I would run the test for two weeks."
    assert reviews[2].followups == () and reviews[2].criteria == ()


def test_the_markdown_report_holds_the_whole_review() -> None:
    session = _finished_session()
    summary = session.summary()
    text = to_markdown(summary, review_steps(summary, STEPS, MINI))
    assert f"  - [x] An offline metric that fits the task: “{AUC_LINE}”" in text
    assert "  - [x] Guardrail or counter metrics (self-assessed)" in text
    assert "  - [ ] An online metric tied to the business goal (study: " in text
    assert "### Reference answer\n\n- Offline: nDCG@10 on next-day watches; recall@500 for " \
           "retrieval.\n- Online: watch time per DAU in a two-week A/B test." in text
    asked = session.asked(1)[0]
    assert f"### Follow-ups asked\n\n- **{asked}**\n  > I would run the test for two weeks." \
        in text
    assert "- Time: 3:00 of 3:00 (over budget)\n- Score: not scored" in text
    assert f"### Your notes\n\n{AUC_LINE}\nI would run the test for two weeks.\n\n" \
           "### Reference answer" in text
    assert "## Wrap-up\n\n- Time: 0:00 of 2:00\n\n### Your notes\n\n*No notes.*" in text


def test_notes_headings_go_below_the_review_headings() -> None:
    session = _finished_session()
    session.set_notes(0, "# Goal\n### Detail\n```\n# code\n```", T0 + 5 * MIN)
    summary = session.summary()
    text = to_markdown(summary, review_steps(summary, STEPS, MINI))
    assert "### Your notes\n\n#### Goal\n###### Detail\n```\n# code\n```" in text
