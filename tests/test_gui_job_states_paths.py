"""The paths that change a job's state, each through the one job-state model (issue 19's review):
a page read again, a job cancelled while its document is read from the store, an edit followed by
Del, a document that cannot be read, a job removed while a page of it is read, and a user who drops
three documents, clicks between them while they are read, edits a page and removes one. The queue
rows, the reading view and the store must agree at the end, and the job states keep no more than
the queue and the documents shown."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import BackendError
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.core.store import JobStatus, JobStore, StoreError
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.gui.job_states import JobRow, JobStates, row_from_record
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.queue_view import Column, QueueModel
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import JobAdded, JobFinished
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend, second_read_waits
from tests.fixtures.files import make_image, make_pdf
from tests.gui_helpers import WindowFactory, drop_files, is_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def click_row(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    """The user clicks the document's name in the queue, and the reading view shows it."""
    view = window.queue_view
    rect = view.visualRect(window.queue_model.index(window.queue_model.row_of(job_id), Column.NAME))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.reading_view.job_id == job_id, timeout=TIMEOUT_MS)


def row(window: MainWindow, job_id: str) -> JobRow:
    found = window.queue_model.job(job_id)
    assert found is not None
    return found


def assert_views_agree(window: MainWindow, job_id: str) -> None:
    """The queue row, the reading view and the store say the same of every page."""
    stored = window.store.document_result(job_id)
    shown = window.reading_view
    document = shown.document
    job_row = row(window, job_id)
    assert document is not None and shown.job_id == job_id and document.row is job_row
    finished = {page.page_index for page in stored.pages}
    assert job_row.pages_done == set(document.results) == finished
    for page in stored.pages:
        assert shown.page_text(page.page_index) == page.text
    model = window.queue_model
    assert model.index(model.row_of(job_id), Column.PAGES).data() == f"{len(finished)}/{job_row.page_count}"
    # the row counts what a restart would read back from the store (docs/gui.md, "Numbers")
    record = window.store.job(job_id)
    assert record is not None
    restored = row_from_record(record, window.store.pages(job_id))
    assert job_row.pages_done == restored.pages_done
    assert job_row.elapsed_s == pytest.approx(restored.elapsed_s)
    assert job_row.tokens_per_s == pytest.approx(restored.tokens_per_s)


def test_a_page_read_again_is_pending_everywhere_until_it_finishes_and_then_counts_once(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event
) -> None:
    # GIVEN a two-page PDF read by the lite engine (a scripted one under its id), shown
    reads, on_page = second_read_waits(0, gate)  # the second reading of page 1 waits

    window = make_window(ScriptedBackend(id="lite", on_page=on_page))
    [job] = window.add_paths([make_pdf(tmp_path / "scan.pdf", 2)])
    qtbot.waitUntil(lambda: row(window, job).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    click_row(qtbot, window, job)
    assert_views_agree(window, job)

    # WHEN its lite pages are read again (the notice's "Read Them Again with GLM-OCR") and
    # page 1 is being read
    first_reading = window.store.document_result(job).pages[1].text
    window.lite.reread([job])
    qtbot.waitUntil(lambda: 0 in row(window, job).live, timeout=TIMEOUT_MS)
    # THEN neither page is done in the queue, in the reading view or in the store meanwhile
    job_row, view = row(window, job), window.reading_view
    assert view.document is not None
    assert job_row.pages_done == set(view.document.results) == set()
    assert window.store.document_result(job).pages == ()
    model = window.queue_model
    assert model.index(model.row_of(job), Column.PAGES).data() == "0/2"
    assert job_row.progress < 1.0
    # AND the page waiting for its turn shows its first reading, not editable
    view.go_to_page(1)
    assert view.text_edit.toPlainText() == first_reading
    assert view.text_edit.isReadOnly() and view.stats_text() == "Page 2: not read yet"

    # WHEN it finishes THEN it counts once: elapsed and tok/s as the store has the pages
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished, job_id=job), timeout=TIMEOUT_MS
    ):
        gate.set()
    assert reads == {0: 2, 1: 2}
    assert_views_agree(window, job)


