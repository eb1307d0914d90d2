"""Markdown blocks -> the outline tree -> topics with stable ids, within the import's bounds."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.model import Topic, TopicId
from app.outline.markdown import (
    Block,
    anchor_only,
    escape,
    has_links,
    markdown,
    markdown_of,
    one_line,
    plain,
    plain_of,
    render,
    render_table,
    table_rows,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

#: Topics nested deeper are flattened into this level (deck files allow far more: MAX_NESTING
#: in app/decks/yaml_nodes.py).
MAX_DEPTH = 60
#: Titles longer than this are cut with "…"; the full text stays in the notes.
MAX_TITLE = 200
#: One topic's notes longer than this are cut at a line break with a note saying so.
MAX_NOTES = 100_000

_KEY_LIMIT = 1000  # characters of a title that make its id; long enough to tell titles apart

# "Step 1 ...", "Phase 2: ...", "1. ...", "2) ...", "1.2 ...": a numbered item of a sequence.
_NUMBERED = re.compile(
    r"^(?:(?:step|stage|phase|part)\s+\d{1,4}\b\s*[.):\-–—]?"
    r"|\d{1,4}(?:\.\d{1,4})*[.)]|\d{1,4}(?:\.\d{1,4})+)(?:\s+|$)",
    re.IGNORECASE)


# A task-list box ("[ ] Write tests") and the punctuation that ends a clause ("ML objective,").
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
_TRAILING = re.compile(r"\s*[,;:.]+$")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)$")
# What markup a heading line may hold, for knowing the headings before parsing.
_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*_`]")


def tidy_title(text: str) -> str:
    """A title without a task-list box or the punctuation that ends a clause ("Requirements;");
    an ellipsis stays."""
    text = _CHECKBOX.sub("", text)
    if not _ELLIPSIS.search(text):
        text = _TRAILING.sub("", text) or text
    return text


def title_key(text: str) -> str:
    """What tells titles apart when comparing them: no number, case, markup or punctuation."""
    text = _MARKS.sub("", _INLINE_LINK.sub(r"\1", text))
    return " ".join(re.findall(r"\w+", unnumbered(one_line(text)).casefold()))


def heading_keys(lines: list[str]) -> frozenset[str]:
    """The :func:`title_key` of every '#' heading of the text, found before parsing, so that a
    table of contents above them is known as one."""
    return frozenset(key for line in lines if line.lstrip(" ").startswith("#")
                     and (match := _ATX.match(line)) and (key := title_key(match[1])))


# ---------------------------------------------------------------------------------------------
# The outline tree.

@dataclass(eq=False)
class Node:
    title: str
    line: int
    level: int  # heading level; 7 for list items and table rows, 0 for the document
    parent: Node | None = None
    depth: int = 0
    numbered: bool = False  # an item of a sequence: from a "1." list, or "Step 1" in its title
    text_numbered: bool = False  # the number is part of the title (and leaves it when ordered)
    notes: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def adopt(self, child: Node) -> Node:
        """Add ``child`` here, or to the deepest allowed ancestor when this is too deep."""
        parent: Node = self
        while parent.depth >= MAX_DEPTH and parent.parent is not None:
            parent = parent.parent
        child.parent, child.depth = parent, parent.depth + 1
        parent.children.append(child)
        return child

    def note(self, text: str) -> None:
        if text.strip():
            self.notes.append(text.strip("\n"))


class Builder:
    """Grows the tree from a document's blocks, given part by part in order."""

    def __init__(self, headings: frozenset[str] = frozenset()) -> None:
        self.root = Node("", 1, 0)
        self.headings = [self.root]
        self.first_h1 = ""
        self.heading_keys = headings  # the document's headings: a list of them is its contents
        self.contents: list[Node] = []  # where a table of contents was dropped

    def document(self, blocks: list[Block]) -> None:
        """Add the blocks of (a part of) the document, below the headings open so far."""
        headings = self.headings
        for block in blocks:
            if block.kind == "heading":
                level = int(block.token.tag[1:] or 1)
                while headings[-1].level >= level:
                    headings.pop()
                title = tidy_title(plain(block.inline()))
                if not title:
                    continue  # an empty heading closes the sections above it, nothing more
                if level == 1 and not self.first_h1:
                    self.first_h1 = title
                node = headings[-1].adopt(Node(title, block.line, level))
                node.numbered = node.text_numbered = bool(_NUMBERED.match(title))
                if has_links(block.inline()) or len(title) > MAX_TITLE:
                    node.note(markdown(block.inline()))
                headings.append(node)
            else:
                self.content(block, headings[-1])

    def content(self, block: Block, parent: Node) -> None:
        if block.kind in ("bullet_list", "ordered_list"):
            if self._contents(block):
                self.contents.append(parent)
                return
            for item in block.children:
                self.item(item, parent, block.kind == "ordered_list")
        elif block.kind == "table":
            self.table(block, parent)
        else:
            parent.note(render(block))

    def finish(self) -> Node:
        """The tree, without the headings that held only a table of contents."""
        for node in self.contents:
            if node.parent is not None and not node.children and not node.notes:
                node.parent.children.remove(node)
        return self.root

    def _contents(self, block: Block) -> bool:
        """Whether a list is the document's table of contents: its first entry and at least
        three in four of its entries link within the document or repeat one of its headings.
        (Only the list's own entries are read, the first one first: a list that starts as
        no table of contents does costs one check.)"""
        entries = hits = 0
        for item in block.children:
            first = item.children[0] if item.children else None
            if first is None or first.kind != "paragraph":
                continue
            entries += 1
            inline = first.inline()
            hit = anchor_only(inline) or title_key(plain(inline)) in self.heading_keys
            if not hit and entries == 1:
                return False
            hits += hit
        return entries >= 2 and hits * 4 >= entries * 3

    def item(self, item: Block, parent: Node, ordered: bool) -> None:
        blocks = item.children
        first = blocks[0] if blocks else None
        title = ""
        lead = ""
        if first is not None and first.kind == "paragraph":
            title, lead = _item_title(first.inline())
            blocks = blocks[1:]
        elif first is not None and first.kind == "heading":
            title = plain(first.inline())
            if has_links(first.inline()) or len(title) > MAX_TITLE:
                lead = markdown(first.inline())
            blocks = blocks[1:]
        elif first is not None and first.kind not in ("bullet_list", "ordered_list"):
            text = render(first)
            title = next((one_line(line) for line in _block_text(first) if line.strip()), "")
            if title:
                lead, blocks = text, blocks[1:]
        title = tidy_title(title)
        if not title:  # nothing to call it: its content belongs to the parent
            for block in blocks:
                self.content(block, parent)
            return
        node = parent.adopt(Node(title, item.line, 7))
        # In a "1." list the number is the marker: "1. 3.5 million users" keeps its text.
        node.text_numbered = not ordered and bool(_NUMBERED.match(title))
        node.numbered = ordered or node.text_numbered
        node.note(lead)
        for block in blocks:
            self.content(block, node)

    def table(self, block: Block, parent: Node) -> None:
        """One child per row, titled by its first cell, the others as "Header: value" notes;
        a table that links to the document's own headings (its contents) is dropped."""
        rows = list(table_rows(block))
        headers = [plain(c) for c in rows[0][2]] if rows and rows[0][0] else []
        body = [row for row in rows if not row[0]]
        if not body:
            parent.note(render_table(block))
            return
        linking = sum(any(anchor_only(cell) or (cell is not None and title_key(plain(cell))
                                                in self.heading_keys) for cell in cells)
                      for _h, _l, cells in body)
        if linking >= 2 and linking * 4 >= len(body) * 3:
            self.contents.append(parent)
            return
        for _header, line, cells in body:
            texts = [plain(cell) for cell in cells]
            first = next((i for i, text in enumerate(texts) if text), None)
            if first is None:
                continue
            title = tidy_title(texts[first])
            node = parent.adopt(Node(title, line, 7))
            node.numbered = node.text_numbered = bool(_NUMBERED.match(title))
            lines = []
            for index, cell in enumerate(cells):
                text = markdown(cell)
                if index == first and (len(texts[first]) > MAX_TITLE or has_links(cell)):
                    lines.append(f"- {text}")
                elif index != first and text:
                    name = headers[index] if index < len(headers) else ""
                    lines.append(f"- {escape(name, False)}: {text}" if name else f"- {text}")
            node.note("\n".join(lines))


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
        first, after = plain_of(children[:breaks[0]]), plain_of(children[breaks[0] + 1:])
        wrapped = (children[breaks[0]].type == "softbreak" and after[:1].islower()
                   and not first.endswith(":"))
        if first and after and not wrapped:
            head, rest = children[:breaks[0]], children[breaks[0] + 1:]
    title = plain_of(head)
    if not rest:
        return title, (markdown(inline) if has_links(inline) or len(title) > MAX_TITLE
                       else "")
    title = title.removesuffix(":").rstrip() or title  # "Recall:" followed by its definition
    # Each line break of the source is a break token unless code or HTML spans lines; then
    # the source cannot be cut at the first one and the notes are rebuilt from the tokens.
    lines: list[str | None] = [None, None]
    if len(breaks) == inline.content.count("\n"):
        lines = list(inline.content.split("\n", 1))
    notes = [markdown_of(rest, lines[1])]
    if any(c.type == "link_open" for c in head) or len(title) > MAX_TITLE:
        notes.insert(0, markdown_of(head, lines[0]))
    return title, "\n\n".join(notes)


