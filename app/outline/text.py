"""An outline's text before markdown-it: clean-up, front matter, list re-indentation, cuts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.outline.markdown import one_line
from app.outline.tree import MAX_DEPTH

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
_FRONT_KEY = re.compile(r"^[A-Za-z_][\w.-]*\s*[:=]")
_FRONT_TITLE = re.compile(r"^title\s*[:=]\s*(.*?)\s*$")

# Every step here keeps the line numbers of the file: problems and topics point into it.


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _JUNK.sub("", text.translate(_ODD_BREAKS))


def front_matter(lines: list[str]) -> tuple[int, str]:
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
    return end + 1, one_line(title)


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


def normalise_lists(lines: list[str]) -> tuple[list[str], list[int]]:
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
