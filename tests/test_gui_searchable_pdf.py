"""File → Export → "pdf" in the real window: a read PDF becomes searchable through the Export dialog,
driven with real clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
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
