# Shared start-up of the screenshot scripts (sourced by screenshot.sh and screenshot_lite.sh, with
# their arguments): the output folder ($1, default docs/screenshots), user folders in a temp dir
# removed on exit (the user's queue, settings and model cache are never touched), the repository
# root as the working folder, and `screenshot_python`, which runs the Python script on its stdin
# under a virtual X server with the output folder as its argument (the script's window helpers:
# scripts/screenshot_window.py).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/docs/screenshots}
mkdir -p "$OUT"
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
export XDG_CONFIG_HOME=$HOME_DIR/config XDG_DATA_HOME=$HOME_DIR/data XDG_STATE_HOME=$HOME_DIR/state
export XDG_CACHE_HOME=$HOME_DIR/cache HF_HOME=$HOME_DIR/hf QT_QPA_PLATFORM=xcb
cd "$ROOT"

screenshot_python() {
  # Not exec'd: the EXIT trap then removes the temp folders once the script is done.
  xvfb-run -a -s "-screen 0 1600x1000x24" "${PYTHON:-.venv/bin/python}" - "$OUT"
}
