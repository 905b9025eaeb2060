#!/usr/bin/env bash
# Screenshots of the real window under Xvfb, for the README and docs/gui.md:
#   docs/screenshots/main-empty.png     the empty window (drop zone)
#   docs/screenshots/main-working.png   a 2-page PDF being read, text streaming in
#   docs/screenshots/main-finished.png  the document done, Markdown tab with the table
#   docs/screenshots/settings.png       the settings dialog (llama.cpp tab)
#   docs/screenshots/main-zh_CN.png     the finished window in Simplified Chinese
#   docs/screenshots/first-run.png      no model installed: the window offers the download
#   docs/screenshots/first-run-download.png  the download in progress (from a local fake Hub
#                                       serving a stand-in file on a slow line)
#   docs/screenshots/switch-vllm.png    switching to vLLM: the stage and the time against the last start
#   docs/screenshots/settings-zh_CN.png the settings dialog in Simplified Chinese
# The pages are the sample pages in ocr_desktop/resources/samples. Their text is replayed by the
# test suite's scripted backend (a transcription of the samples, streamed token by token), so
# the pictures do not depend on having the GLM-OCR weights; everything else is the real app.
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
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.app import create_application
from ocr_desktop.gui.main_window import MainWindow, window_state
from ocr_desktop.gui.model_panel import missing_model
from ocr_desktop.gui.resources import install_translators
from ocr_desktop.models import catalog
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.test_models import REPO, FakeHub, _handler

out = Path(sys.argv[1])
samples = Path("ocr_desktop/resources/samples")
TEXT = (
    "# Reading pages on a small computer\n\n"
    "OCR Desktop reads scanned pages with GLM-OCR, a 0.9B vision-language model, on a Jetson or any "
    "Linux machine. Each page is fitted to a pixel budget, encoded by the vision tower and decoded "
    "token by token.\n\n"
    "The vision encoder dominates the time per page: halving the pixel budget roughly halves the time "
    "to the first token, while the decoder's speed depends on the runtime and on how many pages are in "
    "flight.\n\n"
    "llama.cpp maps the weights and starts in seconds; vLLM pre-allocates its memory and batches pages "
    "that are read at the same time.\n"
)
TABLE = (
    "<table><tr><td>Paper size</td><td>Width mm</td><td>Height mm</td><td>Width px</td><td>Height px</td></tr>"
    "<tr><td>A4</td><td>210</td><td>297</td><td>1240</td><td>1754</td></tr>"
    "<tr><td>A5</td><td>148</td><td>210</td><td>874</td><td>1240</td></tr>"
    "<tr><td>US Letter</td><td>216</td><td>279</td><td>1275</td><td>1650</td></tr>"
    "<tr><td>US Legal</td><td>216</td><td>356</td><td>1275</td><td>2100</td></tr></table>"
)


def tokens(text: str) -> list[str]:
    """Word-sized deltas, as a tokenizer would stream them."""
    parts, word = [], ""
    for ch in text:
        word += ch
        if ch in " \n>":
            parts.append(word)
            word = ""
    return [*parts, word] if word else parts


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(signal, timeout_ms: int = 60_000) -> None:  # noqa: ANN001
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def shoot(widget, name: str) -> None:  # noqa: ANN001
    wait(400)  # let the last repaint land
    widget.grab().save(str(out / name))
    print("wrote", out / name)


