"""One process per data folder: the lock file refuses a second holder and dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.instance_lock import LOCK_NAME, InstanceLock, InstanceLockError

REPO = Path(__file__).resolve().parent.parent
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock")

# A second process trying the lock: prints the refusal and exits 1, or prints "locked".
TRY_LOCK = """
import sys
from pathlib import Path
from app.instance_lock import InstanceLock, InstanceLockError
try:
    InstanceLock.acquire(Path(sys.argv[1]))
except InstanceLockError as error:
    print(error)
    sys.exit(1)
print("locked")
"""

# A process that takes the lock, says so, and holds it until its stdin closes.
HOLD_LOCK = """
import sys
from pathlib import Path
from app.instance_lock import InstanceLock
lock = InstanceLock.acquire(Path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.read()
"""


def _python(code: str, data: Path, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, str(data)], cwd=REPO, text=True,
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock on tmp_path/data."""
    process = _python(HOLD_LOCK, tmp_path / "data", stdin=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == "locked\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()


def test_the_lock_creates_the_folder_and_names_its_holder(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    with InstanceLock.acquire(data) as lock:
        assert lock.held
        assert (data / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert not lock.held


def test_a_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with InstanceLock.acquire(data), pytest.raises(InstanceLockError) as refused:
        InstanceLock.acquire(data)
    assert str(refused.value) == (
        f"Another MLSD Study is using {data} (pid {os.getpid()}). Close it first, or start "
        "this one with --data-dir pointing to another folder.")


def test_a_second_process_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with InstanceLock.acquire(data):
        out, err = _python(TRY_LOCK, data).communicate(timeout=60)
    assert err == ""
    assert out == (f"Another MLSD Study is using {data} (pid {os.getpid()}). Close it first, "
                   "or start this one with --data-dir pointing to another folder.\n")


def test_release_lets_the_next_process_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lock = InstanceLock.acquire(data)
    lock.release()
    lock.release()  # idempotent
    assert (data / LOCK_NAME).read_text() == ""  # no stale pid left for the next refusal
    process = _python(TRY_LOCK, data)
    assert process.communicate(timeout=60)[0] == "locked\n"
    assert process.returncode == 0


@posix_only
@pytest.mark.parametrize("ending", ["exits", "is killed"])
def test_the_lock_dies_with_its_holder(holder: subprocess.Popen[str], tmp_path: Path,
                                       ending: str) -> None:
    data = tmp_path / "data"
    with pytest.raises(InstanceLockError, match=rf"\(pid {holder.pid}\)"):
        InstanceLock.acquire(data)
    if ending == "exits":
        holder.communicate(input="", timeout=60)
        assert holder.returncode == 0
    else:
        holder.send_signal(signal.SIGKILL)  # no cleanup runs: the kernel drops the lock
        holder.communicate(timeout=60)
        assert holder.returncode == -signal.SIGKILL
    with InstanceLock.acquire(data) as lock:
        assert lock.held


def test_a_folder_that_cannot_exist_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InstanceLockError, match=r"Cannot create the lock file .*--data-dir"):
        InstanceLock.acquire(blocker / "data")
