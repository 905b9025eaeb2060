"""The pipeline's listener, re-emitted as Qt signals on the main thread.

The pipeline calls :class:`PipelineListener` methods on its worker threads. :class:`PipelineBridge`
is a ``QObject`` living on the main thread; everything the listener hears goes into one ordered
queue, and the bridge drains that queue on the main thread, so widgets are only ever touched
there and events keep the order the pipeline produced them in (a page's deltas land after its
``page_started`` and before its ``page_finished``).

Text deltas arrive once per token. Delivering each one as its own event would make the GUI
thread relayout the text view hundreds of times a second, so a queue holding only deltas is
drained at most once per frame (``FRAME_MS``), consecutive deltas of a page joined into one
``text_delta``. Any other event drains the queue at once.

Failure reasons come from the core as English :class:`~ocr_desktop.messages.Message` values; the
listener translates them (``QCoreApplication.translate`` is thread-safe) so every signal carries
the text the window shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, QTimer, Signal, SignalInstance, Slot

from ocr_desktop.backends.base import BackendState
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.errors import translated
from ocr_desktop.pipeline import PipelineListener

#: Deltas are handed to the GUI at most this often (milliseconds); ~30 frames per second.
FRAME_MS = 33


@dataclass
class _Delta:
    job_id: str
    page_index: int
    parts: list[str]


@dataclass(frozen=True)
class _Event:
    signal: SignalInstance  # one of the bridge's signals
    args: tuple[object, ...]


class PipelineBridge(QObject):
    """Pipeline events as Qt signals, delivered on the thread this object lives on (main)."""

    job_added = Signal(str, str, int, str)  # job_id, name, page_count, source
    job_started = Signal(str, int, object)  # job_id, page_count, page_indices (tuple[int, ...])
    page_started = Signal(str, int)  # job_id, page_index
    page_planned = Signal(str, int, object)  # job_id, page_index, tuple[RegionResult, ...] (layout mode)
    region_started = Signal(str, int, int)  # job_id, page_index, region order
    text_delta = Signal(str, int, str, int)  # job_id, page_index, text of one frame, number of deltas in it
    page_finished = Signal(str, object)  # job_id, PageResult
    page_failed = Signal(str, int, str)  # job_id, page_index, message
    job_finished = Signal(str, object)  # job_id, JobStatus (DONE or CANCELLED)
    job_failed = Signal(str, str)  # job_id, message
    backend_state = Signal(object, str)  # BackendState, message
    backend_ready = Signal(str, str, object)  # backend id, model name, load seconds (float | None)
    backend_kept = Signal(str, str, str)  # backend id, model name, why the switch's new one failed

    _wake = Signal()  # internal: emitted on a worker thread, received on the main thread (queued)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._items: list[_Delta | _Event] = []
        self._urgent = False  # an event (not only deltas) is waiting
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self.drain)
        self._wake.connect(self._on_wake)
        self.listener = _Listener(self)

    def put_delta(self, job_id: str, page_index: int, text: str) -> None:
        with self._lock:
            last = self._items[-1] if self._items else None
            if isinstance(last, _Delta) and (last.job_id, last.page_index) == (job_id, page_index):
                last.parts.append(text)
                return  # a wake-up is already on its way
            wake = not self._items
            self._items.append(_Delta(job_id, page_index, [text]))
        if wake:
            self._wake.emit()

    def put_event(self, signal: SignalInstance, *args: object) -> None:
        with self._lock:
            self._items.append(_Event(signal, args))
            self._urgent = True
        if QThread.currentThread() is self.thread():
            self.drain()  # e.g. job_added from submit() on the main thread: show the row now
        else:
            self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        if self._urgent:
            self.drain()
        elif not self._frame.isActive():
            self._frame.start()

    @Slot()
    def drain(self) -> None:
        """Deliver everything queued so far, in order."""
        with self._lock:
            items, self._items = self._items, []
            self._urgent = False
        for item in items:
            if isinstance(item, _Delta):
                self.text_delta.emit(item.job_id, item.page_index, "".join(item.parts), len(item.parts))
            else:
                item.signal.emit(*item.args)


class _Listener(PipelineListener):
    """The PipelineListener handed to the Pipeline; forwards to the bridge from any thread."""

    def __init__(self, bridge: PipelineBridge) -> None:
        self._bridge = bridge

    def job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        self._bridge.put_event(self._bridge.job_added, job_id, name, page_count, source)

    def job_started(self, job_id: str, page_count: int, page_indices: tuple[int, ...]) -> None:
        self._bridge.put_event(self._bridge.job_started, job_id, page_count, page_indices)

    def page_started(self, job_id: str, page_index: int) -> None:
        self._bridge.put_event(self._bridge.page_started, job_id, page_index)

    def page_planned(
        self, job_id: str, page_index: int, layout: str, regions: tuple[RegionResult, ...]
    ) -> None:
        self._bridge.put_event(self._bridge.page_planned, job_id, page_index, regions)

    def region_started(self, job_id: str, page_index: int, order: int) -> None:
        self._bridge.put_event(self._bridge.region_started, job_id, page_index, order)

    def text_delta(self, job_id: str, page_index: int, text: str) -> None:
        self._bridge.put_delta(job_id, page_index, text)

    def page_finished(self, job_id: str, result: PageResult) -> None:
        self._bridge.put_event(self._bridge.page_finished, job_id, result)

    def page_failed(self, job_id: str, page_index: int, message: str) -> None:
        self._bridge.put_event(self._bridge.page_failed, job_id, page_index, translated(message))

    def job_finished(self, job_id: str, status: JobStatus) -> None:
        self._bridge.put_event(self._bridge.job_finished, job_id, status)

    def job_failed(self, job_id: str, message: str) -> None:
        self._bridge.put_event(self._bridge.job_failed, job_id, translated(message))

    def backend_state(self, state: BackendState, message: str) -> None:
        self._bridge.put_event(self._bridge.backend_state, state, translated(message))

    def backend_ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
        self._bridge.put_event(self._bridge.backend_ready, backend_id, model_name, load_seconds)

    def backend_kept(self, backend_id: str, model_name: str, message: str) -> None:
        self._bridge.put_event(self._bridge.backend_kept, backend_id, model_name, translated(message))
