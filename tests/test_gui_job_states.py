"""One job-state model feeds every view: the real window, pipeline, bridge and store, a scripted
backend held on one page, and real clicks on the queue's rows. The queue row and the reading view
must agree on a document whatever happened to it while another was shown, and a page that
finishes while the selected document is read from the store is neither lost nor doubled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ocr_desktop.core.results import DocumentResult, PageResult
from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.job_states import DocumentState, JobRow, JobStates
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.queue_view import Column
from ocr_desktop.pipeline.events import JobFinished, PageFailed, PageFinished, PageStarted
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_image, make_pdf
from tests.gui_helpers import WindowFactory, is_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000
HELD_PAGE = 2  # the third page of the PDF (the image has one page: index 0)


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def held_backend(gate: threading.Event) -> ScriptedBackend:
    def on_page(page: PageImage) -> None:
        if page.index == HELD_PAGE:
            assert gate.wait(30), "page 3 was never let through"

    return ScriptedBackend(on_page=on_page)


def click_row(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    """The user clicks the document's name in the queue, and the reading view shows it."""
    view = window.queue_view
    rect = view.visualRect(window.queue_model.index(window.queue_model.row_of(job_id), Column.NAME))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def two_documents(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> tuple[str, str]:
    """A one-page image (read, and shown) and a 3-page PDF whose third page is being read."""
    job_a, job_b = window.add_paths([make_image(tmp_path / "a.png", "A"), make_pdf(tmp_path / "b.pdf", 3)])
    qtbot.waitUntil(
        lambda: HELD_PAGE in window.queue_model.job(job_b).live,  # type: ignore[union-attr]
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: window.reading_view.job_id == job_a, timeout=TIMEOUT_MS)
    return job_a, job_b


def assert_views_agree(window: MainWindow, job_id: str, stored: DocumentResult) -> None:
    """The queue row and the reading view say the same of every page, and what the store holds."""
    row = window.queue_model.job(job_id)
    view = window.reading_view
    document = view.document
    assert row is not None and document is not None and view.job_id == job_id
    assert document.row is row, "the reading view reads the row the queue shows: one record"
    finished = {page.page_index for page in stored.pages}
    assert row.pages_done == set(document.results) == finished
    assert set(row.live) == document.live
    for page in stored.pages:
        assert view.page_text(page.page_index) == page.text
    model = window.queue_model
    assert model.index(model.row_of(job_id), Column.PAGES).data() == f"{len(finished)}/{row.page_count}"


def test_a_page_finished_while_another_document_is_shown_is_there_when_its_row_is_clicked(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event
) -> None:
    # GIVEN an image read and shown, and a PDF whose third page is being read
    window = make_window(held_backend(gate))
    job_a, job_b = two_documents(qtbot, window, tmp_path)
    view = window.reading_view

    # WHEN the user clicks the PDF's row
    click_row(qtbot, window, job_b)
    qtbot.waitUntil(lambda: view.job_id == job_b, timeout=TIMEOUT_MS)
    # THEN the view follows the page being read, and agrees with the queue on the others
    assert view.page_index == HELD_PAGE and view.stats_text() == "Page 3: reading…"
    assert_views_agree(window, job_b, window.store.document_result(job_b))

    # WHEN the user clicks the image's row, and the PDF's third page finishes meanwhile
    click_row(qtbot, window, job_a)
    qtbot.waitUntil(lambda: view.job_id == job_a, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished, job_id=job_b), timeout=TIMEOUT_MS
    ):
        gate.set()
    assert view.job_id == job_a
    row_b = window.queue_model.job(job_b)
    assert row_b is not None and row_b.status is JobStatus.DONE

    # WHEN the user clicks the PDF's row again and goes to its third page
    click_row(qtbot, window, job_b)
    qtbot.waitUntil(lambda: view.job_id == job_b, timeout=TIMEOUT_MS)
    view.go_to_page(0)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    # THEN the page read while the image was shown is there, finished, as the queue says
    stored = window.store.document_result(job_b)
    assert view.page_index == HELD_PAGE
    assert view.text_edit.toPlainText() == stored.pages[HELD_PAGE].text
    assert not view.text_edit.isReadOnly()
    assert view.stats_text().startswith("Page 3: ") and "reading" not in view.stats_text()
    assert_views_agree(window, job_b, stored)
    assert window.queue_model.index(window.queue_model.row_of(job_b), Column.STATUS).data() == "Done"


