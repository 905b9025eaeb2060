#!/usr/bin/env bash
# Installs the .desktop entry and the icon for the current user (or system-wide with --system),
# so OCR Desktop appears in the application menu and the window shows its icon under Wayland.
# The entry runs `ocr-desktop-gui`, which must be on PATH (e.g. the venv's bin, or pipx).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP_ID=io.github.ocr_desktop.OcrDesktop
PREFIX=${XDG_DATA_HOME:-$HOME/.local/share}
if [ "${1:-}" = "--system" ]; then PREFIX=/usr/local/share; fi

desktop-file-validate "$ROOT/resources/$APP_ID.desktop"
install -Dm644 "$ROOT/resources/$APP_ID.desktop" "$PREFIX/applications/$APP_ID.desktop"
install -Dm644 "$ROOT/resources/$APP_ID.svg" "$PREFIX/icons/hicolor/scalable/apps/$APP_ID.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/icons/hicolor" || true
echo "installed $APP_ID into $PREFIX"
