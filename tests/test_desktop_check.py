"""The pre-flight check before Qt loads: libraries, display, Wayland, and the one-line messages."""

from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from app import desktop_check
from app.desktop_check import (
    EXIT_NO_DESKTOP,
    SYSTEM_LIBRARIES,
    WAYLAND,
    XCB,
    Unloadable,
    XDisplay,
    check_desktop,
    install_commands,
    missing_libraries,
    missing_message,
    needed_libraries,
    parse_display,
    plugin_problems,
    preflight,
    system_needs,
    table_needs,
    wayland_problem,
    x_display_problem,
)

REPO = Path(__file__).resolve().parent.parent
TABLE = {library.soname for library in SYSTEM_LIBRARIES}
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the check runs on Linux only")


# --- helpers -------------------------------------------------------------------------------------

def fake_elf(needed: Sequence[str], *, wide: bool = True, little: bool = True) -> bytes:
    """A minimal ELF shared object whose dynamic section names ``needed``."""
    order = "<" if little else ">"
    dynstr, offsets = b"\0", []
    for name in needed:
        offsets.append(len(dynstr))
        dynstr += name.encode() + b"\0"
    entry = order + ("qQ" if wide else "iI")
    dynamic = b"".join(struct.pack(entry, 1, at) for at in offsets) + struct.pack(entry, 0, 0)
    header_size, section_size = (64, 64) if wide else (52, 40)
    strings_at, dynamic_at = header_size, header_size + len(dynstr)
    sections_at = dynamic_at + len(dynamic)
    section = order + ("IIQQQQIIQQ" if wide else "IIIIIIIIII")
    sections = (struct.pack(section, *[0] * 10)
                + struct.pack(section, 0, 3, 0, 0, strings_at, len(dynstr), 0, 0, 1, 0)
                + struct.pack(section, 0, 6, 0, 0, dynamic_at, len(dynamic), 1, 0, 8,
                              struct.calcsize(entry)))
    ident = b"\x7fELF" + bytes([2 if wide else 1, 1 if little else 2, 1]) + bytes(9)
    rest = ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")
    header = ident + struct.pack(order + rest, 3, 62, 1, 0, 0, sections_at, 0, header_size,
                                 0, 0, section_size, 3, 0)
    assert len(header) == header_size
    return header + dynstr + dynamic + sections


def write_elf(path: Path, needed: Sequence[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fake_elf(needed))
    return path


@pytest.fixture
def qt(tmp_path: Path) -> Path:
    """A stand-in for PySide6's Qt folder: two plugins and the Qt libraries behind them."""
    root = tmp_path / "Qt"
    write_elf(root / "plugins" / "platforms" / "libqxcb.so",
              ["libQt6XcbQpa.so.6", "libQt6Gui.so.6", "libc.so.6"])
    write_elf(root / "lib" / "libQt6XcbQpa.so.6",
              ["libQt6Gui.so.6", "libxcb-icccm.so.4", "libxcb.so.1", "libm.so.6"])
    write_elf(root / "lib" / "libQt6Gui.so.6",
              ["libxkbcommon.so.0", "libstdc++.so.6", "ld-linux-x86-64.so.2"])
    write_elf(root / "plugins" / "platforms" / "libqwayland.so",
              ["libQt6Gui.so.6", "libwayland-client.so.0"])
    return root


class FakeLoader:
    """A ``load_library`` that fails for the given sonames, and records what it was asked."""

    def __init__(self, *missing: str) -> None:
        self.missing = set(missing)
        self.asked: list[str] = []

    def __call__(self, soname: str) -> str | None:
        self.asked.append(soname)
        if soname in self.missing:
            return f"{soname}: cannot open shared object file: No such file or directory"
        return None


def refuse_calls(soname: str) -> str | None:
    raise AssertionError(f"the check should not have loaded {soname}")


@pytest.fixture
def x_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A listening socket where an X server's would be: (DISPLAY, socket folder)."""
    folder = tmp_path / "x11"
    folder.mkdir()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(folder / "X7"))
        server.listen()
        yield ":7", folder


