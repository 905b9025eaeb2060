"""The pipeline's events: the listener it calls, and how a backend's life cycle is announced.

Events are typed calls on a :class:`PipelineListener` (``notify(lambda listener:
listener.page_started(job_id, index))``), so mypy checks each event's name and arguments.
Each event carries what it reports (the document's source, its page count, how a job ended), so
a listener keeps its own picture of the jobs without reading the store back.
"""

from __future__ import annotations

from collections.abc import Callable

from ocr_desktop.backends.base import Backend, BackendState
from ocr_desktop.backends.registry import BACKEND_LABELS
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobStatus
from ocr_desktop.messages import Message


class PipelineListener:
    """Receives pipeline events. Methods are called on pipeline threads; the GUI bridge re-emits
    them as Qt signals, the CLI updates its progress bars. Every method defaults to doing nothing."""

    def job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        """Queued: ``page_count`` is 0 until the document is opened; ``source`` its path."""

    def job_started(self, job_id: str, page_count: int, page_indices: tuple[int, ...]) -> None:
        """Opened: the document's pages, and the ones to read (a ``pages`` range)."""

    def page_started(self, job_id: str, page_index: int) -> None: ...
    def page_planned(
        self, job_id: str, page_index: int, layout: str, regions: tuple[RegionResult, ...]
    ) -> None:
        """Layout mode, before the page's regions are read: every region found (boxes, kinds,
        reading order; those read already carry their text). ``layout`` is the layout model."""

    def region_started(self, job_id: str, page_index: int, order: int) -> None:
        """The region ``order`` of the page is being read now (again, after a retry policy)."""

    def region_finished(self, job_id: str, page_index: int, region: RegionResult) -> None:
        """A region was read and committed to the store."""

    def text_delta(self, job_id: str, page_index: int, text: str) -> None:
        """Text of the page as it streams in; in layout mode region by region in reading order
        (regions read at the same time are held back until those before them are done)."""

    def page_finished(self, job_id: str, result: PageResult) -> None: ...
    def page_failed(self, job_id: str, page_index: int, message: str) -> None: ...
    def job_finished(self, job_id: str, status: JobStatus) -> None:
        """Ended as ``DONE`` (some pages may have failed) or ``CANCELLED``; ``job_failed`` else."""

    def job_failed(self, job_id: str, message: str) -> None: ...
    def backend_state(self, state: BackendState, message: str) -> None: ...
    def backend_ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
        """After ``backend_state`` READY: which backend and model now read the pages, and how
        long its load took, timed where it ran (None: nothing was loaded, a kept backend)."""

    def backend_retired(self, backend_id: str) -> None:
        """A switch loaded the new backend while the old one stayed loaded (both fit); now that
        the new one is READY, the old one (``backend_id``) has been unloaded. ``backend_state``
        is about the backend that reads the pages, so this is not an UNLOADED state."""

    def backend_kept(self, backend_id: str, model_name: str, message: str) -> None:
        """The switch's new backend could not be loaded (``message``) while the old one was still
        loaded: the old one keeps reading pages, and the pipeline's settings name it again.
        A ``backend_state`` READY for the kept backend follows."""


#: Delivers one event to the listener (``Pipeline._notify``: a listener that raises is logged).
Notify = Callable[[Callable[[PipelineListener], None]], None]


def announce_loading(notify: Notify, backend_id: str) -> None:
    """LOADING, named by the backend's label (a translatable message)."""
    label = BACKEND_LABELS.get(backend_id, backend_id)
    notify(
        lambda listener: listener.backend_state(
            BackendState.LOADING, Message("loading {backend}", backend=label)
        )
    )


def announce_loaded(notify: Notify, backend: Backend, load_seconds: float | None) -> None:
    """READY, then the model that now reads pages (carried in the event, not in the message)."""
    notify(lambda listener: listener.backend_state(BackendState.READY, f"{backend.id}: {backend.model_name}"))
    notify(lambda listener: listener.backend_ready(backend.id, backend.model_name, load_seconds))


def announce_unloaded(notify: Notify, backend: Backend) -> None:
    notify(lambda listener: listener.backend_state(BackendState.UNLOADED, f"{backend.id} unloaded"))
