"""The lite engine in the window: a newcomer's first run reads a dropped page at once with the real
PP-OCRv6 engine; when GLM-OCR arrives (the real download code against the fake Hub) the lite pages
are read again in one click; a memory refusal offers the lite engine and switches only when the
user clicks. Real widgets, real events, the real pipeline and store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from ocr_desktop import exporters
from ocr_desktop.backends.base import Backend, MemoryEstimate, ProgressFn
from ocr_desktop.backends.lite import LiteBackend
from ocr_desktop.backends.memory import LITE_SUGGESTION, check_fits
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.model_panel import missing_model
from ocr_desktop.pipeline.events import JobFailed, JobFinished, PageFinished, PageStarted
from ocr_desktop.settings import ExportSettings, Settings, load_file
from tests.backends import ScriptedBackend
from tests.gui_helpers import (
    GUI_TIMEOUT_MS,
    WindowFactory,
    drop_files,
    is_event,
    on_event,
    show_document,
    window_factory,
)
from tests.test_cli_lite import WORDS, drawn_invoice
from tests.test_gui_first_run import catalog_backend
from tests.test_models import FakeHub, fake_hub  # noqa: F401 - the fixture

pytestmark = pytest.mark.gui

#: PP-OCRv6 on two busy shared cores: start-up plus a page, with room for a loaded machine.
LITE_TIMEOUT_MS = 60_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def action_button(window: object) -> QPushButton:
    notice = window.notice  # type: ignore[attr-defined]
    return notice._action


def test_first_run_reads_a_dropped_page_with_the_lite_engine_at_once(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a newcomer's first start: empty config, no GLM-OCR model, the app's real backends
    window = make_window(None, Settings())
    panel = window.model_panel
    # THEN the panel offers the download and says the lite engine reads meanwhile
    qtbot.waitUntil(lambda: panel.isVisible() and panel.lite_note.isVisible(), timeout=GUI_TIMEOUT_MS)
    assert panel.download_button.isVisible() and "PP-OCRv6 (lite)" in panel.lite_note.text()

    # WHEN a drawn page is dropped on the window
    row_backends: list[str] = []  # what the queue row names while the page is read
    window.bridge.pipeline_event.connect(
        on_event(PageStarted, lambda e: row_backends.append(window.queue_model.job(e.job_id).backend))
    )
    started = time.monotonic()
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(PageFinished), timeout=LITE_TIMEOUT_MS
    ) as finished:
        drop_files(window, [drawn_invoice(tmp_path / "invoice.png")])
    seconds = time.monotonic() - started
    print(f"first run: dropped page read in {seconds:.1f} s")

    # THEN its words are read, by the lite engine, and the page says so; the offer stays up
    assert panel.isVisible() and panel.download_button.isVisible()
    [event] = finished.args
    job_id, result = event.job_id, event.result
    assert result.backend == "lite"
    assert row_backends == ["lite"], "the queue named the settings' backend, not the one reading"
    show_document(qtbot, window, job_id)
    qtbot.waitUntil(lambda: WORDS[1] in window.reading_view.page_text(), timeout=GUI_TIMEOUT_MS)
    assert WORDS[0] in window.reading_view.page_text()
    assert "read with PP-OCRv6 (lite), not GLM-OCR" in window.reading_view.stats_text()
    assert "PP-OCRv6 (lite)" in window.backend_status.label.text()
    # and the saved settings still name llama.cpp: nothing was chosen for the user
    assert load_file().settings.backend == "llamacpp"


def test_when_glm_ocr_arrives_the_lite_pages_are_read_again_in_one_click(
    qtbot: QtBot,
    make_window: WindowFactory,
    fake_hub: FakeHub,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    # GIVEN a first run (catalog model on the fake Hub, not downloaded) that read a page with
    # the lite engine; llama.cpp is the scripted backend behind the real model lookup
    def backends(settings: Settings) -> Backend:
        return LiteBackend() if settings.backend == "lite" else catalog_backend(settings)

    settings = Settings().with_value("llamacpp.catalog_model", "test-q8").with_value("reading.mode", "page")
    window = make_window(backends, settings, model_check=missing_model, lite_first_run=True)
    qtbot.waitUntil(window.model_panel.lite_note.isVisible, timeout=GUI_TIMEOUT_MS)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=LITE_TIMEOUT_MS
    ) as finished:
        [job_id] = window.add_paths([drawn_invoice(tmp_path / "invoice.png")])
    assert finished.args == [JobFinished(job_id, JobStatus.DONE)]
    assert [p.backend for p in window.store.document_result(job_id).pages] == ["lite"]

    # WHEN the model is downloaded from the panel
    qtbot.mouseClick(window.model_panel.download_button, Qt.MouseButton.LeftButton)
    # THEN a notice offers to read the lite pages again with GLM-OCR
    qtbot.waitUntil(
        lambda: "1 page(s) were read with PP-OCRv6" in window.notice.text(), timeout=GUI_TIMEOUT_MS
    )
    button = action_button(window)
    assert button.isVisible() and button.text() == "Read Them Again with GLM-OCR"
    assert not window.lite.active and not window.model_panel.lite_note.isVisible()

    # WHEN the user clicks it
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(PageFinished), timeout=GUI_TIMEOUT_MS
    ) as again:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # THEN the page is read again by the GLM-OCR backend, and stored so
    [event] = again.args
    assert event.job_id == job_id and event.result.backend == "scripted"
    qtbot.waitUntil(
        lambda: [p.backend for p in window.store.document_result(job_id).pages] == ["scripted"],
        timeout=GUI_TIMEOUT_MS,
    )
    assert window.store.pages_read_by("lite") == {}


class TooBig(ScriptedBackend):
    """A GLM-OCR backend that the memory policy refuses, as llama.cpp's load does."""

    def load(self, progress: ProgressFn) -> None:
        check_fits(
            MemoryEstimate(1 << 50, "model 1 PiB"), suggestions=("a smaller context size", LITE_SUGGESTION)
        )
        super().load(progress)