def _block_text(block: Block) -> list[str]:
    """The lines of text in a block, for naming a list item that starts with one."""
    if block.kind in ("fence", "code_block"):
        return block.token.content.split("\n")
    if block.kind in ("paragraph", "heading"):
        return [plain(block.inline())]
    if block.kind == "table":
        return [" ".join(plain(c) for c in cells) for _h, _l, cells in table_rows(block)]
    return [line for child in block.children for line in _block_text(child)]


# ---------------------------------------------------------------------------------------------
# Stable ids, titles and topics.

def _key(title: str) -> str:
    return one_line(unnumbered(title)).casefold()[:_KEY_LIMIT]


def unnumbered(title: str) -> str:
    match = _NUMBERED.match(title)
    rest = title[match.end():].strip() if match else ""
    return rest or title


def slug(text: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text[:limit * 4]).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:limit].rstrip("-")


def cut_title(text: str, limit: int = MAX_TITLE) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def joined_notes(notes: list[str]) -> str:
    text = "\n\n".join(notes)
    if len(text) <= MAX_NOTES:
        return text
    cut = text.rfind("\n", 0, MAX_NOTES)
    kept = text[:cut if cut > MAX_NOTES // 2 else MAX_NOTES].rstrip()
    return (f"{kept}\n\n… (cut here: the outline has more text under this heading than the "
            f"{MAX_NOTES:,} characters a topic keeps)")


class Ids:
    """Topic ids from the path of titles: the same path gives the same id on every import."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, title: str, path: str) -> TopicId:
        digest = hashlib.sha1(path.encode("utf-8"), usedforsecurity=False).hexdigest()
        stem = slug(unnumbered(title), 40) or "topic"
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


def topics(nodes: list[Node], path: str, ordered: bool, ids: Ids) -> tuple[Topic, ...]:
    """The nodes as topics; ``path`` is their parent's place, ``ordered`` its ordering."""
    seen: Counter[str] = Counter()
    built = []
    for node in nodes:
        key = _key(node.title)
        seen[key] += 1
        here = f"{path}\x1e{key}" + (f"\x1f{seen[key]}" if seen[key] > 1 else "")
        numbered_children = bool(node.children) and all(c.numbered for c in node.children)
        title = unnumbered(node.title) if ordered and node.text_numbered else node.title
        built.append(Topic(
            id=ids.make(node.title, here),
            title=cut_title(title),
            notes=joined_notes(node.notes),
            ordered=numbered_children,
            children=topics(node.children, here, numbered_children, ids),
            line=node.line,
        ))
    return tuple(built)
