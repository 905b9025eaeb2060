#!/usr/bin/env bash
# Runs lint, types and the whole test suite with the venvs made by scripts/setup.sh test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export OCR_DESKTOP_BUILD_CACHE=${OCR_DESKTOP_BUILD_CACHE:-$HOME/.cache/ocr-desktop}
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check ocr_desktop tests scripts
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
