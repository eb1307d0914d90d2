"""Note-taking shorthand read as words: "w/o hist feats -> avg" reads "without history features
→ average" (an arrow stays an arrow: a step or a consequence, and no word a concept matches)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["normalised"]

# Abbreviations candidates type under time pressure, read as the words they stand for (matched
# case-insensitively, unless the key has a capital: "LR" is a model, "lr" a learning rate).
_SHORTHAND = {
    "wk": "week", "wks": "weeks", "wkly": "weekly", "hr": "hour", "hrs": "hours",
    "mins": "minutes", "secs": "seconds", "yr": "year", "yrs": "years", "mo": "month",
    "mos": "months", "svc": "service", "svcs": "services", "avg": "average", "avgs": "averages",
    "approx": "approximately", "prob": "probability", "probs": "probabilities",
    "hist": "history", "feat": "feature", "feats": "features", "emb": "embedding",
    "embs": "embeddings", "req": "request", "reqs": "requests", "resp": "response",
    "e2e": "end-to-end", "gw": "gateway", "db": "database", "dbs": "databases",
    "acct": "account", "accts": "accounts", "lang": "language", "len": "length",
    "neg": "negative", "negs": "negatives", "thresh": "threshold", "eval": "evaluation",
    "evals": "evaluations", "val": "validation", "diff": "different", "sig": "significant",
    "bc": "because", "ctx": "context", "usr": "user", "usrs": "users", "info": "information",
    "recs": "recommendations", "msg": "message", "msgs": "messages", "cnt": "count",
    "cnts": "counts", "freq": "frequency", "params": "parameters",
    "hparams": "hyperparameters", "hyperparams": "hyperparameters",
    "hyperparam": "hyperparameter", "perf": "performance", "impr": "impressions",
    "imprs": "impressions", "pred": "prediction", "preds": "predictions", "ppl": "people",
    "est": "estimate", "lr": "learning rate", "LR": "logistic regression",
    "DNN": "deep neural network", "NN": "neural network", "MTL": "multi-task",
    "LB": "load balancer",
    "dedup": "deduplicate", "config": "configuration", "mgmt": "management",
}
# A word, with the full stop of an abbreviation ("sig. at p<0.05") when the sentence goes on.
_SHORT_WORD = re.compile(r"(?<![\w/#.-])([A-Za-z][A-Za-z0-9]*)(\.(?=\s+[a-z0-9~<(]))?(?![\w/])")
# Symbols and fused forms: each pattern and the words it stands for, applied in order.
_NOTATION: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        (r"(?i)\bw/o(?:ut)?\b", " without "), (r"(?i)\bw/in\b", " within "),
        (r"(?i)\bw/\s?", " with "),
        (r"(?i)\bb/c\b", " because "), (r"(?i)\bb/w\b", " between "),
        (r"\bN\s?\+\s?1\b", " later "),
        # "user<->author": what relates the two sides
        (r"\s*(?:<->|<=>|↔)\s*", " between "),
        # "app -> svc -> ranker", "stored -> used as labels": a step or a consequence, written
        # as one arrow that no concept matches; it ends the reach of a negation before it ("no
        # hist CTR -> average as default")
        (r"\s*(?:-{1,2}>|→|=>|⇒)\s*", " → "),
        # "<-" is an arrow, unless a number follows ("score<-0.5": under minus a half)
        (r"\s*(?:<-(?![\d.])|←)\s*", " from "),
        (r"\s*(?:<=|≤)\s*(?=[~$]?\d)", " at most "), (r"\s*(?:>=|≥)\s*(?=[~$]?\d)", " at least "),
        (r"\s*<\s*(?=[~$-]?\d)", " under "), (r"\s*>\s*(?=[~$-]?\d)", " over "),
        (r"(?<![<>=!])\s*=\s*(?![=>])", " is "),
        (r"#\s?(?=[A-Za-z])", " number of "),
        (r"\b[Pp]\((?=\w)", " probability of ("),
        (r"&&?", " and "),
        # "30d", "2wks", "6mo": a number and a unit run together
        (r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:d)\b", r"\1 days"),
        (r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:w|wk|wks)\b", r"\1 weeks"),
        (r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:mo|mos)\b", r"\1 months"),
        # "answer in 2s", "done in 15 mins": a time limit
        (r"(?i)\bin\s+(?=[~<]?\s?\d[\d.,]*\s?(?:ms|msec|s|secs?|seconds?|mins?|minutes?|hrs?|hours?)"
         r"\b)", "within "),
        # candidates' names for the rubric's phrases
        (r"(?i)\bshadow[- ]mode\b", "shadow deployment"),
        (r"(?i)\bshadow[- ]traffic\b", "mirrored traffic"),
    ))


def _expand(match: re.Match[str]) -> str:
    word = match.group(1)
    words = _SHORTHAND.get(word) or _SHORTHAND.get(word.casefold())
    if words is None:
        return match.group(0)
    return words


@lru_cache(maxsize=16384)
def normalised(text: str) -> str:
    """Note-taking shorthand read as words: "w/o hist feats -> avg" reads "without history
    features → average"."""
    for pattern, words in _NOTATION:
        text = pattern.sub(words, text)
    return re.sub(r"\s{2,}", " ", _SHORT_WORD.sub(_expand, text)).strip()