@pytest.fixture
def tcp_x_server() -> Iterator[str]:
    """A listening TCP socket on 127.0.0.1 at 6000+n: the DISPLAY ``127.0.0.1:n``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port > 6000, "an ephemeral port below 6000 cannot stand for an X display"
        yield f"127.0.0.1:{port - 6000}"


@pytest.fixture
def compositor(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A listening socket where a Wayland compositor's would be: the environment naming it."""
    runtime = tmp_path / "run"
    runtime.mkdir()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(runtime / "wayland-1"))
        server.listen()
        yield {"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(runtime)}


# --- reading the plugin's needs ------------------------------------------------------------------

@pytest.mark.parametrize(("wide", "little"), [(True, True), (False, True), (True, False),
                                              (False, False)])
def test_needed_libraries_reads_every_elf_flavour(tmp_path: Path, wide: bool,
                                                  little: bool) -> None:
    path = tmp_path / "libx.so"
    path.write_bytes(fake_elf(["libxcb.so.1", "libQt6Gui.so.6"], wide=wide, little=little))
    assert needed_libraries(path) == ["libxcb.so.1", "libQt6Gui.so.6"]


@pytest.mark.parametrize("content", [b"", b"#!/bin/sh\n", b"\x7fELF\x02\x01\x01" + bytes(9)])
def test_needed_libraries_refuses_what_is_not_a_shared_object(tmp_path: Path,
                                                              content: bytes) -> None:
    path = tmp_path / "libx.so"
    path.write_bytes(content)
    with pytest.raises((ValueError, struct.error)):
        needed_libraries(path)


def test_system_needs_follows_qt_libraries_and_leaves_out_glibc(qt: Path) -> None:
    needs = system_needs(qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib")
    assert sorted(needs) == ["libstdc++.so.6", "libxcb-icccm.so.4", "libxcb.so.1",
                             "libxkbcommon.so.0"]


def test_an_unreadable_plugin_falls_back_to_the_table(qt: Path) -> None:
    (qt / "plugins" / "platforms" / "libqxcb.so").write_bytes(b"not an ELF file")
    loader = FakeLoader()
    assert plugin_problems(XCB, qt, loader) == []
    assert loader.asked == table_needs(XCB)
    assert "libxcb-cursor.so.0" in loader.asked
    assert "libwayland-client.so.0" not in loader.asked
    assert "libwayland-client.so.0" in table_needs(WAYLAND)
    assert "libxcb-cursor.so.0" not in table_needs(WAYLAND)


def test_no_pyside6_or_no_plugin_means_nothing_to_check(tmp_path: Path) -> None:
    assert plugin_problems(XCB, None, refuse_calls) == []
    assert plugin_problems(XCB, tmp_path / "Qt", refuse_calls) == []


# --- which libraries are missing, and the message ------------------------------------------------

def test_missing_libraries_names_the_library_the_loader_could_not_find() -> None:
    def load(soname: str) -> str | None:
        return {
            # libxcb-cursor is there, but a library it needs is not: the loader names that one
            "libxcb-cursor.so.0": "libxcb-render-util.so.0: cannot open shared object file: "
                                  "No such file or directory",
            "libxcb-render-util.so.0": "libxcb-render-util.so.0: cannot open shared object "
                                       "file: No such file or directory",
            "libGL.so.1": "/opt/broken/libGL.so.1: file too short",
        }.get(soname)

    missing = missing_libraries(["libxcb.so.1", "libxcb-cursor.so.0", "libxcb-render-util.so.0",
                                 "libGL.so.1"], load)
    assert [m.soname for m in missing] == ["libxcb-render-util.so.0", "libGL.so.1"]


def test_missing_message_names_the_libraries_and_the_install_commands() -> None:
    missing = [Unloadable(s, f"{s}: cannot open shared object file: No such file or directory")
               for s in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-randr.so.0",
                         "libxcb-shape.so.0")]
    message = missing_message(missing)
    lines = message.splitlines()
    assert lines[0].startswith("mlsd-study: cannot open the window: ")
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxcb-randr.so.0, libxcb-shape.so.0" \
        in lines[0]
    assert ("  Debian/Ubuntu: sudo apt install libxcb-icccm4 libxcb-keysyms1 libxcb-randr0 "
            "libxcb-shape0") in lines
    # Two sonames of one package are installed with it once.
    assert "  Fedora:        sudo dnf install xcb-util-wm xcb-util-keysyms libxcb" in lines
    assert "  Arch:          sudo pacman -S --needed xcb-util-wm xcb-util-keysyms libxcb" in lines
    assert "check-deck" in lines[-1]


def test_missing_message_for_unknown_and_broken_libraries() -> None:
    message = missing_message([
        Unloadable("libfuture.so.2", "libfuture.so.2: cannot open shared object file: No such "
                                     "file or directory"),
        Unloadable("libxcb-icccm.so.4", "/tmp/standin/libxcb-icccm.so.4: file too short"),
    ])
    assert "apt-file search libfuture.so.2" in message
    assert "pacman -F libfuture.so.2" in message
    assert "libxcb-icccm.so.4 does not load: /tmp/standin/libxcb-icccm.so.4: file too short" \
        in message
    assert "sudo apt install libxcb-icccm4" in message  # only the known one has a package


def test_install_commands_need_a_known_library() -> None:
    assert install_commands(["libfuture.so.2"]) == []
    assert len(install_commands(["libgthread-2.0.so.0", "libglib-2.0.so.0"])) == 3
    assert "sudo apt install libglib2.0-0" in install_commands(["libgthread-2.0.so.0",
                                                                 "libglib-2.0.so.0"])[0]


def test_the_table_names_each_library_once_with_three_packages() -> None:
    sonames = [library.soname for library in SYSTEM_LIBRARIES]
    assert len(sonames) == len(set(sonames))
    for library in SYSTEM_LIBRARIES:
        assert re.fullmatch(r"lib[\w.+-]+\.so\.\d+", library.soname), library
        assert all(re.fullmatch(r"[\w.+-]+", p) for p in library[1:]), library


# --- the table against the installed PySide6 and ldd ---------------------------------------------

def _installed_qt() -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin exists on Linux only")
    qt = desktop_check.qt_dir()
    if qt is None or not (qt / "plugins" / "platforms" / XCB.file).is_file():
        pytest.skip("PySide6 with its xcb plugin is not installed")
    return qt


def ldd(path: Path) -> dict[str, str | None]:
    """Every library ``ldd`` lists for ``path``: soname -> the file, or None when not found."""
    if shutil.which("ldd") is None:
        pytest.skip("ldd not found: the check of the table against the installed PySide6 "
                    "needs it (package libc-bin)")
    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    found: dict[str, str | None] = {}
    for line in result.stdout.splitlines():
        arrow = re.match(r"\s*(\S+) => (?:(not found)|(\S+))", line)
        if arrow:
            found[arrow[1]] = None if arrow[2] else arrow[3]
        elif plain := re.match(r"\s*(\S+) \(0x", line):
            found[Path(plain[1]).name] = plain[1]
    return found


@linux_only
def test_the_elf_reader_agrees_with_ldd() -> None:
    qt = _installed_qt()
    for path in (qt / "plugins" / "platforms" / XCB.file, qt / "lib" / "libQt6XcbQpa.so.6"):
        needed = needed_libraries(path)
        assert "libxcb.so.1" in needed
        assert set(needed) <= set(ldd(path)), path


@linux_only
def test_the_table_has_a_package_for_every_library_the_plugins_need() -> None:
    qt = _installed_qt()
    needs = set(system_needs(qt / "plugins" / "platforms" / XCB.file, qt / "lib"))
    if (qt / "plugins" / "platforms" / WAYLAND.file).is_file():
        needs |= set(system_needs(qt / "plugins" / "platforms" / WAYLAND.file, qt / "lib"))
    assert {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"} <= needs
    assert sorted(needs - TABLE) == [], "add these to SYSTEM_LIBRARIES with their packages"


@linux_only
def test_the_table_lists_nothing_the_plugins_do_not_use() -> None:
    qt = _installed_qt()
    used = set(ldd(qt / "plugins" / "platforms" / XCB.file))
    if (qt / "plugins" / "platforms" / WAYLAND.file).is_file():
        used |= set(ldd(qt / "plugins" / "platforms" / WAYLAND.file))
    assert sorted(TABLE - used) == [], "no plugin needs these any more: drop them"


@linux_only
def test_the_check_finds_missing_what_ldd_finds_missing() -> None:
    qt = _installed_qt()
    not_found = {name for name, where in ldd(qt / "plugins" / "platforms" / XCB.file).items()
                 if where is None}
    assert {m.soname for m in plugin_problems(XCB, qt)} == not_found


# --- the display ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "parsed"), [
    (":0", XDisplay("", "", 0)),
    (":1.0", XDisplay("", "", 1)),
    ("unix:2", XDisplay("", "unix", 2)),
    ("localhost:10.0", XDisplay("", "localhost", 10)),
    ("tcp/example.org:3", XDisplay("tcp", "example.org", 3)),
    ("[::1]:4", XDisplay("", "::1", 4)),
    ("/private/tmp/com.apple.launchd.x/org.xquartz:0", None),
    ("host::0", None),
    ("nonsense", None),
])
def test_parse_display(value: str, parsed: XDisplay | None) -> None:
    assert parse_display(value) == parsed


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_display_set(value: str | None) -> None:
    assert x_display_problem(value) == "DISPLAY is not set"