def test_an_edit_typed_just_before_read_them_again_keeps_its_page(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a two-page PDF read by the lite engine (a scripted one under its id), shown
    reads: collections.Counter[int] = collections.Counter()
    window = make_window(ScriptedBackend(id="lite", on_page=lambda page: reads.update([page.index])))
    [job] = window.add_paths([make_pdf(tmp_path / "scan.pdf", 2)])
    qtbot.waitUntil(lambda: row(window, job).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    click_row(qtbot, window, job)
    view = window.reading_view
    view.tabs.setCurrentWidget(view.text_edit)
    view.go_to_page(0)
    qtbot.waitUntil(lambda: not view.text_edit.isReadOnly(), timeout=TIMEOUT_MS)
    # WHEN the user types into page 1 and at once clicks "Read Them Again with GLM-OCR"
    view.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(view.text_edit, " fixed")
    typed = view.page_text(0)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished, job_id=job), timeout=TIMEOUT_MS
    ):
        window.lite.reread([job])
    # THEN the edited page keeps the user's text (an edit is never read over); page 2 is read again
    assert reads == {0: 1, 1: 2}
    stored = window.store.document_result(job)
    assert stored.pages[0].text == typed
    assert_views_agree(window, job)


def test_removing_a_document_right_after_typing_into_it_is_no_error(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a read image shown, and the user typing into its text
    window = make_window(ScriptedBackend())
    [job] = window.add_paths([make_image(tmp_path / "a.png", "A")])
    qtbot.waitUntil(lambda: row(window, job).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    click_row(qtbot, window, job)
    view = window.reading_view
    view.tabs.setCurrentWidget(view.text_edit)
    qtbot.waitUntil(lambda: not view.text_edit.isReadOnly(), timeout=TIMEOUT_MS)
    qtbot.keyClicks(view.text_edit, " typed")
    edit_errors: list[str] = []
    window.loader.edit_failed.connect(edit_errors.append)
    # WHEN, before the edit is saved, the user presses Del on its row and confirms
    window.confirm = lambda _title, _text: True  # type: ignore[method-assign]
    window.queue_view.setFocus()
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.store.job(job) is None and not window.tasks.pending(), timeout=TIMEOUT_MS)
    qtbot.wait(50)  # a failed save's signal crosses back to the GUI thread
    # THEN the document is gone without a word about an edit "not kept"
    assert edit_errors == []
    assert not window.notice.isVisible(), window.notice.text()
    assert window.states.job_ids() == set() and window.states.open_documents() == set()


class BrokenStore(JobStore):
    """The real store, whose read of one document's results fails (a damaged database)."""

    broken: str | None = None

    def document_result(self, job_id: str) -> DocumentResult:
        if job_id == self.broken:
            raise StoreError(Message("database disk image is malformed"))
        return super().document_result(job_id)


def test_a_document_that_cannot_be_read_leaves_the_shown_one_and_is_not_kept(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN two read images, the first shown, the second's results unreadable
    store = BrokenStore()
    window = make_window(ScriptedBackend(), store=store)
    job_a, job_b = window.add_paths(
        [make_image(tmp_path / "a.png", "A"), make_image(tmp_path / "b.png", "B")]
    )
    qtbot.waitUntil(lambda: row(window, job_b).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    click_row(qtbot, window, job_a)
    store.broken = job_b
    # WHEN the user clicks the second one
    view = window.queue_view
    rect = view.visualRect(window.queue_model.index(window.queue_model.row_of(job_b), Column.NAME))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(window.notice.isVisible, timeout=TIMEOUT_MS)
    # THEN the user is told, the first stays shown, and the job states keep its pages only
    assert "cannot be shown" in window.notice.text()
    assert window.reading_view.job_id == job_a
    assert window.states.open_documents() == {job_a}
    # AND a later click on it still shows it when the store reads again
    store.broken = None
    click_row(qtbot, window, job_a)
    click_row(qtbot, window, job_b)
    assert window.states.open_documents() == {job_b}
    assert_views_agree(window, job_b)


def test_removing_a_document_while_its_page_is_read_stops_the_reading_clock(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event
) -> None:
    # GIVEN an image whose page is being read (held)
    def on_page(_page: PageImage) -> None:
        assert gate.wait(30), "the page was never let through"

    window = make_window(ScriptedBackend(on_page=on_page))
    [job] = window.add_paths([make_image(tmp_path / "a.png", "A")])
    qtbot.waitUntil(lambda: 0 in row(window, job).live, timeout=TIMEOUT_MS)
    # WHEN the user removes it (nothing read yet: no question), which ends it with no event
    window.queue_view.select_job(job)
    window.queue_view.setFocus()
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 0, timeout=TIMEOUT_MS)
    # THEN no page counts as being read: the pages/min clock stands still (it ran on for ever)
    before = window._rate.reading_s()
    qtbot.wait(300)
    assert window._rate.reading_s() == before
    assert window.states.job_ids() == set()


def on_gui_thread_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap every public method of JobStates: the names of those called off the GUI thread."""
    off_thread: list[str] = []
    for name in ("apply", "add_row", "forget", "set_waiting", "retried", "open", "close", "keep_documents"):
        method: Callable[..., object] = getattr(JobStates, name)

        def wrapper(
            self: JobStates, *args: object, _name: str = name, _method: Callable[..., object] = method
        ) -> object:
            if threading.current_thread() is not threading.main_thread():
                off_thread.append(_name)
            return _method(self, *args)

        monkeypatch.setattr(JobStates, name, wrapper)
    return off_thread


def test_a_user_reads_three_documents_clicks_between_them_edits_and_removes_one(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the window on a backend that streams each page over a few tenths of a second
    off_thread = on_gui_thread_only(monkeypatch)
    window = make_window(ScriptedBackend(token_delay_s=0.03, tokens_per_page=8))
    files = [
        make_pdf(tmp_path / "report.pdf", 3),
        make_image(tmp_path / "note.png", "Note"),
        make_pdf(tmp_path / "letter.pdf", 2),
    ]
    # WHEN the user drops three documents on the window
    drop_files(window, files)
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 3, timeout=TIMEOUT_MS)
    report, note, letter = (r.job_id for r in window.queue_model.rows())
    # AND clicks between them while they are read
    qtbot.waitUntil(lambda: bool(row(window, report).live), timeout=TIMEOUT_MS)
    for job_id in (letter, note, report, letter, report):
        click_row(qtbot, window, job_id)
        qtbot.wait(60)
    # AND, once the report is read, edits its second page
    qtbot.waitUntil(lambda: row(window, report).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    view = window.reading_view
    view.tabs.setCurrentWidget(view.text_edit)
    view.go_to_page(0)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.text_edit.isReadOnly(), timeout=TIMEOUT_MS)
    view.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(view.text_edit, " (checked)")
    edited = view.page_text(1)
    # AND clicks the note while the letter is still read, and removes the note
    click_row(qtbot, window, note)
    window.confirm = lambda _title, _text: True  # type: ignore[method-assign]
    window.queue_view.setFocus()
    qtbot.keyClick(window.queue_view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: row(window, letter).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.tasks.pending(), timeout=TIMEOUT_MS)

    # THEN the queue holds the report and the letter, the store no longer the note
    assert [r.job_id for r in window.queue_model.rows()] == [report, letter]
    assert window.store.job(note) is None
    # AND for each, the queue row, the reading view and the store agree, the edit kept
    for job_id in (report, letter):
        click_row(qtbot, window, job_id)
        assert_views_agree(window, job_id)
        assert window.queue_model.index(window.queue_model.row_of(job_id), Column.STATUS).data() == "Done"
    assert window.store.document_result(report).pages[1].text == edited
    click_row(qtbot, window, report)
    view.go_to_page(1)
    assert view.text_edit.toPlainText() == edited
    # AND the job states keep the queue's rows and the shown document only, changed on the GUI thread
    assert window.states.job_ids() == {report, letter}
    assert window.states.open_documents() == {report}
    assert off_thread == []


def test_a_document_read_in_part_keeps_its_page_count_when_queued_again(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN pages 1-2 of a three-page PDF read, the second failed
    settings = Settings().with_value("reading.mode", "page").with_value("documents.pages", "1-2")
    window = make_window(ScriptedBackend(failures={1: [BackendError("the model stopped")]}), settings)
    [job] = window.add_paths([make_pdf(tmp_path / "long.pdf", 3)])
    qtbot.waitUntil(lambda: row(window, job).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    model = window.queue_model
    assert model.index(model.row_of(job), Column.PAGES).data() == "1/2"
    # WHEN the queue is paused and the user presses Retry (the job is queued again, not opened)
    window.window_actions.pause_action.trigger()
    window.queue_view.select_job(job)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobAdded, job_id=job), timeout=TIMEOUT_MS
    ):
        window.window_actions.retry_action.trigger()
    # THEN the row still counts the two pages chosen (it said 1/3 until the job was opened)
    assert model.index(model.row_of(job), Column.PAGES).data() == "1/2"


def test_the_queue_keeps_no_name_of_a_document_that_left_it(qtbot: QtBot) -> None:
    # GIVEN a queue that saw a thousand documents of different names come and go
    model = QueueModel()
    for number in range(1000):
        model.add_job(JobRow(f"job-{number}", f"scan-{number}.png", 1))
        model.flush()
        model.remove_job(f"job-{number}")
    # THEN it keeps nothing of them (a long session's removed rows would pile up)
    assert model.rows() == [] and model.states.job_ids() == set()
    assert not model._names
