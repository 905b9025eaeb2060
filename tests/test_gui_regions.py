"""The page view's layout regions: boxes coloured by kind, the region being read highlighted, a
click on a box scrolls the text to that region, and putting the cursor in the text marks its box.
A real window reading a drawn layout page (the shipped CDLA model) with the scripted backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from ocr_desktop.gui.markdown_preview import locate as _locate
from ocr_desktop.gui.reading_view import REGION_COLOURS
from ocr_desktop.pipeline.events import JobFinished, RegionFinished, RegionStarted
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.layout import draw_page
from tests.gui_helpers import WindowFactory, is_event, on_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 60_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_region_boxes_follow_the_reading_and_link_to_the_text(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN the window reading a drawn layout page in layout mode, one token every 20 ms
    page, _parts = draw_page()
    path = tmp_path / "paper.png"
    page.save(path)
    settings = Settings().with_value("reading.layout_model", "cdla")
    window = make_window(ScriptedBackend(token_delay_s=0.02), settings)
    view = window.reading_view
    highlighted: set[int] = set()
    progress: list[str] = []

    def on_region_started(_event: RegionStarted) -> None:
        highlighted.add(view.page_view.highlighted)
        progress.append(view.stats_text())

    window.bridge.pipeline_event.connect(on_event(RegionStarted, on_region_started))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([path])
    # THEN while it was read, the region being read was the highlighted box, region after region
    result = window.store.document_result(view.job_id)  # type: ignore[arg-type]
    (page_result,) = result.pages
    read = [r.order for r in page_result.regions if r.read]
    assert highlighted == set(read)
    # the page's progress counted the regions, and the finished page names the layout model
    assert progress[0] == f"Page 1: reading region 1 of {len(read)}…"
    assert progress[-1] == f"Page 1: reading region {len(read)} of {len(read)}…"
    assert f"{len(page_result.regions)} regions, layout model cdla" in view.stats_text()
    # AND every region has a box, outlined in its kind's colour
    qtbot.waitUntil(lambda: len(view.page_view.boxes) == len(page_result.regions), timeout=TIMEOUT_MS)
    for region in page_result.regions:
        box = view.page_view.boxes[region.order]
        assert box.pen().color().name() == REGION_COLOURS[region.kind]

    # WHEN the user opens the Text tab and clicks the table's box on the page
    bar = view.tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(view.tabs.indexOf(view.text_edit)).center()
    )
    qtbot.waitUntil(lambda: view.tabs.currentWidget() is view.text_edit, timeout=TIMEOUT_MS)
    table = next(r for r in page_result.regions if r.kind == "table")
    box = view.page_view.boxes[table.order]
    target = view.page_view.mapFromScene(box.rect().center())
    qtbot.mouseClick(view.page_view.viewport(), Qt.MouseButton.LeftButton, pos=target)
    # THEN the text's cursor is where the table's text begins, and the table's box is marked
    text = view.text_edit.toPlainText()
    assert view.text_edit.textCursor().position() == _locate(text, table.text)
    assert view.page_view.highlighted == table.order

    # WHEN the user clicks into the text of another region (the first text region read)
    other = next(r for r in page_result.regions if r.read and r.kind == "text")
    cursor = QTextCursor(view.text_edit.document())
    position = _locate(text, other.text)
    assert position is not None
    cursor.setPosition(position + 2)
    spot = view.text_edit.cursorRect(cursor).center()
    qtbot.mouseClick(view.text_edit.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    # THEN that region's box is the one marked on the page
    qtbot.waitUntil(lambda: view.page_view.highlighted == other.order, timeout=TIMEOUT_MS)


def test_settings_dialog_has_the_reading_tab(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QComboBox

    from ocr_desktop.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Reading" in titles
    mode = dialog.editors["reading.mode"].widget
    assert isinstance(mode, QComboBox) and mode.currentText() == "layout"
    assert [mode.itemText(i) for i in range(mode.count())] == ["layout", "page"]
    assert dialog.editors["reading.layout_model"].get() == "auto"


def test_compare_dialog_can_measure_layout_reading(qtbot: QtBot, tmp_path: Path) -> None:
    from ocr_desktop.core.store import JobStore
    from ocr_desktop.gui.compare import CompareDialog
    from ocr_desktop.pipeline import Pipeline

    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(store, Settings(), backend_factory=lambda _s: ScriptedBackend())
    dialog = CompareDialog(Settings(), pipeline)
    qtbot.addWidget(dialog)
    # GIVEN the dialog's reading-mode choice (whole pages by default)
    assert dialog.config().mode == "page"
    # WHEN the user picks layout with the keyboard
    dialog.mode_combo.setFocus()
    qtbot.keyClicks(dialog.mode_combo, "l")
    # THEN the benchmark it would run reads layout regions
    assert dialog.mode_combo.currentText() == "layout"
    assert dialog.config().mode == "layout"
    assert pipeline.shutdown()
    store.close()


def test_every_region_read_reaches_the_window_before_its_page_ends(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN the window reading a drawn layout page region by region
    page, _parts = draw_page()
    path = tmp_path / "paper.png"
    page.save(path)
    window = make_window(
        ScriptedBackend(token_delay_s=0.01), Settings().with_value("reading.layout_model", "cdla")
    )
    view = window.reading_view
    held: list[tuple[int, str]] = []  # (order, the text the reading view holds for it) per RegionFinished
    page_done: list[bool] = []

    def on_region_finished(event: RegionFinished) -> None:
        # connected after the window's own slot: the window has handled the event by now (what
        # the view holds of a page's regions is what a click on a box scrolls to)
        regions = {r.order: r for r in view.document.regions.get(event.page_index, ())}  # type: ignore[union-attr]
        held.append(
            (event.region.order, regions[event.region.order].text if event.region.order in regions else "")
        )
        page_done.append(bool(window.queue_model.job(event.job_id).pages_done))  # type: ignore[union-attr]

    window.bridge.pipeline_event.connect(on_event(RegionFinished, on_region_finished))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([path])
    # THEN every region read reached the window as it finished, while its page was still being read,
    # and the reading view held the region's text from then on
    (page_result,) = window.store.document_result(view.job_id).pages  # type: ignore[arg-type]
    read = {r.order: r.text for r in page_result.regions if r.read}
    assert sorted(order for order, _text in held) == sorted(read)
    assert all(text == read[order] and text for order, text in held)
    assert not any(page_done)
