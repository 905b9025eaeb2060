"""The Markdown tab shows what the .md export holds: the formatter's Markdown, not the raw text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ocr_desktop.core.formatter import format_page
from ocr_desktop.pipeline.events import JobFinished
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import WindowFactory, is_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000
DATA = Path(__file__).parent / "data" / "formatter"


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_the_markdown_tab_shows_the_formatted_page(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a page the model wrapped in an unclosed ```markdown fence, with a table on a text line
    raw = "```markdown\n# 胶缝\n\n" + (DATA / "table-same-line.raw").read_text(encoding="utf-8")
    window = make_window(ScriptedBackend(scripts={0: [raw]}))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "one.pdf", 1)])
    view = window.reading_view

    # WHEN the user clicks the Markdown tab
    bar = view.tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(view.tabs.indexOf(view.markdown_view)).center()
    )
    qtbot.waitUntil(lambda: view.tabs.currentWidget() is view.markdown_view, timeout=TIMEOUT_MS)

    # THEN the page is shown as the export writes it: a heading, the text, a real table, no code
    html = view.markdown_view.document().toHtml()
    shown = view.markdown_view.toPlainText()
    assert "<pre" not in html and "```" not in shown
    assert html.count("<table") == 1
    assert shown.startswith("胶缝") and "以上项目均已审计。" in shown
    assert format_page(raw).markdown.startswith("# 胶缝\n\n非经常性损益项目\n\n| 项目 |")
    # and the raw text the model wrote is still what the Text tab edits
    assert view.text_edit.toPlainText() == raw
