"""Atomic writes: the old file or the new one, never half, and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared import refuse_folder_fsync

from app.files import replace_durably, write_atomic


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


def test_a_refused_folder_sync_after_the_rename_is_not_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refuse_folder_fsync(monkeypatch)
    target = tmp_path / "deck.yaml"
    target.write_bytes(b"old")
    write_atomic(target, b"new")  # the file is in place: reporting a failure would mislead
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]
    source = tmp_path / "next"
    source.write_bytes(b"next")
    replace_durably(source, target)
    assert target.read_bytes() == b"next" and not source.exists()
    assert len(refused) == 2  # the folder sync was tried each time


def test_a_move_between_folders_syncs_both(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refuse_folder_fsync(monkeypatch)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    source = tmp_path / "a" / "deck.yaml"
    source.write_bytes(b"deck")
    replace_durably(source, tmp_path / "b" / "deck.yaml")
    assert (tmp_path / "b" / "deck.yaml").read_bytes() == b"deck" and not source.exists()
    assert len(refused) == 2  # the folder the file left and the one it went to
