"""Markdown outline -> deck: headings, nested lists and tables become topics with stable ids."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from app.errors import DeckError, OutlineError, Problem
from app.model import Deck, DeckId, Source, Topic, TopicId

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

__all__ = [
    "IMPORT_MARKER",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NOTES",
    "MAX_TITLE",
    "imported_from",
    "outline_to_yaml",
    "parse_outline",
    "printable",
    "read_outline",
    "write_deck_file",
]

#: Outlines larger than this are refused: split them into several files.
MAX_BYTES = 8 * 1024 * 1024
#: Topics nested deeper are flattened into this level (deck files allow far more; see decks.py).
MAX_DEPTH = 60
#: Titles longer than this are cut with "…"; the full text stays in the notes.
MAX_TITLE = 200
#: One topic's notes longer than this are cut at a line break with a note saying so.
MAX_NOTES = 100_000
#: The first line of every deck file written by an import; a file without it is not replaced.
IMPORT_MARKER = "# Imported from a Markdown outline by MLSD Study."

# markdown-it drops what nests deeper than this, so deeper input is refused, never half-read.
# Lists are flattened to MAX_DEPTH before parsing (two levels each), which leaves room for
# quotes and paragraphs.
_MD_NESTING = 2 * MAX_DEPTH + 16
_INLINE_NESTING = 20  # markdown-it's own CommonMark default
_KEY_LIMIT = 1000  # characters of a title that make its id; long enough to tell titles apart
_SOURCE_LINE = "# source: "
_PART_CHARS = 256 * 1024

# "Step 1 ...", "Phase 2: ...", "1. ...", "2) ...", "1.2 ...": a numbered item of a sequence.
_NUMBERED = re.compile(
    r"^(?:(?:step|stage|phase|part)\s+\d{1,4}\b\s*[.):\-–—]?"
    r"|\d{1,4}(?:\.\d{1,4})*[.)]|\d{1,4}(?:\.\d{1,4})+)(?:\s+|$)",
    re.IGNORECASE)
# Characters no deck file may hold (YAML refuses them) or that only confuse line counting.
_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_ODD_BREAKS = str.maketrans({"\x85": " ", "\u2028": " ", "\u2029": " "})
_LIST_LINE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)")
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}(?=[^`]*$)|~{3,})")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_INTERRUPTS = re.compile(r"^[ \t]*(?:#{1,6}(?:[ \t]|$)|>)")
# HTML that may hold blank lines (and so '#' lines that are not headings) until it closes.
_RAW_HTML = re.compile(r"^[ \t]*(?:(<!--)(?!.*-->)|<(?=(script|pre|style|textarea)\b))",
                       re.IGNORECASE)
_REFERENCE = re.compile(r"^ {0,3}\[(?:\\.|[^\\\]])+\]:", re.MULTILINE)
_FRONT_KEY = re.compile(r"^[A-Za-z_][\w.-]*\s*[:=]")
_FRONT_TITLE = re.compile(r"^title\s*[:=]\s*(.*?)\s*$")
_ESCAPED = re.compile(r"([\\`*_\[\]<>])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(?:[#>+\-=~|]|\d+[.)])")


# ---------------------------------------------------------------------------------------------
# Reading and writing files: the thin edge around the pure parser.

def read_outline(path: str | os.PathLike[str]) -> str:
    """An outline file's text; refuses missing, huge, binary and non-UTF-8 files with a place."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise OutlineError([Problem(name, 1, 1, f"cannot read the outline: "
                                    f"{exc.strerror or exc}; check the path")]) from None
    if len(data) > MAX_BYTES:
        raise OutlineError([Problem(name, 1, 1, f"the outline is larger than "
                                    f"{MAX_BYTES // (1024 * 1024)} MB; split it into several "
                                    "files and import each")])
    if b"\x00" in data[:8192]:
        raise OutlineError([Problem(name, 1, 1, "this is a binary file, not a Markdown outline; "
                                    "choose the .md file")])
    from app.decks import decode

    try:
        return decode(data, name)
    except DeckError as error:  # not UTF-8: the same message and place as for a deck
        raise OutlineError(list(error.problems)) from None


