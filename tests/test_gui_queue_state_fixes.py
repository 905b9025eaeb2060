"""Queue-state paths issue 19's review found wrong, each through the real window and pipeline: a
page put back while the backend (re)loads, a cleared job brought back by "Read Them Again", and
the queue paused during a Compare benchmark."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import BackendCrashed, BackendError, BackendState, ProgressFn
from ocr_desktop.core.results import FLAG_EDITED
from ocr_desktop.core.store import JobStatus, PageStatus
from ocr_desktop.gui.job_states import JobRow, row_from_record
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.queue_view import Column
from ocr_desktop.pipeline.events import BackendStateChanged, JobFinished, PageRequeued, PageStarted
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend, second_read_waits
from tests.fixtures.files import make_pdf
from tests.gui_helpers import WindowFactory, is_event, window_factory
from tests.test_gui_settings import switch_to

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


@dataclass
class HeldLoad(ScriptedBackend):
    """A scripted backend whose load first calls ``before_load`` (which may hold it)."""

    before_load: Callable[[], None] | None = None

    def load(self, progress: ProgressFn) -> None:
        if self.before_load is not None:
            self.before_load()
        super().load(progress)


def row(window: MainWindow, job_id: str) -> JobRow:
    found = window.queue_model.job(job_id)
    assert found is not None
    return found


def cell(window: MainWindow, job_id: str, column: Column) -> str:
    model = window.queue_model
    return str(model.index(model.row_of(job_id), column).data())


@pytest.mark.parametrize("path", ["backend crash", "switch cancelling the page"])
def test_a_page_put_back_while_the_backend_loads_is_pending_and_its_clock_stops(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gate: threading.Event,
    path: str,
) -> None:
    # GIVEN a window whose backend loads are held, after the first, until the test lets them go
    loads: list[str] = []
    made: dict[str, HeldLoad] = {}

    def before_load() -> None:
        loads.append("load")
        if len(loads) > 1:
            assert gate.wait(30), "the second load was never let through"

    def factory(settings: Settings) -> HeldLoad:
        if settings.backend not in made:
            slow = settings.backend == "llamacpp" and path != "backend crash"
            made[settings.backend] = HeldLoad(
                id=settings.backend,
                token_delay_s=0.02 if slow else 0.0,
                tokens_per_page=500 if slow else 8,
                before_load=before_load,
                # The crash path: the runtime dies under page 1 once; the pipeline reloads it.
                failures={0: [BackendCrashed("the server exited")]} if path == "backend crash" else {},
            )
        return made[settings.backend]

    window = make_window(factory)
    events: list[object] = []
    window.bridge.pipeline_event.connect(events.append)

    # WHEN page 1 is being read and is put back: the backend crashed under it, or the user picked
    # another backend and answered "cancel the page"
    if path == "backend crash":
        [job] = window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    else:
        monkeypatch.setattr(window, "ask_finish_page", lambda: False)
        with qtbot.waitSignal(
            window.bridge.pipeline_event, check_params_cb=is_event(PageStarted), timeout=TIMEOUT_MS
        ):
            [job] = window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
        qtbot.waitUntil(lambda: row(window, job).live.get(0, None) is not None, timeout=TIMEOUT_MS)
        switch_to(window, "vllm")

    # ... and the next backend is loading (its LOADING, sent after the page went back, arrived)
    def loading() -> int:
        return sum(isinstance(e, BackendStateChanged) and e.state is BackendState.LOADING for e in events)

    qtbot.waitUntil(lambda: len(loads) == 2 and loading() >= 2, timeout=TIMEOUT_MS)
    assert is_event(PageRequeued, job_id=job, page_index=0)(
        next(e for e in events if isinstance(e, PageRequeued))
    )

    # THEN the queue shows the page pending, not read, and the document's clock stands still
    job_row = row(window, job)
    assert job_row.live == {}
    assert cell(window, job, Column.STATUS) == "Starting"
    assert cell(window, job, Column.PAGES) == "0/1"
    elapsed = job_row.elapsed
    qtbot.wait(300)
    assert job_row.elapsed == elapsed
    # AND the store has it pending too
    [stored] = window.store.pages(job)
    assert stored.status is PageStatus.PENDING

    # WHEN the backend is loaded THEN the page is read, once, by it
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished, job_id=job), timeout=TIMEOUT_MS
    ):
        gate.set()
    reader = "llamacpp" if path == "backend crash" else "vllm"
    assert [p.backend for p in window.store.document_result(job).pages] == [reader]
    assert job_row.pages_done == {0} and job_row.live == {}
    assert cell(window, job, Column.PAGES) == "1/1"


def test_a_cleared_job_read_again_comes_back_with_its_edited_and_failed_pages(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, gate: threading.Event
) -> None:
    # GIVEN a three-page PDF read by the lite engine (a scripted one under its id): page 3 could
    # not be read, page 1 the user corrected
    reads, on_page = second_read_waits(1, gate)  # the second reading of page 2 waits

    backend = ScriptedBackend(id="lite", on_page=on_page, failures={2: [BackendError("page unreadable")]})
    window = make_window(backend)
    [job] = window.add_paths([make_pdf(tmp_path / "scan.pdf", 3)])
    qtbot.waitUntil(lambda: row(window, job).status is JobStatus.DONE, timeout=TIMEOUT_MS)
    window.queue_view.select_job(job)
    view = window.reading_view
    qtbot.waitUntil(lambda: view.job_id == job, timeout=TIMEOUT_MS)
    view.tabs.setCurrentWidget(view.text_edit)
    view.go_to_page(0)
    qtbot.waitUntil(lambda: not view.text_edit.isReadOnly(), timeout=TIMEOUT_MS)
    view.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(view.text_edit, " fixed")
    view.commit_edit()
    qtbot.waitUntil(
        lambda: FLAG_EDITED in window.store.document_result(job).pages[0].flags, timeout=TIMEOUT_MS
    )
    # ... and taken off the queue with "Clear Finished"
    window.window_actions.clear_action.trigger()
    assert window.queue_model.job(job) is None

    # WHEN its lite pages are read again (the notice's "Read Them Again with GLM-OCR") and page 2
    # is being read
    window.lite.reread([job])
    qtbot.waitUntil(lambda: window.queue_model.job(job) is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: 1 in row(window, job).live, timeout=TIMEOUT_MS)

    # THEN its row is back with what the store has: page 1 done (the user's), page 3 failed
    job_row = row(window, job)
    assert job_row.pages_done == {0} and set(job_row.failed) == {2}
    assert cell(window, job, Column.PAGES) == "1/3"

    # WHEN page 2 is read THEN the row counts every page as the store does
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished, job_id=job), timeout=TIMEOUT_MS
    ):
        gate.set()
    assert reads == {0: 1, 1: 2, 2: 1}
    assert cell(window, job, Column.PAGES) == "2/3"
    assert cell(window, job, Column.STATUS) == "Done, 1 page failed"
    record = window.store.job(job)
    assert record is not None
    restored = row_from_record(record, window.store.pages(job))
    assert job_row.pages_done == restored.pages_done == {0, 1}
    assert job_row.failed == restored.failed
    assert job_row.elapsed_s == pytest.approx(restored.elapsed_s)
