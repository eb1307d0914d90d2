"""Anki export: a deck (or a branch of it) as an .apkg package, optionally with the user's progress.

genanki builds the collection; we write it ourselves so that the package is compressed, written
atomically, leaves no temporary file behind, and (with progress) carries each card's FSRS state
and review history in the fields Anki reads on "Import any learning progress".
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import html
import json
import math
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from app.clock import from_ms, local_zone
from app.db.store import Store, StoredTopic
from app.db.study import scheduler_settings
from app.decks.render import LINK_OFF_THE_WEB
from app.errors import AppError
from app.model import Deck, TopicId, step_label
from app.scheduling.scheduler import Queue, SchedulerSettings, study_day

__all__ = [
    "BASIC_MODEL_ID",
    "CLOZE_MODEL_ID",
    "ExportError",
    "ExportResult",
    "anki_deck_id",
    "export_deck",
    "note_guid",
]

#: Hard-coded note type ids: never change them, or Anki sees new note types and re-imported
#: notes stop updating the old ones.
BASIC_MODEL_ID = 1301562504
CLOZE_MODEL_ID = 1194083461
TAG = "mlsd"
QUESTIONS_DECK = "Interview questions"

# The package's collection was "created" on this day (creationOffset 0: Anki reads the date in
# UTC, whatever the importing machine's zone); review due days count from it.
_CREATED = datetime(2014, 9, 19, 12, tzinfo=UTC)
_DAY_MS = 86_400_000
# Anki caps a review's recorded time at the deck option "maximum answer seconds" (60 by default).
_ANKI_MAX_ANSWER_MS = 60_000
_ANKI_INITIAL_EASE = 2500
_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::.+?\}\}", re.DOTALL)
_CLOZE_CARD = re.compile(r"^(?P<note>.+)/c(?P<number>\d+)$")


class ExportError(AppError):
    """The package could not be written; the message names the path and what to do."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: counts as Anki will see them (a cloze note with c1 and c2 is 2 cards)."""

    path: Path
    notes: int
    cards: int
    decks: int
    size_bytes: int
    with_progress: bool


# genanki's (and Anki's) base-91 alphabet for GUIDs.
_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")
_BASE91_PAIRS = [high + low for high in _BASE91 for low in _BASE91]
_BASE91_SQUARED = len(_BASE91_PAIRS)


def note_guid(key: str) -> str:
    """The Anki note GUID of one of our stable note keys (a card id, or a cloze note's id).

    Exactly ``genanki.guid_for(key)`` (the first 8 bytes of the key's SHA-256 in base 91),
    computed without its per-byte Python loop: an export pays it once per note.
    """
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    digits: list[str] = []
    while number >= _BASE91_SQUARED:  # two digits a step
        number, pair = divmod(number, _BASE91_SQUARED)
        digits.append(_BASE91_PAIRS[pair])
    if number:  # the leading one or two digits, without a leading zero
        digits.append(_BASE91_PAIRS[number] if number >= len(_BASE91) else _BASE91[number])
    return "".join(reversed(digits))


