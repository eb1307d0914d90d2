#!/usr/bin/env bash
# Build the one-folder bundle dist/mlsd-study/ with PyInstaller, then smoke-test it: the bundled
# binary must open its window offscreen, print startup_ms=... and exit 0; without a display it
# must exit 4 with its one-line message; and, when Xvfb is installed, it must start on a real X
# server with the xcb plugin. It also lists the X11 libraries the desktop must provide.
# Usage: packaging/build.sh            (PYTHON=/path/to/python to pick the interpreter)
# Needs: the project and PyInstaller installed in that Python: pip install -e '.[packaging]'
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
    echo "build.sh: PyInstaller is not installed in $PYTHON; run: $PYTHON -m pip install -e '.[packaging]'" >&2
    exit 1
fi

"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/mlsd-study.spec

BINARY=dist/mlsd-study/mlsd-study
[ -x "$BINARY" ] || { echo "build.sh: $BINARY was not built" >&2; exit 1; }

# The spec drops the Qt libraries the app does not use; no bundled Qt library may need one.
# Other system libraries missing here (e.g. GTK for the GTK theme plugin) are only noted: the
# desktop that runs the bundle provides them, and Qt skips a plugin it cannot load.
if command -v ldd >/dev/null; then
    MISSING=$(find dist/mlsd-study -name '*.so*' -type f -exec ldd {} + 2>/dev/null \
              | grep '=> not found' | awk '{print $1}' | sort -u || true)
    if grep -q '^libQt6' <<<"$MISSING"; then
        echo "build.sh: the bundle lacks Qt libraries that bundled files need:" >&2
        grep '^libQt6' <<<"$MISSING" >&2
        exit 1
    fi
    if [ -n "$MISSING" ]; then
        echo "note: not on this machine, so not bundled (the user's desktop provides them):" \
             $MISSING
    fi
fi

# Smoke test in a throw-away data folder, so no real database is touched.
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
set +e
OUTPUT=$(QT_QPA_PLATFORM=offscreen timeout 120 "$BINARY" --quit-after-startup --data-dir "$DATA" 2>&1)
STATUS=$?
set -e
echo "$OUTPUT"
if [ "$STATUS" -ne 0 ]; then
    echo "build.sh: smoke test failed: the bundle exited with status $STATUS" >&2
    exit 1
fi
if ! grep -q '^startup_ms=' <<<"$OUTPUT"; then
    echo "build.sh: smoke test failed: no startup_ms= line in the bundle's output" >&2
    exit 1
fi

# Qt's X11 plugin needs system libraries (libxcb-cursor0, libxcb-icccm4, ...). PyInstaller copies
# those it finds on this machine into the bundle, except the ones every X11 desktop has (libxcb,
# libX11, libGL, libEGL): say which the user's desktop must provide (packaging/README.md).
"$PYTHON" - dist/mlsd-study <<'PY'
import sys
from pathlib import Path

from app.desktop_check import XCB, install_commands, system_needs

bundle = Path(sys.argv[1])
plugin = next(bundle.rglob(f"plugins/platforms/{XCB.file}"), None)
if plugin is None:
    sys.exit(f"build.sh: the bundle has no {XCB.file}: it could not open a window on X11")
needs = system_needs(plugin, plugin.parents[2] / "lib")
inside = {path.name for path in bundle.rglob("*.so*")}
outside = [name for name in needs if name not in inside]
print(f"xcb plugin: {len(needs) - len(outside)} of its {len(needs)} system libraries are "
      f"bundled; the desktop must provide: {' '.join(outside) or 'nothing'}")
if outside:
    print("  (" + install_commands(outside)[0].strip() + ")")
PY

# Without a display the bundle must say so and exit 4 (app/desktop_check.py), never abort.
set +e
OUTPUT=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM timeout 120 "$BINARY" \
         --data-dir "$DATA" 2>&1)
STATUS=$?
set -e
if [ "$STATUS" -ne 4 ] || ! grep -q '^mlsd-study: cannot open the window: DISPLAY is not set' <<<"$OUTPUT"; then
    echo "build.sh: without a display the bundle exited with status $STATUS instead of 4:" >&2
    echo "$OUTPUT" >&2
    exit 1
fi

# On a real X server with the xcb plugin too, as on a desktop, when Xvfb is installed.
if command -v Xvfb >/dev/null; then
    XVFB_READY=$(mktemp)
    # Xvfb picks a free display and writes its number to fd 3 once it accepts connections.
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$XVFB_READY" >/dev/null 2>&1 &
    XVFB_PID=$!
    trap 'kill "$XVFB_PID" 2>/dev/null; rm -rf "$DATA" "$XVFB_READY"' EXIT
    for _ in $(seq 300); do [ -s "$XVFB_READY" ] && break; sleep 0.1; done
    [ -s "$XVFB_READY" ] || { echo "build.sh: Xvfb did not start within 30 s" >&2; exit 1; }
    set +e
    OUTPUT=$(DISPLAY=":$(tr -d '\n' <"$XVFB_READY")" QT_QPA_PLATFORM=xcb timeout 120 "$BINARY" \
             --quit-after-startup --data-dir "$DATA/x11" 2>&1)
    STATUS=$?
    set -e
    echo "$OUTPUT"
    if [ "$STATUS" -ne 0 ] || ! grep -q '^startup_ms=' <<<"$OUTPUT"; then
        echo "build.sh: smoke test on Xvfb (xcb) failed: status $STATUS" >&2
        exit 1
    fi
    echo "smoke test on Xvfb (xcb) passed"
else
    echo "note: Xvfb is not installed, so the bundle was not tried on X11 (apt-get install xvfb)"
fi

VERSION=$("$BINARY" --version)
echo "smoke test passed: $VERSION"
echo "bundle size: $(du -sh dist/mlsd-study | cut -f1) (dist/mlsd-study)"
