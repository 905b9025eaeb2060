"""The sampler: one thread reads every source at a fixed interval and keeps a bounded history.

Sources are merged best first: a field comes from the first source that has it (temperature
dicts are merged, the better source winning a sensor name). A field nobody has is ``None`` in
the Reading, with the reasons of every source that could have given it. A failing source is
closed, skipped and reopened every ``REOPEN_AFTER_S`` unless its failure is permanent (not
installed), so a restarted jtop.service comes back without restarting the app.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ocr_desktop.telemetry.psutil_source import ProcessSource
from ocr_desktop.telemetry.reading import METRIC_FIELDS, Reading
from ocr_desktop.telemetry.source import Source, SourceUnavailableError
from ocr_desktop.telemetry.sources import default_sources
from ocr_desktop.telemetry.vllm_source import VllmMetricsLike, VllmMetricsSource

if TYPE_CHECKING:
    from ocr_desktop.settings import TelemetrySettings

log = logging.getLogger(__name__)

REOPEN_AFTER_S = 30.0
NO_SOURCE = "no source measures this on this machine"

Listener = Callable[[Reading], None]


class Sampler:
    """Reads the sources on its own thread; listeners are called on that thread with each Reading.

    ``process_pids`` gives the managed vLLM server's pids (its tree's RSS is reported apart from
    the app's own); ``vllm_metrics`` gives the server's KV-cache and request gauges. Both are
    injected so telemetry does not import the backends.
    """

    def __init__(
        self,
        settings: TelemetrySettings,
        sources: Sequence[Source] | None = None,
        process_pids: Callable[[], list[int]] | None = None,
        vllm_metrics: Callable[[], VllmMetricsLike | None] | None = None,
    ) -> None:
        self.interval_s = settings.interval_s
        hardware = list(sources) if sources is not None else default_sources(settings.interval_s)
        self.sources: list[Source] = [*hardware, ProcessSource(process_pids), VllmMetricsSource(vllm_metrics)]
        self._history: collections.deque[Reading] = collections.deque(
            maxlen=max(1, math.ceil(settings.history_s / settings.interval_s))
        )
        self._listeners: list[Listener] = []
        self._reopen_at: dict[Source, float] = {}
        self._lock = threading.Lock()  # history and listeners
        self._sampling = threading.Lock()  # one sample at a time: sources are not thread-safe
        self._wake = threading.Condition()  # stop, pause and resume
        self._stopping = False
        self._paused = False
        self._due = 0.0
        self._thread: threading.Thread | None = None

    # -- thread ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._wake:
            self._stopping = False
            self._due = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="telemetry-sampler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread, wait for it and close the sources."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("telemetry sampler did not stop within %.0f s", timeout)
        else:
            self.close_sources()

    def pause(self) -> None:
        """Stop sampling (e.g. no gauge is visible) until ``resume``; the sources stay open."""
        with self._wake:
            self._paused = True
            self._wake.notify_all()

    def resume(self) -> None:
        """Sample again, at once and then every interval."""
        with self._wake:
            if self._paused:
                self._paused = False
                self._due = time.monotonic()
                self._wake.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while self._wait_until_due():
                reading = self.sample()
                for listener in self.listeners():
                    try:
                        listener(reading)
                    except Exception:
                        log.exception("telemetry listener %r failed", listener)
        finally:
            self.close_sources()

    def _wait_until_due(self) -> bool:
        """Block until the next sample is due; False once stopping."""
        with self._wake:
            while not self._stopping:
                delay = None if self._paused else self._due - time.monotonic()
                if delay is not None and delay <= 0:
                    self._due = max(self._due + self.interval_s, time.monotonic())
                    return True
                self._wake.wait(delay)
            return False

    # -- readings -------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``; one that is not registered is ignored."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def listeners(self) -> list[Listener]:
        with self._lock:
            return list(self._listeners)

    def latest(self) -> Reading | None:
        with self._lock:
            return self._history[-1] if self._history else None

    def history(self) -> list[Reading]:
        """The readings of the last ``history_s`` seconds, oldest first."""
        with self._lock:
            return list(self._history)

    @property
    def history_length(self) -> int:
        """How many readings the history keeps."""
        return self._history.maxlen or 0

    def sample(self) -> Reading:
        """Read every source once, merge best first, record and return the Reading."""
        with self._sampling:
            reading = self._read_sources()
        with self._lock:
            self._history.append(reading)
        return reading

    def _read_sources(self) -> Reading:
        now = time.monotonic()
        values: dict[str, Any] = {}
        read_missing: dict[Source, dict[str, str]] = {}
        contributors: list[str] = []
        for source in self.sources:
            if not source.available and not source.permanent and now >= self._reopen_at.get(source, 0.0):
                source.open()
                self._reopen_at[source] = now + REOPEN_AFTER_S
            if not source.available:
                continue
            try:
                part = source.read()
            except Exception as exc:
                log.warning("telemetry source %s failed: %s", source.name, exc, exc_info=True)
                source.close()
                reason = (
                    str(exc) if isinstance(exc, SourceUnavailableError) else f"{type(exc).__name__}: {exc}"
                )
                source.fail(reason)
                self._reopen_at[source] = now + REOPEN_AFTER_S
                continue
            read_missing[source] = part.missing
            if _merge(values, part.values):
                contributors.append(source.name)
        unavailable = {
            name: self._why_missing(name, read_missing) for name in METRIC_FIELDS if name not in values
        }
        return Reading(timestamp=time.time(), sources=tuple(contributors), unavailable=unavailable, **values)

    def _why_missing(self, name: str, read_missing: dict[Source, dict[str, str]]) -> str:
        reasons = []
        for source in self.sources:
            if name in read_missing.get(source, {}):
                reasons.append(f"{source.name}: {read_missing[source][name]}")
            elif name in source.fields and not source.available and source.reason:
                reasons.append(source.reason)
        return "; ".join(reasons) or NO_SOURCE

    def close_sources(self) -> None:
        for source in self.sources:
            try:
                source.close()
            except Exception:
                log.exception("closing telemetry source %s failed", source.name)


def _merge(values: dict[str, Any], part: dict[str, Any]) -> bool:
    """Add a worse source's values to ``values``; True when it added anything."""
    added = False
    for name, value in part.items():
        if value is None:
            continue
        if name not in values:
            values[name] = value
            added = True
        elif isinstance(value, dict):
            merged = {**value, **values[name]}
            added = added or len(merged) > len(values[name])
            values[name] = merged
    return added