def anki_deck_id(name: str) -> int:
    """A stable Anki deck id for a deck path, in the range genanki recommends."""
    digest = hashlib.sha256(f"mlsd-study deck\x1f{name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


# --- note types ----------------------------------------------------------------------------------

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


def _models() -> tuple[Any, Any]:
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


# Text that goes through markdown-it even when it is one paragraph: "<" (cmark drops raw HTML
# where we escape it), "~" (cmark writes <del>, markdown-it <s>) and whitespace other than
# space, tab and newlines (the two trim it differently), runs of three or more emphasis
# delimiters and more than four emphasis characters in all (where the two nest <strong> and
# <em> differently: cmark-gfm follows an older CommonMark on flanking punctuation), and images
# and links that are not plainly to a web host (app.decks.render's policy: no <img>, links to
# http(s) only; cmark keeps both).
_SLOW_PATH = re.compile(r"[<~]|[^\S \t\n\r]|\*{3,}|_{3,}|(?s:(?:[*_].*?){5})|!\[|"
                        r"\]\((?!https?://[^\s/?#()<>\\&])")
# The same test, faster: one character class (the characters _SLOW_PATH's first two branches
# match: "<", "~" and every str.isspace() character but space, tab and newlines), then
# substring tests for the delimiter runs. tests hold the two equal.
_SLOW_CHARACTER = re.compile(
    "[<~\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _slow_path(text: str) -> bool:
    """True when ``text`` needs markdown-it (``_SLOW_PATH`` matches it)."""
    return ("***" in text or "___" in text or "![" in text
            or text.count("*") + text.count("_") > 4
            or _SLOW_CHARACTER.search(text) is not None
            or ("](" in text and LINK_OFF_THE_WEB.search(text) is not None))


def _markdown() -> Callable[[str], str]:
    """Deck Markdown -> card HTML.

    Text without "<" goes through cmark-gfm (C, about 25x faster: the bulk of an export's time
    was Markdown); text with "<" goes through markdown-it-py, because cmark *drops* raw HTML
    while we want it shown as text ("<s>" is a token an NLP card may well mention). Both are
    CommonMark renderers with the same extensions; tests hold them equal (the shipped deck,
    generated text). Unusual whitespace also takes the markdown-it path: the two trim it
    differently.
    """
    import cmarkgfm
    from cmarkgfm import _cmark  # type: ignore[attr-defined]

    from app.decks.render import markdown_parser

    # The app's own policy: raw HTML shown as text, links only to the web, no images loaded.
    # Tables and strikethrough on, as the app's own (GitHub-flavoured) view shows them.
    md = markdown_parser()
    extensions = ["table", "strikethrough"]
    to_html, c_string = _cmark.lib.cmark_markdown_to_html, _cmark.ffi.string

    def cmark(text: str) -> str:
        """``cmarkgfm.markdown_to_html(text, options=0)``, without its wrapper's call."""
        encoded = text.encode()
        result: str = c_string(to_html(encoded, len(encoded), 0)).decode()
        return result

    def render(text: str) -> str:
        if not text.strip():
            return ""
        one_paragraph = _one_paragraph(text)
        if one_paragraph and not _slow_path(text):
            # Without "|" no table can start, so the extension-free call (5x cheaper) suffices.
            fast: str = (cmark(text) if "|" not in text else
                         cmarkgfm.markdown_to_html_with_extensions(text, options=0,
                                                                   extensions=extensions))
            return fast.strip()
        if one_paragraph:  # skip block parsing (a third faster)
            inline: str = md.renderInline(text)
            return f"<p>{inline}</p>"
        rendered: str = md.render(text)
        return rendered.strip()

    return render


# What a line may start with to open a block other than a paragraph: a heading, a quote, a
# list, a thematic break, a code fence, a link reference definition, HTML or a table.
_BLOCK_START = frozenset("#>-+*_=`~[<|0123456789")


def _one_paragraph(text: str) -> bool:
    """True when ``text`` is exactly one paragraph: one line, unindented, starting no block."""
    return ("\n" not in text and "\r" not in text and text == text.strip()
            and text[0] not in _BLOCK_START)


# --- what is exported ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Schedule:
    """A card's scheduling state as stored (times in ms since the epoch, UTC)."""

    queue: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int | None
    last_review: int | None
    reps: int
    lapses: int
    suspended: bool


@dataclass(frozen=True, slots=True)
class _Note:
    """A note to write: its stable key (the GUID's source), fields, tags and Anki deck.

    ``fields`` follow both note types' order: prompt (or cloze text), answer (or back extra)
    and explanation are Markdown; context and source are HTML already.
    """

    key: str
    cloze: bool
    fields: tuple[str, str, str, str, str]
    tags: tuple[str, ...]
    deck: str
    # (Anki card ordinal, our card id): 0 for Basic, N - 1 for cloze number N
    cards: tuple[tuple[int, str], ...] = ()


_MARKDOWN_FIELDS = (0, 1)
_EXPLANATION = 3  # Markdown too; the same for every card of a topic, so rendered once
_ACTIVE = "FROM cards WHERE deck_id = ? AND retired = 0"


class _Tree:
    """The deck's active topics as stored, with the Anki deck path of each."""

    def __init__(self, deck: Deck, topics: list[StoredTopic]) -> None:
        self.by_id = {t.id: t for t in topics}
        self.children: defaultdict[TopicId | None, list[StoredTopic]] = defaultdict(list)
        for topic in topics:
            parent = topic.parent_id if topic.parent_id in self.by_id else None
            self.children[parent].append(topic)
        for siblings in self.children.values():
            siblings.sort(key=lambda t: t.position)
        self.root = _deck_part(deck.title) or deck.id
        self.names: dict[TopicId, str] = {}
        stack: list[tuple[TopicId | None, str]] = [(None, self.root)]
        while stack:
            parent, name = stack.pop()
            siblings = self.children.get(parent, [])
            labels = [_deck_part(step_label(t.title, t.step)) or t.id for t in siblings]
            seen = [label.casefold() for label in labels]
            for position, (topic, label) in enumerate(zip(siblings, labels, strict=True), 1):
                if seen.count(label.casefold()) > 1:  # Anki would merge same-named siblings
                    label = f"{label} (item {position} of {len(siblings)})"
                self.names[topic.id] = f"{name}::{label}"
                stack.append((topic.id, self.names[topic.id]))

    def ancestors(self, topic_id: TopicId) -> list[StoredTopic]:
        """The topic's ancestors, root first, and the topic itself last."""
        chain: list[StoredTopic] = []
        current: TopicId | None = topic_id
        while current is not None and current in self.by_id:
            topic = self.by_id[current]
            chain.append(topic)
            current = topic.parent_id
        return chain[::-1]

    def subtree(self, topic_id: TopicId) -> set[TopicId]:
        found: set[TopicId] = set()
        stack = [topic_id]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(t.id for t in self.children.get(current, []))
        return found

    def tags(self, topic_id: TopicId) -> tuple[str, ...]:
        """The step (from the topic's outermost step ancestor) and the topic path."""
        chain = self.ancestors(topic_id)
        step = next((t.step for t in chain if t.step), None)
        path = f"{TAG}::topic::" + "::".join(_tag(t.id) for t in chain)
        return ((f"{TAG}::step-{step}",) if step else ()) + (path,)


def _deck_part(title: str) -> str:
    """A title as one component of an Anki deck name: "::" would start a sub-deck."""
    text = " ".join(title.split())
    return re.sub(r":{2,}", ":", text).strip()


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def _source_html(deck: Deck) -> str:
    source = deck.source
    if not (source.title or source.url or source.author):
        return ""
    title = html.escape(source.title or deck.title)
    url = source.url.strip()
    if url.lower().startswith(("https://", "http://")):
        title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    parts = [f"Source: {title}"]
    if source.author:
        parts.append(f"by {html.escape(source.author)}")
    if source.licence:
        parts.append(f"({html.escape(source.licence)} licence)")
    return " ".join(parts)


def _authored_clozes(deck: Deck) -> dict[str, str]:
    """Cloze note key -> the cloze text as written; a key written twice is left out."""
    found: dict[str, str] = {}
    repeated: set[str] = set()
    for topic, _ in deck.walk():
        for index, card in enumerate(topic.cards):
            if card.cloze:
                key = f"{deck.id}/{topic.id}/cloze/{card.id or index}"
                if key in found:
                    repeated.add(key)
                found[key] = card.cloze
    return {key: text for key, text in found.items() if key not in repeated}


def _cloze_numbers(text: str) -> set[int]:
    return {int(m.group(1)) for m in _CLOZE_NUMBER.finditer(text) if int(m.group(1)) > 0}


def _build_notes(store: Store, deck: Deck, tree: _Tree, scope: set[TopicId],
                 include_questions: bool, schedules: dict[str, _Schedule] | None
                 ) -> deque[_Note]:
    """The notes to write, in outline order; fills ``schedules`` (card id -> state) if given."""
    source = _source_html(deck)
    clozes = _authored_clozes(deck)
    # A cloze note stands for its cards only when the written text gives exactly the cards we
    # have; otherwise (a deck edited since the last sync) each card goes as a Basic note.
    groups: defaultdict[str, dict[int, str]] = defaultdict(dict)
    for card_id, topic_id in store.conn.execute(
            f"SELECT id, topic_id {_ACTIVE} AND kind = 'cloze'", [deck.id]):
        match = _CLOZE_CARD.match(card_id)
        if match and topic_id in scope:
            groups[match.group("note")][int(match.group("number"))] = card_id
    as_cloze = {key for key, members in groups.items()
                if key in clozes and _cloze_numbers(clozes[key]) == set(members)}

    # Tags and breadcrumbs repeat across a topic's cards: built once and shared.
    tags_of: dict[tuple[str, str], tuple[str, ...]] = {}
    escaped: dict[str, str] = {}
    notes: deque[_Note] = deque()
    written: set[str] = set()
    for (card_id, topic_id, kind, context, prompt, answer, queue, step, stability, difficulty,
         due, last_review, reps, lapses, suspended) in store.conn.execute(
            "SELECT id, topic_id, kind, context, prompt, answer, queue, step, stability, "
            f"difficulty, due, last_review, reps, lapses, suspended {_ACTIVE} "
            "ORDER BY ord, id", [deck.id]):
        if topic_id not in scope:
            continue
        if schedules is not None:
            schedules[card_id] = _Schedule(queue, step, stability, difficulty, due, last_review,
                                           reps, lapses, bool(suspended))
        topic = tree.by_id[topic_id]
        tags = tags_of.get((topic_id, kind))
        if tags is None:
            tags = tags_of[topic_id, kind] = (*tree.tags(topic.id), f"{TAG}::kind::{_tag(kind)}")
        # The explanation card's answer is the notes already.
        explanation = "" if kind == "explain" else topic.notes
        shown = escaped.get(context)
        if shown is None:
            shown = escaped[context] = html.escape(context)
        deck_name = tree.names[topic.id]
        match = _CLOZE_CARD.match(card_id) if kind == "cloze" else None
        if match and match.group("note") in as_cloze:
            key = match.group("note")
            if key not in written:  # one note for all of its cloze cards
                written.add(key)
                notes.append(_Note(
                    key, True, (clozes[key], "", shown, explanation, source), tags, deck_name,
                    tuple((number - 1, member) for number, member in groups[key].items())))
            continue
        notes.append(_Note(card_id, False, (prompt, answer, shown, explanation, source), tags,
                           deck_name, ((0, card_id),)))
    if include_questions and deck.questions:
        notes.extend(_question_notes(deck, tree.root, source))
    return notes


def _question_notes(deck: Deck, root: str, source: str) -> Iterator[_Note]:
    """Front: the question's title and prompt; back: the steps to walk through."""
    steps = sorted((t for t, _ in deck.walk() if t.step), key=lambda t: t.step or 0)
    reminder = ("Walk the steps of the flow:\n\n"
                + "\n".join(f"{t.step}. {t.title}" for t in steps)) if steps else ""
    for question in deck.questions:
        # An ATX heading: Markdown escapes the title like any other text.
        front = f"### {question.title}\n\n{question.prompt}"
        where = f"{deck.title} > Interview question" + (
            f" ({question.category})" if question.category else "")
        tags = (f"{TAG}::question",) + (
            (f"{TAG}::category::{_tag(question.category)}",) if question.category else ())
        yield _Note(f"{deck.id}/questions/{question.id}", False,
                    (front, reminder, html.escape(where), "", source),
                    tags, f"{root}::{QUESTIONS_DECK}")


# --- the package ---------------------------------------------------------------------------------

def export_deck(store: Store, deck: Deck, out: Path, *, now: datetime,
                topic_id: str | None = None, topic_ids: frozenset[str] | None = None,
                with_progress: bool = False, include_questions: bool = False,
                progress: Callable[[int, int], None] | None = None,
                local: tzinfo | None = None) -> ExportResult:
    """Write ``deck`` (its active cards, as stored) to the Anki package ``out``.

    Scope: the whole deck, the branch under ``topic_id``, or exactly the topics ``topic_ids``.
    Each note's GUID comes from our stable card id, so importing a later export updates the
    same notes. With ``with_progress`` the package carries each card's schedule and review log
    (Anki applies them when "Import any learning progress" is ticked); review due days are
    counted in study days that start at the rollover hour in ``local`` (default: this
    machine's time zone). ``progress(done, total)`` is called as notes are built.

    Runs in the thread that owns ``store``. The package is built in temporary files beside
    ``out`` and moved into place: on any failure ``out`` is untouched and nothing is left.
    Raises :class:`ExportError` when the file cannot be written or there is nothing to export.
    """
    if topic_id is not None and topic_ids is not None:
        raise ValueError("give topic_id or topic_ids, not both")
    if now.tzinfo is None:
        raise ValueError("naive datetime given to export_deck; pass an aware UTC datetime")
    tree = _Tree(deck, store.topics(deck.id))
    if topic_id is not None:
        if topic_id not in tree.by_id:
            raise ExportError(f"Topic '{topic_id}' is not in the deck '{deck.title}'; pick a "
                              "topic of the deck and export again.")
        scope = tree.subtree(TopicId(topic_id))
    elif topic_ids is not None:
        scope = {TopicId(t) for t in topic_ids if t in tree.by_id}
    else:
        scope = set(tree.by_id)
    schedules: dict[str, _Schedule] | None = {} if with_progress else None
    notes = _build_notes(store, deck, tree, scope, include_questions, schedules)
    if not notes:
        raise ExportError(f"Nothing to export: the selected part of '{deck.title}' has no "
                          "cards. Choose another topic or the whole deck.")
    total = len(notes)
    settings = scheduler_settings(store)
    placed: dict[str, tuple[tuple[int, str], ...]] | None = {} if with_progress else None
    with _scratch(out) as (collection_path, package_path):
        try:
            anki_cards, decks, indexes = _write_collection(
                collection_path, deck, tree.root, notes, now, settings.rollover_hour, progress,
                placed)
            if schedules is not None and placed is not None:
                _carry_progress(collection_path, store, deck.id, settings, placed, schedules,
                                local or local_zone())
            _index(collection_path, indexes)
            _write_package(collection_path, package_path, now)
            os.replace(package_path, out)
            size = out.stat().st_size
        except OSError as exc:
            raise ExportError(_explain(exc, out)) from None
        except sqlite3.Error as exc:  # the collection is written beside out, on the same disk
            raise ExportError(_explain_sqlite(exc, out)) from None
    return ExportResult(path=out, notes=total, cards=anki_cards, decks=decks,
                        size_bytes=size, with_progress=with_progress)


def _write_collection(path: Path, deck: Deck, root: str, notes: deque[_Note], now: datetime,
                      rollover: int, progress: Callable[[int, int], None] | None,
                      placed: dict[str, tuple[tuple[int, str], ...]] | None
                      ) -> tuple[int, int, list[str]]:
    """genanki's collection in the file ``path``; (Anki cards, Anki decks) written, and the
    statements that create its indexes: they are left out until :func:`_index`.

    ``notes`` is consumed, so each note's Markdown is released once it is rendered; ``placed``,
    if given, gets each note's GUID -> (ordinal, our card id) pairs.

    genanki writes the schema, the collection row, the note types and the decks; the notes and
    cards we insert ourselves, row for row what ``genanki.Note.write_to_db`` would write (same
    ids, in deck order, same columns), in two ``executemany`` calls: genanki's per-note objects
    and statements were half of an export's time. ``Package.write_to_file`` would build the
    collection in a ``tempfile.mkstemp`` file that it never deletes, and zip it uncompressed;
    we call ``write_to_db`` on our own file instead.
    """
    import itertools

    import genanki

    render = _markdown()
    basic, cloze = _models()
    decks: dict[str, Any] = {}
    # Anki deck name -> its notes as (guid, model id, tags, fields, sort field, ords, due).
    rows: dict[str, list[tuple[str, int, str, str, str, list[int], int]]] = {}

    def anki_deck(name: str) -> Any:
        if name not in decks:
            parent, _, _ = name.rpartition("::")
            if parent:
                anki_deck(parent)  # parents first, each with its own stable id
            decks[name] = genanki.Deck(anki_deck_id(name), name)
            rows[name] = []
        return decks[name]

    credit = _source_html(deck)
    anki_deck(root).description = render(deck.description) + (
        f"\n<p>{credit}</p>" if credit else "")
    basic_ords = _basic_ords(basic)
    cloze_fields = _cloze_fields(cloze)
    explanations: dict[str, str] = {}
    tag_text: dict[tuple[str, ...], str] = {}
    total = len(notes)
    if progress is not None:
        progress(0, total)
    cards = 0
    for done in range(1, total + 1):
        note = notes.popleft()
        fields = list(note.fields)
        for index in _MARKDOWN_FIELDS:
            fields[index] = render(fields[index])
        notes_text = fields[_EXPLANATION]
        if notes_text not in explanations:
            explanations[notes_text] = render(notes_text)
        fields[_EXPLANATION] = explanations[notes_text]
        tags = tag_text.get(note.tags)
        if tags is None:
            tags = tag_text[note.tags] = _tags_column(note.tags)
        # due: a new card's position, so Anki introduces new cards in outline order.
        guid = note_guid(note.key)
        if note.cloze:
            model = cloze
            ords = list(_cloze_ords(fields, cloze_fields))
        else:
            model = basic
            ords = basic_ords(fields)
        if placed is not None:
            placed[guid] = note.cards
        cards += len(ords)
        target = anki_deck(note.deck)
        target.add_model(model)  # genanki writes the note types of each deck's notes
        rows[note.deck].append((guid, model.model_id, tags, "\x1f".join(fields),
                                fields[model.sort_field_index], ords, done))
        if progress is not None:
            progress(done, total)

    timestamp = now.timestamp()
    conn = sqlite3.connect(path)
    try:
        # A scratch file: no journal, no syncing until it is complete and zipped.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        cursor = conn.cursor()
        ids = itertools.count(int(timestamp * 1000))
        genanki.Package(list(decks.values())).write_to_db(cursor, timestamp, ids)
        indexes = _drop_indexes(cursor)
        _insert_notes(cursor, decks, rows, int(timestamp), ids)
        (conf_text,) = cursor.execute("SELECT conf FROM col").fetchone()
        conf = json.loads(conf_text)
        # Scheduler v2 with explicit day handling: Anki then neither converts the review log
        # as if written by the old 3-button scheduler nor guesses days from the machine's zone.
        conf.update({"schedVer": 2, "creationOffset": 0, "rollover": rollover})
        cursor.execute("UPDATE col SET crt = ?, conf = ?",
                       [int(_CREATED.timestamp()), json.dumps(conf)])
        conn.commit()
    finally:
        conn.close()
    return cards, len(decks), indexes


def _drop_indexes(cursor: sqlite3.Cursor) -> list[str]:
    """Drop genanki's indexes; the statements that make them again, in schema order."""
    found = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND sql IS NOT NULL ORDER BY rowid").fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _insert_notes(cursor: sqlite3.Cursor, decks: dict[str, Any],
                  rows: dict[str, list[tuple[str, int, str, str, str, list[int], int]]],
                  mod: int, ids: Iterator[int]) -> None:
    """The notes and cards as genanki writes them: deck by deck, a note's id then its cards'."""
    note_rows: list[tuple[int, str, int, int, str, str, str]] = []
    card_rows: list[tuple[int, int, int, int, int, int]] = []
    for name, written in rows.items():
        deck_id = decks[name].deck_id
        for guid, model_id, tags, flds, sfld, ords, due in written:
            note_id = next(ids)
            note_rows.append((note_id, guid, model_id, mod, tags, flds, sfld))
            for ordinal in ords:
                card_rows.append((next(ids), note_id, deck_id, ordinal, mod, due))
        written.clear()
    cursor.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')",
                       note_rows)
    note_rows.clear()
    cursor.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, "
                       "0, 0, 0, '')", card_rows)