class HeldStore(JobStore):
    """The real store, whose read of one document's results waits for the test ``when`` asked:
    before it reads (the page the test finishes meanwhile is in what it reads) or after (it is
    not)."""

    def __init__(self) -> None:
        super().__init__()
        self.held_job: str | None = None
        self.when = "before"
        self.reached = threading.Event()
        self.release = threading.Event()

    def document_result(self, job_id: str) -> DocumentResult:
        held = job_id == self.held_job
        if held and self.when == "before":
            self._hold()
        result = super().document_result(job_id)
        if held and self.when == "after":
            self._hold()
        return result

    def _hold(self) -> None:
        self.held_job = None
        self.reached.set()
        assert self.release.wait(30), "the test never let the read go on"


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_page_finishing_while_its_document_is_read_from_the_store_is_neither_lost_nor_doubled(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event, when: str
) -> None:
    # GIVEN the window on a real store, an image shown, a PDF's third page being read
    store = HeldStore()
    try:
        window = make_window(held_backend(gate), store=store)
        _job_a, job_b = two_documents(qtbot, window, tmp_path)
        view = window.reading_view

        # WHEN the user clicks the PDF's row, and its third page finishes while the document is
        # read from the store (the store's answer holds the page: "before"; or not: "after")
        store.held_job, store.when = job_b, when
        click_row(qtbot, window, job_b)
        qtbot.waitUntil(store.reached.is_set, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(
            window.bridge.pipeline_event,
            check_params_cb=is_event(PageFinished, job_id=job_b),
            timeout=TIMEOUT_MS,
        ):
            gate.set()
        assert view.job_id != job_b, "the document is still being read from the store"
        store.release.set()
        qtbot.waitUntil(lambda: view.job_id == job_b, timeout=TIMEOUT_MS)

        # THEN the page is there once: shown, counted once in the queue, in the document's text once
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
        stored = window.store.document_result(job_b)
        page = stored.pages[HELD_PAGE]
        assert view.page_index == HELD_PAGE
        assert view.text_edit.toPlainText() == page.text
        assert view.document_text() == "\n\n".join(p.text for p in stored.pages)
        assert view.document_text().count(page.text) == 1
        row = window.queue_model.job(job_b)
        assert row is not None
        assert row.elapsed_s == pytest.approx(sum(p.stats.total_s for p in stored.pages))
        assert_views_agree(window, job_b, stored)
    finally:
        store.release.set()


def opened(row: JobRow) -> tuple[JobStates, JobRow, DocumentState]:
    """Job states holding ``row``, its document opened (not filled yet)."""
    states = JobStates()
    states.add_row(row)
    document = states.open(row.job_id)
    assert document is not None
    return states, row, document


def stored_document(page_count: int, text: str, backend: str) -> DocumentResult:
    """The store's answer for "doc.pdf": pages 1 and 2 read by ``backend`` ("{text} 0", "{text} 1")."""
    pages = tuple(PageResult(i, f"{text} {i}", "text", backend, "m") for i in (0, 1))
    return DocumentResult("job", "/doc.pdf", "doc.pdf", page_count, pages)


def test_the_store_fills_only_what_the_events_have_not_said_since_the_document_was_opened(
    qtbot: QtBot,
) -> None:
    # GIVEN a document opened in the job states, with two pages stored as read
    states, row, document = opened(JobRow("job", "doc.pdf", 3, status=JobStatus.RUNNING, pages_done={0, 1}))
    stored = stored_document(3, "stored", "scripted")
    updates: list[object] = []
    states.updated.connect(updates.append)
    # WHEN, before the store's answer comes, page 2 is read again and streams, and page 3 fails
    states.apply(PageStarted("job", 1))
    states.apply(TextFrame("job", 1, "again", 1))
    states.apply(PageFailed("job", 2, "broken"))
    document.fill(stored, {}, dpi=150, max_pixels=0)
    # THEN the store filled page 1 only; page 2 is the one being read again, page 3 failed
    assert document.filled and document.page_count == 3
    assert set(document.results) == {0} and document.text(0) == "stored 0"
    assert document.live == {1} and document.text(1) == "again"
    assert document.failed == {2: "broken"} and row.failed == {2: "broken"}
    assert [type(u).__name__ for u in updates] == ["PageStarted", "TextFrame", "PageFailed"]
    # WHEN page 2 finishes: the row and the document say so at once
    result = PageResult(1, "read again", "text", "scripted", "m")
    states.apply(PageFinished("job", result))
    assert row.pages_done == {0, 1} and not row.live
    assert document.results[1] is result and document.text(1) == "read again"


def test_a_page_started_and_cancelled_before_the_store_answers_is_not_filled_from_the_store(
    qtbot: QtBot,
) -> None:
    # GIVEN a finished document opened in the job states, read from the store before page 1 started
    states, job_row, document = opened(JobRow("job", "doc.pdf", 2, status=JobStatus.DONE))
    stored = stored_document(2, "lite", "lite")
    for page in stored.pages:
        job_row.page_done(page.page_index, page.stats)
    # WHEN page 1 is read again, streams, and its job is cancelled, then the store's answer comes
    states.apply(PageStarted("job", 0))
    states.apply(TextFrame("job", 0, "partial", 1))
    states.apply(JobFinished("job", JobStatus.CANCELLED))
    document.fill(stored, {}, dpi=150, max_pixels=0)
    # THEN page 1 shows what it streamed and is not done (the store has it pending now), as its row says
    assert set(document.results) == {1} == job_row.pages_done
    assert document.text(0) == "partial" and document.text(1) == "lite 1"


def test_clicking_back_to_the_shown_document_before_another_is_read_keeps_it_shown(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event
) -> None:
    # GIVEN the image shown and the PDF's stored pages slow to read from the store
    store = HeldStore()
    try:
        window = make_window(held_backend(gate), store=store)
        job_a, job_b = two_documents(qtbot, window, tmp_path)
        view = window.reading_view
        store.held_job = job_b
        # WHEN the user clicks the PDF's row, then the image's again before the PDF is read
        click_row(qtbot, window, job_b)
        qtbot.waitUntil(store.reached.is_set, timeout=TIMEOUT_MS)
        click_row(qtbot, window, job_a)
        with qtbot.waitSignal(window.loader.loaded, raising=False, timeout=1000) as late:
            store.release.set()
        # THEN the image stays shown, as its selected row says, and the PDF is not kept open
        assert not late.signal_triggered, "the PDF's read was answered though it was left"
        assert window.queue_view.current_job_id() == job_a
        assert view.job_id == job_a
        assert window.states.document(job_b) is None
    finally:
        store.release.set()
        gate.set()  # before the window's shutdown waits for the page
