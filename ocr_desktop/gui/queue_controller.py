"""The queue's commands: restore at startup, pause, cancel, retry, remove, clear, move, reopen.

The controller is handed what it acts on (the store, the pipeline, the queue's model and view,
the background-task runner and a way to ask the user) and reports back with signals; it never
calls into the window. Store work runs off the GUI thread, as everywhere in the window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.gui.errors import Severity
from ocr_desktop.gui.queue_view import JobRow, QueueModel, QueueView, row_from_record
from ocr_desktop.gui.tasks import TaskRunner
from ocr_desktop.pipeline import Pipeline


def each(action: Callable[[str], None], job_ids: list[str]) -> None:
    for job_id in job_ids:
        action(job_id)


def resumable(row: JobRow) -> bool:
    """Retry / Resume applies: failed pages, or a document that was cancelled or failed."""
    return bool(row.failed) or row.status in (JobStatus.CANCELLED, JobStatus.FAILED)


class QueueController(QObject):
    """Acts on the queue; ``hidden`` are the finished jobs the user cleared off it."""

    changed = Signal()  # rows were retried, removed or cleared: what the actions apply to changed
    dropped = Signal(str)  # job_id taken off the queue (removed or cleared): stop showing it
    note = Signal(str)  # a short status message for the user
    restored = Signal()  # the queue was read back from the store and unfinished jobs resumed
    notice = Signal(str, object)  # what the user should know, Severity

    def __init__(
        self,
        store: JobStore,
        pipeline: Pipeline,
        model: QueueModel,
        view: QueueView,
        *,
        tasks: TaskRunner,
        confirm: Callable[[str, str], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._pipeline = pipeline
        self._model = model
        self._view = view
        self._tasks = tasks
        self._confirm = confirm
        self.hidden: set[str] = set()
        #: True until the queue is read back from the store and unfinished documents resumed.
        self.restoring = True
        self._reveal: str | None = None  # the job to select once it is queued (the user added it)
        model.move_requested.connect(self._on_move_requested)
        model.rowsInserted.connect(self._reveal_added)

    def selected(self) -> list[str]:
        return self._view.selected_job_ids()

    # -- startup -------------------------------------------------------------------------------

    def restore(self) -> None:
        """The queue as the store has it (unfinished jobs, and finished ones not cleared), read
        off the GUI thread; then the unfinished ones are resumed. Documents added meanwhile are
        submitted after this read (one worker, in order), so they are not in it twice."""
        store, hidden = self._store, set(self.hidden)

        def read(_task: object) -> tuple[list[JobRow], set[str]]:
            # The page rows only (one query): results, regions and figures are read when a
            # document is shown, not to count its pages.
            jobs = store.list_jobs()
            pages = store.page_records()
            rows = [row_from_record(j, pages.get(j.id, [])) for j in jobs if j.id not in hidden]
            return rows, {job.id for job in jobs}

        self._tasks.run(read, on_result=self._on_queue_read)

    def _on_queue_read(self, read: tuple[list[JobRow], set[str]]) -> None:
        rows, known = read
        self.hidden &= known
        for row in rows:
            self._model.add_job(row)
        self._model.flush()
        if self._model.rowCount() and not self._view.selectionModel().hasSelection():
            self._view.select_job(self._model.job_at(0).job_id)
        pipeline = self._pipeline  # resuming marks the jobs queued in the store
        self._tasks.run(lambda _task: pipeline.resume_unfinished(), on_result=self._on_resumed)

    def _on_resumed(self, _job_ids: list[str]) -> None:
        self.restoring = False
        self.restored.emit()

    # -- documents added -----------------------------------------------------------------------

    def job_added(self, row: JobRow) -> None:
        """A job was queued (here or by another client of the pipeline): its row; the first one
        is selected when nothing is."""
        self.hidden.discard(row.job_id)
        self._model.add_job(row)
        if self._reveal is None and not self._view.selectionModel().hasSelection():
            self._reveal = row.job_id  # selected once its row is shown (model.flush)

    def show_queued(self, queued: list[tuple[str, Path]]) -> None:
        """Documents were submitted: the first is selected and scrolled to once its row is shown."""
        if queued:
            self._reveal = queued[0][0]
            self._reveal_added()

    @Slot()
    def _reveal_added(self) -> None:
        if self._reveal is not None and self._model.row_of(self._reveal) >= 0:
            self._view.select_job(self._reveal)
            self._reveal = None

    @Slot(list, list)
    def queued(self, queued: list[tuple[str, Path]], errors: list[str]) -> None:
        """The intake submitted what was dropped, pasted or opened."""
        self.show_queued(queued)
        if errors:
            self.notice.emit("\n".join(errors), Severity.ERROR)
        elif not queued:
            self.notice.emit(
                self.tr(
                    "No documents found there. OCR Desktop reads PDF, PNG, JPEG, WebP, BMP, GIF and TIFF."
                ),
                Severity.WARNING,
            )

    # -- commands ------------------------------------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        # Off the GUI thread: pausing marks the running jobs paused in the store.
        pipeline = self._pipeline
        self._tasks.run(lambda _task: pipeline.pause() if paused else pipeline.unpause(), keep=True)
        self._model.set_paused(paused)

    def cancel_pages(self, job_ids: list[str]) -> bool:
        """Cancel the page being read of each job; False when none was being read."""
        return sum(self._pipeline.cancel_page(job_id) for job_id in job_ids) > 0

    @Slot()
    def cancel_selected(self) -> None:
        job_ids = self.selected()
        # Off the GUI thread: a job not in the pipeline's queue is marked cancelled in the store.
        self._tasks.run(lambda _task: each(self._pipeline.cancel_job, job_ids), keep=True)

    @Slot()
    def retry_selected(self) -> None:
        self.retry(self.selected())

    def retry(self, job_ids: list[str]) -> None:
        """Read the jobs' failed pages again, or resume them (the store is written off the GUI
        thread); their rows go back to queued once the pipeline took them."""
        job_ids = [job_id for job_id in job_ids if self._model.job(job_id) is not None]
        if not job_ids:
            return
        pipeline = self._pipeline
        self._tasks.run(
            lambda _task: [job_id for job_id in job_ids if pipeline.retry_failed(job_id)],
            on_result=self._on_retried,
            keep=True,
        )

    def _on_retried(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            self._model.states.retried(job_id)
        self.changed.emit()

    @Slot()
    def remove_selected(self) -> None:
        job_ids = self.selected()
        with_results = [j for j in job_ids if (row := self._model.job(j)) is not None and row.pages_done]
        if with_results and not self._confirm(
            self.tr("Remove documents"),
            (
                self.tr("Remove this document and its recognised text? This cannot be undone.")
                if len(job_ids) == 1
                else self.tr("Remove {count} documents and their recognised text? This cannot be undone.")
            ).format(count=len(job_ids)),
        ):
            return
        self._tasks.run(lambda _task: each(self._pipeline.remove_job, job_ids), keep=True)
        # The row after the last one removed (else the one before the first) is selected next, so
        # Del can be pressed again and the reading view shows a document (no row was selected).
        rows = sorted(self._model.row_of(j) for j in job_ids)
        removed = set(job_ids)
        after = (
            [r.job_id for r in self._model.rows()[rows[-1] + 1 :] if r.job_id not in removed] if rows else []
        )
        before = [r.job_id for r in self._model.rows()[: rows[0]] if r.job_id not in removed] if rows else []
        following = after[0] if after else (before[-1] if before else None)
        for job_id in job_ids:
            self._model.remove_job(job_id)
            self.dropped.emit(job_id)
        if following is not None:
            self._view.select_job(following)
        self.changed.emit()

    @Slot()
    def clear_finished(self) -> None:
        for row in self._model.rows():
            if row.status.finished:
                self.hidden.add(row.job_id)
                self._model.remove_job(row.job_id)
                self.dropped.emit(row.job_id)
        self.changed.emit()

    def move_selected(self, step: int) -> None:
        job_id = self._view.current_job_id()
        if job_id is None:
            return
        position = self._model.row_of(job_id) + step
        if self._model.move_job(job_id, position):
            self._on_move_requested(job_id, self._model.row_of(job_id))
            self._view.select_job(job_id)

    @Slot(str, int)
    def _on_move_requested(self, job_id: str, row: int) -> None:
        """Translate a position among the shown rows into the store's queue order (which also
        holds the cleared jobs): go right before the job that now follows in the view."""
        shown = [r.job_id for r in self._model.rows()]
        store, pipeline = self._store, self._pipeline

        def move(_task: object) -> None:  # off the GUI thread: it reads and writes the store
            order = [job.id for job in store.list_jobs() if job.id != job_id]
            if row + 1 < len(shown):
                position = order.index(shown[row + 1])
            elif row > 0:
                position = order.index(shown[row - 1]) + 1
            else:
                position = 0
            pipeline.move_job(job_id, position)

        self._tasks.run(move, keep=True)

    def bring_back(self, job_ids: list[str], then: Callable[[], object]) -> None:
        """Put the jobs of ``job_ids`` that are not on the queue back on it, each row as the
        store has it (read off the GUI thread), then call ``then`` (on the GUI thread). A cleared
        job queued again ("Read Them Again") then shows its finished, edited and failed pages and
        takes the pipeline's events from there, instead of coming back as a blank row."""
        missing = [job_id for job_id in job_ids if self._model.job(job_id) is None]
        if not missing:
            then()
            return
        store = self._store

        def read(_task: object) -> list[JobRow]:
            records = [(job_id, store.job(job_id)) for job_id in missing]
            return [row_from_record(record, store.pages(job_id)) for job_id, record in records if record]

        def add(rows: list[JobRow]) -> None:
            for row in rows:
                if self._model.job(row.job_id) is None:
                    self.hidden.discard(row.job_id)
                    self._model.add_job(row)
            self._model.flush()
            then()

        # A store that cannot be read leaves the rows to the events (blank), not the re-read undone.
        self._tasks.run(read, on_result=add, on_error=lambda _error: then())

    @Slot(str)
    def reopen(self, job_id: str) -> None:
        """Put a job from the history back on the queue and select it."""
        self.hidden.discard(job_id)
        if self._model.job(job_id) is not None:
            self._view.select_job(job_id)
            return
        store = self._store

        def read(_task: object) -> JobRow | None:
            record = store.job(job_id)
            return None if record is None else row_from_record(record, store.pages(job_id))

        self._tasks.run(read, on_result=self._on_reopened)

    def _on_reopened(self, row: JobRow | None) -> None:
        if row is None:
            return
        if self._model.job(row.job_id) is None:
            self._model.add_job(row)
            self._model.flush()
        self._view.select_job(row.job_id)
