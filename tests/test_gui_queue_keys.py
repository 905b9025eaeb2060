"""The queue from the keyboard, with real key events: the selection follows a moved row, actions
stay enabled where they apply, a cancelled document resumes, Esc acts only where its target has
focus, and documents just added are selected and scrolled to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.pipeline.events import JobFinished, PageFailed
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_image, make_pdf
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, drop_files, is_event, on_event, window_factory

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=GUI_TIMEOUT_MS)


def order(window: MainWindow) -> list[str]:
    return [row.job_id for row in window.queue_model.rows()]


def paused_queue(make_window: WindowFactory, tmp_path: Path, count: int) -> tuple[MainWindow, list[str]]:
    """A paused window with ``count`` one-page documents queued (shown in the view)."""
    window = make_window(ScriptedBackend())
    window.window_actions.pause_action.trigger()
    ids = window.add_paths([make_pdf(tmp_path / f"doc{i}.pdf", 1) for i in range(count)])
    assert order(window) == ids and window.queue_model.rowCount() == count
    return window, ids


def test_ctrl_up_twice_moves_the_same_document_twice(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a paused queue of three documents, the last one selected from the keyboard
    window, ids = paused_queue(make_window, tmp_path, 3)
    view = window.queue_view
    focus(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_job_ids() == [ids[2]]

    # WHEN Ctrl+Up is pressed twice
    qtbot.keyClick(view, Qt.Key.Key_Up, CTRL)
    assert view.selected_job_ids() == [ids[2]], "the selection followed the moved row"
    assert (
        window.window_actions.move_up_action.isEnabled() and window.window_actions.remove_action.isEnabled()
    )
    assert window.window_actions.cancel_job_action.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_Up, CTRL)

    # THEN the same document went to the top, in the view and in the store
    assert order(window) == [ids[2], ids[0], ids[1]]
    qtbot.waitUntil(lambda: [job.id for job in window.store.list_jobs()] == [ids[2], ids[0], ids[1]])
    assert view.selected_job_ids() == [ids[2]]
    assert view.current_job_id() == ids[2]

    # WHEN Ctrl+Down is pressed once
    qtbot.keyClick(view, Qt.Key.Key_Down, CTRL)
    # THEN it moved back by one and stays selected
    assert order(window) == [ids[0], ids[2], ids[1]]
    assert view.selected_job_ids() == [ids[2]]


def test_a_cancelled_document_can_be_resumed(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a paused queue with a three-page document, cancelled with Shift+Esc in the queue
    window = make_window(ScriptedBackend())
    window.window_actions.pause_action.trigger()
    [job_id] = window.add_paths([make_pdf(tmp_path / "doc.pdf", 3)])
    qtbot.waitUntil(lambda: window.queue_view.selected_job_ids() == [job_id], timeout=GUI_TIMEOUT_MS)
    view = window.queue_view
    focus(qtbot, view)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        qtbot.keyClick(view, Qt.Key.Key_Escape, Qt.KeyboardModifier.ShiftModifier)
    row = window.queue_model.job(job_id)
    assert row is not None and row.status is JobStatus.CANCELLED
    assert window.queue_model.status_text(row) == "Cancelled"

    # THEN Retry / Resume applies to it
    assert window.window_actions.retry_action.isEnabled()
    assert not window.window_actions.cancel_job_action.isEnabled()

    # WHEN Ctrl+R is pressed and the queue resumed
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        qtbot.keyClick(view, Qt.Key.Key_R, CTRL)
        window.window_actions.pause_action.trigger()

    # THEN every page is read
    row = window.queue_model.job(job_id)
    assert row is not None and row.status is JobStatus.DONE and row.pages_done == {0, 1, 2}


def test_esc_cancels_a_page_only_where_that_page_has_focus(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a slow page being read, and the log dock open
    backend = ScriptedBackend(token_delay_s=0.02, tokens_per_page=400)
    window = make_window(backend)
    window.log_dock.show()
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "slow.pdf", 1)])
    failed: list[str] = []
    window.bridge.pipeline_event.connect(on_event(PageFailed, lambda e: failed.append(e.message)))

    # WHEN Esc is pressed while the log has focus
    focus(qtbot, window.log_view)
    qtbot.keyClick(window.log_view, Qt.Key.Key_Escape)
    qtbot.wait(200)
    # THEN nothing is cancelled
    assert failed == []
    assert window.queue_model.job(job_id).live.keys() == {0}  # type: ignore[union-attr]

    # WHEN Esc is pressed in the reading view showing that page
    page = window.reading_view.page_view
    focus(qtbot, page)
    qtbot.keyClick(page, Qt.Key.Key_Escape)

    # THEN the page is cancelled
    qtbot.waitUntil(lambda: bool(failed), timeout=GUI_TIMEOUT_MS)
    assert "cancel" in failed[0]


def test_documents_just_added_are_selected_and_scrolled_to(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a queue longer than the view, the first document selected
    window, ids = paused_queue(make_window, tmp_path, 40)
    window.queue_view.select_job(ids[0])
    window.queue_view.scrollToTop()

    # WHEN another document is added
    [new] = window.add_paths([make_pdf(tmp_path / "new.pdf", 1)])

    # THEN it is selected, shown in the reading view, and its row is in view
    qtbot.waitUntil(lambda: window.queue_view.selected_job_ids() == [new], timeout=GUI_TIMEOUT_MS)
    view = window.queue_view
    rect = view.visualRect(window.queue_model.index(40, 0))
    assert view.viewport().rect().contains(rect.center())
    qtbot.waitUntil(lambda: window.reading_view.job_id == new, timeout=GUI_TIMEOUT_MS)


def test_same_named_files_show_their_folder_in_the_queue_and_history(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN two documents called report.pdf in different folders, and another one
    (tmp_path / "2023").mkdir()
    (tmp_path / "2024").mkdir()
    window = make_window(ScriptedBackend())
    window.window_actions.pause_action.trigger()
    ids = window.add_paths(
        [
            make_pdf(tmp_path / "2023" / "report.pdf", 1),
            make_pdf(tmp_path / "2024" / "report.pdf", 1),
            make_pdf(tmp_path / "other.pdf", 1),
        ]
    )
    qtbot.waitUntil(lambda: len(order(window)) == 3, timeout=GUI_TIMEOUT_MS)

    # THEN the queue tells them apart by folder; a unique name stays as it is
    names = [window.queue_model.index(r, 0).data() for r in range(3)]
    assert names == ["report.pdf — 2023", "report.pdf — 2024", "other.pdf"]
    # THEN History does the same
    window.window_actions.history_action.trigger()
    tree = window.history_dialog.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 3, timeout=GUI_TIMEOUT_MS)
    shown = sorted(tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount()))  # type: ignore[union-attr]
    assert shown == ["other.pdf", "report.pdf — 2023", "report.pdf — 2024"]
    window.history_dialog.reject()

    # WHEN one of them is removed THEN the other shows its plain name again
    window.queue_view.select_job(ids[0])
    window.window_actions.remove_action.trigger()
    assert window.queue_model.index(0, 0).data() == "report.pdf"


def test_a_dropped_folder_is_submitted_in_one_transaction_off_the_gui_thread(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a folder of 60 documents, and a record of each store transaction that creates jobs
    folder = tmp_path / "scans"
    files = [make_image(folder / f"scan {i:02d}.png", f"page {i}", size=(80, 60)) for i in range(60)]
    window = make_window(ScriptedBackend())
    window.window_actions.pause_action.trigger()
    calls: list[tuple[int, bool]] = []
    create_jobs = window.store.create_jobs

    def recorded(documents: list[tuple[str, str]], options: object) -> list[str]:
        calls.append((len(documents), threading.current_thread() is threading.main_thread()))
        return create_jobs(documents, options)  # type: ignore[arg-type]

    monkeypatch.setattr(window.store, "create_jobs", recorded)

    # WHEN the folder is dropped on the window
    drop_files(window.drop_zone, [folder])

    # THEN all 60 are queued by one transaction on a worker, in order, the first selected
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 60, timeout=GUI_TIMEOUT_MS)
    assert calls == [(60, False)]
    assert [row.source for row in window.queue_model.rows()] == [str(f) for f in files]
    qtbot.waitUntil(lambda: window.queue_view.current_job_id() is not None, timeout=GUI_TIMEOUT_MS)
    assert window.queue_view.current_job_id() == window.queue_model.job_at(0).job_id


def test_del_selects_the_next_row(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # GIVEN a paused queue of three documents, the middle one selected from the keyboard
    window, ids = paused_queue(make_window, tmp_path, 3)
    view = window.queue_view
    focus(qtbot, view)
    view.select_job(ids[1])
    # WHEN Del is pressed (nothing read yet: no confirmation asked)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    # THEN the row after it is selected, so Del can be pressed again
    qtbot.waitUntil(lambda: order(window) == [ids[0], ids[2]], timeout=GUI_TIMEOUT_MS)
    assert view.selected_job_ids() == [ids[2]]
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    # AND after the last row, the one before it
    qtbot.waitUntil(lambda: order(window) == [ids[0]], timeout=GUI_TIMEOUT_MS)
    assert view.selected_job_ids() == [ids[0]]


def test_the_queue_shows_several_rows_in_the_default_window(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a window opened for the first time (default size) with ten documents queued
    window, _ids = paused_queue(make_window, tmp_path, 10)
    view = window.queue_view
    qtbot.waitUntil(lambda: view.viewport().height() > 0, timeout=GUI_TIMEOUT_MS)
    qtbot.wait(50)
    # THEN at least six rows are in sight (it showed about three)
    model = view.model()
    shown = [
        row
        for row in range(model.rowCount())
        if view.viewport().rect().contains(view.visualRect(model.index(row, 0)))
    ]
    assert len(shown) >= 6, (len(shown), view.viewport().height())