def write_deck_file(target: Path, data: bytes) -> None:
    """Replace ``target`` atomically: a crash leaves the old file or the new one, never half."""
    folder = target.parent
    temp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The temporary name ends in .tmp, which the deck loader never reads.
        fd, temp = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        temp = None
        _fsync_folder(folder)
    except OSError as exc:
        raise OutlineError([Problem(str(target), 1, 1, f"cannot write the deck file: "
                                    f"{exc.strerror or exc}; nothing was changed. Check that the "
                                    "decks folder is writable")]) from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; folders cannot be opened for this on Windows, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def printable(text: str) -> str:
    """``text`` safe for one line of a deck file: line breaks and undecodable bytes become "?"."""
    return "".join(c if c.isprintable() else "?" for c in text)


def imported_from(deck_text: str) -> str | None:
    """The outline a deck file was imported from ("" if it does not say), or None when the
    file was not written by an import (a hand-written deck)."""
    lines = deck_text.splitlines()
    if not lines or not lines[0].startswith(IMPORT_MARKER):
        return None
    for line in lines[1:8]:
        if line.startswith(_SOURCE_LINE):
            return line[len(_SOURCE_LINE):]
    return ""


# ---------------------------------------------------------------------------------------------
# Text clean-up before parsing: every step keeps the line numbers of the file.

def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _JUNK.sub("", text.translate(_ODD_BREAKS))


def _front_matter(lines: list[str]) -> tuple[int, str]:
    """How many lines of YAML (---) or TOML (+++) front matter open the file, and its title."""
    if not lines or lines[0].rstrip() not in ("---", "+++"):
        return 0, ""
    fence = lines[0].rstrip()
    closers = ("---", "...") if fence == "---" else ("+++",)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in closers:
            break
    else:
        return 0, ""
    body = [line for line in lines[1:end] if line.strip()]
    if body and not _FRONT_KEY.match(body[0]):
        return 0, ""  # a thematic break and a heading or text, not front matter
    title = ""
    for line in body:
        match = _FRONT_TITLE.match(line)
        if match:
            title = match[1]
            if len(title) >= 2 and title[0] == title[-1] and title[0] in "'\"":
                title = title[1:-1]
            break
    return end + 1, _one_line(title)


def _columns(text: str, start: int = 0) -> int:
    """The width of leading whitespace, with tabs to the next multiple of 4 from ``start``."""
    column = start
    for char in text:
        column = column + 4 - column % 4 if char == "\t" else column + 1
    return column - start


@dataclass
class _Open:
    """A list item still open while re-indenting: where it was and where it is now."""

    marker: int  # column of the marker in the file
    content: int  # column of its text in the file
    new_marker: int
    new_content: int


