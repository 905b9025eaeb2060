#!/usr/bin/env bash
# The newcomer's first run under Xvfb, for docs/gui.md and docs/lite.md:
#   docs/screenshots/first-run-lite.png  empty config, no GLM-OCR model: the panel offers the
#                                        download while a page added at once is read by the lite
#                                        engine (PP-OCRv6, shipped with the app), labelled so
# Everything is the real app: the real registry's backends, the real model check, the shipped
# CDLA layout model and PP-OCRv6; the page is the shared example code.png (a real scan).
# User folders point at a temp dir: the user's queue and settings are never touched.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/docs/screenshots}
mkdir -p "$OUT"
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
export XDG_CONFIG_HOME=$HOME_DIR/config XDG_DATA_HOME=$HOME_DIR/data XDG_STATE_HOME=$HOME_DIR/state
export XDG_CACHE_HOME=$HOME_DIR/cache HF_HOME=$HOME_DIR/hf QT_QPA_PLATFORM=xcb
cd "$ROOT"
exec xvfb-run -a -s "-screen 0 1600x1000x24" "${PYTHON:-.venv/bin/python}" - "$OUT" <<'PY'
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.app import create_application
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.pipeline.events import JobFinished
from ocr_desktop.settings import Settings

out = Path(sys.argv[1])
page = Path("tests/data/glm-ocr-examples/source/code.png").resolve()


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(kind: type, timeout_ms: int = 120_000) -> None:
    """Until the window's bridge delivers a pipeline event of ``kind`` (or the timeout)."""
    loop = QEventLoop()

    def seen(event: object) -> None:
        if isinstance(event, kind):
            loop.quit()

    window.bridge.pipeline_event.connect(seen)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    window.bridge.pipeline_event.disconnect(seen)


app = create_application([])
store = JobStore()
window = MainWindow(Settings(), store)  # the app's own backends and model check: a real first run
window.resize(1400, 900)
window.show()
wait(1500)
started = time.monotonic()
[job_id] = window.add_paths([page])
wait_for(JobFinished)
print(f"read in {time.monotonic() - started:.1f} s")
window.queue_view.select_job(job_id)
wait(2500)
window.grab().save(str(out / "first-run-lite.png"))
print("wrote", out / "first-run-lite.png")
window.shutdown()
window.close()
store.close()
PY
