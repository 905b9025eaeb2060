"""Edits of the recognised text are never lost: typed with real key events, saved by the real
debounce timer or by whatever the user does next (wait, switch page or document, export, quit,
a crash), and undoable back to the model's text."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ocr_desktop import exporters, paths
from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.pipeline.events import JobFinished
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import (
    GUI_TIMEOUT_MS,
    WindowFactory,
    export_all,
    on_event,
    show_document,
    window_factory,
)

pytestmark = pytest.mark.gui

TYPED = " fixed by hand"


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def finished_window(
    qtbot: QtBot, make_window: WindowFactory, files: list[Path]
) -> tuple[MainWindow, list[str]]:
    window = make_window(ScriptedBackend())
    finished: list[str] = []
    window.bridge.pipeline_event.connect(on_event(JobFinished, lambda e: finished.append(e.job_id)))
    job_ids = window.add_paths(files)
    qtbot.waitUntil(lambda: len(finished) == len(files), timeout=GUI_TIMEOUT_MS)
    show_document(qtbot, window, job_ids[0])
    window.reading_view.go_to_page(0)
    return window, job_ids


def type_at_end(qtbot: QtBot, window: MainWindow, text: str) -> str:
    """Click into the Text tab and type at the end of the page, as a person does; returns the
    text the page should now have."""
    view = window.reading_view
    view.tabs.setCurrentWidget(view.text_edit)
    view.text_edit.setFocus()
    qtbot.waitUntil(view.text_edit.hasFocus, timeout=GUI_TIMEOUT_MS)
    qtbot.keyClick(view.text_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    before = view.text_edit.toPlainText()
    qtbot.keyClicks(view.text_edit, text)
    assert view.text_edit.toPlainText() == before + text
    return before + text


def stored_text(window: MainWindow, job_id: str, page_index: int) -> str:
    return next(p.text for p in window.store.document_result(job_id).pages if p.page_index == page_index)


def test_an_edit_is_saved_after_a_pause_and_reaches_the_export(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a finished document shown in the reading view
    window, [job_id] = finished_window(qtbot, make_window, [make_pdf(tmp_path / "doc.pdf", 2)])
    original = window.store.original_text(job_id, 0)

    # WHEN the user types into page 1 and then does nothing at all
    edited = type_at_end(qtbot, window, TYPED)

    # THEN the debounce timer saves the edit to the store on its own
    qtbot.waitUntil(lambda: stored_text(window, job_id, 0) == edited, timeout=GUI_TIMEOUT_MS)
    assert window.store.original_text(job_id, 0) == original
    assert "edited" in window.reading_view.stats_text()
    # THEN an export (through the dialog) writes the edited text
    [written] = export_all(qtbot, window, tmp_path / "out", ["txt"])
    assert TYPED in written.read_text(encoding="utf-8")


def test_export_right_after_typing_on_a_slow_disk_writes_the_edit(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a finished document shown, on a disk where saving an edit takes 0.5 s
    window, _ = finished_window(qtbot, make_window, [make_pdf(tmp_path / "doc.pdf", 1)])
    save = window.store.set_page_text

    def slow_save(job: str, page: int, text: str) -> None:
        time.sleep(0.5)
        save(job, page, text)

    monkeypatch.setattr(window.store, "set_page_text", slow_save)
    # WHEN the user types and exports at once (File → Export, before the debounce)
    type_at_end(qtbot, window, TYPED)
    [written] = export_all(qtbot, window, tmp_path / "out", ["txt"])
    # THEN the export waited for the edit: the file has it
    assert TYPED in written.read_text(encoding="utf-8")


def test_undo_takes_the_edit_back_to_the_models_text(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a page the user edited, saved by the timer
    window, [job_id] = finished_window(qtbot, make_window, [make_pdf(tmp_path / "doc.pdf", 1)])
    original = window.store.original_text(job_id, 0)
    edited = type_at_end(qtbot, window, "xy")
    qtbot.waitUntil(lambda: stored_text(window, job_id, 0) == edited, timeout=GUI_TIMEOUT_MS)
    view = window.reading_view
    assert view.revert_button.isEnabled()

    # WHEN the user presses Ctrl+Z until the typing is gone
    for _ in range(2):
        qtbot.keyClick(view.text_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.text_edit.toPlainText() == original

    # THEN the store holds the model's text again, with no "edited" flag
    qtbot.waitUntil(lambda: "edited" not in view.stats_text(), timeout=GUI_TIMEOUT_MS)
    # (saved off the GUI thread: the store has it once the save task ran)
    qtbot.waitUntil(lambda: stored_text(window, job_id, 0) == original, timeout=GUI_TIMEOUT_MS)
    [page] = window.store.document_result(job_id).pages
    assert page.text == original and "edited" not in page.flags

    # WHEN the user edits again, leaves the page and comes back, then presses Revert page
    window.queue_view.setFocus()
    edited = type_at_end(qtbot, window, "zz")
    qtbot.waitUntil(view.revert_button.isEnabled, timeout=GUI_TIMEOUT_MS)
    qtbot.mouseClick(view.revert_button, Qt.MouseButton.LeftButton)

    # THEN the model's text is back at once, in the view and the store; Ctrl+Z brings the edit back
    assert view.text_edit.toPlainText() == original
    qtbot.waitUntil(lambda: stored_text(window, job_id, 0) == original, timeout=GUI_TIMEOUT_MS)
    assert not view.revert_button.isEnabled()
    view.text_edit.setFocus()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.text_edit.toPlainText() == edited
    qtbot.waitUntil(lambda: stored_text(window, job_id, 0) == edited, timeout=GUI_TIMEOUT_MS)


def test_switching_page_or_document_right_after_typing_keeps_the_edit(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN two finished documents, the first shown
    window, [first, second] = finished_window(
        qtbot, make_window, [make_pdf(tmp_path / "a.pdf", 2), make_pdf(tmp_path / "b.pdf", 1)]
    )

    # WHEN the user types on page 1 and at once goes to page 2 (Ctrl+PgDown)
    on_page_1 = type_at_end(qtbot, window, " one")
    qtbot.keyClick(window.reading_view.text_edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.reading_view.page_index == 1
    # THEN page 1's edit was sent at once (saved off the GUI thread, before any timer could fire)
    assert not window.reading_view._edit_timer.isActive()
    qtbot.waitUntil(lambda: stored_text(window, first, 0) == on_page_1, timeout=GUI_TIMEOUT_MS)

    # WHEN the user types on page 2 and at once picks the other document in the queue
    on_page_2 = type_at_end(qtbot, window, " two")
    window.queue_view.setFocus()
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.reading_view.job_id == second, timeout=GUI_TIMEOUT_MS)
    # THEN page 2's edit is in the store too
    qtbot.waitUntil(lambda: stored_text(window, first, 1) == on_page_2, timeout=GUI_TIMEOUT_MS)


def test_quitting_right_after_typing_keeps_the_edit(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a finished document
    window, [job_id] = finished_window(qtbot, make_window, [make_pdf(tmp_path / "doc.pdf", 1)])

    # WHEN the user types and presses Ctrl+Q at once
    edited = type_at_end(qtbot, window, TYPED)
    qtbot.keyClick(window.reading_view.text_edit, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    # THEN the window is closed and a fresh one on the same store shows the edit
    assert not window.isVisible()
    window2 = make_window(ScriptedBackend())
    show_document(qtbot, window2, job_id)
    assert window2.reading_view.page_text(0) == edited
    assert "edited" in window2.reading_view.stats_text()


# The child: a window on the real store, one finished document, the user's typing, then an idle
# event loop until it is killed. It prints a line at each step for the test to follow.
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from ocr_desktop.core.store import JobStore
    from ocr_desktop.gui.main_window import MainWindow
    from ocr_desktop.pipeline.events import JobFinished
    from ocr_desktop.settings import Settings
    from tests.backends import ScriptedBackend

    app = QApplication([])
    backend = ScriptedBackend()
    window = MainWindow(Settings(), JobStore(), backend_factory=lambda _s: backend)
    window.show()

    def finished(event):
        if not isinstance(event, JobFinished):
            return
        job_id = event.job_id
        window.queue_view.select_job(job_id)
        QTimer.singleShot(0, lambda: type_when_shown(job_id))

    def type_when_shown(job_id):
        if window.reading_view.job_id != job_id:  # its pages are read off the GUI thread
            QTimer.singleShot(20, lambda: type_when_shown(job_id))
            return
        edit = window.reading_view.text_edit
        edit.setFocus()
        QTest.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(edit, sys.argv[2])
        print("typed", job_id, flush=True)

    window.bridge.pipeline_event.connect(finished)
    window.add_paths([Path(sys.argv[1])])
    app.exec()
    """
)


