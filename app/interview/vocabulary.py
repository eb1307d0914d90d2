"""Words the rubric engine reads a line by: verbs and relation words (a line with none of its
own is a keyword list) and vague words (a plan of "retrain when needed" is none)."""

from __future__ import annotations

from app.decks.words import stem

__all__ = ["RELATIONS", "VAGUE", "VERBS"]

# Verbs (by stem) and relation words: a line with none of them outside its matched concepts
# is a list of keywords, not a statement.
_VERB_WORDS = """
is are was were be been being am has have had do does did will would can could should may might
must shall need needs use using used train trains trained predict predicts measure measures track
tracks compute computes run runs serve serves store stores log split splits sample samples label
collect collects join joins add adds drop drops keep keeps check checks compare compares pick
picks choose chooses start starts send sends return returns fall falls rank ranks score
retrain retrains deploy deploys ship ships roll rolls ramp ramps monitor monitors alert alerts
page pages cap caps cost costs take takes give gives get gets make makes let lets stay stays
hit hits miss misses fit fits tune tunes weight weights optimise optimize minimise minimize
maximise maximize calibrate detect detects flag flags block blocks cut cuts reduce reduces
increase increases grow grows scale scales shard shards cache caches precompute precomputes
refresh refreshes update updates arrive arrives come comes feed feeds read reads write writes
call calls fetch fetches look looks mean means show shows tell tells catch catches avoid avoids
prevent prevents protect protects handle handles treat treats count counts matter matters
define defines target targets want wants expect expects aim aims reach reaches stop stops
encode encodes embed embeds hash hashes bucketize normalise normalize impute fills fill
mirror mirrors randomise randomize assign assigns test tests require requires support supports
answer answers ask asks rerank reranks retrieve retrieves generate generates rewrite rewrites
wait waits trade trades hurt hurts help helps drive drives cause causes leak leaks lose loses
win wins beat beats outperform outperforms explain explains estimate estimates drift drifts
degrade degrades break breaks exceed exceeds fire fires trigger triggers pass passes gate gates
"""
VERBS = frozenset(stem(w) for w in _VERB_WORDS.split())
_RELATION_WORDS = """
under below within above over less more than per via at by from into to for with after before
until during between against instead because since so if when while whereas which that where
up down flat higher lower better worse
"""
RELATIONS = frozenset(_RELATION_WORDS.split())
# Words that make a plan or a reason vague: "retrain when needed" names retraining, no plan.
_VAGUE_WORDS = """needed necessary bad worse wrong appropriate possible sometimes maybe probably
somehow stuff thing things etc later whenever eventually"""
VAGUE = frozenset(stem(w) for w in _VAGUE_WORDS.split())