def _tags_column(tags: tuple[str, ...]) -> str:
    """A note's tags as genanki writes them; it refuses a tag with a space, and so do we."""
    for tag in tags:
        if " " in tag:
            raise ValueError(f'Tag "{tag}" contains a space; this is not allowed!')
    return " " + " ".join(tags) + " "


def _basic_ords(model: Any) -> Callable[[list[str]], list[int]]:
    """genanki's cards of a front/back note: one per template whose required fields are set."""
    required = [(ordinal, any if how == "any" else all, indexes)
                for ordinal, how, indexes in model._req]

    def ords(fields: list[str]) -> list[int]:
        return [ordinal for ordinal, test, indexes in required
                if test(fields[i] for i in indexes)]

    return ords


def _cloze_fields(model: Any) -> list[int]:
    """The fields genanki reads cloze numbers from: those the first template clozes."""
    qfmt = model.templates[0]["qfmt"]
    names = set(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt)
                + re.findall("<%cloze:(.+?)%>", qfmt))
    indexes = {f["name"]: i for i, f in enumerate(model.fields)}
    return [indexes[name] for name in names if name in indexes]


def _cloze_ords(fields: list[str], indexes: list[int]) -> set[int]:
    """genanki's card ordinals of a cloze note: N - 1 for each {{cN::...}} in the (rendered)
    cloze fields; iterated as genanki iterates them (a set), so card ids come out the same."""
    ords: set[int] = set()
    for index in indexes:
        ords.update(int(m) - 1 for m in _CLOZE_REFERENCE.findall(fields[index]) if int(m) > 0)
    return ords


