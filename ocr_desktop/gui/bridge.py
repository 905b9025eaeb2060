"""The pipeline's events, carried to the main thread as one Qt signal.

The pipeline sends frozen event values (:mod:`ocr_desktop.pipeline.events`) on its worker
threads to :meth:`PipelineBridge.send`. The bridge is a ``QObject`` living on the main thread;
every event goes into one ordered queue, and the bridge drains that queue on the main thread,
emitting each value on its one signal, :attr:`PipelineBridge.pipeline_event`. Widgets are only ever
touched there, events keep the order the pipeline produced them in (a page's text lands after
its ``PageStarted`` and before its ``PageFinished``), and every event reaches the window: each
view matches the ones it cares about.

Text deltas arrive once per token. Delivering each one as its own event would make the GUI
thread relayout the text view hundreds of times a second, so a queue holding only deltas is
drained at most once per frame (``FRAME_MS``), consecutive deltas of a page joined into one
:class:`TextFrame`. Any other event drains the queue at once.

Failure reasons come from the core as English :class:`~ocr_desktop.messages.Message` values;
the bridge translates them (``QCoreApplication.translate`` is thread-safe) so every event it
emits carries the text the window shows.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ocr_desktop.gui.errors import translated
from ocr_desktop.pipeline.events import (
    BackendKept,
    BackendStateChanged,
    Event,
    JobFailed,
    PageFailed,
    TextDelta,
)

#: Deltas are handed to the GUI at most this often (milliseconds); ~30 frames per second.
FRAME_MS = 33


@dataclass(frozen=True)
class TextFrame:
    """The text deltas of one page that arrived within one frame, joined (``count`` of them):
    what the bridge emits instead of each :class:`TextDelta`."""

    job_id: str
    page_index: int
    text: str
    count: int


@dataclass
class _Delta:
    job_id: str
    page_index: int
    parts: list[str]


class PipelineBridge(QObject):
    """Pipeline events delivered on the thread this object lives on (main), on one signal."""

    #: One pipeline event value (``pipeline.events``), or a :class:`TextFrame`. (Not ``event``:
    #: that name is QObject's own event handler.)
    pipeline_event = Signal(object)

    _wake = Signal()  # internal: emitted on a worker thread, received on the main thread (queued)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._items: list[_Delta | Event] = []
        self._urgent = False  # an event (not only deltas) is waiting
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self.drain)
        self._wake.connect(self._on_wake)

    @property
    def listener(self) -> PipelineBridge:
        """What the Pipeline is handed: the bridge itself (a callable taking an event)."""
        return self

    def __call__(self, event: Event) -> None:
        self.send(event)

    def send(self, event: Event) -> None:
        """From any thread: queue ``event`` for the main thread, its message translated."""
        match event:
            case TextDelta(job_id=job_id, page_index=page_index, text=text):
                self._put_delta(job_id, page_index, text)
                return
            case PageFailed() | JobFailed() | BackendStateChanged() | BackendKept():
                event = dataclasses.replace(event, message=translated(event.message))
        with self._lock:
            self._items.append(event)
            self._urgent = True
        if QThread.currentThread() is self.thread():
            self.drain()  # e.g. JobAdded from submit() on the main thread: show the row now
        else:
            self._wake.emit()

    def _put_delta(self, job_id: str, page_index: int, text: str) -> None:
        with self._lock:
            last = self._items[-1] if self._items else None
            if isinstance(last, _Delta) and (last.job_id, last.page_index) == (job_id, page_index):
                last.parts.append(text)
                return  # a wake-up is already on its way
            wake = not self._items
            self._items.append(_Delta(job_id, page_index, [text]))
        if wake:
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
                self.pipeline_event.emit(
                    TextFrame(item.job_id, item.page_index, "".join(item.parts), len(item.parts))
                )
            else:
                self.pipeline_event.emit(item)