def test_a_local_x_server_answers(x_server: tuple[str, Path]) -> None:
    display, folder = x_server
    assert x_display_problem(display, socket_dir=folder) is None
    assert x_display_problem("unix:7", socket_dir=folder) is None


def test_no_socket_for_the_display(tmp_path: Path) -> None:
    # Display 60000 has no TCP port (6000+n > 65535), so no local TCP fallback is tried.
    problem = x_display_problem(":60000", socket_dir=tmp_path)
    assert problem == f"DISPLAY=:60000 but no X server answers at {tmp_path / 'X60000'} " \
                      "(no such socket)"


def test_a_stale_socket_is_no_x_server(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as left_behind:
        left_behind.bind(str(tmp_path / "X60001"))  # the file stays, nobody listens
    problem = x_display_problem(":60001", socket_dir=tmp_path)
    assert problem is not None and "refused" in problem.lower()


def test_a_remote_display_answers_over_tcp(tcp_x_server: str) -> None:
    assert x_display_problem(tcp_x_server) is None


def test_a_remote_display_that_does_not_answer() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        problem = x_display_problem(f"127.0.0.1:{port - 6000}")
    assert problem is not None
    assert problem.startswith(f"DISPLAY=127.0.0.1:{port - 6000} but no X server answers at "
                              f"127.0.0.1:{port}")


def test_a_host_name_that_cannot_be_looked_up_is_a_problem_not_a_crash() -> None:
    problem = x_display_problem(f"{'x' * 64}.invalid:0", timeout=0.5)
    assert problem is not None and problem.startswith("DISPLAY=")


def test_wayland_problem(tmp_path: Path, compositor: dict[str, str]) -> None:
    assert wayland_problem({}) == "WAYLAND_DISPLAY is not set"
    assert wayland_problem({"WAYLAND_DISPLAY": "wayland-0"}) == \
        "WAYLAND_DISPLAY=wayland-0 but XDG_RUNTIME_DIR is not set"
    assert wayland_problem(dict(compositor)) is None
    absolute = str(Path(compositor["XDG_RUNTIME_DIR"]) / "wayland-1")
    assert wayland_problem({"WAYLAND_DISPLAY": absolute}) is None
    gone = wayland_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert gone == f"no Wayland compositor at {tmp_path / 'wayland-9'} (no such socket)"


# --- the decision --------------------------------------------------------------------------------

def test_other_systems_and_chosen_platforms_are_not_checked(qt: Path) -> None:
    for platform, environ in [("darwin", {}), ("win32", {}),
                              ("linux", {"QT_QPA_PLATFORM": "offscreen"}),
                              ("linux", {"QT_QPA_PLATFORM": "wayland"}),
                              ("linux", {"QT_QPA_PLATFORM": "wayland;xcb"})]:
        verdict = preflight(environ, platform, qt=qt, load=refuse_calls)
        assert verdict.start and verdict.message is None and verdict.platform is None


def test_no_display_is_one_line_that_points_at_the_headless_commands(qt: Path) -> None:
    verdict = preflight({}, "linux", qt=qt, load=refuse_calls)
    assert not verdict.start
    assert verdict.message is not None and "\n" not in verdict.message
    assert verdict.message.startswith("mlsd-study: cannot open the window: DISPLAY is not set.")
    assert "check-deck" in verdict.message and "export-anki" in verdict.message
    assert "QT_QPA_PLATFORM=offscreen" in verdict.message


def test_a_display_and_every_library_starts_quietly(qt: Path,
                                                    x_server: tuple[str, Path]) -> None:
    display, folder = x_server
    loader = FakeLoader()
    verdict = preflight({"DISPLAY": display}, "linux", qt=qt, socket_dir=folder, load=loader)
    assert verdict == (True, None, None)
    assert sorted(loader.asked) == ["libstdc++.so.6", "libxcb-icccm.so.4", "libxcb.so.1",
                                    "libxkbcommon.so.0"]


@pytest.mark.parametrize("forced", [{}, {"QT_QPA_PLATFORM": "xcb"}])
def test_a_missing_library_is_named_with_its_package(qt: Path, x_server: tuple[str, Path],
                                                     forced: dict[str, str]) -> None:
    display, folder = x_server
    verdict = preflight({"DISPLAY": display, **forced}, "linux", qt=qt, socket_dir=folder,
                        load=FakeLoader("libxcb-icccm.so.4"))
    assert not verdict.start
    assert verdict.message is not None
    assert "missing: libxcb-icccm.so.4." in verdict.message
    assert "sudo apt install libxcb-icccm4" in verdict.message


def test_wayland_is_tried_when_x11_cannot_be_used(qt: Path, x_server: tuple[str, Path],
                                                  compositor: dict[str, str]) -> None:
    display, folder = x_server
    verdict = preflight({"DISPLAY": display, **compositor}, "linux", qt=qt, socket_dir=folder,
                        load=FakeLoader("libxcb-icccm.so.4"))
    assert verdict.start and verdict.platform == "wayland"
    assert verdict.message == ("mlsd-study: Qt's X11 plugin lacks libxcb-icccm.so.4; opening "
                               "the window with Wayland instead.")
    no_x = preflight(dict(compositor), "linux", qt=qt, socket_dir=folder, load=FakeLoader())
    assert no_x.start and no_x.platform == "wayland"
    assert no_x.message == ("mlsd-study: DISPLAY is not set; opening the window with Wayland "
                            "instead.")
    session = preflight({**compositor, "XDG_SESSION_TYPE": "wayland"}, "linux", qt=qt,
                        socket_dir=folder, load=FakeLoader())
    assert session.start and session.platform == "wayland" and session.message is None


def test_wayland_is_not_tried_when_it_cannot_work_or_xcb_was_chosen(
        qt: Path, x_server: tuple[str, Path], compositor: dict[str, str]) -> None:
    display, folder = x_server
    wayland_lacks = preflight({"DISPLAY": display, **compositor}, "linux", qt=qt,
                              socket_dir=folder,
                              load=FakeLoader("libxcb-icccm.so.4", "libwayland-client.so.0"))
    assert not wayland_lacks.start and wayland_lacks.platform is None
    chosen = preflight({"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **compositor}, "linux",
                       qt=qt, socket_dir=folder, load=FakeLoader("libxcb-icccm.so.4"))
    assert not chosen.start and chosen.platform is None
    no_compositor = preflight({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": "/nonexistent"},
                              "linux", qt=qt, socket_dir=folder, load=FakeLoader())
    assert not no_compositor.start
    assert no_compositor.message is not None and "DISPLAY is not set" in no_compositor.message


@linux_only
def test_check_desktop_prints_and_returns_the_exit_code(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert check_desktop() == EXIT_NO_DESKTOP == 4
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("mlsd-study: cannot open the window: DISPLAY is not set.")


@linux_only
def test_check_desktop_points_qt_at_wayland(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            compositor: dict[str, str]) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    for name, value in compositor.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(desktop_check, "plugin_problems", lambda *args, **kwargs: [])
    assert check_desktop() is None
    assert os.environ["QT_QPA_PLATFORM"] == "wayland"
    assert capsys.readouterr().err == ("mlsd-study: DISPLAY is not set; opening the window with "
                                       "Wayland instead.\n")


@linux_only
def test_check_desktop_leaves_a_chosen_platform_alone(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert check_desktop() is None
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert capsys.readouterr().err == ""


# --- in a real process ---------------------------------------------------------------------------

# Runs the front door and then reports whether Qt was loaded.
FRONT_DOOR = """
import sys
from app.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exited:
    code = exited.code
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in ("PySide6", "shiboken6"))
print("qt-modules-loaded:", ",".join(loaded) or "none", file=sys.stderr)
sys.exit(code)
"""


def desktop_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a desktop without a display; ``extra`` adds to it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MLSD_STUDY_DATA")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")  # never the real data folder
    env.update(extra)
    return env


def run(args: Sequence[str], env: dict[str, str],
        runner: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
        ) -> subprocess.CompletedProcess[str]:
    return runner([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True,
                  timeout=120, check=False)


def assert_clean_refusal(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == EXIT_NO_DESKTOP, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert "qt.qpa" not in result.stderr and "Aborted" not in result.stderr
    assert result.stdout == ""


@linux_only
def test_the_app_without_a_display_says_so_in_one_line(tmp_path: Path) -> None:
    result = run(["-m", "app", "--data-dir", str(tmp_path / "data")], desktop_env(tmp_path))
    assert_clean_refusal(result)
    [line] = result.stderr.splitlines()
    assert line.startswith("mlsd-study: cannot open the window: DISPLAY is not set.")
    assert "QT_QPA_PLATFORM=offscreen" in line


@linux_only
def test_the_app_with_a_display_nobody_serves_says_so(tmp_path: Path) -> None:
    result = run(["-m", "app", "--quit-after-startup", "--data-dir", str(tmp_path / "data")],
                 desktop_env(tmp_path, DISPLAY=":60002"))
    assert_clean_refusal(result)
    [line] = result.stderr.splitlines()
    assert "DISPLAY=:60002 but no X server answers at /tmp/.X11-unix/X60002" in line


@linux_only
def test_a_hidden_library_gets_the_message_not_an_abort(tmp_path: Path,
                                                        tcp_x_server: str) -> None:
    """An empty stand-in for libxcb-icccm first on LD_LIBRARY_PATH: the real xcb plugin could
    not load, and Qt alone would abort with exit 134."""
    _installed_qt()
    standin = tmp_path / "standin"
    standin.mkdir()
    (standin / "libxcb-icccm.so.4").write_bytes(b"")
    env = desktop_env(tmp_path, DISPLAY=tcp_x_server, LD_LIBRARY_PATH=str(standin))
    result = run(["-c", FRONT_DOOR, "--quit-after-startup", "--data-dir",
                  str(tmp_path / "data")], env)
    assert_clean_refusal(result)
    lines = result.stderr.splitlines()
    assert lines[0] == ("mlsd-study: cannot open the window: Qt's X11 platform plugin (xcb) "
                        "needs system libraries that are missing: libxcb-icccm.so.4.")
    assert "  Debian/Ubuntu: sudo apt install libxcb-icccm4" in lines
    assert "  Fedora:        sudo dnf install xcb-util-wm" in lines
    assert "  Arch:          sudo pacman -S --needed xcb-util-wm" in lines
    assert f"  libxcb-icccm.so.4 does not load: {standin}/libxcb-icccm.so.4: file too short" \
        in lines
    assert lines[-1] == "qt-modules-loaded: none"


@linux_only
def test_a_library_missing_from_a_fake_plugin_gets_the_message(tmp_path: Path,
                                                                tcp_x_server: str) -> None:
    qt = tmp_path / "Qt"
    write_elf(qt / "plugins" / "platforms" / "libqxcb.so", ["libQt6XcbQpa.so.6"])
    write_elf(qt / "lib" / "libQt6XcbQpa.so.6", ["libxcb.so.1", "libmlsd-absent.so.1"])
    script = (f"import app.desktop_check, pathlib\n"
              f"app.desktop_check.qt_dir = lambda: pathlib.Path({str(qt)!r})\n" + FRONT_DOOR)
    result = run(["-c", script, "--data-dir", str(tmp_path / "data")],
                 desktop_env(tmp_path, DISPLAY=tcp_x_server))
    assert_clean_refusal(result)
    lines = result.stderr.splitlines()
    assert lines[0].endswith("needs system libraries that are missing: libmlsd-absent.so.1.")
    assert "apt-file search libmlsd-absent.so.1" in result.stderr
    assert lines[-1] == "qt-modules-loaded: none"


@pytest.mark.parametrize("args", [
    ["--version"],
    ["check-deck", "decks/ml-system-design.yaml"],
    ["--data-dir", "{data}", "list-backups"],
    ["--data-dir", "{data}", "backup"],
    ["--data-dir", "{data}", "export-anki", "-o", "{data}/deck.apkg"],
], ids=["version", "check-deck", "list-backups", "backup", "export-anki"])
def test_headless_commands_need_no_display_and_no_qt(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "data"
    result = run(["-c", FRONT_DOOR, *(a.format(data=data) for a in args)],
                 desktop_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "qt-modules-loaded: none"
    assert "cannot open the window" not in result.stderr


# The libraries the README's install lines cover: the X11 helpers and what minimal installs lack.
README_LIBRARIES = ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1",
                    "libxcb-image.so.0", "libxcb-render-util.so.0", "libxcb-util.so.1",
                    "libxkbcommon-x11.so.0", "libX11-xcb.so.1", "libEGL.so.1", "libGL.so.1",
                    "libfontconfig.so.1", "libdbus-1.so.3"]


def test_the_readme_install_lines_are_the_table_s() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for line in install_commands(README_LIBRARIES):
        command = line.split(": ", 1)[1].strip()
        assert f"    {command}\n" in readme, command


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
@pytest.mark.parametrize("forced", [None, "", "xcb", "xcb:foo", " xcb", "offscreen", "wayland",
                                    "wayland;xcb", "minimal"])
def test_the_front_door_loads_the_check_exactly_where_it_would_look(
        platform: str, forced: str | None, tmp_path: Path) -> None:
    from app.cli import may_use_xcb

    environ = {} if forced is None else {"QT_QPA_PLATFORM": forced}
    # Where preflight looks at all it needs a display; with none it refuses to start.
    looked = not preflight(environ, platform, qt=tmp_path, socket_dir=tmp_path).start
    assert may_use_xcb(environ, platform) == looked