_CLOZE_REFERENCE = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


# --- progress ------------------------------------------------------------------------------------

def _carry_progress(path: Path, store: Store, deck_id: str, settings: SchedulerSettings,
                    placed: dict[str, tuple[tuple[int, str], ...]],
                    ours: dict[str, _Schedule], local: tzinfo) -> None:
    """Give the collection's cards our schedule and review log (genanki writes them all new)."""
    import fsrs

    rollover = settings.rollover_hour
    decay = float(fsrs.Scheduler().parameters[20])
    retention = settings.desired_retention
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        anki_ids: dict[str, int] = {}
        for anki_id, guid, ordinal in conn.execute(
                "SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid"):
            card_id = dict(placed.get(guid, ())).get(ordinal)
            if card_id is not None and card_id in ours:
                anki_ids[card_id] = anki_id
        created = _CREATED.date()
        updates = [(*_anki_state(ours[card_id], settings, retention, decay, created, rollover,
                                 local), anki_id)
                   for card_id, anki_id in anki_ids.items()]
        # A new card keeps genanki's due (its position: outline order).
        conn.executemany("UPDATE cards SET type = ?, queue = ?, due = COALESCE(?, due), "
                         "ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, data = ? "
                         "WHERE id = ?", updates)
        conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
                         "type) VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                         _revlog(store, deck_id, anki_ids))
        conn.commit()
    finally:
        conn.close()


