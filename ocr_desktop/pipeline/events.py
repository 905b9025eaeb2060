"""The pipeline's events: one frozen value per event, declared once here, sent on one bus.

The pipeline hands each event to its listener, any callable taking an :data:`Event`
(``notify(PageStarted(job_id, index))``). Whoever listens matches the events it cares about and
ignores the rest::

    match event:
        case PageFinished(job_id=job_id, result=result): ...
        case JobFailed(job_id=job_id, message=message): ...

The GUI's bridge carries every event as one Qt signal; the CLI's progress bars and the tests
listen the same way. Each event carries what it reports (the document's source, its page count,
the pages still to read, how a job ended), so a listener keeps its own picture of the jobs
without reading the store back. :class:`PipelineListener` is a convenience for listeners written
as methods: called with an event, it calls the method named after it (``page_finished`` for
:class:`PageFinished`) with the event's fields, if it has one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from ocr_desktop.backends.base import Backend, BackendState
from ocr_desktop.backends.registry import BACKEND_LABELS
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobStatus
from ocr_desktop.messages import Message


@dataclass(frozen=True)
class JobAdded:
    """Queued: ``page_count`` is 0 until the document is opened; ``source`` its path."""

    job_id: str
    name: str
    page_count: int
    source: str


@dataclass(frozen=True)
class JobStarted:
    """Opened: the document's pages, the ones to read (a ``pages`` range), and of those the ones
    still to read (all of them, unless an earlier run read some)."""

    job_id: str
    page_count: int
    page_indices: tuple[int, ...]
    pending: tuple[int, ...]


@dataclass(frozen=True)
class PageStarted:
    """A page is being read (again, when a retry policy reads it once more: a live view restarts
    its text)."""

    job_id: str
    page_index: int


@dataclass(frozen=True)
class PageRequeued:
    """A page being read was put back, unfinished, among the pages to read: a backend switch
    cancelled it, the backend crashed under it and is reloaded, or the queue was paused while its
    regions waited. It is pending, not being read, until a later :class:`PageStarted`."""

    job_id: str
    page_index: int


@dataclass(frozen=True)
class PagePlanned:
    """Layout mode, before the page's regions are read: every region found (boxes, kinds, reading
    order; those read already carry their text). ``layout`` is the layout model."""

    job_id: str
    page_index: int
    layout: str
    regions: tuple[RegionResult, ...]


@dataclass(frozen=True)
class RegionStarted:
    """The region ``order`` of the page is being read now (again, after a retry policy)."""

    job_id: str
    page_index: int
    order: int


@dataclass(frozen=True)
class RegionFinished:
    """A region was read and committed to the store."""

    job_id: str
    page_index: int
    region: RegionResult


@dataclass(frozen=True)
class TextDelta:
    """Text of the page as it streams in; in layout mode region by region in reading order
    (regions read at the same time are held back until those before them are done)."""

    job_id: str
    page_index: int
    text: str


@dataclass(frozen=True)
class PageFinished:
    job_id: str
    result: PageResult


@dataclass(frozen=True)
class PageFailed:
    job_id: str
    page_index: int
    message: str


@dataclass(frozen=True)
class JobFinished:
    """Ended as ``DONE`` (some pages may have failed) or ``CANCELLED``; :class:`JobFailed` else."""

    job_id: str
    status: JobStatus


@dataclass(frozen=True)
class JobFailed:
    job_id: str
    message: str


@dataclass(frozen=True)
class BackendStateChanged:
    """The backend that reads the pages is loading, ready, unloaded or failed (``message`` says
    what, for people)."""

    state: BackendState
    message: str


@dataclass(frozen=True)
class BackendReady:
    """After :class:`BackendStateChanged` READY: which backend and model now read the pages, and
    how long its load took, timed where it ran (None: nothing was loaded, a kept backend)."""

    backend_id: str
    model_name: str
    load_seconds: float | None


@dataclass(frozen=True)
class BackendRetired:
    """A switch loaded the new backend while the old one stayed loaded (both fit); now that the new
    one is READY, the old one (``backend_id``) has been unloaded. :class:`BackendStateChanged` is
    about the backend that reads the pages, so this is not an UNLOADED state."""

    backend_id: str


@dataclass(frozen=True)
class BackendKept:
    """The switch's new backend could not be loaded (``message``) while the old one was still
    loaded: the old one keeps reading pages, and the pipeline's settings name it again. A
    :class:`BackendStateChanged` READY for the kept backend follows."""

    backend_id: str
    model_name: str
    message: str


Event = (
    JobAdded
    | JobStarted
    | PageStarted
    | PageRequeued
    | PagePlanned
    | RegionStarted
    | RegionFinished
    | TextDelta
    | PageFinished
    | PageFailed
    | JobFinished
    | JobFailed
    | BackendStateChanged
    | BackendReady
    | BackendRetired
    | BackendKept
)
#: Every event type, in the order a job meets them (tests check each reaches its listeners).
EVENT_TYPES: tuple[type[Event], ...] = Event.__args__

#: Receives the pipeline's events, on the pipeline's threads (a listener that raises is logged).
Listener = Callable[[Event], None]
#: Delivers one event to the listener (``Pipeline._notify``: a listener that raises is logged).
Notify = Callable[[Event], None]


def method_name(event_type: type[Event]) -> str:
    """``page_finished`` for :class:`PageFinished`: the method :class:`PipelineListener` calls."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event_type.__name__).lower()


class PipelineListener:
    """A listener written as methods: each event goes to the method named after it
    (:func:`method_name`), called with the event's fields; events without one are ignored."""

    def __call__(self, event: Event) -> None:
        method = getattr(self, method_name(type(event)), None)
        if method is not None:
            method(*(getattr(event, f.name) for f in dataclasses.fields(event)))


def announce_loading(notify: Notify, backend_id: str) -> None:
    """LOADING, named by the backend's label (a translatable message)."""
    label = BACKEND_LABELS.get(backend_id, backend_id)
    notify(BackendStateChanged(BackendState.LOADING, Message("loading {backend}", backend=label)))


def announce_loaded(notify: Notify, backend: Backend, load_seconds: float | None) -> None:
    """READY, then the model that now reads pages (carried in the event, not in the message)."""
    notify(BackendStateChanged(BackendState.READY, f"{backend.id}: {backend.model_name}"))
    notify(BackendReady(backend.id, backend.model_name, load_seconds))


def announce_unloaded(notify: Notify, backend: Backend) -> None:
    notify(BackendStateChanged(BackendState.UNLOADED, f"{backend.id} unloaded"))
