"""Reading one image (a whole page or a region) with a task, under the read loop's policies, and
committing a page.

The policies (docs/pipeline.md): a transient backend error is tried again after the back-off
waits; an answer that is no reading (empty, only a fence, the prompt said back) is read once
more, and a second such answer fails the page or region; a repetition loop is cut where it
started, flagged, and read once more with a repetition penalty over the looping unit. Each read
holds one of the backend's read slots (:class:`~ocr_desktop.pipeline.slot.BackendSlot`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocr_desktop.backends.base import BackendCrashed, BackendError, run_recognition
from ocr_desktop.core import page_format
from ocr_desktop.core.formatter import reading_problem
from ocr_desktop.core.results import (
    FLAG_REPETITION_LOOP,
    FLAG_RETRIED,
    FLAG_TRUNCATED,
    GenerationStats,
    PageLines,
    PageResult,
)
from ocr_desktop.core.store import JobStore
from ocr_desktop.core.tasks import GenerationOptions, Task, loop_retry_options
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import Notify, PageFailed, PageFinished, PageStarted, TextDelta
from ocr_desktop.pipeline.repetition import RepetitionGuard
from ocr_desktop.pipeline.run import MEMORY_POLL_S, SKIP, PageRun, ReadFailedError, RunStoppedError, stopped
from ocr_desktop.pipeline.slot import BackendSlot

log = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, 4th try of a page after a transient (retryable) backend error.
RETRY_BACKOFF_S: tuple[float, ...] = (1.0, 4.0, 10.0)
#: What a person can do about a page the model returned no reading of (docs/pipeline.md).
NO_READING_ADVICE = Message(
    "the page image may not have reached the model: check in Settings → Models that the vision "
    "projector (mmproj) belongs to the model, or try the other backend; a blank page has no text"
)


@dataclass(frozen=True)
class Attempt:
    text: str
    stats: GenerationStats
    looped: bool
    loop_bytes: int = 0  # UTF-8 length of the repeated unit, when looped


def _no_reading(attempt: Attempt) -> str | None:
    """Why the attempt's text is no reading of the page (empty, only a fence, the prompt said
    back, only special tokens), or None. A loop is a reading, cut; it has its own policy."""
    return None if attempt.looped else reading_problem(attempt.text)


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


class PageReader:
    """Reads images with the backend of a page run and commits whole pages to the store."""

    def __init__(
        self,
        cv: threading.Condition,
        slot: BackendSlot,
        store: JobStore,
        notify: Notify,
        retry_backoff_s: tuple[float, ...] = RETRY_BACKOFF_S,
    ) -> None:
        self._cv = cv  # the pipeline's lock: a run's stop reason is set under it
        self._slot = slot
        self._store = store
        self._notify = notify
        #: Waits between tries after transient errors (tests shorten them).
        self.retry_backoff_s = retry_backoff_s

    def read_page(self, run: PageRun, read: Callable[[PageRun], None]) -> None:
        """On the page's thread: read it with ``read`` (whole, or by layout) and turn how that
        ended into the page's outcome: committed, failed with the reason, left pending
        (``run.requeue``), or a crashed backend the worker reloads (``run.crashed``)."""
        try:
            read(run)
        except ReadFailedError as exc:
            self.fail(run.job.id, run.index, exc.message)
        except RunStoppedError:
            if run.reason == SKIP:
                self.fail(run.job.id, run.index, Message("cancelled; retry the page to read it again"))
            else:
                run.requeue = True
        except BackendCrashed as exc:
            if run.after_crash:
                self.fail(
                    run.job.id,
                    run.index,
                    Message("{reason} (again after a restart of the backend)", reason=exc.message),
                )
            else:
                log.warning("backend crashed on page %d: %s; reloading it", run.index + 1, exc.message)
                run.crashed = exc.message
        except BackendError as exc:
            self.fail(run.job.id, run.index, exc.message)
        except Exception as exc:
            log.exception("reading page %d of job %s failed", run.index + 1, run.job.id)
            self.fail(
                run.job.id, run.index, Message("internal error: {reason}; see the log file", reason=str(exc))
            )

    def fail(self, job_id: str, index: int, message: str) -> None:
        """Record a failed page and tell the listener."""
        self._store.mark_page_failed(job_id, index, message)
        self._notify(PageFailed(job_id, index, message))

    def read_whole(
        self,
        run: PageRun,
        page: PageImage | None = None,
        layout: str = "",
        note: str = "",
        max_tokens: int | None = None,
    ) -> None:
        """Read the page (``run.page``, or ``page`` fitted from it) as one image with the job's
        prompt, asking ``max_tokens`` (default: the setting), and commit the result."""
        job, index = run.job, run.index
        page = run.page if page is None else page
        attempt, flags = self.read(
            run,
            page,
            job.task,
            run.settings.generation.max_tokens if max_tokens is None else max_tokens,
            what="",
            started=lambda: self._notify(PageStarted(job.id, index)),
            sink=lambda delta: self._notify(TextDelta(job.id, index, delta)),
        )
        self.commit(run, attempt.text, attempt.stats, flags, page, layout=layout, layout_note=note)

    def commit(
        self,
        run: PageRun,
        text: str,
        stats: GenerationStats,
        flags: frozenset[str],
        page: PageImage,
        **layout: Any,
    ) -> None:
        """Format the finished page (its one formatter pass, ``page_format.committed``), store it
        (one transaction) and tell the listener. A line engine's lines (the lite backend's,
        ``stats.lines``) are stored as the page's text lines."""
        width, height = page.image.size
        if stats.lines:
            layout.setdefault("lines", PageLines(width, height, stats.lines, run.backend.model_name))
        result = page_format.committed(
            PageResult(
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
        )
        self._store.save_page_result(run.job.id, result)
        self._notify(PageFinished(run.job.id, result))

    def read(
        self,
        run: PageRun,
        image: PageImage,
        task: Task,
        max_tokens: int,
        *,
        what: str,
        started: Callable[[], None],
        sink: Callable[[str], None],
    ) -> tuple[Attempt, frozenset[str]]:
        """Read one image (a page or a region) with the retry policies (docs/pipeline.md), in one
        of the backend's in-flight slots. ``what`` names a region in messages ("" for a page).
        Raises ReadFailedError when the model gave no reading of it twice."""
        gen = run.settings.generation
        options = GenerationOptions(max_tokens=max_tokens, repetition_penalty=gen.repetition_penalty)
        request = _Request(image, task, started, sink)
        with self._slot.acquire(run, pausable=bool(what)):
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
                    raise ReadFailedError(
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

    def _attempt_with_backoff(self, run: PageRun, request: _Request, options: GenerationOptions) -> Attempt:
        """One read of the image; transient errors are tried again after the backoff waits."""
        for wait_s in (*self.retry_backoff_s, None):
            try:
                return self._attempt(run, request, options)
            except BackendError as exc:
                if stopped(run):  # the error is how the backend reacted to the stop
                    raise RunStoppedError from None
                if isinstance(exc, BackendCrashed) or not exc.retryable or wait_s is None:
                    raise
                log.warning("page %d: %s; trying again in %.0f s", run.index + 1, exc.message, wait_s)
                if run.stop.wait(wait_s):
                    raise RunStoppedError from None
        raise AssertionError("unreachable: the last try raises or returns")

    def _attempt(self, run: PageRun, request: _Request, options: GenerationOptions) -> Attempt:
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
            if stopped(run):  # cut short from outside: not a reading of the image
                raise RunStoppedError
        if looped:
            text = text[: guard.loop_start].rstrip()
            stats = dataclasses.replace(stats, finish_reason="loop")
        return Attempt(text, stats, looped, len(guard.unit.encode()))