def _study_date(ms: int, local: tzinfo, rollover: int) -> date:
    return study_day(from_ms(ms), local, rollover).start.astimezone(local).date()


def _fsrs_interval(stability: float, retention: float, decay: float) -> float:
    """FSRS's interval in days for a stability at the desired retention (no fuzz, unrounded)."""
    factor = float(0.9 ** (-1 / decay)) - 1
    return stability / factor * (float(retention ** (-1 / decay)) - 1)


def _anki_state(card: _Schedule, settings: SchedulerSettings, retention: float, decay: float,
                created: date, rollover: int, local: tzinfo
                ) -> tuple[int, int, int | None, int, int, int, int, int, str]:
    """(type, queue, due, ivl, factor, reps, lapses, left, data) of an Anki card."""
    queue = Queue(card.queue)
    if card.suspended and (queue == Queue.NEW or card.due is None):
        return 0, -1, None, 0, 0, 0, 0, 0, ""
    if queue == Queue.NEW or card.due is None:
        return 0, 0, None, 0, 0, 0, 0, 0, ""
    data = ""
    if card.stability is not None and card.difficulty is not None:
        # Anki's FSRS memory state, as it stores it in the card's data column.
        memory: dict[str, float | int] = {"s": round(card.stability, 4),
                                          "d": round(card.difficulty, 4),
                                          "dr": round(retention, 4), "decay": round(decay, 4)}
        if card.last_review is not None:
            memory["lrt"] = card.last_review // 1000
        data = json.dumps(memory, separators=(",", ":"))
    if queue == Queue.REVIEW:
        kind, anki_queue, factor, left = 2, 2, _ANKI_INITIAL_EASE, 0
        # Due is a day number counted from the collection's creation date; Anki shifts it by
        # the days between that and its own collection, so "due in N days" is kept.
        due = (_study_date(card.due, local, rollover) - created).days
        ivl = max(1, round((card.due - (card.last_review or card.due)) / _DAY_MS))
    else:
        relearning = queue == Queue.RELEARNING
        steps = settings.relearning_steps if relearning else settings.learning_steps
        kind, anki_queue = (3 if relearning else 1), 1
        due = card.due // 1000  # (re)learning cards are due at a moment, in Unix seconds
        left = max(1, len(steps) - (card.step or 0))
        # Relearning keeps the interval the card returns to: FSRS's for its stability.
        ivl = (max(1, round(_fsrs_interval(card.stability or 0.0, retention, decay)))
               if relearning else 0)
        factor = _ANKI_INITIAL_EASE if relearning else 0
    if card.suspended:
        anki_queue = -1
    return kind, anki_queue, due, ivl, factor, card.reps, card.lapses, left, data


