"""Before Qt loads on Linux: is there a display, and can Qt's X11 plugin load? One line if not.

Without this, a missing system library or an unreachable display ends in Qt's own ``abort()``
(exit 134) with a misleading "xcb-cursor0 is needed" text. The check runs only where Qt would use
its xcb plugin (Linux, ``QT_QPA_PLATFORM`` unset or ``xcb``) and never imports PySide6.

How the libraries are found, and why this way: the sonames come from the ``DT_NEEDED``
entries of the plugin and of the Qt libraries it pulls in (a few header reads, about 1 ms, and
never stale when PySide6 is upgraded), and each one outside Qt is ``dlopen``-ed: the system's
own loader answers, with its cache, ``LD_LIBRARY_PATH`` and multiarch folders, and the libraries
stay loaded for Qt, which needs them a moment later. Measured on Xvfb: the whole check takes
about 7 ms and adds about 5 ms to creating the QApplication (Qt finds the libraries already
loaded); one ``ldd`` run on the two xcb files alone takes 14 ms. ``SYSTEM_LIBRARIES`` maps each
soname to its package on Debian/Ubuntu, Fedora and Arch (a test keeps it in step with ``ldd`` of
the installed PySide6) and stands in for the ELF read should the files be unreadable.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import re
import struct
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

#: The exit code when the window cannot be opened: no display, or Qt's libraries are missing.
EXIT_NO_DESKTOP = 4

X11_SOCKET_DIR = Path("/tmp/.X11-unix")
X11_TCP_PORT = 6000
#: How long a display on another host (``host:n``, e.g. SSH forwarding) may take to answer.
CONNECT_TIMEOUT = 2.0

HEADLESS = ("The command-line tools (check-deck, export-anki, import-outline, backup, "
            "list-backups, ...) need no display")
OFFSCREEN = ("QT_QPA_PLATFORM=offscreen runs the app without a screen "
             "(e.g. QT_QPA_PLATFORM=offscreen mlsd-study --quit-after-startup)")


# The value types are NamedTuples, not frozen dataclasses: this module runs on every GUI start,
# and a dataclass costs about 0.5 ms to create against 0.07 ms for a NamedTuple.


class SystemLibrary(NamedTuple):
    """A shared library Qt's platform plugins load from the system, and who packages it."""

    soname: str
    debian: str  # Debian and Ubuntu (apt)
    fedora: str  # Fedora (dnf)
    arch: str  # Arch (pacman)


