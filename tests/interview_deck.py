"""A small deck with the 9 steps and two questions, shared by the interview tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from app.decks.loader import load_text
from app.interview.budgets import default_budgets
from app.interview.session import InterviewSession
from app.interview.steps import interview_steps

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)

DECK = """\
deck:
  id: mini
  title: Mini flow
  version: 1
topics:
  - id: s1
    title: Problem Formulation
    step: 1
    children:
      - id: s1-goal
        title: Business goal
  - id: s2
    title: Metrics (Offline and Online)
    step: 2
    rubric:
      - text: An offline metric that fits the task
        terms: [precision, recall, auc, ndcg, log-loss]
      - text: An online metric tied to the business goal
        terms: [ctr, click-through rate, watch time, conversion]
      - text: Validate online with an A/B test
        terms: [a/b test, online experiment]
      - text: Guardrail or counter metrics
        terms: [guardrail, counter metric]
      - text: Why offline and online can disagree
        terms: [position bias, selection bias, proxy]
    followups:
      - Positives are 0.1% of the data. Which offline metric do you report?
      - CTR went up and watch time went down. What happened?
      - How long do you run the A/B test?
    children:
      - id: s2-offline
        title: Offline metrics (e.g. classification, relevance metrics)
      - id: s2-online
        title: Online metrics
      - id: s2-trade-offs
        title: Trade-offs b/w metrics
  - id: s3
    title: Architectural Components
    step: 3
  - id: s4
    title: Data Collection and Preparation
    step: 4
  - id: s5
    title: Feature Engineering
    step: 5
  - id: s6
    title: Model Development and Offline Evaluation
    step: 6
    rubric:
      - text: A simple baseline first
        terms: [baseline, logistic regression]
      - text: A train/validation/test split that respects time
        terms: [time-based split, temporal split]
  - id: s7
    title: Prediction Service
    step: 7
  - id: s8
    title: Online Testing and Deployment
    step: 8
    rubric:
      - text: A/B test with a primary metric
        terms: [a/b test]
    children:
      - id: s8-ab
        title: A/B Experiments
      - id: s8-canary
        title: Canary release
  - id: s9
    title: Scaling, Monitoring, and Updates
    step: 9
questions:
  - id: q-video
    title: Video recommendations
    category: recommendation
    prompt: |
      Design the home feed of a video app
      with 100M daily users.
  - id: q-ads
    title: Ad click prediction
    category: ads
    prompt: Predict the probability that a user clicks an ad.
"""

GOOD_METRICS_NOTES = """\
## Offline metrics (e.g. classification, relevance metrics)
- ranker: nDCG@10, log loss; candidate generator: recall@100
- PR-AUC since positives are rare

## Online metrics
- watch time per DAU (primary), CTR secondary
- A/B tests, two weeks
- counter-metrics: hide rate, p99 latency as a guardrail
"""

MINI = load_text(DECK, source="mini.yaml")
STEPS = interview_steps(MINI)
QUESTION = MINI.questions[0]


def new_session(total: int = 45, seed: int = 7) -> InterviewSession:
    """A session on the first question, started at T0, with a seeded generator."""
    return InterviewSession(QUESTION, STEPS, default_budgets(total), T0, rng=random.Random(seed))