def _revlog(store: Store, deck_id: str, anki_ids: dict[str, int]) -> list[tuple[int, ...]]:
    """Our review log as Anki revlog rows (without usn); ids are unique millisecond stamps."""
    if not anki_ids:
        return []
    rows = store.conn.execute(
        "SELECT card_id, reviewed_at, rating, duration_ms, queue_before, due_before, "
        "last_review_before, queue_after, difficulty_after, due_after FROM review_log "
        "WHERE card_id IN (SELECT id FROM cards WHERE deck_id = ?) ORDER BY reviewed_at, id",
        [deck_id])
    kinds = {Queue.NEW: 0, Queue.LEARNING: 0, Queue.REVIEW: 1, Queue.RELEARNING: 2}
    out: list[tuple[int, ...]] = []
    last_id = 0
    for (card_id, at, rating, duration, q_before, due_before, last_before, q_after,
         difficulty, due_after) in rows:
        anki_id = anki_ids.get(card_id)
        if anki_id is None:
            continue
        log_id = max(at, last_id + 1)  # revlog ids are unique; two answers may share a ms
        last_id = log_id
        before = Queue(q_before)
        if before == Queue.NEW or due_before is None:
            last_ivl = 0
        else:
            last_ivl = _log_interval(before, due_before - (last_before or due_before))
        ivl = _log_interval(Queue(q_after), due_after - at)
        # Anki logs FSRS difficulty shifted to 0.1..1.1, times 1000.
        factor = int(((difficulty - 1) / 9 + 0.1) * 1000) if difficulty is not None else 0
        out.append((log_id, anki_id, rating, ivl, last_ivl, factor,
                    max(0, min(duration, _ANKI_MAX_ANSWER_MS)), kinds[before]))
    return out


