"""markdown-it tokens as a tree of blocks, and their text: plain for titles, Markdown for notes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.decks.render import is_web_link

if TYPE_CHECKING:
    from markdown_it.token import Token

_ESCAPED = re.compile(r"([\\`*_\[\]<>])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(?:[#>+\-=~|]|\d+[.)])")


# ---------------------------------------------------------------------------------------------
# Tokens -> a tree of blocks.

@dataclass(eq=False)
class Block:
    kind: str
    token: Token
    children: list[Block] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.token.map[0] + 1 if self.token.map else 0

    def inline(self) -> Token | None:
        for child in self.children:
            if child.kind == "inline":
                return child.token
        return None


def block_tree(tokens: list[Token]) -> list[Block]:
    root: list[Block] = []
    stack: list[list[Block]] = [root]
    for token in tokens:
        if token.nesting == 1:
            block = Block(token.type.removesuffix("_open"), token)
            stack[-1].append(block)
            stack.append(block.children)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].append(Block(token.type, token))
    return root


# ---------------------------------------------------------------------------------------------
# Inline text: plain for titles, Markdown for notes.

def one_line(text: str) -> str:
    return " ".join(text.split())


def plain(inline: Token | None) -> str:
    """The text a reader sees: emphasis, links and code marks gone, images as their alt text."""
    return plain_of(inline.children or []) if inline is not None else ""


def plain_of(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return one_line("".join(parts))


def has_links(inline: Token | None) -> bool:
    """Whether ``inline`` holds a web link, which notes keep (other links keep their text)."""
    return inline is not None and any(
        c.type == "link_open" and is_web_link(str(c.attrs.get("href", "")))
        for c in inline.children or ())


def anchor_only(inline: Token | None) -> bool:
    """Whether ``inline`` is nothing but one link within the document ("[Setup](#setup)"),
    as the entries of a table of contents are."""
    if inline is None:
        return False
    children = [c for c in inline.children or () if not (c.type == "text" and
                                                        not c.content.strip())]
    return (len(children) >= 3 and children[0].type == "link_open"
            and children[-1].type == "link_close"
            and str(children[0].attrs.get("href", "")).startswith("#")
            and sum(c.type == "link_open" for c in children) == 1)


def markdown(inline: Token | None) -> str:
    """Inline Markdown with links, emphasis and code kept; images become their alt text and
    raw HTML is dropped. Text without any of those is kept exactly as written."""
    if inline is None:
        return ""
    return markdown_of(inline.children or [], inline.content)


def markdown_of(children: list[Token], written: str | None) -> str:
    """``written`` (the source of ``children``, if known) when it holds nothing to drop, else
    the Markdown rebuilt from the tokens."""
    if written is not None and not any(c.type in ("image", "html_inline", "link_open")
                                       for c in children):
        return written.strip()
    parts: list[str] = []
    links: list[Token | None] = []  # per open link: the link kept, or None for its text only
    line_start = True
    for child in children:
        kind = child.type
        if kind in ("text", "image"):
            text = escape(child.content, line_start)
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
            # Only web links stay links: the app shows any other ("#anchor", "../file.md",
            # "mailto:") as the Markdown written, so those keep their text alone.
            kept = is_web_link(str(child.attrs.get("href", "")))
            links.append(child if kept else None)
            if kept:
                parts.append("[")
        elif kind == "link_close" and links:
            link = links.pop()
            if link is not None:
                parts.append("](" + _destination(link) + ")")
    return "".join(parts).strip()


def escape(text: str, line_start: bool) -> str:
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

def render(block: Block) -> str:
    kind = block.kind
    token = block.token
    if kind == "paragraph":
        return markdown(block.inline())
    if kind == "heading":
        text = plain(block.inline())
        return f"**{escape(text, False)}**" if text else ""
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
        return render_table(block)
    return ""  # raw HTML, comments and rules are dropped


def _render_all(blocks: list[Block]) -> str:
    return "\n\n".join(text for text in map(render, blocks) if text)


def _render_list(block: Block) -> str:
    start = int(block.token.attrs.get("start", 1) or 1)
    lines: list[str] = []
    for number, item in enumerate(block.children, start):
        marker = f"{number}{block.token.markup or '.'}" if block.kind == "ordered_list" else "-"
        body = _render_all(item.children).split("\n")
        pad = " " * (len(marker) + 1)
        lines.append(f"{marker} {body[0]}".rstrip())
        lines.extend(pad + line if line else "" for line in body[1:])
    return "\n".join(lines)


def table_rows(block: Block) -> Iterator[tuple[bool, int, list[Token | None]]]:
    """(is the header, line, cell inline tokens) for every row of a table."""
    for section in block.children:
        for row in section.children:
            if row.kind == "tr":
                yield section.kind == "thead", row.line, [c.inline() for c in row.children]


def render_table(block: Block) -> str:
    lines = []
    for header, _line, cells in table_rows(block):
        texts = [markdown(cell).replace("|", "\\|") for cell in cells]
        lines.append("| " + " | ".join(texts) + " |")
        if header:
            lines.append("|" + " --- |" * len(cells))
    return "\n".join(lines)