# Every library outside Qt that the xcb and wayland plugins, libQt6XcbQpa/WaylandClient and
# the Qt libraries behind them name in DT_NEEDED, except glibc's (Python itself runs on those).
SYSTEM_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libxcb.so.1", "libxcb1", "libxcb", "libxcb"),
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image", "xcb-util-image"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms",
                  "xcb-util-keysyms"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil",
                  "xcb-util-renderutil"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util", "xcb-util"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb", "libxcb"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb", "libxcb"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb", "libxcb"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb", "libxcb"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb", "libxcb"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb", "libxcb"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11",
                  "libxkbcommon-x11"),
    SystemLibrary("libX11.so.6", "libx11-6", "libX11", "libx11"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb", "libx11"),
    SystemLibrary("libGL.so.1", "libgl1", "libglvnd-glx", "libglvnd"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl", "libglvnd"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig", "fontconfig"),
    SystemLibrary("libfreetype.so.6", "libfreetype6", "freetype", "freetype2"),
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2", "glib2"),
    SystemLibrary("libgthread-2.0.so.0", "libglib2.0-0", "glib2", "glib2"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs", "dbus"),
    SystemLibrary("libz.so.1", "zlib1g", "zlib", "zlib"),
    SystemLibrary("libzstd.so.1", "libzstd1", "libzstd", "zstd"),
    SystemLibrary("libstdc++.so.6", "libstdc++6", "libstdc++", "gcc-libs"),
    SystemLibrary("libgcc_s.so.1", "libgcc-s1", "libgcc", "gcc-libs"),
    SystemLibrary("libwayland-client.so.0", "libwayland-client0", "libwayland-client",
                  "wayland"),
    SystemLibrary("libwayland-cursor.so.0", "libwayland-cursor0", "libwayland-cursor",
                  "wayland"),
)
_BY_SONAME = {library.soname: library for library in SYSTEM_LIBRARIES}
# What each plugin needs when its files cannot be read (the table's sonames, per plugin).
_WAYLAND_ONLY = frozenset({"libwayland-client.so.0", "libwayland-cursor.so.0"})
_XCB_ONLY = frozenset(s for s in _BY_SONAME if "xcb" in s or s == "libxkbcommon-x11.so.0")
_GLIBC = re.compile(r"(libc|libm|libdl|libpthread|librt|libutil|libresolv)\.so\.\d+$|ld-linux"
                    r"|ld64\.so")


class Plugin(NamedTuple):
    """A Qt platform plugin: its name for QT_QPA_PLATFORM and its file under Qt/plugins."""

    name: str
    file: str


XCB = Plugin("xcb", "libqxcb.so")
WAYLAND = Plugin("wayland", "libqwayland.so")


class Unloadable(NamedTuple):
    """A library the loader could not load, with the loader's reason."""

    soname: str
    error: str


class Verdict(NamedTuple):
    """What the check found: whether the GUI may start, what to say, which platform to use."""

    start: bool
    message: str | None = None  # one line (or one block for missing libraries) for stderr
    platform: str | None = None  # a QT_QPA_PLATFORM to set before Qt loads


# --- the libraries -------------------------------------------------------------------------------

def qt_dir() -> Path | None:
    """PySide6's ``Qt`` folder, found without importing PySide6 (that would load Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def needed_libraries(path: Path) -> list[str]:
    """The ``DT_NEEDED`` sonames of an ELF shared object, read from its section headers.

    Raises ``ValueError`` for a file that is not ELF or has no dynamic section, ``OSError`` when
    it cannot be read.
    """
    with path.open("rb") as elf:
        ident = elf.read(16)
        if len(ident) < 16 or ident[:4] != b"\x7fELF" or ident[4] not in (1, 2):
            raise ValueError(f"{path} is not an ELF file")
        wide = ident[4] == 2
        order = "<" if ident[5] == 1 else ">"
        header = _read(elf, 16, 48 if wide else 36)
        if wide:
            shoff, shentsize, shnum = (struct.unpack_from(order + "Q", header, 24)[0],
                                       *struct.unpack_from(order + "HH", header, 42))
        else:
            shoff, shentsize, shnum = (struct.unpack_from(order + "I", header, 16)[0],
                                       *struct.unpack_from(order + "HH", header, 30))
        section = order + ("IIQQQQIIQQ" if wide else "IIIIIIIIII")
        table = _read(elf, shoff, shentsize * shnum)
        sections = [struct.unpack_from(section, table, i * shentsize) for i in range(shnum)]
        dynamic = next((s for s in sections if s[1] == 6), None)  # SHT_DYNAMIC
        if dynamic is None or dynamic[6] >= len(sections):
            raise ValueError(f"{path} has no dynamic section")
        strings_at = sections[dynamic[6]][4]  # sh_link -> .dynstr, its sh_offset
        entry = order + ("qQ" if wide else "iI")
        raw = _read(elf, dynamic[4], dynamic[5])
        offsets = []
        for tag, value in struct.iter_unpack(entry, raw[:len(raw) - len(raw) %
                                                          struct.calcsize(entry)]):
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                offsets.append(value)
        return [_string(elf, strings_at + offset) for offset in offsets]


def _read(elf: BinaryIO, offset: int, size: int) -> bytes:
    elf.seek(offset)
    data = elf.read(size)
    if len(data) != size:
        raise ValueError(f"{elf.name} is truncated")
    return data


def _string(elf: BinaryIO, offset: int) -> str:
    elf.seek(offset)
    raw = elf.read(256)
    end = raw.find(b"\0")
    if end < 0:
        raise ValueError(f"{elf.name}: unterminated string")
    return raw[:end].decode("utf-8", "replace")


def system_needs(plugin_file: Path, qt_lib: Path) -> list[str]:
    """The sonames outside Qt that a plugin needs, directly or through Qt's own libraries.

    A name found in ``qt_lib`` is Qt's (the plugins' RUNPATH points there) and is read in turn;
    glibc's are left out. Raises ``OSError``/``ValueError`` like ``needed_libraries``.
    """
    todo, seen, needs = [plugin_file], {plugin_file.name}, []
    while todo:
        for name in needed_libraries(todo.pop()):
            own = qt_lib / name
            if own.is_file():
                if name not in seen:
                    seen.add(name)
                    todo.append(own)
            elif name not in needs and not _GLIBC.match(name):
                needs.append(name)
    return needs


def table_needs(plugin: Plugin) -> list[str]:
    """The table's sonames for a plugin: the stand-in when its files cannot be read."""
    other = _WAYLAND_ONLY if plugin == XCB else _XCB_ONLY
    return [library.soname for library in SYSTEM_LIBRARIES if library.soname not in other]


_NOT_FOUND = re.compile(r"^(?P<soname>[^\s:]+): cannot open shared object file")