def _log_interval(queue: Queue, ms: int) -> int:
    """Anki's revlog interval: days for a review card, negative seconds while (re)learning."""
    if queue == Queue.REVIEW:
        return max(1, round(ms / _DAY_MS))
    return -max(1, math.floor(ms / 1000 + 0.5))


# --- writing -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _scratch(out: Path) -> Iterator[tuple[Path, Path]]:
    """Two temporary files beside ``out``: the collection and the package; always removed.

    Made first, so an unwritable or missing folder is reported before any work is done.
    """
    made: list[Path] = []
    try:
        for suffix in (".collection", ".part"):
            handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=suffix,
                                            dir=out.parent)
            os.close(handle)
            made.append(Path(name))
        yield made[0], made[1]
    except OSError as exc:
        raise ExportError(_explain(exc, out)) from None
    finally:
        for path in made:  # the package was moved into place on success
            with contextlib.suppress(OSError):
                path.unlink()


def _index(collection: Path, indexes: list[str]) -> None:
    """Create the collection's indexes, once its rows are all written.

    Rows go in in key order and each index is built in one sorted pass, so the file comes out
    packed (as a VACUUM would leave it: the package compresses about a fifth smaller) without
    rewriting the whole database.
    """
    conn = sqlite3.connect(collection)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for sql in indexes:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def _write_package(collection: Path, package: Path, now: datetime) -> None:
    """Zip the collection (deflated, entries stamped with ``now``) and flush it to disk."""
    moment = now.astimezone(UTC)
    stamp = (max(1980, moment.year), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    with package.open("wb") as raw:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entry = _entry("collection.anki2", stamp)
            with collection.open("rb") as source, archive.open(entry, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            archive.writestr(_entry("media", stamp), b"{}")
        raw.flush()
        os.fsync(raw.fileno())
    package.chmod(0o644)  # mkstemp makes it private; a package is an ordinary file


# Deflate level 1: at 100,000 notes the package is under 2% bigger than at the default level 6
# (the collection's rows are packed and repetitive), and zipping is about 4x faster.
_ZIP_LEVEL = 1


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    # The level is a private slot before Python 3.13 ("compress_level" from then on).
    setattr(entry, "compress_level" if hasattr(entry, "compress_level") else "_compresslevel",
            _ZIP_LEVEL)
    entry.external_attr = 0o644 << 16
    return entry


def _explain(exc: OSError, out: Path) -> str:
    folder = out.parent
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (f"Cannot write {out}: the disk is full. Free some space, or choose a folder on "
                "another disk, and export again.")
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        return (f"Cannot write {out}: the folder {folder} does not exist. Choose an existing "
                "folder, or create it first.")
    if isinstance(exc, NotADirectoryError):
        return f"Cannot write {out}: {folder} is not a folder. Choose a folder to save into."
    if isinstance(exc, IsADirectoryError) or out.is_dir():
        return f"Cannot write {out}: it is a folder. Choose a file name such as mlsd.apkg."
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Cannot write {out}: you are not allowed to write in {folder}. Choose a folder "
                "you can write to, such as your Documents folder.")
    return (f"Cannot write {out}: {exc.strerror or exc}. Choose another location and export "
            "again.")


def _explain_sqlite(exc: sqlite3.Error, out: Path) -> str:
    if "full" in str(exc):
        return _explain(OSError(errno.ENOSPC, str(exc)), out)
    return (f"Cannot write {out}: {exc}. Check the folder {out.parent} and the space left on "
            "its disk, then export again.")
