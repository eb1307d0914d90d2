"""Only regular files are read, and every read is capped: no file hangs or exhausts a command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from app.db.store import Store
from app.decks.library import USER, sync_decks
from app.errors import DeckError, OutlineError
from app.files import MAX_READ_BYTES, read_capped
from app.instance_lock import InstanceLock
from app.outline.importer import read_outline

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent
DECK = "deck:\n  id: tiny\n  title: Tiny\n  version: 1\ntopics:\n  - id: one\n    title: One\n"

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.md"
    os.mkfifo(path)
    return path


@pytest.fixture
def sparse(tmp_path: Path) -> Path:
    """A 50 MB file that takes no disk space: its size alone must refuse it."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(DECK.encode())
        handle.truncate(50 * 1024 * 1024)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "s.md"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        yield path


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, with a deadline: a hang fails, not blocks."""
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          timeout=30, cwd=REPO, env={**os.environ, **(env or {})}, check=False)


@posix_only
def test_read_capped_names_what_is_not_a_regular_file(
        fifo: Path, unix_socket: Path, tmp_path: Path) -> None:
    cases = {fifo: "a named pipe (FIFO)", unix_socket: "a socket", Path("/dev/zero"): "a device",
             tmp_path: "a folder"}
    for path, kind in cases.items():
        with pytest.raises(OSError) as refused:
            read_capped(path)
        assert refused.value.strerror.startswith(f"{kind}, not a regular file")


def test_read_capped_refuses_by_size_before_reading(sparse: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    with pytest.raises(OSError) as refused:
        read_capped(sparse)
    assert time.perf_counter() - started < 1
    assert "larger than 8 MB (52,428,800 bytes)" in refused.value.strerror
    small = tmp_path / "small.md"
    small.write_bytes(b"x" * 2048)
    assert read_capped(small) == b"x" * 2048
    assert read_capped(small, limit=2048) == b"x" * 2048
    with pytest.raises(OSError):
        read_capped(small, limit=2047)
    monkeypatch.setenv("MLSD_STUDY_MAX_FILE_MB", "0.001")  # 1,048 bytes
    with pytest.raises(OSError, match="MLSD_STUDY_MAX_FILE_MB"):
        read_capped(small)
    monkeypatch.setenv("MLSD_STUDY_MAX_FILE_MB", "lots")  # not a number: the default
    assert len(read_capped(small)) == 2048
    assert MAX_READ_BYTES == 8 * 1024 * 1024


@posix_only
def test_check_deck_refuses_a_fifo_and_dev_zero_at_once(fifo: Path) -> None:
    done = _run("check-deck", str(fifo), "/dev/zero")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (f"{fifo}:1:1: cannot read the file: a named pipe (FIFO), not a regular "
                        "file; only regular files are read")
    assert lines[1].startswith("/dev/zero:1:1: cannot read the file: a device, not a regular")
    assert len(lines) == 2


def test_check_deck_refuses_a_50_mb_deck_within_a_second(
        sparse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    assert main(["check-deck", "--cards", str(sparse)]) == 1
    assert time.perf_counter() - started < 1
    [line] = capsys.readouterr().out.splitlines()
    # A deck may take four times what an outline may (an outline's deck is about twice it).
    assert line.startswith(f"{sparse}:1:1: cannot read the file: the file is larger than 32 MB")


@posix_only
def test_import_of_a_fifo_fails_at_once_and_creates_nothing(fifo: Path, tmp_path: Path) -> None:
    data = tmp_path / "unused"
    done = _run("--data-dir", str(data), "import-outline", str(fifo))
    assert done.returncode == 1
    assert "a named pipe (FIFO), not a regular file" in done.stderr
    assert not data.exists(), "neither the database nor the lock file"


def test_a_failed_import_into_an_unused_folder_creates_nothing(
        tmp_path: Path, sparse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "unused"
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    for outline in (empty, sparse, tmp_path / "missing.md"):
        assert main(["--data-dir", str(data), "import-outline", str(outline)]) == 1
        assert f"mlsd-study: {outline}:1:1: " in capsys.readouterr().err
    assert not data.exists()


def test_the_outline_is_read_before_the_data_folder_is_locked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    outline = tmp_path / "notes.md"
    outline.write_text("# Notes\n\n- One\n- Two\n", encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    with InstanceLock.acquire(data):  # the app is running on this folder
        assert main(["--data-dir", str(data), "import-outline", str(empty)]) == 1
        assert "the outline is empty" in capsys.readouterr().err  # not the lock's refusal
        assert main(["--data-dir", str(data), "import-outline", str(outline)]) == 1
        assert "Another MLSD Study is using" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "import-outline", str(outline)]) == 0
    assert "Imported 'Notes'" in capsys.readouterr().out


@posix_only
def test_read_outline_refuses_special_files_with_a_place(fifo: Path) -> None:
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(OutlineError) as refused:
            read_outline(path)
        [problem] = refused.value.problems
        assert (problem.path, problem.line) == (str(path), 1)
        assert "not a regular file" in problem.message


@posix_only
def test_start_up_sync_skips_special_and_huge_deck_files(tmp_path: Path, sparse: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "good.yaml").write_text(DECK, encoding="utf-8")
    sparse.rename(decks / "huge.yaml")
    os.mkfifo(decks / "pipe.yaml")
    os.symlink("/dev/zero", decks / "zero.yaml")
    store = Store.open(tmp_path / "data")
    try:
        started = time.perf_counter()
        report = sync_decks(store, [(decks, USER)], NOW)
        assert time.perf_counter() - started < 1
    finally:
        store.close()
    assert report.decks == ("tiny",)
    [problem] = report.problems  # the FIFO and the device are not deck files: not listed
    assert problem.path == str(decks / "huge.yaml")
    assert "larger than 32 MB" in problem.message  # the deck limit: 4 x 8 MB


def test_load_path_refuses_a_device_as_a_deck_error() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    from app.decks.loader import load_path

    with pytest.raises(DeckError, match="a device, not a regular file"):
        load_path("/dev/zero")
