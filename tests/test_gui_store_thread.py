"""The GUI thread never waits for the store: what a person does in the window (start, drop,
select, edit, pause, move, export, quit) reads and writes the JobStore only on worker threads.

The store serialises every use of its SQLite connection with one lock and commits with an fsync,
so one query on the GUI thread can freeze the window for as long as a page thread's commit takes.
The window learns job state from the pipeline's events, which carry what they report.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.gui.main_window import MainWindow
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, drop_files, window_factory

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def record_gui_thread_calls(store: JobStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap every method of ``store`` (the connection's ``_tx`` and ``_query`` included, which
    every query goes through) to note each one called on the GUI thread."""
    on_gui_thread: list[str] = []

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                on_gui_thread.append(name)
            return method(*args, **kwargs)

        return recorded

    for name, _function in inspect.getmembers(JobStore, inspect.isfunction):
        if name not in ("__init__", "close"):  # close: the test's own teardown
            monkeypatch.setattr(store, name, wrap(name, getattr(store, name)))
    return on_gui_thread


def click_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    view = window.queue_view
    rect = view.visualRect(window.queue_model.index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_start_drop_select_edit_pause_move_export_and_quit_never_touch_the_store_on_the_gui_thread(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an earlier run that read a document and quit
    earlier = make_window(ScriptedBackend())
    [old] = earlier.add_paths([make_pdf(tmp_path / "old.pdf", 1)])
    qtbot.waitUntil(lambda: earlier.queue_model.rows()[0].status is JobStatus.DONE, timeout=GUI_TIMEOUT_MS)
    earlier.close()
    # GIVEN a record of every call of the next run's store made on the GUI thread; the test
    # reads the store through a connection of its own
    store = JobStore()
    check = JobStore(store.path)
    on_gui_thread = record_gui_thread_calls(store, monkeypatch)

    # WHEN the window starts on it
    window = make_window(ScriptedBackend(), store=store)
    # THEN the earlier document is back in the queue with its page
    assert [(row.job_id, row.pages_done) for row in window.queue_model.rows()] == [(old, {0})]

    # WHEN three documents are dropped on the window and read
    files = [make_pdf(tmp_path / f"doc{i}.pdf", 2) for i in range(3)]
    drop_files(window.drop_zone, files)
    qtbot.waitUntil(
        lambda: (
            len(window.queue_model.rows()) == 4
            and all(row.status is JobStatus.DONE for row in window.queue_model.rows())
        ),
        timeout=GUI_TIMEOUT_MS,
    )
    new_rows = window.queue_model.rows()[1:]
    ids = [row.job_id for row in new_rows]
    # THEN the rows know what the events said: source, pages, how each job ended
    assert [row.source for row in new_rows] == [str(f) for f in files]
    assert all(row.page_count == 2 and row.pages_done == {0, 1} for row in new_rows)

    # WHEN the second new one is clicked in the queue and its first page edited by typing
    click_row(qtbot, window, 2)
    qtbot.waitUntil(lambda: window.reading_view.job_id == ids[1], timeout=GUI_TIMEOUT_MS)
    view = window.reading_view
    view.go_to_page(0)
    view.tabs.setCurrentWidget(view.text_edit)
    view.text_edit.setFocus()
    qtbot.waitUntil(view.text_edit.hasFocus, timeout=GUI_TIMEOUT_MS)
    qtbot.keyClick(view.text_edit, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(view.text_edit, " fixed by hand")
    edited = view.text_edit.toPlainText()
    # THEN after the real debounce the edit is in the store
    qtbot.waitUntil(lambda: check.document_result(ids[1]).pages[0].text == edited, timeout=GUI_TIMEOUT_MS)

    # WHEN the queue is paused and resumed (Ctrl+P) and the last document moved up (Ctrl+Up)
    click_row(qtbot, window, 3)
    qtbot.keyClick(window.queue_view, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: window.pipeline.paused, timeout=GUI_TIMEOUT_MS)
    qtbot.keyClick(window.queue_view, Qt.Key.Key_P, CTRL)
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Up, CTRL)
    # THEN the store's order follows
    qtbot.waitUntil(
        lambda: [j.id for j in check.list_jobs()] == [old, ids[0], ids[2], ids[1]], timeout=GUI_TIMEOUT_MS
    )
    assert not window.pipeline.paused

    # WHEN everything is exported with Ctrl+E and the Export button
    out = tmp_path / "out"
    qtbot.keyClick(window.queue_view, Qt.Key.Key_A, CTRL)  # all rows selected
    qtbot.keyClick(window.queue_view, Qt.Key.Key_E, CTRL)
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=GUI_TIMEOUT_MS)
    assert sorted(dialog.checked_job_ids()) == sorted([old, *ids])
    dialog.editors["export.out_dir"].put(str(out))
    dialog.editors["export.formats"].put(["txt"])
    with qtbot.waitSignal(dialog.exported, timeout=GUI_TIMEOUT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    # THEN the files hold the edit
    assert sorted(p.name for p in out.iterdir()) == ["doc0.txt", "doc1.txt", "doc2.txt", "old.txt"]
    assert "fixed by hand" in (out / "doc1.txt").read_text(encoding="utf-8")

    # WHEN the window is quit with Ctrl+Q
    window.activateWindow()  # back from the dialog
    window.queue_view.setFocus()
    qtbot.waitUntil(window.queue_view.hasFocus, timeout=GUI_TIMEOUT_MS)
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=GUI_TIMEOUT_MS)

    # THEN not one store call was made on the GUI thread
    assert on_gui_thread == []
    check.close()