def test_a_memory_refusal_offers_the_lite_engine_and_switches_only_on_a_click(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a GLM-OCR backend that does not fit in memory
    def backends(settings: Settings) -> Backend:
        return LiteBackend() if settings.backend == "lite" else TooBig()

    window = make_window(backends, Settings().with_value("reading.mode", "page"))
    # WHEN a document is added
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([drawn_invoice(tmp_path / "invoice.png")])
    # THEN the refusal says why and offers the lite engine; nothing was switched by itself
    qtbot.waitUntil(lambda: action_button(window).isVisible(), timeout=GUI_TIMEOUT_MS)
    assert "not enough free memory" in window.notice.text() and "PP-OCRv6 (lite)" in window.notice.text()
    assert action_button(window).text() == "Read with PP-OCRv6 (lite)"
    assert window.settings.backend == "llamacpp"
    assert window.queue_model.job(job_id).status is JobStatus.FAILED  # type: ignore[union-attr]

    # WHEN the user clicks the offer
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=LITE_TIMEOUT_MS
    ) as finished:
        qtbot.mouseClick(action_button(window), Qt.MouseButton.LeftButton)
    # THEN the lite engine is chosen (saved like a choice in Settings) and reads the document
    assert finished.args == [JobFinished(job_id, JobStatus.DONE)]
    assert window.settings.backend == "lite" and load_file().settings.backend == "lite"
    assert [p.backend for p in window.store.document_result(job_id).pages] == ["lite"]


def drawn_listing(path: Path) -> Path:
    """A page with an XML listing whose comment line is text on the page, and a ruled table."""
    from PIL import Image, ImageDraw, ImageFont

    from tests.fixtures.layout import FONT

    page = Image.new("RGB", (1240, 1000), "white")
    draw = ImageDraw.Draw(page)
    body = ImageFont.truetype(FONT, 26)
    mono = ImageFont.truetype(FONT.replace("DejaVuSans", "DejaVuSansMono"), 24)
    draw.text((100, 80), "The bean's descriptor:", fill="black", font=body)
    for i, text in enumerate(
        ["<field-map>", "  <cmp-field>zip</cmp-field>", "</field-map>", LISTING_COMMENT]
    ):
        draw.text((100, 140 + 40 * i), text, fill="black", font=mono)
    draw.text((100, 400), "Table 2. Sizes", fill="black", font=body)
    top = 450
    for row in range(4):
        draw.line((100, top + row * 60, 1100, top + row * 60), fill="black", width=2)
    for column in range(5):
        draw.line((100 + column * 250, top, 100 + column * 250, top + 180), fill="black", width=2)
    for row in range(3):
        for column in range(4):
            draw.text(
                (115 + column * 250, top + 15 + row * 60), f"row {row} col {column}", fill="black", font=body
            )
    page.save(path)
    return path


LISTING_COMMENT = "<!-- generate the ID from a sequence -->"


def test_the_markdown_tab_shows_a_comment_line_and_says_the_lite_engine_read_and_kept_a_table_as_lines(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN the window reading, with the lite engine by layout regions (the default mode), a page
    # whose XML listing has a comment line and whose table the engine can only keep as lines
    settings = Settings().with_value("backend", "lite").with_value("reading.layout_model", "cdla")
    window = make_window(LiteBackend(), settings)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=2 * LITE_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([drawn_listing(tmp_path / "listing.png")])
    show_document(qtbot, window, job_id)
    view = window.reading_view
    # WHEN the user clicks the Markdown tab
    bar = view.tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(view.tabs.indexOf(view.markdown_view)).center()
    )
    assert view.tabs.currentWidget() is view.markdown_view
    # THEN the comment line is shown as the page has it (a renderer would hide it as HTML)
    qtbot.waitUntil(lambda: "row 2 col 3" in view.markdown_view.toPlainText(), timeout=GUI_TIMEOUT_MS)
    shown = view.markdown_view.toPlainText()
    assert LISTING_COMMENT in shown and "<cmp-field>zip</cmp-field>" in shown
    # AND it says that the lite engine read the page and that a table was kept as lines
    assert "read with PP-OCRv6 (lite), the engine that ships with the app, not with GLM-OCR" in shown
    assert "a table or formula on this page is given as its text lines, without its structure" in shown
    # AND the exports keep their documented form: the .md escapes the comment so that it shows,
    # and marks the page with its own comment; the .txt holds the line as read
    document = window.store.document_result(job_id)
    report = exporters.export_documents(
        [document], ExportSettings(formats=("md", "txt"), out_dir=str(tmp_path))
    )
    assert not report.failed
    markdown = (tmp_path / "listing.md").read_text(encoding="utf-8")
    assert "&lt;!-- generate the ID from a sequence -->" in markdown and "<!-- page 1 -->" in markdown
    assert LISTING_COMMENT in (tmp_path / "listing.txt").read_text(encoding="utf-8")
