"""The collector pause around an import's big allocations leaves the collector as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from app.errors import OutlineError
from app.model import Deck
from app.outline import importer
from app.outline.gc_pause import gc_paused
from app.outline.importer import parse_outline


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_on_after_even_on_an_error() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(OutlineError), gc_paused():
        parse_outline("   \n", "empty.md")
    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_parsing_runs_paused_and_turns_it_back_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    parse = importer._parse_outline

    def watched(*args: Any) -> Deck:
        seen.append(gc.isenabled())
        return parse(*args)

    monkeypatch.setattr(importer, "_parse_outline", watched)
    deck = importer.parse_outline("# Deck\n\n## One\n\n- a\n- b\n", "deck.md")
    assert [t.title for t in deck.topics] == ["One"]
    assert seen == [False] and gc.isenabled()
