"""Atomic writes: the old file or the new one, never half, and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.files import write_atomic


def test_write_atomic_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]


def test_a_failed_rename_keeps_the_old_target_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("kept")
    with pytest.raises(OSError):
        write_atomic(target, b"data")  # a folder cannot be replaced by a file
    assert (target / "inside").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_missing_folder_is_an_error_unless_asked_to_make_it(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.md"
    with pytest.raises(FileNotFoundError):
        write_atomic(target, b"x")
    assert not (tmp_path / "missing").exists()
    write_atomic(target, b"x", make_folder=True)
    assert target.read_bytes() == b"x"
