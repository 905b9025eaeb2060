"""Background work for the GUI: run a function off the GUI thread, get its result (or error, or
progress reports) back on the GUI thread, cancel it, and wait for it at shutdown.

Workers are ``ThreadPoolExecutor`` threads (not ``QThreadPool``: its threads outlive their work
as Python dummy threads). A task's function gets the :class:`BackgroundTask` itself, to ask
``task.cancelled`` between steps and to ``task.report(value)`` progress. An error with no
``on_error`` goes to ``sys.excepthook`` (the crash dialog), never silently into a future.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

T = TypeVar("T")


class BackgroundTask(Generic[T]):
    """One piece of background work; created by :meth:`TaskRunner.run`."""

    def __init__(
        self,
        runner: TaskRunner,
        on_result: Callable[[T], object] | None,
        on_error: Callable[[BaseException], object] | None,
        on_progress: Callable[[Any], object] | None,
        keep: bool,
    ) -> None:
        self._runner = runner
        self.keep = keep  # run to the end even at shutdown (a write that must not be lost)
        self._cancel = threading.Event()
        self.on_result, self.on_error, self.on_progress = on_result, on_error, on_progress
        self.future: Future[T] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the function to stop (it checks ``cancelled``); no callback runs after this."""
        self._cancel.set()
        if self.future is not None:
            self.future.cancel()  # not started yet: it never will

    def report(self, value: object) -> None:
        """From the worker: hand a progress value to ``on_progress`` on the GUI thread."""
        if self.on_progress is not None and not self.cancelled:
            self._runner._progress.emit(self, value)


class TaskRunner(QObject):
    """Runs tasks on ``workers`` threads in submission order (one worker keeps them in order)."""

    _finished = Signal(object)  # a done BackgroundTask, queued to the GUI thread
    _progress = Signal(object, object)  # BackgroundTask, value

    def __init__(self, parent: QObject | None = None, *, workers: int = 1, name: str = "gui-task") -> None:
        super().__init__(parent)
        self._workers, self._name = workers, name
        # Made for a run of work and let go when it is done: an idle runner holds no thread.
        self._pool: ThreadPoolExecutor | None = None
        self._tasks: set[BackgroundTask[Any]] = set()
        # Queued even when emitted on the GUI thread (a future already done calls its callback at
        # once, in run()): the result then still comes after the progress the worker reported.
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        fn: Callable[[BackgroundTask[T]], T],
        *,
        on_result: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[Any], object] | None = None,
        keep: bool = False,
    ) -> BackgroundTask[T]:
        """Run ``fn(task)`` on a worker; its result, error or progress reach the callbacks on
        the GUI thread. ``keep``: not cancelled by :meth:`shutdown`, which waits for it."""
        task: BackgroundTask[T] = BackgroundTask(self, on_result, on_error, on_progress, keep)
        self._tasks.add(task)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix=self._name)
        task.future = self._pool.submit(fn, task)
        task.future.add_done_callback(lambda _future: self._finished.emit(task))
        return task

    def pending(self) -> int:
        return len(self._tasks)

    def shutdown(self, *, wait: bool = True) -> None:
        """Cancel every task not kept, and wait for the running and kept ones (idempotent)."""
        for task in list(self._tasks):
            if not task.keep:
                task.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=wait)
            self._pool = None

    @Slot(object)
    def _on_finished(self, task: BackgroundTask[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks and self._pool is not None:
            self._pool.shutdown(wait=False)  # its worker ends now that nothing is left
            self._pool = None
        future = task.future
        if task.cancelled or future is None or future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            if task.on_result is not None:
                task.on_result(future.result())
        elif task.on_error is not None:
            task.on_error(exc)
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    @Slot(object, object)
    def _on_progress(self, task: BackgroundTask[Any], value: object) -> None:
        if not task.cancelled and task.on_progress is not None:
            task.on_progress(value)