def load_library(soname: str) -> str | None:
    """``dlopen`` a library by soname as Qt's loader would; None, or the loader's error.

    The library stays loaded: Qt needs it a moment later and finds it in place. In the
    PyInstaller bundle the bootloader puts the bundle's folder on ``LD_LIBRARY_PATH``, so the
    copies it carries are found here as Qt finds them.
    """
    import _ctypes  # the C module, 0.4 ms to import where ``ctypes`` takes 1.6 ms

    try:
        _ctypes.dlopen(soname, os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as error:
        return str(error)
    return None


def missing_libraries(sonames: Iterable[str],
                      load: Callable[[str], str | None] = load_library) -> list[Unloadable]:
    """The libraries that do not load, each named once. When a library fails because one it
    needs is missing, the loader names that one, and so does this."""
    missing: dict[str, Unloadable] = {}
    for soname in sonames:
        error = load(soname)
        if error is None:
            continue
        found = _NOT_FOUND.match(error)
        culprit = found["soname"] if found else soname
        missing.setdefault(culprit, Unloadable(culprit, error))
    return list(missing.values())


def plugin_problems(plugin: Plugin, qt: Path | None,
                    load: Callable[[str], str | None] = load_library) -> list[Unloadable]:
    """The system libraries ``plugin`` cannot load with; [] when all load or PySide6 is absent
    (importing it fails with its own clear message then)."""
    if qt is None:
        return []
    plugin_file = qt / "plugins" / "platforms" / plugin.file
    if not plugin_file.is_file():
        return []  # a trimmed install: Qt reports the missing plugin itself
    try:
        needs = system_needs(plugin_file, qt / "lib")
    except (OSError, ValueError, struct.error):
        needs = table_needs(plugin)
    return missing_libraries(needs, load)


def install_commands(sonames: Sequence[str]) -> list[str]:
    """The apt, dnf and pacman lines that install ``sonames`` (those the table knows)."""
    known = [_BY_SONAME[s] for s in sonames if s in _BY_SONAME]
    if not known:
        return []

    def packages(pick: Callable[[SystemLibrary], str]) -> str:
        return " ".join(dict.fromkeys(pick(library) for library in known))

    return [f"  Debian/Ubuntu: sudo apt install {packages(lambda x: x.debian)}",
            f"  Fedora:        sudo dnf install {packages(lambda x: x.fedora)}",
            f"  Arch:          sudo pacman -S --needed {packages(lambda x: x.arch)}"]


def missing_message(missing: Sequence[Unloadable]) -> str:
    """The one message for missing libraries: what is missing and how to install it."""
    names = [m.soname for m in missing]
    lines = [f"mlsd-study: cannot open the window: Qt's X11 platform plugin (xcb) needs system "
             f"libraries that are missing: {', '.join(names)}."]
    commands = install_commands(names)
    if commands:
        lines += ["Install them with one of:", *commands]
    for item in missing:
        if not _NOT_FOUND.match(item.error):  # found but broken: installing may not be enough
            lines.append(f"  {item.soname} does not load: {item.error}")
        elif item.soname not in _BY_SONAME:
            lines.append(f"  {item.soname}: find its package with `apt-file search "
                         f"{item.soname}`, `dnf provides '*/{item.soname}'` or "
                         f"`pacman -F {item.soname}`")
    lines.append("The command-line tools (check-deck, export-anki, import-outline, backup, "
                 "...) work without them.")
    return "\n".join(lines)


# --- the display ---------------------------------------------------------------------------------

class XDisplay(NamedTuple):
    """A parsed ``DISPLAY``: ``[protocol/][host]:number[.screen]``."""

    protocol: str
    host: str
    number: int


_DISPLAY = re.compile(r"(?:(?P<protocol>[A-Za-z0-9]+)/)?(?P<host>.*):(?P<number>\d+)"
                      r"(?:\.\d+)?")


def parse_display(value: str) -> XDisplay | None:
    """The parts of a ``DISPLAY`` value as libxcb reads them; None for forms it does not know
    here (a socket path, DECnet), which are left to Qt."""
    found = _DISPLAY.fullmatch(value.strip())
    if found is None or value.startswith("/") or found["host"].endswith(":"):
        return None
    host = found["host"]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return XDisplay((found["protocol"] or "").lower(), host, int(found["number"]))


def _connect_unix(address: str, timeout: float = CONNECT_TIMEOUT) -> OSError | None:
    import _socket  # the C module: 0.3 ms to import where ``socket`` takes 3 ms

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except OSError as error:
        return error
    finally:
        sock.close()
    return None


def _connect_tcp(host: str, port: int, timeout: float) -> OSError | None:
    import socket  # only for a display on another host, e.g. SSH forwarding

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as error:
        return error
    except UnicodeError as error:  # a host name IDNA cannot encode
        return OSError(errno.EINVAL, str(error))


def x_display_problem(value: str | None, *, socket_dir: Path = X11_SOCKET_DIR,
                      timeout: float = CONNECT_TIMEOUT) -> str | None:
    """Why no X server answers at ``value`` (a ``DISPLAY``), or None when one does.

    Follows libxcb: a display without a host is the local socket ``/tmp/.X11-unix/X<n>``
    (Linux's abstract name first, then the file), then TCP on localhost; ``host:n`` is TCP
    port 6000+n. Connecting and closing costs well under a millisecond locally.
    """
    if not value or not value.strip():
        return "DISPLAY is not set"
    display = parse_display(value)
    if display is None:
        return None  # a form this check does not know: let Qt try it
    tcp_port = X11_TCP_PORT + display.number
    tcp = tcp_port <= 65535
    if display.host and display.host != "unix" and display.protocol != "unix":
        error = (_connect_tcp(display.host, tcp_port, timeout) if tcp
                 else OSError(errno.EINVAL, "display number too large"))
        if error is None:
            return None
        return (f"DISPLAY={value} but no X server answers at {display.host}:{tcp_port} "
                f"({_reason(error)})")
    path = socket_dir / f"X{display.number}"
    if sys.platform.startswith("linux") and _connect_unix(f"\0{path}", timeout) is None:
        return None
    error = _connect_unix(str(path), timeout)
    if error is None:
        return None
    if (tcp and not display.host and not display.protocol
            and _connect_tcp("localhost", tcp_port, timeout) is None):
        return None
    return f"DISPLAY={value} but no X server answers at {path} ({_reason(error)})"


def _reason(error: OSError) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if error.errno == errno.ENOENT:
        return "no such socket"
    return error.strerror or str(error)


def wayland_problem(environ: Mapping[str, str]) -> str | None:
    """Why no Wayland compositor answers, or None when one does (at ``WAYLAND_DISPLAY``)."""
    name = environ.get("WAYLAND_DISPLAY", "").strip()
    if not name:
        return "WAYLAND_DISPLAY is not set"
    runtime = environ.get("XDG_RUNTIME_DIR", "").strip()
    if not os.path.isabs(name) and not runtime:
        return f"WAYLAND_DISPLAY={name} but XDG_RUNTIME_DIR is not set"
    path = Path(name) if os.path.isabs(name) else Path(runtime) / name
    error = _connect_unix(str(path))
    return None if error is None else f"no Wayland compositor at {path} ({_reason(error)})"


# --- the decision --------------------------------------------------------------------------------

def preflight(environ: Mapping[str, str], platform: str = sys.platform, *,
              qt: Path | None = None, socket_dir: Path = X11_SOCKET_DIR,
              load: Callable[[str], str | None] = load_library) -> Verdict:
    """Whether Qt can open a window here; reads ``environ`` and never changes it.

    ``qt`` is PySide6's Qt folder (found when None).
    """
    forced = environ.get("QT_QPA_PLATFORM", "").strip()
    if not platform.startswith("linux") or forced.split(":")[0] not in ("", "xcb"):
        return Verdict(start=True)  # another system, or the user chose a platform
    qt = qt if qt is not None else qt_dir()
    no_x = x_display_problem(environ.get("DISPLAY"), socket_dir=socket_dir)
    missing = [] if no_x else plugin_problems(XCB, qt, load)
    if not no_x and not missing:
        return Verdict(start=True)
    why = no_x or f"Qt's X11 plugin lacks {', '.join(m.soname for m in missing)}"
    if not forced and wayland_problem(environ) is None and not plugin_problems(WAYLAND, qt,
                                                                                 load):
        # A Wayland session without XWayland is the normal case there, not news for the user.
        quiet = no_x and environ.get("XDG_SESSION_TYPE", "").strip().lower() == "wayland"
        return Verdict(start=True, platform=WAYLAND.name, message=None if quiet else
                       f"mlsd-study: {why}; opening the window with Wayland instead.")
    if no_x:
        return Verdict(start=False, message=f"mlsd-study: cannot open the window: {no_x}. "
                                            f"{HEADLESS}; {OFFSCREEN}.")
    return Verdict(start=False, message=missing_message(missing))


def check_desktop(environ: MutableMapping[str, str] | None = None) -> int | None:
    """Run ``preflight`` for the GUI: None to go on (the environment may now name Wayland),
    else the message is on stderr and the exit code ``EXIT_NO_DESKTOP`` is returned."""
    environ = os.environ if environ is None else environ
    verdict = preflight(environ)
    if verdict.message:
        print(verdict.message, file=sys.stderr)
    if verdict.platform:
        environ["QT_QPA_PLATFORM"] = verdict.platform
    return None if verdict.start else EXIT_NO_DESKTOP