app = create_application(["ocr-desktop"])
pdf = Path(os.environ["XDG_CACHE_HOME"]) / "sample pages.pdf"
pdf.parent.mkdir(parents=True, exist_ok=True)
pages = [Image.open(samples / "text.png").convert("RGB"), Image.open(samples / "table.png").convert("RGB")]
pages[0].save(pdf, "PDF", save_all=True, append_images=pages[1:], resolution=96)
try:
    backend = ScriptedBackend(id="llamacpp", token_delay_s=0.05, scripts={0: tokens(TEXT), 1: tokens(TABLE)})
    store = JobStore()
    settings = Settings()
    settings.backend = "llamacpp"
    window = MainWindow(settings, store, backend_factory=lambda _s: backend)
    window.resize(1400, 900)
    window.show()
    wait(800)
    shoot(window, "main-empty.png")

    window.add_paths([pdf])
    window.queue_view.selectRow(0)
    window.reading_view.tabs.setCurrentIndex(1)  # the raw text streams most visibly
    # Mid-page, by the amount of text streamed (timing alone depends on the machine's load).
    for _ in range(600):
        if len(window.reading_view.text_edit.toPlainText()) > 330:
            break
        wait(50)
    shoot(window, "main-working.png")

    wait_for(window.bridge.job_finished)
    window.reading_view.go_to_page(1)
    window.reading_view.tabs.setCurrentIndex(0)
    wait(1500)  # the page image renders on its worker thread
    shoot(window, "main-finished.png")

    window.settings_action.trigger()
    dialog = window.settings_dialog
    dialog.tabs.setCurrentIndex(3)
    dialog.show()
    shoot(dialog, "settings.png")
    dialog.reject()
    window.shutdown()
    window.close()

    # Switching to vLLM: its last start took 41 s (window.ini), the server starts in stages.
    class SlowStart(ScriptedBackend):
        def load(self, progress) -> None:  # noqa: ANN001
            for stage in ("starting the vLLM server", "vLLM loading weights", "vLLM capturing CUDA graphs"):
                progress(stage, -1.0)
                time.sleep(2.5)
            super().load(progress)

    window_state().setValue("backend/load_seconds/vllm", 41.0)
    window = MainWindow(settings, store, backend_factory=lambda s: SlowStart(id=s.backend))
    window.resize(1400, 900)
    window.show()
    wait(800)
    vllm = Settings()
    vllm.backend = "vllm"
    window.apply_settings(vllm)
    wait(5500)
    shoot(window, "switch-vllm.png")
    window.shutdown()
    window.close()

    # The first run: no model in the (empty) Hugging Face cache. The download comes from a local
    # fake Hub on a slow line, serving a 50 MB stand-in under the catalog model's file names.
    stand_in = bytes(range(256)) * 200_000
    hub_state = FakeHub("", {"GLM-OCR-Q8_0.gguf": stand_in, "mmproj-GLM-OCR-Q8_0.gguf": stand_in[:4_000_000]})
    hub_state.chunk_delay_s = 0.02
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub_state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{server.server_address[1]}"
    real = catalog.get_entry("glm-ocr-q8_0")
    catalog.CATALOG = (
        catalog.CatalogEntry(
            real.name, real.runtime, REPO, real.description,
            files=tuple(catalog.ModelFile(f.filename, f.role) for f in real.files),
            download_bytes=len(stand_in) + 4_000_000,
        ),
    )  # fmt: skip
    first = JobStore(Path(os.environ["XDG_CACHE_HOME"]) / "first-run.sqlite3")
    window = MainWindow(Settings(), first, backend_factory=lambda _s: backend, model_check=missing_model)
    window.resize(1400, 900)
    window.show()
    wait(2500)
    shoot(window, "first-run.png")
    window.model_panel.download_button.click()
    wait(8000)  # huggingface_hub reports progress once per 10 MB
    shoot(window, "first-run-download.png")
    window.model_panel.cancel_download()
    window.shutdown()
    window.close()
    first.close()
    server.shutdown()

    translators = install_translators(app, "zh_CN")
    window = MainWindow(settings, store, backend_factory=lambda _s: backend)
    window.resize(1400, 900)
    window.show()
    window.reading_view.go_to_page(1)
    wait(1500)
    shoot(window, "main-zh_CN.png")
    window.settings_action.trigger()
    dialog = window.settings_dialog
    dialog.tabs.setCurrentIndex(3)
    dialog.show()
    shoot(dialog, "settings-zh_CN.png")
    dialog.reject()
    window.shutdown()
    window.close()
    store.close()
finally:
    pdf.unlink(missing_ok=True)
PY