def _normalise_lists(lines: list[str]) -> tuple[list[str], list[int]]:
    """Re-indent list items so that nesting follows indentation, as people mean it.

    CommonMark nests a sub-list only when it is indented to its parent's text, so the common
    "1. Step" followed by a sub-list indented by two spaces is not nested. Here any item
    indented by two columns or more (a tab counts as four) more than the item above becomes
    its child, paragraphs after a blank line stay in the item they are indented under, and
    lists deeper than MAX_DEPTH continue at that depth. Line numbers do not change.

    Also returns the lines where the text can be cut into parts that parse alone: top-level
    '#' headings after a blank line, outside any list, code fence or HTML comment.
    """
    out: list[str] = []
    cuts: list[int] = []
    stack: list[_Open] = []
    blank = True
    shift = 0  # what the last placed line moved by; its continuation lines move with it
    fence: tuple[str, int, int] | None = None  # (char, length, shift) of an open code fence
    html_end = ""  # the text that closes an open HTML comment or <pre>-like block

    def place(column: int) -> int:
        while stack and column < stack[-1].marker + 2:
            stack.pop()
        if not stack:
            return 0
        return stack[-1].new_content + max(0, column - stack[-1].content) - column

    for number, line in enumerate(lines):
        body = line.lstrip(" \t")
        indent = len(line) - len(body)
        column = _columns(line[:indent])
        if fence is not None:
            out.append(_shifted(body, column + fence[2]))
            stripped = body.rstrip()
            if stripped and stripped == fence[0] * len(stripped) and len(stripped) >= fence[1]:
                fence = None
            continue
        if html_end:
            out.append(line)
            if html_end in line.casefold():
                html_end = ""
            blank = not body
            continue
        if not body:
            out.append("")
            blank = True
            continue
        item = _LIST_LINE.match(line)
        opening = _FENCE_OPEN.match(line)
        raw = _RAW_HTML.match(line) if column < 4 else None
        closing = f"</{raw[2].casefold()}>" if raw and raw[2] else "-->"
        if raw and (raw[1] or closing not in line.casefold()):
            html_end = closing
            out.append(line)
        elif _THEMATIC_BREAK.match(line):
            stack.clear()
            shift = 0
            out.append(line)
        elif opening:
            shift = place(column)
            marks = opening[1]
            fence = (marks[0], len(marks), shift)
            out.append(_shifted(body, column + shift))
        elif item and (stack or column < 4):
            while stack and column < stack[-1].marker + 2:
                stack.pop()
            if len(stack) >= MAX_DEPTH:
                new_marker = stack.pop().new_marker  # too deep: a sibling of the deepest item
            else:
                new_marker = stack[-1].new_content if stack else column
            marker_end = column + len(item[2])
            gap = _columns(item[3], marker_end)
            rest = line[item.end():]
            if not rest.strip() or gap > 4:
                gap = 1  # an empty item, or text indented as code: the item's text is one space in
            content = marker_end + gap
            shift = new_marker - column
            stack.append(_Open(column, content, new_marker, content + shift))
            out.append(" " * new_marker + item[2] + " " * _columns(item[3], marker_end)
                       + rest if rest.strip() else " " * new_marker + item[2])
        elif blank or _INTERRUPTS.match(line):
            shift = place(column)
            if blank and not stack and column < 4 and body.startswith("#"):
                cuts.append(number)
            out.append(_shifted(body, column + shift))
        else:  # a continuation line moves with the line it continues
            out.append(_shifted(body, column + shift))
        blank = False
    return out, cuts


def _shifted(body: str, column: int) -> str:
    return " " * max(0, column) + body


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


# ---------------------------------------------------------------------------------------------
# Tokens -> a tree of blocks.

@dataclass(eq=False)
class _Block:
    kind: str
    token: Token
    children: list[_Block] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.token.map[0] + 1 if self.token.map else 0

    def inline(self) -> Token | None:
        for child in self.children:
            if child.kind == "inline":
                return child.token
        return None


def _block_tree(tokens: list[Token]) -> list[_Block]:
    root: list[_Block] = []
    stack: list[list[_Block]] = [root]
    for token in tokens:
        if token.nesting == 1:
            block = _Block(token.type.removesuffix("_open"), token)
            stack[-1].append(block)
            stack.append(block.children)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].append(_Block(token.type, token))
    return root


# ---------------------------------------------------------------------------------------------
# Inline text: plain for titles, Markdown for notes.

def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain(inline: Token | None) -> str:
    """The text a reader sees: emphasis, links and code marks gone, images as their alt text."""
    return _plain_of(inline.children or []) if inline is not None else ""


