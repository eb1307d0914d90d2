#!/usr/bin/env bash
# Remove what packaging/install-linux.sh put under PREFIX (default ~/.local). Your data folder
# (~/.local/share/mlsd-study: the database and your decks) is not touched.
# Usage: packaging/uninstall-linux.sh [PREFIX]     (or PREFIX=... packaging/uninstall-linux.sh)
set -euo pipefail
PREFIX=${1:-${PREFIX:-$HOME/.local}}
APP_ID=io.github.mlsdstudy.MLSDStudy
SHARE=$PREFIX/share

rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml" \
      "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 48 64 128 256; do
    rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
# The copied bundle, recognised by its layout so that nothing else of that name is removed.
BUNDLE=$PREFIX/lib/mlsd-study
if [ -x "$BUNDLE/mlsd-study" ] && [ -d "$BUNDLE/_internal" ]; then
    rm -rf "$BUNDLE"
fi

# Refresh the desktop's caches where they exist (never create one: the files work without).
if command -v update-desktop-database >/dev/null && [ -f "$SHARE/applications/mimeinfo.cache" ]; then
    update-desktop-database -q "$SHARE/applications" || true
fi
if command -v gtk-update-icon-cache >/dev/null && [ -f "$SHARE/icons/hicolor/icon-theme.cache" ]; then
    gtk-update-icon-cache -q -f -t "$SHARE/icons/hicolor" || true
fi
echo "Removed MLSD Study from the launcher under $PREFIX (your data folder was kept)."
