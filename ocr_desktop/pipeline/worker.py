"""The pipeline shared by the CLI and the GUI: the queue of jobs, the worker thread that decides
what happens next, the jobs' and the page threads' life cycles. Reading is done by the stages it
wires together, each handed its collaborators (the pipeline's lock, the store, ``notify``) and
none calling back into the :class:`Pipeline`:

- :class:`~ocr_desktop.pipeline.slot.BackendSlot` owns the backend: load, switch, keep the old
  one when the new one fails, lend the slot to Compare, the read slots and the memory guard;
- :class:`~ocr_desktop.pipeline.page_reader.PageReader` reads an image with a task under the
  no-output, loop and back-off policies, and commits a page;
- :class:`~ocr_desktop.pipeline.layout_reader.LayoutReader` plans a page, reads its regions and
  assembles them from the results it holds.

One worker thread (``ocr-pipeline``) makes every decision behind one ``threading.Condition``
and owns the backend's life cycle; each page is read on its own page thread (``ocr-page-N``),
at most ``backend.max_in_flight`` at once, one page rendered ahead. Cancel, pause, switch,
crash recovery and the events' order: docs/pipeline.md ("Threads", "Events"). A listener that
raises is logged and ignored.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocr_desktop.backends import registry
from ocr_desktop.backends.base import Backend
from ocr_desktop.backends.memory import available_memory_bytes
from ocr_desktop.core.store import JobRecord, JobStatus, JobStore
from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.documents.sniff import display_name
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import (
    Event,
    JobAdded,
    JobFailed,
    JobFinished,
    JobStarted,
    Listener,
    PageRequeued,
)
from ocr_desktop.pipeline.layout_reader import LayoutReader
from ocr_desktop.pipeline.lease import BackendLease
from ocr_desktop.pipeline.page_reader import RETRY_BACKOFF_S, PageReader
from ocr_desktop.pipeline.run import (
    MEMORY_POLL_S,
    REQUEUE,
    SKIP,
    BackendFactory,
    DocumentOpener,
    Job,
    MemoryCheck,
    OpenedDocument,
    PageRun,
    job_options,
    open_job_document,
    reads_by_layout,
    stop_runs,
)
from ocr_desktop.pipeline.run import open_document as default_opener
from ocr_desktop.pipeline.slot import BackendSlot
from ocr_desktop.settings import Settings

if TYPE_CHECKING:
    from ocr_desktop.layout import LayoutDetector

__all__ = ["BackendFactory", "DocumentOpener", "MemoryCheck", "OpenedDocument", "Pipeline"]

log = logging.getLogger(__name__)


def _create_backend(settings: Settings) -> Backend:
    return registry.create_backend(settings)


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join()


class Pipeline:
    """The queue of jobs and the worker that reads them. See the module docstring."""

    def __init__(
        self,
        store: JobStore,
        settings: Settings,
        listener: Listener | None = None,
        backend_factory: BackendFactory = _create_backend,
        memory_guard: MemoryCheck | None = None,
        *,
        open_document: DocumentOpener = default_opener,
        free_memory: Callable[[], int] = available_memory_bytes,
        retry_backoff_s: tuple[float, ...] = RETRY_BACKOFF_S,
        layout_detector_factory: Callable[[str], LayoutDetector] | None = None,
    ) -> None:
        self._store = store
        #: The one settings value, replaced whole by _apply_settings. Settings is frozen, so the
        #: caller's object is this value (no copy) and a page run holds a stable snapshot of it.
        self._settings = settings
        #: Where the events go (``pipeline.events``): any callable taking an event.
        self._listener: Listener = listener or (lambda _event: None)
        self._open = open_document

        self._cv = threading.Condition()
        self._slot = BackendSlot(
            self._cv,
            backend_factory,
            self._notify,
            settings=lambda: self._settings,
            keep_settings=lambda kept: setattr(self, "_settings", kept),  # a kept backend's settings
            paused=lambda: self._paused,
            memory_guard=memory_guard,
            free_memory=free_memory,
        )
        #: ``retry_backoff_s``: the waits between tries after transient errors (tests shorten them).
        self._reader = PageReader(self._cv, self._slot, store, self._notify, retry_backoff_s)
        #: ``layout_detector_factory``: ``reading.layout_model`` → detector (default: the layout
        #: registry's; a benchmark brings the GLM-OCR SDK's own boxes).
        self._layout = LayoutReader(
            self._cv,
            self._reader,
            store,
            self._notify,
            paused=lambda: self._paused,
            detector_factory=layout_detector_factory,
        )
        self._queue: list[Job] = []  # owned jobs not yet finished, in queue order
        self._runs: list[PageRun] = []
        self._ended_threads: list[threading.Thread] = []
        self._ahead: tuple[Job, int, PageImage] | None = None
        self._paused = False
        self._stopping = False
        self._acting = False  # the worker is carrying out an action (it is not idle)
        self._worker: threading.Thread | None = None

    # -- public API (any thread) ---------------------------------------------------------------

    def start(self) -> None:
        if self._worker is not None:
            return
        self._worker = threading.Thread(target=self._work, name="ocr-pipeline", daemon=True)
        self._worker.start()

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Stop reading (pages in flight stay pending), unload the backend, join every thread.

        Returns False if the threads did not end within ``timeout`` (a backend stuck in a
        step that cannot be interrupted, such as llama.cpp's image encoding).
        """
        with self._cv:
            self._stopping = True
            stop_runs(self._runs, REQUEUE)
            self._cv.notify_all()
        if self._worker is None:
            return True
        self._worker.join(timeout)
        return not self._worker.is_alive()

    def submit(
        self,
        path: str | os.PathLike[str],
        *,
        task: str | None = None,
        pages: str | None = None,
        dpi: int | None = None,
        max_pixels: int | None = None,
    ) -> str:
        """Queue a document and return its job id at once; it is opened on the worker thread
        (a document that cannot be read ends as ``job_failed`` with the reason)."""
        [job_id] = self.submit_many([path], task=task, pages=pages, dpi=dpi, max_pixels=max_pixels)
        return job_id

    def submit_many(self, paths: Sequence[str | os.PathLike[str]], **overrides: Any) -> list[str]:
        """:meth:`submit` for many documents, stored in one transaction."""
        options = self.job_options(self._settings, **overrides)
        Task(options.task)  # a ValueError here is a caller's bug, not a document's problem
        sources = [Path(path).absolute() for path in paths]
        names = [display_name(source) for source in sources]
        records = self._store.create_jobs(list(zip(sources, names, strict=True)), options)
        for record in records:
            self._enqueue(record)
        return [record.id for record in records]

    #: The options ``submit`` would give a job (used to find a previous run of a file).
    job_options = staticmethod(job_options)

    def resume_job(self, job_id: str) -> bool:
        """Queue an unfinished job from the store again (finished pages are not read again)."""
        record = self._store.job(job_id)
        if record is None or record.status.finished:
            return False
        with self._cv:
            if self._find(job_id) is not None:
                return False
        # Marked queued before the worker can see it, so its own "running" is never overwritten.
        self._store.set_job_status(job_id, JobStatus.QUEUED)
        return self._enqueue(record)

    def resume_unfinished(self) -> list[str]:
        """Queue every unfinished job of the store that no other live process is working on."""
        return [job.id for job in self._store.unfinished_jobs() if self.resume_job(job.id)]

    def cancel_job(self, job_id: str) -> None:
        """Stop a job: pages in flight are abandoned (they stay pending), no new page starts."""
        with self._cv:
            job = self._find(job_id)
            if job is not None:
                self._cancel_locked(job)
                return
        record = self._store.job(job_id)
        if record is not None and not record.status.finished:
            self._store.set_job_status(job_id, JobStatus.CANCELLED)

    def cancel_page(self, job_id: str | None = None, page_index: int | None = None) -> int:
        """Skip the page(s) being read (all of them by default): each ends as ``page_failed``
        ("cancelled") and can be read again with :meth:`retry_failed`. Returns how many."""
        with self._cv:
            runs = [
                r
                for r in self._runs
                if (job_id is None or r.job.id == job_id) and (page_index is None or r.index == page_index)
            ]
            stop_runs(runs, SKIP)
            return len(runs)

    def pause(self) -> None:
        """Start no new page; pages in flight finish."""
        self._set_paused(True)

    def unpause(self) -> None:
        """Start pages again after :meth:`pause` (``resume_job`` is another thing: it re-queues
        an unfinished job from the store)."""
        self._set_paused(False)

    def _set_paused(self, paused: bool, *, lease: bool = False) -> None:
        """``lease``: the backend's lending pauses or its end restores (else the user chose)."""
        status = JobStatus.PAUSED if paused else JobStatus.RUNNING
        # The store is written under the lock: a job the worker finishes meanwhile has left the
        # queue first, so its final status is never overwritten with paused/running.
        with self._cv:
            if not lease and self._slot.restore_paused is not None:
                # Lent to Compare: the queue stays paused; the lease's end restores this choice
                # (a pause chosen during the benchmark must not be undone by its end).
                self._slot.restore_paused = paused
                return
            self._paused = paused
            for job in self._queue:
                if job.doc is not None and not job.cancelled:
                    self._store.set_job_status(job.id, status)
            self._cv.notify_all()

    @property
    def backend(self) -> Backend | None:
        """The backend the worker holds now (None before the first page loads it). Read-only:
        for telemetry, which asks a vLLM backend for its server's pids and metrics."""
        return self._slot.backend

    @property
    def paused(self) -> bool:
        return self._paused

    def retry_failed(self, job_id: str) -> bool:
        """Read a job's failed pages again, and resume the job if it had ended (also one whose
        backend could not be loaded). True if the job has pages to read again."""
        return self._read_again(job_id, self._store.reset_failed_pages(job_id))

    def reread_pages_read_by(self, job_id: str, backend_id: str) -> bool:
        """Read the job's pages ``backend_id`` read again with the current backend (the lite
        engine's, once GLM-OCR is installed; edited pages are kept). True if there are any."""
        return self._read_again(job_id, self._store.reset_pages_read_by(job_id, backend_id))

    def _read_again(self, job_id: str, indices: list[int]) -> bool:
        with self._cv:
            job = self._find(job_id)
            if job is not None:
                if job.doc is not None and not job.cancelled:
                    for index in indices:
                        bisect.insort(job.pending, index)
                    self._cv.notify_all()
                return bool(indices)
        record = self._store.job(job_id)
        if record is None or (record.page_count is not None and record.pages_pending == 0):
            return False
        self._store.set_job_status(job_id, JobStatus.QUEUED)
        return self.resume_job(job_id)

    def remove_job(self, job_id: str) -> None:
        """Cancel a job if it runs and delete it and its results from the store."""
        with self._cv:
            job = self._find(job_id)
            if job is not None:
                job.remove = True
                self._cancel_locked(job)
                return
        self._store.remove_job(job_id)

    def move_job(self, job_id: str, position: int) -> None:
        """Move a job to ``position`` (0-based) in the store's queue order."""
        self._store.move_job(job_id, position)
        order = {job.id: i for i, job in enumerate(self._store.list_jobs())}
        with self._cv:
            self._queue.sort(key=lambda j: order.get(j.id, len(order)))
            self._cv.notify_all()

    def switch_backend(self, settings: Settings, finish_page: bool) -> None:
        """Unload the current backend and load the one ``settings`` names. Pages in flight are
        finished first (``finish_page``) or abandoned and read again by the new backend.
        The backend loaded is the one of the settings current then: an ``update_settings``
        made while the old backend finishes its page is kept."""
        self._apply_settings(settings, switch=True, finish_page=finish_page)

    def update_settings(self, settings: Settings) -> None:
        """Use ``settings`` for jobs submitted and pages started from now on (a different
        backend needs :meth:`switch_backend`)."""
        self._apply_settings(settings)

    def lend_backend(self) -> BackendLease:
        """Lend the one backend slot to another reader (the Compare view's benchmark): see
        :meth:`BackendSlot.lend_out`. Blocks: call it off the GUI thread."""
        return self._slot.lend_out(
            worker_alive=lambda: self._worker is not None and self._worker.is_alive(),
            pause=lambda: self._set_paused(True, lease=True),
            unpause=lambda: self._set_paused(False, lease=True),
        )

    def _apply_settings(self, settings: Settings, *, switch: bool = False, finish_page: bool = True) -> None:
        """The one place the pipeline's settings change: ``settings`` replaces the current value
        whole (pages already running keep the value they started with; being frozen, neither
        can change under them)."""
        with self._cv:
            self._settings = settings
            if switch:
                self._slot.switch_due = True
                if not finish_page:
                    stop_runs(self._runs, REQUEUE)
            self._cv.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running; False if ``timeout`` passed first."""

        def idle() -> bool:  # called with the lock held
            return not (
                self._queue
                or self._runs
                or self._slot.changing
                or self._ahead
                or self._acting
                or self._slot.lease_wanted
            )

        with self._cv:
            return self._cv.wait_for(idle, timeout)

    # -- helpers under the lock ----------------------------------------------------------------

    def _find(self, job_id: str) -> Job | None:
        return next((j for j in self._queue if j.id == job_id), None)

    def _enqueue(self, record: JobRecord) -> bool:
        """Add a job to the queue; False if it is there already."""
        with self._cv:
            if self._find(record.id) is not None:
                return False
            job = Job(record.id, record)
            self._queue.append(job)
        # The worker skips the job until job_added went out, so job_added precedes job_started.
        self._notify(JobAdded(record.id, record.name, record.page_count or 0, record.source))
        with self._cv:
            job.announced = True
            self._cv.notify_all()
        return True

    def _cancel_locked(self, job: Job) -> None:
        job.cancelled = True
        job.pending.clear()
        stop_runs([r for r in self._runs if r.job is job], REQUEUE)
        if self._ahead is not None and self._ahead[0] is job:
            self._ahead = None
        self._cv.notify_all()

    def _notify(self, event: Event) -> None:
        """Send ``event`` to the listener; a listener that raises is logged."""
        try:
            self._listener(event)
        except Exception:
            log.exception("a pipeline listener failed")

    # -- the worker ----------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while True:
                with self._cv:
                    self._acting = False
                    self._cv.notify_all()
                    action = self._next_action()
                    while action is None and not self._stopping:
                        self._cv.wait(MEMORY_POLL_S if self._slot.memory_blocked else None)
                        action = self._next_action()
                    if self._stopping:
                        break
                    self._acting = True
                assert action is not None
                action()
        except Exception as exc:
            # A bug or a broken store (disk full): end every queued job with the reason instead of
            # leaving callers waiting for a worker that is gone.
            log.exception("the pipeline worker failed")
            message = f"internal error in the pipeline: {exc}; see the log file"
            with self._cv:
                job_ids = [j.id for j in self._queue]
            for job_id in job_ids:
                self._notify(JobFailed(job_id, message))
        finally:
            # Wind down: pages in flight stay pending, queued jobs are released for the next run
            # to resume, the backend is unloaded, a waiting lend gets the slot.
            with self._cv:
                self._stopping = True
                if self._slot.lease_wanted:  # the worker ends: nothing is loaded any more, lend the slot
                    self._slot.lease_wanted, self._slot.lent = False, True
                stop_runs(self._runs, REQUEUE)
                while self._runs:
                    self._cv.wait()
                ended, self._ended_threads = self._ended_threads, []
                left, self._queue = self._queue, []
                self._ahead = None
                self._cv.notify_all()
            _join(ended)
            for job in left:
                if job.remove:
                    self._store.remove_job(job.id)
                elif job.cancelled:
                    self._store.set_job_status(job.id, JobStatus.CANCELLED)
                else:  # released, for the next run to resume
                    self._store.set_job_status(job.id, JobStatus.QUEUED, release=True)
            self._slot.release()

    def _next_action(self) -> Callable[[], None] | None:
        """Decide what the worker does next (called with the lock held); None = wait."""
        if self._ended_threads:
            ended, self._ended_threads = self._ended_threads, []
            return functools.partial(_join, ended)
        for job in self._queue:
            if self._finishable(job):
                return functools.partial(self._finish_job, job)
        if self._slot.lease_wanted:
            return None if self._runs else self._slot.lend
        if self._slot.lent:
            return None
        if self._slot.changing:
            return None if self._runs else self._slot.change
        if self._paused:
            return None
        if self._ahead is None:
            for job in self._queue:
                if job.cancelled or not job.announced:
                    continue
                if job.doc is None:
                    return functools.partial(self._open_job, job)
                if job.pending:
                    return functools.partial(self._render, job, job.pending.pop(0))
            return None
        if self._slot.backend is None:
            return self._load_for_ahead
        return self._start_ahead if self._slot.may_start_another(len(self._runs)) else None

    def _finishable(self, job: Job) -> bool:
        """Nothing of the job is left to start or waits to end (called with the lock held)."""
        if not job.announced or job.in_flight or (self._ahead is not None and self._ahead[0] is job):
            return False
        return job.cancelled or (job.doc is not None and not job.pending)

    def _take_from_queue(self, job: Job, *, only_if_finishable: bool) -> bool:
        """Remove ``job`` from the queue (atomically with the check, so that a concurrent
        retry_failed either reaches the job before this or finds it gone and requeues it)."""
        with self._cv:
            if job not in self._queue or (only_if_finishable and not self._finishable(job)):
                return False
            self._queue.remove(job)
            return True

    def _open_job(self, job: Job) -> None:
        record = job.record  # as queued: not read back
        doc = open_job_document(self._open, record)
        if isinstance(doc, str):
            self._fail_job(job, doc)
            return
        options = record.options
        if record.page_count is not None:
            pending = self._store.pending_pages(job.id)  # resumed: some pages may be read already
        elif self._store.set_job_pages(job.id, doc.page_count, doc.page_indices):
            pending = sorted(set(doc.page_indices))  # as just written: every page pending
        else:  # removed from the store behind our back
            doc.close()
            self._take_from_queue(job, only_if_finishable=False)
            return
        with self._cv:  # under the lock, as in _set_paused
            self._store.set_job_status(job.id, JobStatus.PAUSED if self._paused else JobStatus.RUNNING)
            job.doc = doc
            job.task = Task(options.task)
            job.layout = reads_by_layout(options)
            job.max_pixels = options.max_pixels
            if not job.cancelled:
                job.pending = pending
            self._cv.notify_all()
        self._notify(JobStarted(job.id, doc.page_count, tuple(doc.page_indices), tuple(pending)))

    def _fail_job(self, job: Job, message: str) -> None:
        """End a whole job (it cannot be opened, or the backend cannot be loaded). Its pages
        stay as they are, so a retry or resume reads the missing ones."""
        with self._cv:
            job.pending.clear()
            if self._ahead is not None and self._ahead[0] is job:
                self._ahead = None
        if self._take_from_queue(job, only_if_finishable=False):
            self._end_job(job, JobStatus.FAILED, message)

    def _finish_job(self, job: Job) -> None:
        if not self._take_from_queue(job, only_if_finishable=True):
            return
        if job.cancelled:
            self._end_job(job, JobStatus.CANCELLED)
            return
        record = self._store.job(job.id)
        if record is not None and record.pages_done == 0 and record.pages_failed > 0:
            message = Message(
                "none of the {count} pages could be read; see each page's error", count=record.pages_failed
            )
            self._end_job(job, JobStatus.FAILED, message)
        else:
            self._end_job(job, JobStatus.DONE)

    def _end_job(self, job: Job, status: JobStatus, message: str = "") -> None:
        """Record how a job ended and tell the listener (a job being removed just goes)."""
        if job.doc is not None:
            # A PDF keeps a pdftoppm renderer streaming ahead; let it go now, not at GC time.
            job.doc.close()
        if job.remove:
            self._store.remove_job(job.id)
            return
        self._store.set_job_status(job.id, status, message)
        if status is JobStatus.FAILED:
            self._notify(JobFailed(job.id, message))
        else:
            self._notify(JobFinished(job.id, status))

    def _render(self, job: Job, index: int) -> None:
        assert job.doc is not None
        try:
            page = job.doc.render_page(index)
        except DocumentError as exc:
            self._reader.fail(job.id, index, exc.message)
            return
        except Exception as exc:
            log.exception("rendering page %d of job %s failed", index + 1, job.id)
            self._reader.fail(
                job.id,
                index,
                Message("page {page} could not be rendered: {reason}", page=index + 1, reason=str(exc)),
            )
            return
        with self._cv:
            if job.cancelled:
                return
            self._ahead = (job, index, page)

    def _load_for_ahead(self) -> None:
        message = self._slot.load()
        with self._cv:
            ahead = self._ahead  # None if its job was cancelled meanwhile
        if message is not None and ahead is not None:
            self._fail_job(ahead[0], message)

    def _start_ahead(self) -> None:
        with self._cv:
            backend = self._slot.backend
            if self._ahead is None or backend is None:  # cancelled since it was chosen
                return
            job, index, page = self._ahead
            self._ahead = None
            run = PageRun(job, index, page, backend, self._settings, index in job.crash_retried)
            job.in_flight.add(index)
            self._runs.append(run)
        self._store.page_started(job.id, index)
        run.thread = threading.Thread(
            target=self._run_page, args=(run,), name=f"ocr-page-{index + 1}", daemon=True
        )
        run.thread.start()

    # -- page threads --------------------------------------------------------------------------

    def _run_page(self, run: PageRun) -> None:
        try:
            self._reader.read_page(run, self._layout.read if run.job.layout else self._reader.read_whole)
        finally:  # the page thread's end, whatever the outcome
            if run.requeue or run.crashed:
                # Told before the page is back among the pending ones, so that no PageStarted of
                # its next reading can come first; a cancelled job's page stays pending too.
                self._notify(PageRequeued(run.job.id, run.index))
            with self._cv:
                self._runs.remove(run)
                job = run.job
                job.in_flight.discard(run.index)
                if not job.cancelled and (run.requeue or run.crashed):
                    bisect.insort(job.pending, run.index)
                if run.crashed:
                    job.crash_retried.add(run.index)
                    self._slot.reload_needed = True
                assert run.thread is not None
                self._ended_threads.append(run.thread)
                self._cv.notify_all()
