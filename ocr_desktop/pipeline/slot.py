"""The pipeline's one backend slot: which backend is loaded, loading, switching, keeping the old one
when the new one fails, lending the slot to Compare, and the read slots pages and regions share
under the memory guard.

Only the worker thread loads and unloads (``load``, ``change``, ``lend``, ``release``); page and
region threads only take a read slot (``acquire``). Every field is guarded by the pipeline's
lock, handed in: the worker's deciding loop reads them together with the queue's state.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator

from ocr_desktop.backends.base import Backend, BackendError, BackendState
from ocr_desktop.backends.memory import MemoryBudgetError, check_fits
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import (
    BackendKept,
    BackendRetired,
    BackendStateChanged,
    Notify,
    announce_loaded,
    announce_loading,
    announce_unloaded,
)
from ocr_desktop.pipeline.lease import BackendLease
from ocr_desktop.pipeline.run import (
    MEMORY_POLL_S,
    BackendFactory,
    MemoryCheck,
    PageRun,
    PausedError,
    RunStoppedError,
    stopped,
)
from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)


class BackendSlot:
    """The backend the pipeline reads with, and everything about its life cycle."""

    def __init__(
        self,
        cv: threading.Condition,
        factory: BackendFactory,
        notify: Notify,
        *,
        settings: Callable[[], Settings],
        keep_settings: Callable[[Settings], None],
        paused: Callable[[], bool],
        memory_guard: MemoryCheck | None,
        free_memory: Callable[[], int],
    ) -> None:
        self._cv = cv
        self.factory = factory
        self._notify = notify
        self._settings = settings  # the pipeline's current settings (read under the lock)
        self._keep_settings = keep_settings  # a kept backend's settings replace the current ones
        self._paused = paused
        self._memory_guard = memory_guard
        #: Free memory now (``backends.memory``): whether a switch's new backend fits beside the old.
        self._free_memory = free_memory
        # Guarded by the pipeline's lock:
        self.backend: Backend | None = None
        self.backend_settings: Settings | None = None  # the settings self.backend was loaded from
        self.switch_due = False  # load the backend of the current settings once no page runs
        self.reload_needed = False  # a page crashed the backend: reload it once no page runs
        self.lease_wanted = False  # lend_backend waits for the worker to unload and lend the slot
        self.lent = False  # a BackendLease holds the slot: no page starts, nothing loads
        #: While the slot is being lent or is lent: the pause state the user chose, restored when
        #: the lease ends (the queue stays paused meanwhile, whatever is chosen); None otherwise.
        self.restore_paused: bool | None = None
        self.memory_blocked: str | None = None  # why the memory guard holds the next page back
        self._busy = 0  # reads (pages or regions) the backend is working on

    # -- under the lock ----------------------------------------------------------------------------

    @property
    def changing(self) -> bool:
        """A switch or a reload waits for the pages in flight to end."""
        return self.switch_due or self.reload_needed

    def ask_memory_guard(self) -> str | None:
        if self._memory_guard is None:
            return None
        try:
            return self._memory_guard()
        except Exception:
            log.exception("the memory guard failed; starting pages without it")
            return None

    def may_start_another(self, running: int) -> bool:
        """Whether one more page may start beside ``running`` ones: the backend's in-flight limit
        and the memory guard (one page may always run). Logs each change of the guard's answer."""
        assert self.backend is not None
        if running:
            if running >= max(1, self.backend.max_in_flight):
                return False
            reason = self.ask_memory_guard()
            if reason != self.memory_blocked and reason:
                log.info("not starting another page yet: %s", reason)
            self.memory_blocked = reason
            if reason:
                return False
        self.memory_blocked = None
        return True

    # -- page and region threads -----------------------------------------------------------------

    @contextlib.contextmanager
    def acquire(self, run: PageRun, *, pausable: bool) -> Iterator[None]:
        """One of the backend's ``max_in_flight`` request slots, shared by every page and region in
        flight: the first may always start; each further one asks the memory guard. A region
        (``pausable``) that has no slot yet when the queue is paused does not start."""
        with self._cv:
            while True:
                if stopped(run):
                    raise RunStoppedError
                if pausable and self._paused():
                    raise PausedError
                if self._busy < max(1, run.backend.max_in_flight):
                    reason = self.ask_memory_guard() if self._busy else None
                    if reason is None:  # else the guard has logged why (once per change)
                        break
                self._cv.wait(MEMORY_POLL_S)
            self._busy += 1
        try:
            yield
        finally:
            with self._cv:
                self._busy -= 1
                self._cv.notify_all()

    # -- the worker thread -----------------------------------------------------------------------

    def load(
        self, settings: Settings | None = None, made: Backend | None = None, keep: Backend | None = None
    ) -> str | None:
        """Load the backend of ``settings`` (the current ones by default; ``made``: created from
        them already); returns the error, if any. The load is timed here, where it runs, and the
        time goes out with READY. ``keep``: the old backend, still loaded and still
        ``self.backend``: unloaded once the new one is READY, or kept if it fails."""
        if settings is None:
            with self._cv:
                settings = self._settings()
        announce_loading(self._notify, settings.backend)
        backend = made
        try:
            if backend is None:
                backend = self.factory(settings)
            started = time.monotonic()
            backend.load(
                lambda message, _fraction: self._notify(BackendStateChanged(BackendState.LOADING, message))
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
                self.backend = backend
                self.backend_settings = settings
                self._cv.notify_all()
            announce_loaded(self._notify, backend, load_seconds)
            if keep is not None:
                self.unload(keep)
                retired = keep.id
                self._notify(BackendRetired(retired))
            return None
        if backend is not None:
            self.unload(backend)
        if keep is not None:
            self._keep(keep, message)
            return None
        self._notify(BackendStateChanged(BackendState.ERROR, message))
        return message

    def _keep(self, backend: Backend, message: str) -> None:
        """The switch's new backend failed while the old one was still loaded: the old one stays
        the pipeline's backend, and the settings name it again (their other changes hold)."""
        log.warning("the new backend could not be loaded, keeping %s: %s", backend.id, message)
        with self._cv:
            loaded = self.backend_settings
            assert loaded is not None, "a kept backend was loaded"
            current = self._settings()
            self._keep_settings(
                dataclasses.replace(
                    current, backend=loaded.backend, llamacpp=loaded.llamacpp, vllm=loaded.vllm
                )
            )
        self._notify(BackendKept(backend.id, backend.model_name, message))
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

    @staticmethod
    def unload(backend: Backend) -> None:
        try:
            backend.unload()
        except Exception:
            log.exception("unloading the %s backend failed", backend.id)

    def change(self) -> None:
        """Switch, or reload after a crash, once no page is in flight. A switch's new backend that
        fits in free memory beside the old one is loaded while the old one stays loaded (and
        stays if the new one fails); otherwise, and after a crash, the old one is unloaded first."""
        with self._cv:
            crashed = self.reload_needed
            self.switch_due = False
            self.reload_needed = False
            old = self.backend
            settings = self._settings()  # of now, not of the switch's moment
        made: Backend | None = None
        if old is not None and not crashed:
            try:
                made = self.factory(settings)
            except Exception:
                log.debug("creating the new backend failed; loading it says why", exc_info=True)
        # The factory may hand back the running object (a reload of the very same backend).
        keep = old if made is not None and made is not old and self._fits_beside(made) else None
        if old is not None and keep is None:
            with self._cv:
                self.backend = None
            self.unload(old)
            announce_unloaded(self._notify, old)
        self.load(settings, made, keep)

    def lend_out(
        self, *, worker_alive: Callable[[], bool], pause: Callable[[], None], unpause: Callable[[], None]
    ) -> BackendLease:
        """Lend the slot to another reader (the Compare view's benchmark).

        Pauses the queue, waits until the pages in flight have finished and the worker has
        unloaded the backend (:meth:`lend`), and returns a lease: until it is released, backends
        are loaded only through :meth:`BackendLease.create_backend`, and their loading and
        unloading go out as the pipeline's ``backend_state`` events. Releasing restores the
        pause state the user chose (also a pause or resume chosen while the slot was lent); the
        pipeline loads its own backend again for its next page. Blocks.
        """
        with self._cv:
            if self.lease_wanted or self.lent:
                raise RuntimeError("the backend is lent already")
            self.restore_paused = self._paused()
            self.lease_wanted = True
            if not worker_alive():
                self.lease_wanted, self.lent = False, True  # no worker: nothing is loaded
        pause()
        with self._cv:
            while not self.lent:
                self._cv.wait()
        return BackendLease(self.factory, self._notify, functools.partial(self._end_lease, unpause))

    def _end_lease(self, unpause: Callable[[], None]) -> None:
        # Under the (reentrant) lock with the unpause: a pause chosen right now is not undone.
        with self._cv:
            self.lent = False
            restore, self.restore_paused = self.restore_paused, None
            if not restore:
                unpause()
            self._cv.notify_all()

    def lend(self) -> None:
        """Unload the backend and hand the slot to the waiting ``lend_backend``."""
        self.release()
        with self._cv:
            self.lease_wanted = False
            self.lent = True
            self._cv.notify_all()

    def release(self) -> None:
        """Unload the backend, if one is loaded (lending the slot, the worker ending)."""
        with self._cv:
            backend, self.backend = self.backend, None
        if backend is not None:
            self.unload(backend)
            announce_unloaded(self._notify, backend)