def edit_in_file(job_id: str) -> bool:
    """Whether the store's database file holds an edit of the job (read as another process would)."""
    db = sqlite3.connect(f"file:{paths.store_file()}?mode=ro", uri=True)
    try:
        query = "SELECT 1 FROM pages WHERE job_id = ? AND edited_text IS NOT NULL"
        return bool(db.execute(query, (job_id,)).fetchall())
    finally:
        db.close()


def test_a_crash_after_the_debounce_keeps_the_edit(tmp_path: Path) -> None:
    # GIVEN the app in its own process, where the user typed into a finished page
    pdf = make_pdf(tmp_path / "doc.pdf", 1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(pdf), TYPED], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("typed"), f"the child did not get to type: {line!r}"
        job_id = line.split()[1]

        # WHEN the debounce has passed (the edit reached the database file) and the app is killed
        deadline = time.monotonic() + GUI_TIMEOUT_MS / 1000
        while not edit_in_file(job_id):
            assert time.monotonic() < deadline, "the edit never reached the store"
            assert child.poll() is None, "the app exited on its own"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait(timeout=30)

    # THEN the store and an export have the edit
    store = JobStore()
    try:
        document = store.document_result(job_id)
    finally:
        store.close()
    assert document.pages[0].text.endswith(TYPED)
    assert TYPED in exporters.render(document, "md")  # what an export writes
