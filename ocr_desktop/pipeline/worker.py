"""The worker loop shared by the CLI and the GUI: jobs in order, pages through the backend, events out.

Concurrency design (details, retry and loop policies in ``docs/pipeline.md``):

- One **worker thread** (``ocr-pipeline``) makes every decision and owns the backend object:
  it creates, loads, unloads and reloads it, opens (pre-flights) documents and renders pages.
  All shared state lives behind one ``threading.Condition``; the worker picks the next action
  while holding it and performs the action (file I/O, loading, rendering) without it, so the
  GUI thread calling ``submit``/``cancel_job``/… never waits for more than a few statements.
- Each page being read runs on its own short-lived **page thread** (``ocr-page-N``) that iterates
  ``backend.recognize``, feeds the repetition guard, emits ``text_delta`` events, applies the
  retry policies and commits the result to the store. At most ``backend.max_in_flight`` page
  threads exist at a time (llama.cpp: 1, so the ``Llama`` is never used by two threads at
  once; vLLM: N requests, across documents, to use its batching). Before an *additional* page
  starts, ``memory_guard()`` is asked; one page may always run.
- The worker renders **one page ahead at most**: the next page is rendered while the current
  ones are being read, and nothing else is rendered until that page has started.
- Cancel is a ``threading.Event`` per page, checked by the backend between tokens. Pages
  interrupted by a job cancel, a backend switch or shutdown stay *pending* in the store (they
  are read again on resume); a page cancelled on its own is marked *failed* ("cancelled").
- ``BackendCrashed`` makes the worker wait for the other pages in flight, reload the backend
  and read the page once more; only the worker touches the backend's lifecycle.

Events (``PipelineListener``) are called on the worker and page threads; a listener that raises
is logged and ignored. ``page_started`` comes again for the same page when it is read again by a
retry policy: a live view restarts that page's text. ``job_added`` reports ``page_count`` 0 for
a job not yet pre-flighted; ``job_started`` carries the page count and the pages to read. Every
job ends with ``job_finished`` (carrying done or cancelled) or ``job_failed``.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ocr_desktop.backends import registry
from ocr_desktop.backends.base import (
    Backend,
    BackendCrashed,
    BackendError,
    BackendState,
    run_recognition,
)
from ocr_desktop.backends.memory import MemoryBudgetError, available_memory_bytes, check_fits
from ocr_desktop.core.formatter import reading_problem
from ocr_desktop.core.results import (
    FLAG_REPETITION_LOOP,
    FLAG_RETRIED,
    FLAG_TRUNCATED,
    GenerationStats,
    PageLines,
    PageResult,
    RegionResult,
)
from ocr_desktop.core.store import JobOptions, JobStatus, JobStore, fingerprint
from ocr_desktop.core.tasks import GenerationOptions, Task, loop_retry_options
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import GLM_MAX_PIXELS, PageImage, fit_page
from ocr_desktop.documents.sniff import display_name
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import PipelineListener, announce_loaded, announce_loading, announce_unloaded
from ocr_desktop.pipeline.lease import BackendLease
from ocr_desktop.settings import Settings

if TYPE_CHECKING:
    from ocr_desktop.layout import LayoutDetector

log = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, 4th try of a page after a transient (retryable) backend error.
RETRY_BACKOFF_S: tuple[float, ...] = (1.0, 4.0, 10.0)
#: What a person can do about a page the model returned no reading of (docs/pipeline.md).
NO_READING_ADVICE = Message(
    "the page image may not have reached the model: check in Settings → Models that the vision "
    "projector (mmproj) belongs to the model, or try the other backend; a blank page has no text"
)
#: How often a memory guard that said "not now" is asked again.
MEMORY_POLL_S = 0.5

#: Returns why no additional page may start now, or None when it may (``backends.memory.MemoryGuard``).
MemoryCheck = Callable[[], "str | None"]
BackendFactory = Callable[[Settings], Backend]


class OpenedDocument(Protocol):
    """What the pipeline needs of ``documents.Document``."""

    @property
    def page_count(self) -> int: ...
    @property
    def page_indices(self) -> Sequence[int]: ...
    def render_page(self, index: int) -> PageImage: ...
    def close(self) -> None: ...


DocumentOpener = Callable[..., OpenedDocument]


def _open_document(path: Path, *, dpi: int, max_pixels: int, pages: str) -> OpenedDocument:
    from ocr_desktop.documents.document import open_document

    return open_document(path, dpi=dpi, max_pixels=max_pixels, pages=pages)


def _create_backend(settings: Settings) -> Backend:
    return registry.create_backend(settings)


@dataclass(eq=False)
class _Job:
    id: str
    doc: OpenedDocument | None = None  # set once pre-flighted
    task: Task = Task.TEXT  # set once pre-flighted
    layout: bool = False  # read by layout regions (reading.mode "layout" and the text task)
    max_pixels: int = 0  # the model's pixel budget (a layout page is rendered at full DPI)
    pending: list[int] = field(default_factory=list)  # sorted page indices still to start
    in_flight: set[int] = field(default_factory=set)
    crash_retried: set[int] = field(default_factory=set)
    announced: bool = False  # job_added went out; only then may the worker start it
    cancelled: bool = False
    remove: bool = False  # remove from the store once nothing of it runs any more


# Why a page run was stopped from outside: the user skipped the page, or the run is abandoned
# and the page stays pending (job cancelled, backend switch, shutdown).
_SKIP = "skip"
_REQUEUE = "requeue"


@dataclass(eq=False)
class _PageRun:
    job: _Job
    index: int
    page: PageImage
    backend: Backend
    settings: Settings
    after_crash: bool
    stop: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None  # _SKIP / _REQUEUE, set under the pipeline's lock
    requeue: bool = False  # outcome: put the page back into pending
    crashed: str | None = None  # outcome: the backend crashed with this message
    thread: threading.Thread | None = None


class _RunStoppedError(Exception):
    """A page run was stopped from outside (see _PageRun.reason)."""


@dataclass(frozen=True)
class _Attempt:
    text: str
    stats: GenerationStats
    looped: bool
    loop_bytes: int = 0  # UTF-8 length of the repeated unit, when looped


def _no_reading(attempt: _Attempt) -> str | None:
    """Why the attempt's text is no reading of the page (empty, only a fence, the prompt said
    back, only special tokens), or None. A loop is a reading, cut; it has its own policy."""
    return None if attempt.looped else reading_problem(attempt.text)


class _ReadFailedError(Exception):
    """The model gave no reading of a page or region, twice; ``message`` says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _PausedError(Exception):
    """The queue was paused before a region got its slot: it waits in the store for the resume."""


