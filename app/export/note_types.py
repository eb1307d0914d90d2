"""Our Anki note types, Basic and Cloze: fixed ids, templates, CSS, and the cards a note makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["BASIC_MODEL_ID", "CLOZE_MODEL_ID", "card_ords", "note_types"]

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


def card_ords(model: Any) -> Callable[[list[str]], list[int]]:
    """The card ordinals genanki makes for a note of ``model`` with these (rendered) fields,
    in its order: it decides which cards exist, and Anki numbers card ids in that order.

    Asked of genanki's public ``Note.cards``. A Basic note's cards depend only on which fields
    are empty, so genanki is asked once per pattern; a cloze note's on its cloze numbers, so
    once per note (a few hundred at most, where Basic notes number up to 100,000).
    """
    import genanki

    if model.model_type == genanki.Model.CLOZE:
        def cloze(fields: list[str]) -> list[int]:
            return [card.ord for card in genanki.Note(model=model, fields=fields).cards]

        return cloze

    known: dict[tuple[bool, ...], tuple[int, ...]] = {}

    def front_back(fields: list[str]) -> list[int]:
        filled = tuple(bool(field) for field in fields)
        ords = known.get(filled)
        if ords is None:
            probe = genanki.Note(model=model, fields=["x" if f else "" for f in filled])
            ords = known[filled] = tuple(card.ord for card in probe.cards)
        return list(ords)

    return front_back
