#!/usr/bin/env bash
# The newcomer's first run under Xvfb, for docs/gui.md and docs/lite.md:
#   docs/screenshots/first-run-lite.png  empty config, no GLM-OCR model: the panel offers the
#                                        download while a page added at once is read by the lite
#                                        engine (PP-OCRv6, shipped with the app), labelled so
# Everything is the real app: the real registry's backends, the real model check, the shipped
# CDLA layout model and PP-OCRv6; the page is the shared example code.png (a real scan).
# User folders point at a temp dir: the user's queue and settings are never touched.
set -euo pipefail
# shellcheck source=scripts/screenshot_env.sh
source "$(dirname "$0")/screenshot_env.sh" "$@"
screenshot_python <<'PY'
import sys
import time
from pathlib import Path

from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.app import create_application
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.pipeline.events import JobFinished
from ocr_desktop.settings import Settings
from scripts.screenshot_window import wait, wait_for

out = Path(sys.argv[1])
page = Path("tests/data/glm-ocr-examples/source/code.png").resolve()

app = create_application([])
store = JobStore()
window = MainWindow(Settings(), store)  # the app's own backends and model check: a real first run
window.resize(1400, 900)
window.show()
wait(1500)
started = time.monotonic()
[job_id] = window.add_paths([page])
wait_for(window, JobFinished, timeout_ms=120_000)
print(f"read in {time.monotonic() - started:.1f} s")
window.queue_view.select_job(job_id)
wait(2500)
window.grab().save(str(out / "first-run-lite.png"))
print("wrote", out / "first-run-lite.png")
window.shutdown()
window.close()
store.close()
PY