class _ReadStop(threading.Event):
    """One read's stop: set by the repetition guard for this read alone (a loop cut in one region
    leaves the page's other regions running), and set whenever the page's own stop is."""

    def __init__(self, page_stop: threading.Event) -> None:
        super().__init__()
        self._page_stop = page_stop

    def is_set(self) -> bool:
        return super().is_set() or self._page_stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = MEMORY_POLL_S if deadline is None else min(MEMORY_POLL_S, deadline - time.monotonic())
            if left <= 0:
                break
            super().wait(left)
        return self.is_set()


@dataclass(frozen=True)
class _Request:
    """One image to read (a page or a region) with its prompt, and where its events go."""

    image: PageImage
    task: Task
    started: Callable[[], None]  # called before each attempt
    sink: Callable[[str], None]  # each streamed delta


@dataclass(frozen=True)
class _Plan:
    layout: str  # the layout model's id
    regions: tuple[RegionResult, ...]


class _Started:
    """Set once a region thread has taken its slot and started reading (or ended without)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait_started(self, run: _PageRun) -> bool:
        """Wait for it; False when the page was stopped meanwhile (start no further region)."""
        self._event.wait()
        return run.reason is None


class _LiveText:
    """A page's streamed text in reading order while its regions are read, possibly several at
    once: the first unfinished region streams through, later ones are held back and passed on
    (after a blank line) once every region before them is done. Regions read before (a resumed
    page) are passed on first. Thread-safe."""

    def __init__(
        self, regions: Sequence[RegionResult], pending: set[int], emit: Callable[[str], None]
    ) -> None:
        self._lock = threading.Lock()
        self._orders = [r.order for r in regions if r.read]
        self._parts: dict[int, list[str]] = {r.order: [r.text] for r in regions if r.read}
        self._done = {order for order in self._orders if order not in pending}
        self._head = 0
        self._emit = emit
        self._first = True
        with self._lock:
            self._open_head()

    def restart(self, order: int) -> None:
        """A region is read (again): what it streamed before is dropped if it was held back."""
        with self._lock:
            self._parts[order] = []

    def feed(self, order: int, delta: str) -> None:
        with self._lock:
            if self._head < len(self._orders) and self._orders[self._head] == order:
                self._emit(delta)
            else:
                self._parts[order].append(delta)

    def finish(self, order: int) -> None:
        with self._lock:
            self._done.add(order)
            if self._head < len(self._orders) and self._orders[self._head] == order:
                self._head += 1
                self._open_head()

    def _open_head(self) -> None:
        """Pass on the new first unfinished region's held text, and of every finished one before it."""
        while self._head < len(self._orders):
            order = self._orders[self._head]
            text = ("" if self._first else "\n\n") + "".join(self._parts[order])
            self._parts[order] = []
            self._first = False
            if text:
                self._emit(text)
            if order not in self._done:
                return
            self._head += 1


def _stopped(run: _PageRun) -> bool:
    """The page's run was stopped: from outside (``reason`` set with it) or because one of its
    regions failed (the page's stop alone, set by that region's thread)."""
    return run.reason is not None or run.stop.is_set()


