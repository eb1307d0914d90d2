"""Our Anki note types, Basic and Cloze: fixed ids, templates, CSS, and the cards a note makes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.model import CLOZE

__all__ = ["BASIC_MODEL_ID", "CLOZE_MODEL_ID", "basic_ords", "cloze_fields", "cloze_ords",
           "note_types"]

#: Hard-coded note type ids: never change them, or Anki sees new note types and re-imported
#: notes stop updating the old ones.
BASIC_MODEL_ID = 1301562504
CLOZE_MODEL_ID = 1194083461

_CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    sans-serif;
  font-size: 19px;
  line-height: 1.55;
  color: #1f2328;
  background-color: #fdfdfc;
  text-align: left;
  max-width: 40em;
  margin: 0 auto;
  padding: 0.5em 0.9em 1.5em;
}
.context { font-size: 0.8em; color: #59636e; margin-bottom: 0.9em; }
.prompt p:first-child, .answer p:first-child { margin-top: 0; }
hr#answer { border: none; border-top: 1px solid #d1d9e0; margin: 1.1em 0; }
.cloze { font-weight: 600; color: #0b57d0; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em;
  background: #eff1f3;
  padding: 0.1em 0.35em;
  border-radius: 4px;
}
pre { background: #f6f8fa; padding: 0.75em 1em; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
ul, ol { padding-left: 1.6em; }
li + li { margin-top: 0.2em; }
a { color: #0b57d0; }
details.explanation { margin-top: 1.3em; padding-left: 0.8em; border-left: 3px solid #d1d9e0; }
details.explanation summary { cursor: pointer; color: #59636e; font-size: 0.9em; }
.source { margin-top: 1.6em; font-size: 0.72em; color: #59636e; }
.source a { color: inherit; }
.nightMode.card, .night_mode.card, .nightMode .card, .night_mode .card {
  color: #e6e6e6;
  background-color: #1f1f22;
}
.nightMode .context, .night_mode .context,
.nightMode details.explanation summary, .night_mode details.explanation summary,
.nightMode .source, .night_mode .source { color: #a3acb6; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3d444d; }
.nightMode details.explanation, .night_mode details.explanation { border-left-color: #3d444d; }
.nightMode code, .night_mode code { background: #2d2f34; }
.nightMode pre, .night_mode pre { background: #26282c; }
.nightMode a, .night_mode a, .nightMode .cloze, .night_mode .cloze { color: #8ab4f8; }
"""

_CONTEXT = '{{#Context}}<div class="context">{{Context}}</div>{{/Context}}\n'
_EXTRAS = (
    '{{#Explanation}}<details class="explanation"><summary>Explanation</summary>'
    '{{Explanation}}</details>{{/Explanation}}\n'
    '{{#Source}}<div class="source">{{Source}}</div>{{/Source}}'
)


def note_types() -> tuple[Any, Any]:
    """New genanki models of our two note types: (Basic, Cloze)."""
    import genanki

    shared = [{"name": "Context"}, {"name": "Explanation"}, {"name": "Source"}]
    basic = genanki.Model(
        BASIC_MODEL_ID, "MLSD Study Basic",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, *shared],
        templates=[{
            "name": "Card 1",
            "qfmt": _CONTEXT + '<div class="prompt">{{Prompt}}</div>',
            "afmt": ('{{FrontSide}}\n<hr id="answer">\n<div class="answer">{{Answer}}</div>\n'
                     + _EXTRAS),
        }],
        css=_CSS)
    cloze = genanki.Model(
        CLOZE_MODEL_ID, "MLSD Study Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}, *[dict(f) for f in shared]],
        templates=[{
            "name": "Cloze",
            "qfmt": _CONTEXT + '<div class="prompt">{{cloze:Text}}</div>',
            "afmt": (_CONTEXT + '<div class="prompt">{{cloze:Text}}</div>\n'
                     '{{#Back Extra}}<hr id="answer">\n'
                     '<div class="answer">{{Back Extra}}</div>{{/Back Extra}}\n' + _EXTRAS),
        }],
        css=_CSS, model_type=genanki.Model.CLOZE)
    return basic, cloze


def basic_ords(model: Any) -> Callable[[list[str]], list[int]]:
    """genanki's cards of a front/back note: one per template whose required fields are set."""
    required = [(ordinal, any if how == "any" else all, indexes)
                for ordinal, how, indexes in model._req]

    def ords(fields: list[str]) -> list[int]:
        return [ordinal for ordinal, test, indexes in required
                if test(fields[i] for i in indexes)]

    return ords


def cloze_fields(model: Any) -> list[int]:
    """The fields genanki reads cloze numbers from: those the first template clozes."""
    qfmt = model.templates[0]["qfmt"]
    names = set(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt)
                + re.findall("<%cloze:(.+?)%>", qfmt))
    indexes = {f["name"]: i for i, f in enumerate(model.fields)}
    return [indexes[name] for name in names if name in indexes]


def cloze_ords(fields: list[str], indexes: list[int]) -> set[int]:
    """genanki's card ordinals of a cloze note: N - 1 for each {{cN::...}} in the (rendered)
    cloze fields; iterated as genanki iterates them (a set), so card ids come out the same."""
    ords: set[int] = set()
    for index in indexes:
        numbers = (int(m.group(1)) for m in CLOZE.finditer(fields[index]))
        ords.update(number - 1 for number in numbers if number > 0)
    return ords