def _plain_of(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _one_line("".join(parts))


def _has_links(inline: Token | None) -> bool:
    return inline is not None and any(c.type == "link_open" for c in inline.children or ())


def _markdown(inline: Token | None) -> str:
    """Inline Markdown with links, emphasis and code kept; images become their alt text and
    raw HTML is dropped. Text without any of those is kept exactly as written."""
    if inline is None:
        return ""
    return _markdown_of(inline.children or [], inline.content)


def _markdown_of(children: list[Token], written: str | None) -> str:
    """``written`` (the source of ``children``, if known) when it holds nothing to drop, else
    the Markdown rebuilt from the tokens."""
    if written is not None and not any(c.type in ("image", "html_inline", "link_open")
                                       for c in children):
        return written.strip()
    parts: list[str] = []
    links: list[Token] = []
    line_start = True
    for child in children:
        kind = child.type
        if kind in ("text", "image"):
            text = _escape(child.content, line_start)
            parts.append(text)
            line_start = line_start and not text
            continue
        line_start = False
        if kind == "code_inline":
            parts.append(_code_span(child.content))
        elif kind == "softbreak":
            parts.append("\n")
            line_start = True
        elif kind == "hardbreak":
            parts.append("\\\n")
            line_start = True
        elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
            parts.append(child.markup)
        elif kind == "link_open":
            links.append(child)
            parts.append("[")
        elif kind == "link_close" and links:
            parts.append("](" + _destination(links.pop()) + ")")
    return "".join(parts).strip()


def _item_title(inline: Token | None) -> tuple[str, str]:
    """A list item's title and the notes its first paragraph adds.

    The first line is the title and the lines after it are notes ("- Precision" then "The
    share of ..."), unless the next line only continues a wrapped sentence (it starts in
    lower case and the first line does not end with ':'): then the paragraph is the title.
    Links in the title and text cut from a long title are kept in the notes.
    """
    if inline is None:
        return "", ""
    children = inline.children or []
    breaks = [i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")]
    head, rest = children, []
    if breaks and sum(c.nesting for c in children[:breaks[0]]) == 0:
        first, after = _plain_of(children[:breaks[0]]), _plain_of(children[breaks[0] + 1:])
        wrapped = (children[breaks[0]].type == "softbreak" and after[:1].islower()
                   and not first.endswith(":"))
        if first and after and not wrapped:
            head, rest = children[:breaks[0]], children[breaks[0] + 1:]
    title = _plain_of(head)
    if not rest:
        return title, (_markdown(inline) if _has_links(inline) or len(title) > MAX_TITLE
                       else "")
    title = title.removesuffix(":").rstrip() or title  # "Recall:" followed by its definition
    # Each line break of the source is a break token unless code or HTML spans lines; then
    # the source cannot be cut at the first one and the notes are rebuilt from the tokens.
    lines: list[str | None] = [None, None]
    if len(breaks) == inline.content.count("\n"):
        lines = list(inline.content.split("\n", 1))
    notes = [_markdown_of(rest, lines[1])]
    if any(c.type == "link_open" for c in head) or len(title) > MAX_TITLE:
        notes.insert(0, _markdown_of(head, lines[0]))
    return title, "\n\n".join(notes)


def _escape(text: str, line_start: bool) -> str:
    text = _ENTITY.sub("\\\\&", _ESCAPED.sub(r"\\\1", text))
    if text.endswith("!"):
        text = text[:-1] + "\\!"  # or a following link would become an image
    if line_start:
        match = _LINE_START.match(text)
        if match:
            cut = match.end() - 1
            text = text[:cut] + "\\" + text[cut:]
    return text


def _code_span(code: str) -> str:
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith(("`", " ")) or code.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _destination(link: Token) -> str:
    href = str(link.attrs.get("href", ""))
    if not href or any(c in href for c in " ()<>\n"):
        href = "<" + href.replace("\\", "\\\\").replace("<", "%3C").replace(">", "%3E") + ">"
    title = str(link.attrs.get("title", "") or "")
    if title:
        href += ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return href


# ---------------------------------------------------------------------------------------------
# Blocks that are not topics -> Markdown notes.

def _render(block: _Block) -> str:
    kind = block.kind
    token = block.token
    if kind == "paragraph":
        return _markdown(block.inline())
    if kind == "heading":
        plain = _plain(block.inline())
        return f"**{_escape(plain, False)}**" if plain else ""
    if kind == "fence":
        content = token.content if token.content.endswith("\n") or not token.content \
            else token.content + "\n"
        return f"{token.markup}{token.info}\n{content}{token.markup}"
    if kind == "code_block":
        longest = max((len(run) for run in re.findall("(?m)^ *(`+)", token.content)), default=0)
        ticks = "`" * max(3, longest + 1)
        return f"{ticks}\n{token.content.rstrip()}\n{ticks}" if token.content.strip() else ""
    if kind == "blockquote":
        inner = _render_all(block.children)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n")) \
            if inner else ""
    if kind in ("bullet_list", "ordered_list"):
        return _render_list(block)
    if kind == "table":
        return _render_table(block)
    return ""  # raw HTML, comments and rules are dropped


def _render_all(blocks: list[_Block]) -> str:
    return "\n\n".join(text for text in map(_render, blocks) if text)


def _render_list(block: _Block) -> str:
    start = int(block.token.attrs.get("start", 1) or 1)
    lines: list[str] = []
    for number, item in enumerate(block.children, start):
        marker = f"{number}{block.token.markup or '.'}" if block.kind == "ordered_list" else "-"
        body = _render_all(item.children).split("\n")
        pad = " " * (len(marker) + 1)
        lines.append(f"{marker} {body[0]}".rstrip())
        lines.extend(pad + line if line else "" for line in body[1:])
    return "\n".join(lines)


def _table_rows(block: _Block) -> Iterator[tuple[bool, int, list[Token | None]]]:
    """(is the header, line, cell inline tokens) for every row of a table."""
    for section in block.children:
        for row in section.children:
            if row.kind == "tr":
                yield section.kind == "thead", row.line, [c.inline() for c in row.children]


def _render_table(block: _Block) -> str:
    lines = []
    for header, _line, cells in _table_rows(block):
        texts = [_markdown(cell).replace("|", "\\|") for cell in cells]
        lines.append("| " + " | ".join(texts) + " |")
        if header:
            lines.append("|" + " --- |" * len(cells))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The outline tree.

@dataclass(eq=False)
class _Node:
    title: str
    line: int
    level: int  # heading level; 7 for list items and table rows, 0 for the document
    parent: _Node | None = None
    depth: int = 0
    numbered: bool = False  # an item of a sequence: from a "1." list, or "Step 1" in its title
    text_numbered: bool = False  # the number is part of the title (and leaves it when ordered)
    notes: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def adopt(self, child: _Node) -> _Node:
        """Add ``child`` here, or to the deepest allowed ancestor when this is too deep."""
        parent: _Node = self
        while parent.depth >= MAX_DEPTH and parent.parent is not None:
            parent = parent.parent
        child.parent, child.depth = parent, parent.depth + 1
        parent.children.append(child)
        return child

    def note(self, text: str) -> None:
        if text.strip():
            self.notes.append(text.strip("\n"))


class _Builder:
    def __init__(self) -> None:
        self.root = _Node("", 1, 0)
        self.headings = [self.root]
        self.first_h1 = ""

    def document(self, blocks: list[_Block]) -> None:
        """Add the blocks of (a part of) the document, below the headings open so far."""
        headings = self.headings
        for block in blocks:
            if block.kind == "heading":
                level = int(block.token.tag[1:] or 1)
                while headings[-1].level >= level:
                    headings.pop()
                title = _plain(block.inline())
                if not title:
                    continue  # an empty heading closes the sections above it, nothing more
                if level == 1 and not self.first_h1:
                    self.first_h1 = title
                node = headings[-1].adopt(_Node(title, block.line, level))
                node.numbered = node.text_numbered = bool(_NUMBERED.match(title))
                if _has_links(block.inline()) or len(title) > MAX_TITLE:
                    node.note(_markdown(block.inline()))
                headings.append(node)
            else:
                self.content(block, headings[-1])

    def content(self, block: _Block, parent: _Node) -> None:
        if block.kind in ("bullet_list", "ordered_list"):
            for item in block.children:
                self.item(item, parent, block.kind == "ordered_list")
        elif block.kind == "table":
            self.table(block, parent)
        else:
            parent.note(_render(block))

    def item(self, item: _Block, parent: _Node, ordered: bool) -> None:
        blocks = item.children
        first = blocks[0] if blocks else None
        title = ""
        lead = ""
        if first is not None and first.kind == "paragraph":
            title, lead = _item_title(first.inline())
            blocks = blocks[1:]
        elif first is not None and first.kind == "heading":
            title = _plain(first.inline())
            if _has_links(first.inline()) or len(title) > MAX_TITLE:
                lead = _markdown(first.inline())
            blocks = blocks[1:]
        elif first is not None and first.kind not in ("bullet_list", "ordered_list"):
            text = _render(first)
            title = next((_one_line(line) for line in _block_text(first) if line.strip()), "")
            if title:
                lead, blocks = text, blocks[1:]
        if not title:  # nothing to call it: its content belongs to the parent
            for block in blocks:
                self.content(block, parent)
            return
        node = parent.adopt(_Node(title, item.line, 7))
        # In a "1." list the number is the marker: "1. 3.5 million users" keeps its text.
        node.text_numbered = not ordered and bool(_NUMBERED.match(title))
        node.numbered = ordered or node.text_numbered
        node.note(lead)
        for block in blocks:
            self.content(block, node)

    def table(self, block: _Block, parent: _Node) -> None:
        rows = list(_table_rows(block))
        headers = [(_markdown(c) or f"Column {i + 1}") for i, c in enumerate(rows[0][2])] \
            if rows and rows[0][0] else []
        body = [row for row in rows if not row[0]]
        if not body:
            parent.note(_render_table(block))
            return
        for _header, line, cells in body:
            plain = [_plain(cell) for cell in cells]
            first = next((i for i, text in enumerate(plain) if text), None)
            if first is None:
                continue
            node = parent.adopt(_Node(plain[first], line, 7))
            node.numbered = node.text_numbered = bool(_NUMBERED.match(plain[first]))
            lines = []
            for index, cell in enumerate(cells):
                text = _markdown(cell)
                if index == first and (len(plain[first]) > MAX_TITLE or _has_links(cell)):
                    lines.append(f"- {text}")
                elif index != first and text:
                    name = headers[index] if index < len(headers) else f"Column {index + 1}"
                    lines.append(f"- {name}: {text}")
            node.note("\n".join(lines))


def _block_text(block: _Block) -> list[str]:
    """The lines of text in a block, for naming a list item that starts with one."""
    if block.kind in ("fence", "code_block"):
        return block.token.content.split("\n")
    if block.kind in ("paragraph", "heading"):
        return [_plain(block.inline())]
    if block.kind == "table":
        return [" ".join(_plain(c) for c in cells) for _h, _l, cells in _table_rows(block)]
    return [line for child in block.children for line in _block_text(child)]


# ---------------------------------------------------------------------------------------------
# Stable ids, titles and the deck.

def _key(title: str) -> str:
    return _one_line(_unnumbered(title)).casefold()[:_KEY_LIMIT]


def _unnumbered(title: str) -> str:
    match = _NUMBERED.match(title)
    rest = title[match.end():].strip() if match else ""
    return rest or title


def _slug(text: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text[:limit * 4]).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:limit].rstrip("-")


def _cut(text: str, limit: int = MAX_TITLE) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _joined_notes(notes: list[str]) -> str:
    text = "\n\n".join(notes)
    if len(text) <= MAX_NOTES:
        return text
    cut = text.rfind("\n", 0, MAX_NOTES)
    kept = text[:cut if cut > MAX_NOTES // 2 else MAX_NOTES].rstrip()
    return (f"{kept}\n\n… (cut here: the outline has more text under this heading than the "
            f"{MAX_NOTES:,} characters a topic keeps)")


class _Ids:
    """Topic ids from the path of titles: the same path gives the same id on every import."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, title: str, path: str) -> TopicId:
        digest = hashlib.sha1(path.encode("utf-8"), usedforsecurity=False).hexdigest()
        stem = _slug(_unnumbered(title), 40) or "topic"
        for size in (8, 12, 16, 40):
            candidate = f"{stem}-{digest[:size]}"
            if candidate not in self.used:
                break
        else:  # the same title under the same path twice is told apart before this
            number = 2
            while f"{candidate}-{number}" in self.used:
                number += 1
            candidate = f"{candidate}-{number}"
        self.used.add(candidate)
        return TopicId(candidate)


def _topics(nodes: list[_Node], path: str, ordered: bool, ids: _Ids) -> tuple[Topic, ...]:
    seen: Counter[str] = Counter()
    built = []
    for node in nodes:
        key = _key(node.title)
        seen[key] += 1
        here = f"{path}\x1e{key}" + (f"\x1f{seen[key]}" if seen[key] > 1 else "")
        numbered_children = bool(node.children) and all(c.numbered for c in node.children)
        title = _unnumbered(node.title) if ordered and node.text_numbered else node.title
        built.append(Topic(
            id=ids.make(node.title, here),
            title=_cut(title),
            notes=_joined_notes(node.notes),
            ordered=numbered_children,
            children=_topics(node.children, here, numbered_children, ids),
            line=node.line,
        ))
    return tuple(built)


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
    from app.decks import ID_PATTERN

    if len(text) > MAX_BYTES:
        raise OutlineError([Problem(source, 1, 1, f"the outline is longer than {MAX_BYTES:,} "
                                    "characters; split it into several files")])
    lines = _clean(text).split("\n")
    skip, front_title = _front_matter(lines)
    lines[:skip] = [""] * skip
    lines, cuts = _normalise_lists(lines)
    if not any(line.strip() for line in lines):
        raise OutlineError([Problem(source, 1, 1, "the outline is empty; write headings "
                                    "('# Title') or list items ('- item') to import")])

    parser = _parser()
    builder = _Builder()
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
        builder.document(_block_tree(tokens))
    root = builder.root

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

    name = _one_line(printable(Path(source).name))
    deck_title = _cut(_one_line(_clean(title or "")) or front_title or promoted or builder.first_h1
                      or Path(name).stem.strip() or "Outline")
    if deck_id is None:
        deck_id = _slug(deck_title, 60) or _slug(Path(name).stem, 60) or "outline"
    elif not ID_PATTERN.match(deck_id) or len(deck_id) > 100:
        raise OutlineError([Problem(source, 1, 1, f"deck id '{deck_id}' must be lowercase "
                                    "letters, digits and dashes, starting with a letter or "
                                    "digit, at most 100 characters (like 'my-notes')")])
    ordered = all(node.numbered for node in top)
    return Deck(
        id=DeckId(deck_id),
        title=deck_title,
        version=1,
        topics=_topics(top, "", ordered, _Ids()),
        description=_joined_notes(description),
        source=Source(title=name),
        path=source,
    )


# ---------------------------------------------------------------------------------------------
# Deck -> YAML text in the documented format.

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # PyYAML without libyaml: the same output, slower
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Block style, no aliases, multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: _Dumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data,
                                   style="|" if "\n" in data else None)


_Dumper.add_representer(str, _represent_text)


def _topic_data(topic: Topic) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(topic.id), "title": topic.title}
    if topic.notes:
        data["notes"] = topic.notes
    if topic.ordered:
        data["ordered"] = True
    if topic.children:
        data["children"] = [_topic_data(child) for child in topic.children]
    return data


def outline_to_yaml(deck: Deck, *, source: str | None = None) -> str:
    """The deck as a YAML deck file, headed by where it came from and how to re-import it.

    ``source`` (default: ``deck.path``) names the outline in the header.
    """
    origin = printable(source or deck.path)
    meta: dict[str, Any] = {"id": str(deck.id), "title": deck.title, "version": deck.version}
    if deck.description:
        meta["description"] = deck.description
    credit = {k: v for k, v in vars(deck.source).items() if v}
    if credit:
        meta["source"] = credit
    body = yaml.dump({"deck": meta, "topics": [_topic_data(t) for t in deck.topics]},
                     Dumper=_Dumper, default_flow_style=False, allow_unicode=True,
                     sort_keys=False, width=1_000_000)
    header = (
        f"{IMPORT_MARKER} Edit the outline and import it again:\n"
        "# that replaces this file and keeps your progress on every topic whose place and\n"
        "# title are unchanged. Format: decks/README.md.\n"
        f"{_SOURCE_LINE}{origin}\n"
        f"#   mlsd-study import-outline {shlex.quote(origin)} --id {deck.id}\n"
    )
    return header + body