class Pipeline:
    """The queue of jobs and the worker that reads them. See the module docstring."""

    def __init__(
        self,
        store: JobStore,
        settings: Settings,
        listener: PipelineListener | None = None,
        backend_factory: BackendFactory = _create_backend,
        memory_guard: MemoryCheck | None = None,
        *,
        open_document: DocumentOpener = _open_document,
        free_memory: Callable[[], int] = available_memory_bytes,
    ) -> None:
        self._store = store
        #: The one settings value, replaced whole by _apply_settings. Settings is frozen, so the
        #: caller's object is this value (no copy) and a page run holds a stable snapshot of it.
        self._settings = settings
        self._listener = listener or PipelineListener()
        self._factory = backend_factory
        self._memory_guard = memory_guard
        self._open = open_document
        #: Free memory now (``backends.memory``): whether a switch's new backend fits beside the old.
        self._free_memory = free_memory
        #: Waits between tries after transient errors (tests shorten them).
        self.retry_backoff_s = RETRY_BACKOFF_S

        self._cv = threading.Condition()
        self._queue: list[_Job] = []  # owned jobs not yet finished, in queue order
        self._runs: list[_PageRun] = []
        self._ended_threads: list[threading.Thread] = []
        self._ahead: tuple[_Job, int, PageImage] | None = None
        self._paused = False
        self._stopping = False
        self._switch_due = False  # load the backend of the current settings once no page runs
        self._lease_wanted = False  # lend_backend waits for the worker to unload and lend the slot
        self._lent = False  # a BackendLease holds the slot: no page starts, nothing loads
        self._reload_needed = False
        self._memory_blocked: str | None = None
        self._acting = False  # the worker is carrying out an action (it is not idle)
        self._backend: Backend | None = None
        self._backend_settings = settings  # the settings self._backend was loaded from
        self._worker: threading.Thread | None = None
        self._slots_busy = 0  # reads (pages or regions) the backend is working on
        self._layout_lock = threading.Lock()  # one detection at a time; guards _layout
        self._layout: tuple[str, LayoutDetector] | None = None  # (setting, its detector)

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
            self._stop_runs(self._runs, _REQUEUE)
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
        job_ids = self._store.create_jobs(list(zip(sources, names, strict=True)), options)
        for job_id, name, source in zip(job_ids, names, sources, strict=True):
            self._enqueue(job_id, name, 0, str(source))
        return job_ids

    @staticmethod
    def job_options(settings: Settings, **overrides: Any) -> JobOptions:
        """The options ``submit`` would give a job (used to find a previous run of a file)."""
        options = JobOptions(
            task=settings.generation.task,
            pages=settings.documents.pages,
            dpi=settings.documents.dpi,
            max_pixels=settings.documents.max_pixels,
            backend=settings.backend,
            mode=settings.reading.mode,
        )
        return dataclasses.replace(options, **{k: v for k, v in overrides.items() if v is not None})

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
        return self._enqueue(job_id, record.name, record.page_count or 0, record.source)

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
            self._stop_runs(runs, _SKIP)
            return len(runs)

    def pause(self) -> None:
        """Start no new page; pages in flight finish."""
        self._set_paused(True)

    def unpause(self) -> None:
        """Start pages again after :meth:`pause` (``resume_job`` is another thing: it re-queues
        an unfinished job from the store)."""
        self._set_paused(False)

    def _set_paused(self, paused: bool) -> None:
        status = JobStatus.PAUSED if paused else JobStatus.RUNNING
        # The store is written under the lock: a job the worker finishes meanwhile has left the
        # queue first, so its final status is never overwritten with paused/running.
        with self._cv:
            self._paused = paused
            for job in self._queue:
                if job.doc is not None and not job.cancelled:
                    self._store.set_job_status(job.id, status)
            self._cv.notify_all()

    @property
    def backend(self) -> Backend | None:
        """The backend the worker holds now (None before the first page loads it). Read-only:
        for telemetry, which asks a vLLM backend for its server's pids and metrics."""
        return self._backend

    @property
    def paused(self) -> bool:
        return self._paused

    def retry_failed(self, job_id: str) -> bool:
        """Read a job's failed pages again, and resume the job if it had ended (also one whose
        backend could not be loaded). True if the job has pages to read again."""
        return self._read_again(job_id, self._store.reset_failed_pages(job_id))

    def reread_pages_read_by(self, job_id: str, backend_id: str) -> bool:
        """Read again, with the current backend, the pages of a job that ``backend_id`` read
        (the lite engine's, once GLM-OCR is installed; pages the user edited are kept). True if
        the job has pages to read again."""
        return self._read_again(job_id, self._store.reset_pages_read_by(job_id, backend_id))

    def _read_again(self, job_id: str, indices: list[int]) -> bool:
        """Queue ``indices`` (made pending in the store) again, resuming the job if it had ended."""
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
        """Lend the one backend slot to another reader (the Compare view's benchmark).

        Pauses the queue, waits until the pages in flight have finished, unloads the
        pipeline's backend and returns a lease: until it is released, backends are loaded only
        through :meth:`BackendLease.create_backend`, and their loading and unloading go out as
        this pipeline's ``backend_state`` events. Releasing restores the pause state; the
        pipeline loads its own backend again for its next page. Blocks: call it off the GUI thread.
        """
        with self._cv:
            if self._lease_wanted or self._lent:
                raise RuntimeError("the backend is lent already")
            was_paused = self._paused
            self._lease_wanted = True
            if self._worker is None or not self._worker.is_alive():
                self._lease_wanted, self._lent = False, True  # no worker: nothing is loaded
        self.pause()
        with self._cv:
            while not self._lent:
                self._cv.wait()
        return BackendLease(self._factory, self._notify, functools.partial(self._end_lease, was_paused))

    def _end_lease(self, was_paused: bool) -> None:
        with self._cv:
            self._lent = False
            self._cv.notify_all()
        if not was_paused:
            self.unpause()

    def _apply_settings(self, settings: Settings, *, switch: bool = False, finish_page: bool = True) -> None:
        """The one place the pipeline's settings change: ``settings`` replaces the current value
        whole (pages already running keep the value they started with; being frozen, neither
        can change under them)."""
        with self._cv:
            self._settings = settings
            if switch:
                self._switch_due = True
                if not finish_page:
                    self._stop_runs(self._runs, _REQUEUE)
            self._cv.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running; False if ``timeout`` passed first."""
        with self._cv:
            return self._cv.wait_for(self._idle_locked, timeout)

    # -- helpers under the lock ----------------------------------------------------------------

    def _idle_locked(self) -> bool:
        return not (
            self._queue
            or self._runs
            or self._switch_due
            or self._reload_needed
            or self._ahead
            or self._acting
            or self._lease_wanted
        )

    def _find(self, job_id: str) -> _Job | None:
        return next((j for j in self._queue if j.id == job_id), None)

    def _enqueue(self, job_id: str, name: str, page_count: int, source: str) -> bool:
        """Add a job to the queue; False if it is there already."""
        with self._cv:
            if self._find(job_id) is not None:
                return False
            job = _Job(job_id)
            self._queue.append(job)
        # The worker skips the job until job_added went out, so job_added precedes job_started.
        self._notify(lambda listener: listener.job_added(job_id, name, page_count, source))
        with self._cv:
            job.announced = True
            self._cv.notify_all()
        return True

    def _cancel_locked(self, job: _Job) -> None:
        job.cancelled = True
        job.pending.clear()
        self._stop_runs([r for r in self._runs if r.job is job], _REQUEUE)
        if self._ahead is not None and self._ahead[0] is job:
            self._ahead = None
        self._cv.notify_all()

    @staticmethod
    def _stop_runs(runs: list[_PageRun], reason: str) -> None:
        for run in runs:
            if run.reason is None:
                run.reason = reason
            run.stop.set()

    def _notify(self, event: Callable[[PipelineListener], None]) -> None:
        """Tell the listener (a typed call, checked by mypy); a listener that raises is logged."""
        try:
            event(self._listener)
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
                        self._cv.wait(MEMORY_POLL_S if self._memory_blocked else None)
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
                self._notify_job_failed(job_id, message)
        finally:
            self._wind_down()

    def _next_action(self) -> Callable[[], None] | None:
        """Decide what the worker does next (called with the lock held); None = wait."""
        if self._ended_threads:
            ended, self._ended_threads = self._ended_threads, []
            return functools.partial(self._join, ended)
        for job in self._queue:
            if self._finishable(job):
                return functools.partial(self._finish_job, job)
        if self._lease_wanted:
            return None if self._runs else self._lend
        if self._lent:
            return None
        if self._switch_due or self._reload_needed:
            return None if self._runs else self._change_backend
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
        if self._backend is None:
            return self._load_for_ahead
        if self._runs:
            if len(self._runs) >= max(1, self._backend.max_in_flight):
                return None
            reason = self._ask_memory_guard()
            if reason != self._memory_blocked and reason:
                log.info("not starting another page yet: %s", reason)
            self._memory_blocked = reason
            if reason:
                return None
        self._memory_blocked = None  # one page may always run
        return self._start_ahead

    def _finishable(self, job: _Job) -> bool:
        """Nothing of the job is left to start or waits to end (called with the lock held)."""
        if not job.announced or job.in_flight or (self._ahead is not None and self._ahead[0] is job):
            return False
        return job.cancelled or (job.doc is not None and not job.pending)

    def _ask_memory_guard(self) -> str | None:
        if self._memory_guard is None:
            return None
        try:
            return self._memory_guard()
        except Exception:
            log.exception("the memory guard failed; starting pages without it")
            return None

    def _take_from_queue(self, job: _Job, *, only_if_finishable: bool) -> bool:
        """Remove ``job`` from the queue (atomically with the check, so that a concurrent
        retry_failed either reaches the job before this or finds it gone and requeues it)."""
        with self._cv:
            if job not in self._queue or (only_if_finishable and not self._finishable(job)):
                return False
            self._queue.remove(job)
            return True

    @staticmethod
    def _join(threads: list[threading.Thread]) -> None:
        for thread in threads:
            thread.join()

    def _open_job(self, job: _Job) -> None:
        record = self._store.job(job.id)
        if record is None:  # removed from the store behind our back
            self._take_from_queue(job, only_if_finishable=False)
            return
        if fingerprint(record.source, record.options) != record.fingerprint:
            self._fail_job(
                job,
                Message(
                    "{source} changed since it was queued; add it again to read the new version",
                    source=record.source,
                ),
            )
            return
        options = record.options
        layout = options.mode == "layout" and Task(options.task) is Task.TEXT
        # Layout mode crops regions from the page at the document's DPI (up to GLM-OCR's largest
        # image); each crop, or a page read whole after all, is fitted to the job's budget.
        budget = GLM_MAX_PIXELS if layout else options.max_pixels
        try:
            doc = self._open(Path(record.source), dpi=options.dpi, max_pixels=budget, pages=options.pages)
        except DocumentError as exc:
            self._fail_job(job, exc.message)
            return
        except Exception as exc:
            log.exception("opening %s failed", record.source)
            self._fail_job(
                job, Message("{name} could not be opened: {reason}", name=record.name, reason=str(exc))
            )
            return
        if record.page_count is None:
            self._store.set_job_pages(job.id, doc.page_count, doc.page_indices)
        pending = self._store.pending_pages(job.id)
        with self._cv:  # under the lock, as in _set_paused
            self._store.set_job_status(job.id, JobStatus.PAUSED if self._paused else JobStatus.RUNNING)
            job.doc = doc
            job.task = Task(options.task)
            job.layout = layout
            job.max_pixels = options.max_pixels
            if not job.cancelled:
                job.pending = pending
            self._cv.notify_all()
        indices = tuple(doc.page_indices)
        self._notify(lambda listener: listener.job_started(job.id, doc.page_count, indices))

    def _fail_job(self, job: _Job, message: str) -> None:
        """End a whole job (it cannot be opened, or the backend cannot be loaded). Its pages
        stay as they are, so a retry or resume reads the missing ones."""
        with self._cv:
            job.pending.clear()
            if self._ahead is not None and self._ahead[0] is job:
                self._ahead = None
        if self._take_from_queue(job, only_if_finishable=False):
            self._end_job(job, JobStatus.FAILED, message)

    def _finish_job(self, job: _Job) -> None:
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

    def _end_job(self, job: _Job, status: JobStatus, message: str = "") -> None:
        """Record how a job ended and tell the listener (a job being removed just goes)."""
        if job.doc is not None:
            # A PDF keeps a pdftoppm renderer streaming ahead; let it go now, not at GC time.
            job.doc.close()
        if job.remove:
            self._store.remove_job(job.id)
            return
        self._store.set_job_status(job.id, status, message)
        if status is JobStatus.FAILED:
            self._notify_job_failed(job.id, message)
        else:
            self._notify(lambda listener: listener.job_finished(job.id, status))

    def _render(self, job: _Job, index: int) -> None:
        assert job.doc is not None
        try:
            page = job.doc.render_page(index)
        except DocumentError as exc:
            self._page_failed(job, index, exc.message)
            return
        except Exception as exc:
            log.exception("rendering page %d of job %s failed", index + 1, job.id)
            self._page_failed(
                job,
                index,
                Message("page {page} could not be rendered: {reason}", page=index + 1, reason=str(exc)),
            )
            return
        with self._cv:
            if job.cancelled:
                return
            self._ahead = (job, index, page)

    def _page_failed(self, job: _Job, index: int, message: str) -> None:
        self._store.mark_page_failed(job.id, index, message)
        self._notify(lambda listener: listener.page_failed(job.id, index, message))

    def _load_backend(
        self, settings: Settings | None = None, made: Backend | None = None, keep: Backend | None = None
    ) -> str | None:
        """Load the backend of ``settings`` (the current ones by default; ``made``: created from
        them already); returns the error, if any. The load is timed here, where it runs, and the
        time goes out with READY. ``keep``: the old backend, still loaded and still
        ``self._backend``: unloaded once the new one is READY, or kept if it fails."""
        if settings is None:
            with self._cv:
                settings = self._settings
        announce_loading(self._notify, settings.backend)
        backend = made
        try:
            if backend is None:
                backend = self._factory(settings)
            started = time.monotonic()
            backend.load(
                lambda message, _fraction: self._notify(
                    lambda listener: listener.backend_state(BackendState.LOADING, message)
                )
            )
            load_seconds = time.monotonic() - started
        except BackendError as exc:
            message = exc.message
        except Exception as exc:
            log.exception("loading the %s backend failed", settings.backend)
            message = Message(
                "the {backend} backend could not be loaded: {reason}",
                backend=settings.backend,
                reason=str(exc),
            )
        else:
            with self._cv:
                self._backend = backend
                self._backend_settings = settings
                self._cv.notify_all()
            announce_loaded(self._notify, backend, load_seconds)
            if keep is not None:
                self._unload(keep)
                retired = keep.id
                self._notify(lambda listener: listener.backend_retired(retired))
            return None
        if backend is not None:
            self._unload(backend)
        if keep is not None:
            self._keep(keep, message)
            return None
        self._notify(lambda listener: listener.backend_state(BackendState.ERROR, message))
        return message

    def _keep(self, backend: Backend, message: str) -> None:
        """The switch's new backend failed while the old one was still loaded: the old one stays
        the pipeline's backend, and the settings name it again (their other changes hold)."""
        log.warning("the new backend could not be loaded, keeping %s: %s", backend.id, message)
        with self._cv:
            loaded = self._backend_settings
            self._settings = dataclasses.replace(
                self._settings, backend=loaded.backend, llamacpp=loaded.llamacpp, vllm=loaded.vllm
            )
        self._notify(lambda listener: listener.backend_kept(backend.id, backend.model_name, message))
        announce_loaded(self._notify, backend, None)

    def _fits_beside(self, backend: Backend) -> bool:
        """Would ``backend`` fit in free memory while the running one stays loaded? An unknown
        estimate counts as no: then the old one is unloaded first, the order that always fits."""
        try:
            estimate = backend.memory_estimate()
            if estimate is None:
                return False
            check_fits(estimate, available=self._free_memory())
        except MemoryBudgetError as exc:
            log.info("the new backend does not fit beside the old one, unloading it first: %s", exc.message)
            return False
        except Exception:
            log.exception(
                "estimating the %s backend's memory failed; unloading the old one first", backend.id
            )
            return False
        return True

    def _load_for_ahead(self) -> None:
        message = self._load_backend()
        with self._cv:
            ahead = self._ahead  # None if its job was cancelled meanwhile
        if message is not None and ahead is not None:
            self._fail_job(ahead[0], message)

    def _notify_job_failed(self, job_id: str, message: str) -> None:
        self._notify(lambda listener: listener.job_failed(job_id, message))

    @staticmethod
    def _unload(backend: Backend) -> None:
        try:
            backend.unload()
        except Exception:
            log.exception("unloading the %s backend failed", backend.id)

    def _change_backend(self) -> None:
        """Switch, or reload after a crash, once no page is in flight. A switch's new backend that
        fits in free memory beside the old one is loaded while the old one stays loaded (and
        stays if the new one fails); otherwise, and after a crash, the old one is unloaded first."""
        with self._cv:
            crashed = self._reload_needed
            self._switch_due = False
            self._reload_needed = False
            old = self._backend
            settings = self._settings  # of now, not of the switch's moment
        made: Backend | None = None
        if old is not None and not crashed:
            try:
                made = self._factory(settings)
            except Exception:
                log.debug("creating the new backend failed; loading it says why", exc_info=True)
        # The factory may hand back the running object (a reload of the very same backend).
        keep = old if made is not None and made is not old and self._fits_beside(made) else None
        if old is not None and keep is None:
            with self._cv:
                self._backend = None
            self._unload(old)
            announce_unloaded(self._notify, old)
        self._load_backend(settings, made, keep)

    def _lend(self) -> None:
        """Unload the backend and hand the slot to the waiting ``lend_backend``."""
        with self._cv:
            backend, self._backend = self._backend, None
        if backend is not None:
            self._unload(backend)
            announce_unloaded(self._notify, backend)
        with self._cv:
            self._lease_wanted = False
            self._lent = True
            self._cv.notify_all()

    def _start_ahead(self) -> None:
        with self._cv:
            if self._ahead is None or self._backend is None:  # cancelled since it was chosen
                return
            job, index, page = self._ahead
            self._ahead = None
            run = _PageRun(job, index, page, self._backend, self._settings, index in job.crash_retried)
            job.in_flight.add(index)
            self._runs.append(run)
        self._store.page_started(job.id, index)
        run.thread = threading.Thread(
            target=self._run_page, args=(run,), name=f"ocr-page-{index + 1}", daemon=True
        )
        run.thread.start()

    def _wind_down(self) -> None:
        with self._cv:
            self._stopping = True
            if self._lease_wanted:  # the worker ends: nothing is loaded any more, lend the slot
                self._lease_wanted, self._lent = False, True
            self._stop_runs(self._runs, _REQUEUE)
            while self._runs:
                self._cv.wait()
            ended, self._ended_threads = self._ended_threads, []
            left, self._queue = self._queue, []
            self._ahead = None
            backend, self._backend = self._backend, None
            self._cv.notify_all()
        self._join(ended)
        for job in left:
            if job.remove:
                self._store.remove_job(job.id)
            elif job.cancelled:
                self._store.set_job_status(job.id, JobStatus.CANCELLED)
            else:  # released, for the next run to resume
                self._store.set_job_status(job.id, JobStatus.QUEUED, release=True)
        if backend is not None:
            self._unload(backend)
            announce_unloaded(self._notify, backend)

    # -- page threads --------------------------------------------------------------------------

    def _run_page(self, run: _PageRun) -> None:
        try:
            self._read_page(run)
        except _RunStoppedError:
            if run.reason == _SKIP:
                self._page_failed(run.job, run.index, Message("cancelled; retry the page to read it again"))
            else:
                run.requeue = True
        except BackendCrashed as exc:
            if run.after_crash:
                self._page_failed(
                    run.job,
                    run.index,
                    Message("{reason} (again after a restart of the backend)", reason=exc.message),
                )
            else:
                log.warning("backend crashed on page %d: %s; reloading it", run.index + 1, exc.message)
                run.crashed = exc.message
        except BackendError as exc:
            self._page_failed(run.job, run.index, exc.message)
        except Exception as exc:
            log.exception("reading page %d of job %s failed", run.index + 1, run.job.id)
            self._page_failed(
                run.job, run.index, Message("internal error: {reason}; see the log file", reason=str(exc))
            )
        finally:
            self._page_ended(run)

    def _page_ended(self, run: _PageRun) -> None:
        with self._cv:
            self._runs.remove(run)
            job = run.job
            job.in_flight.discard(run.index)
            if not job.cancelled and (run.requeue or run.crashed):
                bisect.insort(job.pending, run.index)
            if run.crashed:
                job.crash_retried.add(run.index)
                self._reload_needed = True
            assert run.thread is not None
            self._ended_threads.append(run.thread)
            self._cv.notify_all()

    def _read_page(self, run: _PageRun) -> None:
        try:
            if run.job.layout:
                self._read_by_layout(run)
            else:
                self._read_whole(run, run.page)
        except _ReadFailedError as exc:
            self._page_failed(run.job, run.index, exc.message)

    def _read_whole(self, run: _PageRun, page: PageImage, layout: str = "", note: str = "") -> None:
        """Read the page as one image with the job's prompt and commit the result."""
        job, index = run.job, run.index
        attempt, flags = self._read(
            run,
            page,
            job.task,
            run.settings.generation.max_tokens,
            what="",
            started=lambda: self._notify(lambda listener: listener.page_started(job.id, index)),
            sink=lambda delta: self._notify(lambda listener: listener.text_delta(job.id, index, delta)),
        )
        self._commit_page(run, attempt.text, attempt.stats, flags, page, layout=layout, layout_note=note)

    def _commit_page(
        self,
        run: _PageRun,
        text: str,
        stats: GenerationStats,
        flags: frozenset[str],
        page: PageImage,
        **layout: Any,
    ) -> None:
        """Store the finished page (one transaction) and tell the listener. A line engine's
        lines (the lite backend's, ``stats.lines``) are stored as the page's text lines."""
        width, height = page.image.size
        if stats.lines:
            layout.setdefault("lines", PageLines(width, height, stats.lines, run.backend.model_name))
        result = PageResult(
            page_index=run.index,
            text=text,
            task=run.job.task.value,
            backend=run.backend.id,
            model=run.backend.model_name,
            stats=stats,
            flags=flags,
            width=width,
            height=height,
            **layout,
        )
        self._store.save_page_result(run.job.id, result)
        self._notify(lambda listener: listener.page_finished(run.job.id, result))

    def _read(
        self,
        run: _PageRun,
        image: PageImage,
        task: Task,
        max_tokens: int,
        *,
        what: str,
        started: Callable[[], None],
        sink: Callable[[str], None],
    ) -> tuple[_Attempt, frozenset[str]]:
        """Read one image (a page or a region) with the retry policies (docs/pipeline.md), in one
        of the backend's in-flight slots. ``what`` names a region in messages ("" for a page).
        Raises _ReadFailedError when the model gave no reading of it twice."""
        gen = run.settings.generation
        options = GenerationOptions(max_tokens=max_tokens, repetition_penalty=gen.repetition_penalty)
        request = _Request(image, task, started, sink)
        with self._slot(run, pausable=bool(what)):
            attempt = self._attempt_with_backoff(run, request, options)
            flags: set[str] = set()
            problem = _no_reading(attempt)
            if problem is not None:
                # No reading (the image never reached the model, or a transient server fault):
                # read it once more as it was; a second such answer fails the page.
                log.warning("page %d %s: %s; reading it once more", run.index + 1, what, problem)
                flags.add(FLAG_RETRIED)
                attempt = self._attempt_with_backoff(run, request, options)
                problem = _no_reading(attempt)
                if problem is not None:
                    raise _ReadFailedError(
                        Message(
                            "{what}{problem}, twice — {advice}",
                            what=what,
                            problem=problem,
                            advice=NO_READING_ADVICE,
                        )
                    )
            if attempt.looped:
                flags.add(FLAG_REPETITION_LOOP)
                if gen.loop_retry:
                    retry_options = loop_retry_options(options, attempt.loop_bytes)
                    retry = self._attempt_with_backoff(run, request, retry_options)
                    flags.add(FLAG_RETRIED)
                    if not retry.looped:
                        flags.discard(FLAG_REPETITION_LOOP)
                        attempt = retry
                    elif len(retry.text) > len(attempt.text):
                        attempt = retry
        if attempt.stats.finish_reason == "length":
            flags.add(FLAG_TRUNCATED)
        flags.update(attempt.stats.flags)  # the backend's own (the lite engine: a table kept as lines)
        return attempt, frozenset(flags)

    @contextlib.contextmanager
    def _slot(self, run: _PageRun, *, pausable: bool) -> Iterator[None]:
        """One of the backend's ``max_in_flight`` request slots, shared by every page and region in
        flight: the first may always start; each further one asks the memory guard. A region
        (``pausable``) that has no slot yet when the queue is paused does not start."""
        with self._cv:
            while True:
                if _stopped(run):
                    raise _RunStoppedError
                if pausable and self._paused:
                    raise _PausedError
                if self._slots_busy < max(1, run.backend.max_in_flight):
                    reason = self._ask_memory_guard() if self._slots_busy else None
                    if reason is None:  # else the guard has logged why (once per change)
                        break
                self._cv.wait(MEMORY_POLL_S)
            self._slots_busy += 1
        try:
            yield
        finally:
            with self._cv:
                self._slots_busy -= 1
                self._cv.notify_all()

    # -- layout mode ---------------------------------------------------------------------------

    def _read_by_layout(self, run: _PageRun) -> None:
        """Read a page region by region (docs/layout.md): plan it once (committed, so a resumed
        run reads the same regions), read the regions not read yet in reading order, up to the
        backend's in-flight limit at once, each committed as it finishes; then assemble the page."""
        job, index = run.job, run.index
        planned = self._store.page_regions(job.id, index)
        if planned is None:
            plan = self._plan(run)
            if isinstance(plan, tuple):
                layout, note = plan
                log.info("page %d read whole: %s", index + 1, note)
                self._read_whole(run, fit_page(run.page, job.max_pixels), layout, note)
                return
            layout, regions = plan.layout, plan.regions
            self._store.save_page_plan(job.id, index, layout, regions)
        else:
            layout, regions = planned
        pending = {r.order for r in self._store.region_records(job.id, index) if r.status == "pending"}
        self._notify(lambda listener: listener.page_planned(job.id, index, layout, regions))
        self._notify(lambda listener: listener.page_started(job.id, index))
        live = _LiveText(
            regions,
            pending,
            lambda delta: self._notify(lambda listener: listener.text_delta(job.id, index, delta)),
        )
        failures: list[BaseException] = []
        threads: list[threading.Thread] = []
        paused = False
        try:
            for region in regions:
                if region.order not in pending:
                    continue
                with self._cv:
                    # Pause between regions: those in flight finish, the rest waits in the store.
                    paused = self._paused
                    if paused or failures or run.reason is not None:
                        break
                ready = _Started()
                thread = threading.Thread(
                    target=self._region_thread,
                    args=(run, region, live, ready, failures),
                    name=f"ocr-page-{index + 1}-region-{region.order + 1}",
                    daemon=True,
                )
                thread.start()
                threads.append(thread)
                # Regions take their slots in reading order: the next starts once this one has one.
                if not ready.wait_started(run):
                    break
        finally:
            for thread in threads:
                thread.join()
        # The failure that stopped the page comes first; its other regions then ended as stopped.
        errors = sorted(
            (f for f in failures if not isinstance(f, _PausedError)),
            key=lambda f: isinstance(f, _RunStoppedError),
        )
        if errors:
            raise errors[0]
        with self._cv:
            if (paused or failures) and run.reason is None:
                run.reason = _REQUEUE
        if run.reason is not None:
            raise _RunStoppedError
        self._finish_layout_page(run, layout)

    def _plan(self, run: _PageRun) -> _Plan | tuple[str, str]:
        """The page's regions to record, or (layout model, why the page is read whole)."""
        from ocr_desktop.layout import LayoutError, plan_page
        from ocr_desktop.layout.plan import crop_region

        reading = run.settings.reading
        try:
            detector = self._detector(reading.layout_model)
            with self._layout_lock:
                found = detector.detect(run.page.image)
        except LayoutError as exc:
            log.warning("page %d: %s", run.index + 1, exc.message)
            return "", Message("layout could not run: {reason}", reason=exc.message)
        plan = plan_page(run.page.image, found, reading.keep_furniture)
        if plan.whole_page:
            return detector.id, plan.reason
        tasks = {region.order: task for region, task in plan.read}
        figures = {region.order for region in plan.figures}
        regions = []
        for region in plan.regions:
            png = b""
            if region.order in figures:
                buffer = io.BytesIO()
                crop_region(run.page.image, region.box_1000, None).save(buffer, format="PNG")
                png = buffer.getvalue()
            task = tasks.get(region.order)
            regions.append(
                RegionResult(
                    order=region.order,
                    label=region.label,
                    kind=region.action.value,
                    box=region.box,
                    box_1000=region.box_1000,
                    score=region.score,
                    task=task.value if task is not None else "",
                    image_png=png,
                )
            )
        return _Plan(detector.id, tuple(regions))

    def _detector(self, layout_model: str) -> LayoutDetector:
        """The layout detector of the setting, created once (its model loads on first use)."""
        from ocr_desktop.layout import registry

        with self._layout_lock:
            if self._layout is None or self._layout[0] != layout_model:
                self._layout = (layout_model, registry.create_detector(layout_model))
            return self._layout[1]

    def _region_thread(
        self,
        run: _PageRun,
        region: RegionResult,
        live: _LiveText,
        ready: _Started,
        failures: list[BaseException],
    ) -> None:
        job, index = run.job, run.index
        try:
            from ocr_desktop.layout.plan import REGION_MAX_TOKENS, crop_region

            crop = crop_region(run.page.image, region.box_1000, job.max_pixels)
            image = PageImage(crop, index, run.page.source, crop.size)

            def started() -> None:
                ready.set()
                self._store.region_started(job.id, index, region.order)
                live.restart(region.order)
                self._notify(lambda listener: listener.region_started(job.id, index, region.order))

            attempt, flags = self._read(
                run,
                image,
                Task(region.task),
                min(run.settings.generation.max_tokens, REGION_MAX_TOKENS),
                what=Message("region {number} ({label}): ", number=region.order + 1, label=region.label),
                started=started,
                sink=lambda delta: live.feed(region.order, delta),
            )
            done = dataclasses.replace(region, text=attempt.text, stats=attempt.stats, flags=flags)
            self._store.save_region_result(job.id, index, done)
            live.finish(region.order)
            self._notify(lambda listener: listener.region_finished(job.id, index, done))
        except BaseException as exc:  # handed to the page thread, which handles it as a page's
            with self._cv:
                failures.append(exc)
                if run.reason is None and not isinstance(exc, (_RunStoppedError, _PausedError)):
                    run.stop.set()  # the page fails: stop its other regions too
        finally:
            ready.set()

    def _finish_layout_page(self, run: _PageRun, layout: str) -> None:
        """Assemble the page from its regions (as committed) and commit the page."""
        from ocr_desktop.core.formatter import RegionContent, assemble_regions
        from ocr_desktop.layout.labels import formatter_label

        job, index = run.job, run.index
        planned = self._store.page_regions(job.id, index)
        assert planned is not None
        regions = planned[1]
        read = [r for r in regions if r.read]
        text = assemble_regions([RegionContent(formatter_label(r.label), r.text) for r in read]).markdown
        stats = GenerationStats(
            prompt_tokens=sum(r.stats.prompt_tokens for r in read),
            image_tokens=sum(r.stats.image_tokens for r in read),
            completion_tokens=sum(r.stats.completion_tokens for r in read),
            time_to_first_token_s=min((r.stats.time_to_first_token_s for r in read), default=0.0),
            total_s=sum(r.stats.total_s for r in read),
            finish_reason="length" if any(r.stats.finish_reason == "length" for r in read) else "stop",
        )
        flags = frozenset().union(*(r.flags for r in read))
        self._commit_page(run, text, stats, flags, run.page, regions=regions, layout=layout)

    def _attempt_with_backoff(self, run: _PageRun, request: _Request, options: GenerationOptions) -> _Attempt:
        """One read of the image; transient errors are tried again after the backoff waits."""
        for wait_s in (*self.retry_backoff_s, None):
            try:
                return self._attempt(run, request, options)
            except BackendError as exc:
                if _stopped(run):  # the error is how the backend reacted to the stop
                    raise _RunStoppedError from None
                if isinstance(exc, BackendCrashed) or not exc.retryable or wait_s is None:
                    raise
                log.warning("page %d: %s; trying again in %.0f s", run.index + 1, exc.message, wait_s)
                if run.stop.wait(wait_s):
                    raise _RunStoppedError from None
        raise AssertionError("unreachable: the last try raises or returns")

    def _attempt(self, run: _PageRun, request: _Request, options: GenerationOptions) -> _Attempt:
        from ocr_desktop.pipeline.repetition import RepetitionGuard

        request.started()
        guard = RepetitionGuard()
        looped = False
        stop = _ReadStop(run.stop)

        def on_delta(delta: str) -> None:
            nonlocal looped
            if looped:
                return  # the backend stops at its next token; what it still sends is loop (cut below)
            request.sink(delta)
            if guard.feed(delta):
                looped = True
                stop.set()

        text, stats = run_recognition(
            run.backend.recognize(request.image, request.task, options, stop), on_delta
        )
        with self._cv:
            if _stopped(run):  # cut short from outside: not a reading of the image
                raise _RunStoppedError
        if looped:
            text = text[: guard.loop_start].rstrip()
            stats = dataclasses.replace(stats, finish_reason="loop")
        return _Attempt(text, stats, looped, len(guard.unit.encode()))
