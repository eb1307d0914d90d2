#!/usr/bin/env bash
# Build the one-folder bundle dist/mlsd-study/ with PyInstaller, then smoke-test it: the bundled
# binary must open its window offscreen, print startup_ms=... and exit 0.
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
VERSION=$("$BINARY" --version)
echo "smoke test passed: $VERSION"
echo "bundle size: $(du -sh dist/mlsd-study | cut -f1) (dist/mlsd-study)"
