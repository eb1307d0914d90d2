#!/usr/bin/env bash
# Add MLSD Study to the desktop's launcher for this user: the desktop entry, the icons and the
# AppStream metainfo under PREFIX (default ~/.local). The entry starts the bundle built by
# packaging/build.sh (copied to PREFIX/lib/mlsd-study) if there is one, else the mlsd-study
# command on PATH (pip install). packaging/uninstall-linux.sh removes exactly these files.
# Usage: packaging/install-linux.sh [PREFIX]     (or PREFIX=... packaging/install-linux.sh)
#        BUNDLE=DIR to install another bundle than dist/mlsd-study
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
PREFIX=${1:-${PREFIX:-$HOME/.local}}
BUNDLE=${BUNDLE:-$REPO/dist/mlsd-study}
APP_ID=io.github.mlsdstudy.MLSDStudy
ICONS=$REPO/resources/icons
SHARE=$PREFIX/share

if [ -x "$BUNDLE/mlsd-study" ]; then
    TARGET=$PREFIX/lib/mlsd-study
    rm -rf "$TARGET"
    mkdir -p "$PREFIX/lib"
    cp -a "$BUNDLE" "$TARGET"
    COMMAND=$TARGET/mlsd-study
elif COMMAND=$(command -v mlsd-study); then
    COMMAND=$(cd "$(dirname "$COMMAND")" && pwd)/$(basename "$COMMAND")
else
    echo "install-linux.sh: nothing to launch: build the bundle (packaging/build.sh) or install" \
         "the app so that mlsd-study is on PATH (e.g. pipx install .)" >&2
    exit 1
fi
case $COMMAND in
    *[[:space:]\"\'\\\`\$%]*)
        echo "install-linux.sh: the path $COMMAND has characters a desktop entry cannot run;" \
             "choose a PREFIX without spaces or quotes" >&2
        exit 1 ;;
esac

install -D -m 644 "$HERE/$APP_ID.desktop" "$SHARE/applications/$APP_ID.desktop"
sed -i "s|^Exec=.*|Exec=$COMMAND|" "$SHARE/applications/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
for size in 48 64 128 256; do
    install -D -m 644 "$ICONS/$APP_ID-$size.png" \
        "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -D -m 644 "$ICONS/$APP_ID.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"

# Refresh the desktop's caches where they exist (never create one: the files work without).
if command -v update-desktop-database >/dev/null && [ -f "$SHARE/applications/mimeinfo.cache" ]; then
    update-desktop-database -q "$SHARE/applications" || true
fi
if command -v gtk-update-icon-cache >/dev/null && [ -f "$SHARE/icons/hicolor/icon-theme.cache" ]; then
    gtk-update-icon-cache -q -f -t "$SHARE/icons/hicolor" || true
fi
echo "Installed MLSD Study for the launcher: $SHARE/applications/$APP_ID.desktop runs $COMMAND"
