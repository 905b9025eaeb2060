"""What the pipeline's stages share: a job as the worker holds it, one page being read (a
:class:`PageRun`), and the ways a read ends other than with a result."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ocr_desktop.backends.base import Backend
from ocr_desktop.core.store import JobOptions, JobRecord, fingerprint
from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import GLM_MAX_PIXELS, PageImage
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)

#: How often a wait for something that is not signalled (a memory guard that said "not now",
#: a region's stop) looks again.
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


def open_document(path: Path, *, dpi: int, max_pixels: int, pages: str) -> OpenedDocument:
    """The pipeline's default opener (``documents.document.open_document``, imported when used)."""
    from ocr_desktop.documents.document import open_document

    return open_document(path, dpi=dpi, max_pixels=max_pixels, pages=pages)


def job_options(settings: Settings, **overrides: Any) -> JobOptions:
    """The options ``Pipeline.submit`` gives a job: the settings', with ``overrides`` not None."""
    options = JobOptions(
        task=settings.generation.task,
        pages=settings.documents.pages,
        dpi=settings.documents.dpi,
        max_pixels=settings.documents.max_pixels,
        backend=settings.backend,
        mode=settings.reading.mode,
        text_settings=text_settings(settings),
    )
    return dataclasses.replace(options, **{k: v for k, v in overrides.items() if v is not None})


def _file_stamp(path: str) -> str:
    """A model file as it is now: its path, size and modification time (a file replaced at the
    same path is another model)."""
    if not path:
        return ""
    try:
        st = Path(path).stat()
    except OSError:
        return path
    return f"{path} ({st.st_size} bytes, modified {st.st_mtime_ns})"


def text_settings(settings: Settings) -> str:
    """The settings besides a job's own options that shape the text a page is read into, as
    canonical JSON: a result is reused only when read with the same (``JobOptions.text_settings``).
    The model files (and the file's size and time, so a file replaced in place counts), the
    token budget, the repetition penalty and the loop retry; in layout mode the layout model and
    the furniture kept. Threads, GPU layers, timeouts and the like change speed, not text."""
    values: dict[str, object] = {
        "generation.max_tokens": settings.generation.max_tokens,
        "generation.repetition_penalty": settings.generation.repetition_penalty,
        "generation.loop_retry": settings.generation.loop_retry,
    }
    if settings.backend == "llamacpp":
        llama = settings.llamacpp
        values["llamacpp.model_path"] = _file_stamp(llama.model_path)
        values["llamacpp.mmproj_path"] = _file_stamp(llama.mmproj_path)
        values["llamacpp.image_max_tokens"] = llama.image_max_tokens
        if not llama.model_path:
            values["llamacpp.catalog_model"] = llama.catalog_model
    elif settings.backend == "vllm":
        values["vllm.model"] = settings.vllm.model
        values["vllm.served_model_name"] = settings.vllm.served_model_name
    if settings.reading.mode == "layout":
        values["reading.layout_model"] = settings.reading.layout_model
        values["reading.keep_furniture"] = sorted(settings.reading.keep_furniture)
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def reread_reason(earlier: JobRecord, options: JobOptions) -> str:
    """Why ``earlier``, a job of the same file, was not reused for a job of ``options``: the file
    changed, or which option or setting differs (``max_tokens 24 → 64``)."""
    if fingerprint(earlier.source, earlier.options) != earlier.fingerprint:
        return "the file changed since it was read"
    changes = [
        f"{name} {getattr(earlier.options, name)} → {getattr(options, name)}"
        for name in ("task", "pages", "dpi", "max_pixels", "backend", "mode")
        if getattr(earlier.options, name) != getattr(options, name)
    ]
    if not earlier.options.text_settings:
        changes.append("read before the settings that shape the text were recorded")
    else:
        before, now = json.loads(earlier.options.text_settings), json.loads(options.text_settings or "{}")
        for key in sorted(before.keys() | now.keys()):
            if before.get(key) != now.get(key):
                changes.append(f"{key} {before.get(key, '–')} → {now.get(key, '–')}")
    return "; ".join(changes) or "read with other settings"


def reads_by_layout(options: JobOptions) -> bool:
    """A job is read region by region in layout mode with the text task (docs/layout.md)."""
    return options.mode == "layout" and Task(options.task) is Task.TEXT


def open_job_document(opener: DocumentOpener, record: JobRecord) -> OpenedDocument | str:
    """The job's document opened as its options ask, or why it cannot be read (a message)."""
    if fingerprint(record.source, record.options) != record.fingerprint:
        return Message(
            "{source} changed since it was queued; add it again to read the new version",
            source=record.source,
        )
    options = record.options
    from ocr_desktop.layout.plan import LAYOUT_DPI

    # Layout mode crops regions from the page rendered at (at least) the SDK's 200 DPI, up to
    # GLM-OCR's largest image; each crop, or a page read whole after all, is fitted to the job's
    # budget (docs/layout.md).
    layout = reads_by_layout(options)
    budget = GLM_MAX_PIXELS if layout else options.max_pixels
    dpi = max(options.dpi, LAYOUT_DPI) if layout else options.dpi
    try:
        return opener(Path(record.source), dpi=dpi, max_pixels=budget, pages=options.pages)
    except DocumentError as exc:
        return exc.message
    except Exception as exc:
        log.exception("opening %s failed", record.source)
        return Message("{name} could not be opened: {reason}", name=record.name, reason=str(exc))


@dataclass(eq=False)
class Job:
    """A job in the worker's queue, with the store's row as it was when it was queued (kept in
    hand: the worker opens the job from it instead of reading the row back)."""

    id: str
    record: JobRecord
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
SKIP = "skip"
REQUEUE = "requeue"


@dataclass(eq=False)
class PageRun:
    """One page being read, on its page thread: what it reads with, and how it ended."""

    job: Job
    index: int
    page: PageImage
    backend: Backend
    settings: Settings
    after_crash: bool
    stop: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None  # SKIP / REQUEUE, set under the pipeline's lock
    requeue: bool = False  # outcome: put the page back into pending
    crashed: str | None = None  # outcome: the backend crashed with this message
    thread: threading.Thread | None = None


def stopped(run: PageRun) -> bool:
    """The page's run was stopped: from outside (``reason`` set with it) or because one of its
    regions failed (the page's stop alone, set by that region's thread)."""
    return run.reason is not None or run.stop.is_set()


def stop_runs(runs: list[PageRun], reason: str) -> None:
    """Stop ``runs`` from outside for ``reason`` (called with the pipeline's lock held)."""
    for run in runs:
        if run.reason is None:
            run.reason = reason
        run.stop.set()


class RunStoppedError(Exception):
    """A page run was stopped from outside (see PageRun.reason)."""


class ReadFailedError(Exception):
    """The model gave no reading of a page or region, twice; ``message`` says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PausedError(Exception):
    """The queue was paused before a region got its slot: it waits in the store for the resume."""
