"""File → Export → "pdf" in the real window: a read PDF becomes searchable through the Export dialog,
driven with real clicks; a long export shows its progress in the notice bar, with Cancel, and the
window stays live meanwhile."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QPushButton
from pytestqt.qtbot import QtBot

from ocr_desktop.pipeline.events import JobFinished
from tests.backends import ScriptedBackend
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, is_event, window_factory
from tests.test_searchable_pdf import EXAMPLES, one_page_scan, pdftotext

pytestmark = pytest.mark.gui


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_file_export_writes_a_searchable_pdf(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a two-page scan whose first page the (scripted) model reads as the SDK read code.png
    scan = one_page_scan(tmp_path / "in")
    answer = (EXAMPLES / "code.expected.md").read_text(encoding="utf-8")
    window = make_window(ScriptedBackend(scripts={0: [answer], 1: ["Vector note 2"]}))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([scan])
    # WHEN File → Export is chosen, "pdf" ticked with a click and Export clicked
    window.window_actions.export_action.trigger()  # File → Export
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=GUI_TIMEOUT_MS)
    dialog.editors["export.out_dir"].put(str(tmp_path / "out"))
    dialog.editors["export.formats"].put([])
    (pdf_box,) = [
        b for b in dialog.editors["export.formats"].widget.findChildren(QCheckBox) if b.text() == "pdf"
    ]
    qtbot.mouseClick(pdf_box, Qt.MouseButton.LeftButton)
    assert dialog.options().formats == ("pdf",)
    with qtbot.waitSignal(dialog.exported, timeout=300_000):  # line detection on 2 busy cores
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    # THEN the PDF is written, its first page searchable with the model's words
    (written,) = dialog.report.written if dialog.report else []
    assert written == tmp_path / "out" / "scan.pdf"
    first = pdftotext(written, "-f", "1", "-l", "1")
    assert "weblogic-rdbms-bean" in first and "automatic-key-generation" in first


def test_a_long_export_shows_progress_keeps_the_window_live_and_can_be_cancelled(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a 12-page scan, read (whole pages, as the SDK read code.png): its pages have no text
    # lines stored, so the export reads each page's lines (seconds a page on the shared cores)
    import img2pdf

    pages = 12
    scan = tmp_path / "in" / "book.pdf"
    scan.parent.mkdir()
    scan.write_bytes(img2pdf.convert([(EXAMPLES / "source" / "code.png").read_bytes()] * pages))
    answer = (EXAMPLES / "code.expected.md").read_text(encoding="utf-8")
    window = make_window(ScriptedBackend(scripts={i: [answer] for i in range(pages)}))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([scan])
    # a heartbeat on the GUI thread: the longest gap between its beats while the export runs
    beats: list[float] = []
    heart = QTimer(window)
    heart.timeout.connect(lambda: beats.append(time.monotonic()))
    heart.start(20)
    shown: list[str] = []
    window.notice.shown.connect(shown.append)
    # WHEN the searchable PDF is exported through File → Export
    window.window_actions.export_action.trigger()
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=GUI_TIMEOUT_MS)
    dialog.editors["export.out_dir"].put(str(tmp_path / "out"))
    dialog.editors["export.formats"].put(["pdf"])
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    # THEN the notice shows how far it is, with Cancel, while the window stays live
    qtbot.waitUntil(lambda: window.notice.text().startswith("Exporting"), timeout=120_000)
    assert window.notice.action_text() == "Cancel"
    assert re.fullmatch(r"Exporting… \d+% of the pages done", window.notice.text())
    started = len(beats)
    qtbot.wait(1500)  # the export goes on meanwhile (another page's lines are read)
    assert len(beats) - started >= 20  # the GUI thread kept beating: not frozen
    # WHEN Cancel is clicked in the notice
    (cancel,) = [b for b in window.notice.findChildren(QPushButton) if b.text() == "Cancel"]
    with qtbot.waitSignal(dialog.exported, timeout=300_000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    heart.stop()
    # THEN the export stopped before the PDF was written, and the notice says so
    assert dialog.report is not None and dialog.report.cancelled
    assert not (tmp_path / "out" / "book.pdf").exists()
    assert "Export cancelled" in window.notice.text()
    progress = [text for text in shown if text.startswith("Exporting")]
    assert len(progress) >= 1 and len(progress) < pages * 2  # shown as it moved, not at every step
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    print(f"longest gap between GUI heartbeats during the export: {max(gaps):.2f} s")
    assert max(gaps) < 2.0
