"""The installed app on a real X server (Xvfb) with Qt's xcb plugin, as on a desktop: start,
paint, quit; and at QT_SCALE_FACTOR=2 the same layout at twice the size."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.desktop_check import preflight

pytestmark = pytest.mark.gui  # needs Qt's libraries and Xvfb, not only Python

XVFB = shutil.which("Xvfb")
#: The installed app as a person starts it: the console script pip puts beside the interpreter.
APP = Path(sys.executable).parent / "mlsd-study"
if not sys.platform.startswith("linux"):
    pytest.skip("the xcb platform is Linux's", allow_module_level=True)
if XVFB is None:
    pytest.skip("Xvfb not installed: `apt-get install xvfb` (as .ci/run does) runs these "
                "tests on a real X server", allow_module_level=True)
if not APP.is_file():
    pytest.skip(f"no installed app: {APP} is missing (installing the project into the "
                "environment that runs the tests puts it there, as .ci/run's "
                "`pip install -e '.[test]'` does)", allow_module_level=True)

STARTUP = re.compile(r"^startup_ms=\d+$", re.MULTILINE)


@contextmanager
def xvfb(tmp_path: Path, size: str) -> Iterator[str]:
    """An Xvfb server of ``size`` (e.g. 1280x800): its DISPLAY. Xvfb picks a free display
    number and writes it to ``-displayfd`` once it accepts connections, so nothing is guessed
    and nothing sleeps."""
    assert XVFB is not None
    log = tmp_path / f"xvfb-{size}.log"
    read, write = os.pipe()
    try:
        with log.open("wb") as output:
            server = subprocess.Popen(
                [XVFB, "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten",
                 "tcp"], pass_fds=(write,), stdout=output, stderr=subprocess.STDOUT)
    finally:
        os.close(write)
    try:
        number = b""
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read], [], [], max(left, 0))
            chunk = os.read(read, 16) if ready else b""
            if not chunk:
                pytest.fail(f"Xvfb did not start within 30 s: {log.read_text(errors='replace')}")
            number += chunk
        yield f":{int(number)}"
    finally:
        os.close(read)
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with xvfb(tmp_path_factory.mktemp("xvfb"), "1280x800") as name:
        verdict = preflight({"DISPLAY": name})
        if not verdict.start:
            pytest.skip(f"Qt's xcb plugin cannot run here (.ci/run installs its libraries "
                        f"with apt): {verdict.message}")
        yield name


def app_env(tmp_path: Path, display: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "MLSD_STUDY_DATA",
                        "QT_SCALE_FACTOR")}
    env.update(DISPLAY=display, XDG_DATA_HOME=str(tmp_path / "xdg-data"), **extra)
    return env


def start_up(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``mlsd-study --quit-after-startup`` in a fresh data folder, started outside the checkout:
    open, paint, quit."""
    data = tmp_path / f"data-{len(list(tmp_path.glob('data-*')))}"
    return subprocess.run([str(APP), "--data-dir", str(data), "--quit-after-startup"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def assert_started(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert STARTUP.search(result.stdout), result.stdout
    # As qt_log_level_fail = WARNING does in-process: any Qt message here is a failure.
    assert result.stderr == "", result.stderr


@pytest.mark.parametrize("platform", ["xcb", None], ids=["QT_QPA_PLATFORM=xcb", "unset"])
def test_the_app_starts_paints_and_quits_on_a_real_x_server(tmp_path: Path, display: str,
                                                            platform: str | None) -> None:
    extra = {"QT_QPA_PLATFORM": platform} if platform else {}
    assert_started(start_up(tmp_path, app_env(tmp_path, display, **extra)))


def test_the_app_starts_at_scale_factor_2(tmp_path: Path, display: str) -> None:
    env = app_env(tmp_path, display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="2")
    assert_started(start_up(tmp_path, env))


# --- screenshots ---------------------------------------------------------------------------------

def screenshot(tmp_path: Path, display: str, scale: str) -> tuple[Path, int, int]:
    """Run the app on ``display`` at ``scale`` until two screenshots in a row are the same and
    not blank; save it as PNG. Returns the file and the size of the window in it (the root
    window is black around it: there is no window manager)."""
    env = app_env(tmp_path, display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale)
    with subprocess.Popen([str(APP), "--data-dir", str(tmp_path / f"data-scale-{scale}")],
                          cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as app:
        try:
            previous = b""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert app.poll() is None, app.communicate()[1]
                # PPM: the pixels with a plain header (a PNG would carry its creation time).
                shot = subprocess.run(["import", "-display", display, "-window", "root",
                                       "ppm:-"], capture_output=True, check=True,
                                      timeout=60).stdout
                pixels = shot.split(b"\n", 3)[3]
                if shot == previous and pixels.strip(b"\0"):
                    break
                previous = shot
            else:
                pytest.fail("the window did not settle within 60 s")
        finally:
            app.terminate()
    png = tmp_path / f"main-window-scale-{scale}.png"
    subprocess.run(["convert", "ppm:-", str(png)], input=shot, check=True, timeout=60)
    trimmed = subprocess.run(["convert", "ppm:-", "-trim", "-format", "%w %h", "info:"],
                             input=shot, capture_output=True, check=True, timeout=60)
    width, height = trimmed.stdout.split()
    return png, int(width), int(height)


def test_at_scale_factor_2_the_window_is_the_same_layout_twice_as_large(
        tmp_path: Path, display: str) -> None:
    if shutil.which("import") is None or shutil.which("convert") is None:
        pytest.skip("ImageMagick not installed (`apt-get install imagemagick`): no screenshot")
    one, width, height = screenshot(tmp_path, display, "1")
    with xvfb(tmp_path, "2560x1600") as large:  # a HiDPI screen, where scale 2 belongs
        two, width2, height2 = screenshot(tmp_path, large, "2")
    assert one.stat().st_size > 10_000 and two.stat().st_size > 10_000
    assert (width, height) != (1, 1), "the screenshot at scale 1 is blank"
    assert abs(width2 - 2 * width) <= 4 and abs(height2 - 2 * height) <= 4, \
        ((width, height), (width2, height2))
