"""A scripted backend implementing the Backend protocol, for pipeline/CLI/GUI tests that are about
the app's own behaviour rather than a runtime's (the real runtimes have their own tests).

Each page's text is derived from the page (its index and size) unless a script says otherwise, so
tests can check that the right page went to the right place.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ocr_desktop.backends.base import BackendError, MemoryEstimate, ProgressFn, Recognition
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage


@dataclass
class ScriptedBackend:
    id: str = "scripted"
    in_flight: int = 1
    token_delay_s: float = 0.0
    tokens_per_page: int = 8
    #: page_index -> exception to raise for that page (once per listed occurrence)
    failures: dict[int, list[BaseException]] = field(default_factory=dict)
    #: page_index -> explicit list of deltas
    scripts: dict[int, list[str]] = field(default_factory=dict)
    on_page: Callable[[PageImage], None] | None = None
    loaded: bool = False
    calls: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    concurrent: int = 0
    max_concurrent_seen: int = 0

    @property
    def model_name(self) -> str:
        return "scripted-model"

    @property
    def max_in_flight(self) -> int:
        return self.in_flight

    def memory_estimate(self) -> MemoryEstimate | None:
        return MemoryEstimate(1 << 20, "scripted backend: 1 MiB")

    def load(self, progress: ProgressFn) -> None:
        progress("scripted backend ready", 1.0)
        self.loaded = True

    def unload(self) -> None:
        self.loaded = False

    def server_pids(self) -> list[int]:
        return []

    def metrics(self) -> None:
        return None

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        if not self.loaded:
            raise BackendError("backend not loaded")
        with self._lock:
            self.calls.append(page.index)
            self.concurrent += 1
            self.max_concurrent_seen = max(self.max_concurrent_seen, self.concurrent)
        try:
            if self.on_page is not None:
                self.on_page(page)
            pending = self.failures.get(page.index)
            if pending:
                raise pending.pop(0)
            w, h = page.image.size
            deltas = self.scripts.get(page.index) or [
                f"page {page.index + 1} ({w}x{h}) " if i == 0 else f"tok{i} "
                for i in range(self.tokens_per_page)
            ]
            start = time.perf_counter()
            first = 0.0
            n = 0
            finish = "stop"
            for delta in deltas[: options.max_tokens]:
                if cancel.is_set():
                    finish = "cancelled"
                    break
                if self.token_delay_s:
                    time.sleep(self.token_delay_s)
                if n == 0:
                    first = time.perf_counter() - start
                n += 1
                yield delta
            else:
                if len(deltas) > options.max_tokens:
                    finish = "length"
            return GenerationStats(
                prompt_tokens=20 + (w // 28) * (h // 28),
                image_tokens=(w // 28) * (h // 28),
                completion_tokens=n,
                time_to_first_token_s=first,
                total_s=time.perf_counter() - start,
                finish_reason=finish,
            )
        finally:
            with self._lock:
                self.concurrent -= 1


def second_read_waits(
    index: int, gate: threading.Event
) -> tuple[collections.Counter[int], Callable[[PageImage], None]]:
    """The reads of each page, and an ``on_page`` for :class:`ScriptedBackend` under which the
    second reading of page ``index`` (a page read again) waits for ``gate``."""
    reads: collections.Counter[int] = collections.Counter()

    def on_page(page: PageImage) -> None:
        reads[page.index] += 1
        if page.index == index and reads[index] == 2:
            assert gate.wait(30), "the re-read page was never let through"

    return reads, on_page
