"""Lending the pipeline's one backend slot to another reader (the Compare view's benchmark)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

from ocr_desktop.backends.base import (
    Backend,
    BackendError,
    BackendState,
    MemoryEstimate,
    ProgressFn,
    Recognition,
)
from ocr_desktop.backends.vllm_metrics import VllmMetrics
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.pipeline.events import (
    BackendStateChanged,
    Notify,
    announce_loaded,
    announce_loading,
    announce_unloaded,
)
from ocr_desktop.settings import Settings


class BackendLease:
    """The pipeline's backend slot, lent out by :meth:`Pipeline.lend_backend`; a context manager.

    ``create_backend`` matches the benchmark's factory (settings, backend id): each backend is
    made by the pipeline's own factory, and its load and unload are announced as the
    pipeline's events, so a listener sees every backend that holds model memory.
    """

    def __init__(
        self, factory: Callable[[Settings], Backend], notify: Notify, on_release: Callable[[], None]
    ) -> None:
        self._factory = factory
        self._notify = notify
        self._on_release = on_release
        self._released = False

    def create_backend(self, settings: Settings, backend_id: str) -> Backend:
        if self._released:
            raise RuntimeError("the lease was released")
        return _LentBackend(self._factory(dataclasses.replace(settings, backend=backend_id)), self._notify)

    def release(self) -> None:
        """Give the slot back (once); the queue goes on unless it was paused before."""
        if not self._released:
            self._released = True
            self._on_release()

    def __enter__(self) -> BackendLease:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class _LentBackend:
    """A backend loaded through a lease: the backend itself, its life cycle told to the listener."""

    def __init__(self, backend: Backend, notify: Notify) -> None:
        self._backend = backend
        self._notify = notify
        self._loaded = False
        self.id = backend.id

    @property
    def model_name(self) -> str:
        return self._backend.model_name

    @property
    def max_in_flight(self) -> int:
        return self._backend.max_in_flight

    def memory_estimate(self) -> MemoryEstimate | None:
        return self._backend.memory_estimate()

    def load(self, progress: ProgressFn) -> None:
        announce_loading(self._notify, self.id)
        started = time.monotonic()
        try:
            self._backend.load(progress)
        except BackendError as exc:
            # Not ERROR: that is the queue's backend failing ("check the settings"); the benchmark
            # reports its own failures, and the slot simply holds nothing.
            message = f"{self.id} could not be loaded for the benchmark: {exc.message}"
            self._notify(BackendStateChanged(BackendState.UNLOADED, message))
            raise
        self._loaded = True
        announce_loaded(self._notify, self._backend, time.monotonic() - started)

    def unload(self) -> None:
        self._backend.unload()
        if self._loaded:
            self._loaded = False
            announce_unloaded(self._notify, self._backend)

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        return self._backend.recognize(page, task, options, cancel)

    def server_pids(self) -> list[int]:
        return self._backend.server_pids()

    def metrics(self) -> VllmMetrics | None:
        return self._backend.metrics()
