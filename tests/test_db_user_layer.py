"""The user layer's rows: saved, edited again, conflicts recorded and settled, deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db import user_layer as layer
from app.db.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_edit_saved_again_keeps_its_base_and_its_open_conflict(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    layer.save_edit(store, "d", "t", "notes", "mine", "built-in v1", T0)
    layer.record_upstream(store, "d", [("t", "notes", "built-in v2"), ("x", "title", "none")])
    layer.save_edit(store, "d", "t", "notes", "mine, again", "built-in v2",
                    T0 + timedelta(minutes=1))
    (edit,) = layer.edits(store, "d")
    assert (edit.value, edit.base, edit.upstream, edit.edited_at) == (
        "mine, again", "built-in v1", "built-in v2", "2026-03-02T09:01:00+00:00")
    assert layer.conflicts(store) == [edit] == layer.conflicts(store, "d")
    assert layer.conflicts(store, "other") == []
    layer.keep_mine(store, "d", "t", "notes")
    (kept,) = layer.edits(store, "d")
    assert (kept.base, kept.upstream) == ("built-in v2", None)
    store.close()
    reopened = Store.open(tmp_path)
    assert layer.edits(reopened, "d") == [kept]
    assert layer.delete_edit(reopened, "d", "t", "notes")
    assert not layer.delete_edit(reopened, "d", "t", "notes")
    assert layer.edits(reopened, "d") == []
    reopened.close()


def test_own_cards_come_in_the_order_they_were_added() -> None:
    store = Store.in_memory()
    for key in ("mine-2", "mine-10", "mine-1"):
        position = layer.next_position(store, "d", "t")
        layer.save_edit(store, "d", "t", f"own:{key}", "{}", None, T0, position)
    assert [e.item for e in layer.edits(store, "d")] == ["own:mine-2", "own:mine-10",
                                                        "own:mine-1"]
    assert layer.next_position(store, "d", "t") == 3
    assert layer.next_position(store, "d", "other") == 0
    layer.record_upstream(store, "d", [("t", "own:mine-2", None)])  # already right: no write
    assert layer.conflicts(store) == []
