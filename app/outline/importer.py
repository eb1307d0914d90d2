"""Markdown outline -> deck: headings, nested lists and tables become topics with stable ids."""

# This module reads the outline file, runs the steps and writes the deck file; the steps live
# beside it: text (the lines before parsing), markdown (tokens -> blocks and their text), tree
# (blocks -> topics; the depth, title and notes limits) and deck_file (the YAML deck file).

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import DeckError, OutlineError, Problem
from app.files import read_capped, read_limit, write_atomic
from app.model import Deck, DeckId, Source
from app.outline.deck_file import printable
from app.outline.gc_pause import gc_paused
from app.outline.markdown import block_tree, one_line
from app.outline.steps import mark_steps
from app.outline.text import clean, front_matter, normalise_lists
from app.outline.tree import (
    MAX_DEPTH,
    Builder,
    Ids,
    cut_title,
    heading_keys,
    joined_notes,
    slug,
    topics,
    unnumbered,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# markdown-it drops what nests deeper than this, so deeper input is refused, never half-read.
# Lists are flattened to MAX_DEPTH before parsing (two levels each), which leaves room for
# quotes and paragraphs.
_MD_NESTING = 2 * MAX_DEPTH + 16
_INLINE_NESTING = 20  # markdown-it's own CommonMark default
_PART_CHARS = 256 * 1024
_REFERENCE = re.compile(r"^ {0,3}\[(?:\\.|[^\\\]])+\]:", re.MULTILINE)


# ---------------------------------------------------------------------------------------------
# Reading and writing files: the thin edge around the pure parser.

def read_outline(path: str | os.PathLike[str]) -> str:
    """An outline file's text; refuses missing, huge, binary and non-UTF-8 files, and anything
    but a regular file (a FIFO, a device), at once and with a place."""
    name = str(path)
    try:
        data = read_capped(path)
    except OSError as exc:
        raise OutlineError([Problem(name, 1, 1, f"cannot read the outline: "
                                    f"{exc.strerror or exc}; check the path")]) from None
    if b"\x00" in data[:8192]:
        raise OutlineError([Problem(name, 1, 1, "this is a binary file, not a Markdown outline; "
                                    "choose the .md file")])
    from app.decks.loader import decode

    try:
        return decode(data, name)
    except DeckError as error:  # not UTF-8: the same message and place as for a deck
        raise OutlineError(list(error.problems)) from None


def load_outline(path: str | os.PathLike[str], *, deck_id: str | None = None,
                 title: str | None = None) -> Deck:
    """The outline file ``path`` read and parsed: :func:`read_outline` then
    :func:`parse_outline`. Touches nothing but the file read."""
    return parse_outline(read_outline(path), str(path), deck_id=deck_id, title=title)


def write_deck_file(target: Path, data: bytes) -> None:
    """Replace ``target`` atomically: a crash leaves the old file or the new one, never half."""
    try:
        write_atomic(target, data, make_folder=True)
    except OSError as exc:
        raise OutlineError([Problem(str(target), 1, 1, f"cannot write the deck file: "
                                    f"{exc.strerror or exc}; nothing was changed. Check that the "
                                    "decks folder is writable")]) from None


# ---------------------------------------------------------------------------------------------
# Parsing: the text in parts through markdown-it, into one tree, into a deck.

def _parts(lines: list[str], cuts: list[int]) -> Iterator[tuple[int, str]]:
    """The text in parts of about _PART_CHARS, each with its first line's index.

    markdown-it holds a token object per element of what it parses, several hundred bytes
    each, so a big outline is parsed part by part. Reference links ("[text][label]" defined
    elsewhere) need the whole text, so an outline with reference definitions is one part.
    """
    text = "\n".join(lines)
    if len(text) <= _PART_CHARS or _REFERENCE.search(text):
        yield 0, text
        return
    begin = previous = length = 0
    for cut in [*cuts, len(lines)]:
        length += sum(len(line) + 1 for line in lines[previous:cut])
        previous = cut
        if cut > begin and (length >= _PART_CHARS or cut == len(lines)):
            yield begin, "\n".join(lines[begin:cut])
            begin, length = cut, 0


def _parser() -> MarkdownIt:
    """CommonMark with tables, raw HTML recognised (so that it can be dropped), and deep
    nesting allowed for blocks only: inline text keeps the usual limit, as the cost of
    unclosed brackets ("![![![...") grows with it."""
    from markdown_it import MarkdownIt

    def deep(state: StateCore) -> None:
        state.md.options["maxNesting"] = _MD_NESTING

    def shallow(state: StateCore) -> None:
        state.md.options["maxNesting"] = _INLINE_NESTING

    parser = MarkdownIt("commonmark", {"maxNesting": _MD_NESTING}).enable("table")
    parser.core.ruler.before("block", "outline_deep_blocks", deep)
    parser.core.ruler.before("inline", "outline_shallow_inline", shallow)
    return parser


def parse_outline(text: str, source: str = "<outline>", *, deck_id: str | None = None,
                  title: str | None = None) -> Deck:
    """A Markdown outline as a deck. Raises :class:`OutlineError` only, with file:line.

    Headings nest by level; list items nest under the heading or item above them; a table's
    rows become child topics. Paragraphs, quotes and code under a heading or item become its
    notes (Markdown, with links, emphasis and code kept; images become their alt text; raw HTML
    and comments are dropped). A parent whose children are all numbered ("1.", "Step 1") is
    ordered, and their numbers leave their titles. Text before the first heading describes the
    deck; a single top-level heading with everything under it becomes the deck itself.
    """
    with gc_paused():  # everything built here lives until the deck is made
        return _parse_outline(text, source, deck_id, title)


def _parse_outline(text: str, source: str, deck_id: str | None, title: str | None) -> Deck:
    from app.decks.loader import ID_PATTERN

    if len(text) > (limit := read_limit()):
        raise OutlineError([Problem(source, 1, 1, f"the outline is longer than {limit:,} "
                                    "characters; split it into several files")])
    lines = clean(text).split("\n")
    skip, front_title = front_matter(lines)
    lines[:skip] = [""] * skip
    lines, cuts = normalise_lists(lines)
    if not any(line.strip() for line in lines):
        raise OutlineError([Problem(source, 1, 1, "the outline is empty; write headings "
                                    "('# Title') or list items ('- item') to import")])

    parser = _parser()
    builder = Builder(heading_keys(lines))
    for first, part in _parts(lines, cuts):
        try:
            tokens = parser.parse(part)
        except RecursionError:
            raise OutlineError([Problem(source, first + 1, 1, "the outline nests too deeply "
                                        "to read; flatten its quotes and lists")]) from None
        for token in tokens:
            if token.map:
                token.map = [token.map[0] + first, token.map[1] + first]
            if token.level >= _MD_NESTING - 1:
                line = token.map[0] + 1 if token.map else first + 1
                raise OutlineError([Problem(source, line, 1, "quotes (or lists inside quotes) "
                                            "nest too deeply here to read; flatten them")])
        builder.document(block_tree(tokens))
    root = builder.finish()

    top = root.children
    description = list(root.notes)
    promoted = ""
    if len(top) == 1 and top[0].level < 7 and top[0].children:
        promoted = top[0].title
        description += top[0].notes
        top = top[0].children
    if not top:
        raise OutlineError([Problem(source, 1, 1, "no headings or list items found; an outline "
                                    "needs '#' headings or '-' / '1.' list items to make topics")])

    name = one_line(printable(Path(source).name))
    deck_title = cut_title(one_line(clean(title or "")) or front_title
                           or unnumbered(promoted or builder.first_h1)
                           or Path(name).stem.strip() or "Outline")
    if deck_id is None:
        deck_id = slug(deck_title, 60) or slug(Path(name).stem, 60) or "outline"
    elif not ID_PATTERN.match(deck_id) or len(deck_id) > 100:
        raise OutlineError([Problem(source, 1, 1, f"deck id '{deck_id}' must be lowercase "
                                    "letters, digits and dashes, starting with a letter or "
                                    "digit, at most 100 characters (like 'my-notes')")])
    ordered = all(node.numbered for node in top)
    built, _flow = mark_steps(topics(top, "", ordered, Ids()), [node.numbered for node in top])
    return Deck(
        id=DeckId(deck_id),
        title=deck_title,
        version=1,
        topics=built,
        description=joined_notes(description),
        source=Source(title=name),
        path=source,
    )
