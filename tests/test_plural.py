"""Counts in messages read as written English: "1 card", "2 cards", never "card(s)"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.plural import counted

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.mark.parametrize(("count", "noun", "plural", "said"), [
    (1, "card", None, "1 card"), (0, "card", None, "0 cards"), (2, "new card", None, "2 new cards"),
    (1, "child", "children", "1 child"), (3, "child", "children", "3 children"),
    (-1, "day", None, "-1 days"),
])
def test_counted(count: int, noun: str, plural: str | None, said: str) -> None:
    assert counted(count, noun, plural) == said


def test_no_message_of_the_app_says_card_s() -> None:
    """Messages count with counted(); "(s)" reads as a form, not a sentence."""
    found = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.replace("http(s)", "")
                if "(s)" in text and " " in text:  # words, not a regex or an identifier
                    found.append(f"{path.relative_to(APP)}:{node.lineno}: {text!r}")
    assert found == []
