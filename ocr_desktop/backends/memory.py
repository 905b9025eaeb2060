"""The memory policy: refuse to load what would not fit, and hold back pages when memory runs low.

One module asked by everything that takes model memory: a backend's ``load`` (``check_fits``),
the pipeline before an additional page (``MemoryGuard``), the benchmark. Telemetry only
measures; the decisions are here.

On a Jetson the CPU and the GPU share one pool, so the free memory psutil reports
(``MemAvailable``) is also what the GPU can still allocate: one number covers both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import psutil

from ocr_desktop.backends.base import BackendError, MemoryEstimate
from ocr_desktop.formats import format_bytes
from ocr_desktop.messages import Message

log = logging.getLogger(__name__)

MIB = 1 << 20

#: Kept free when a backend loads: the page images, the GUI and the desktop need room too.
DEFAULT_HEADROOM_BYTES = 512 * MIB

#: What usually shrinks a GLM-OCR load, for callers that do not name their own settings.
GENERIC_SUGGESTIONS = (
    "a smaller context size",
    "fewer pages in flight",
    "the vision projector on the CPU",
    "a lower pixel budget per page",
)


#: The last suggestion of a GLM-OCR backend's memory refusal: the lite engine, which needs a few
#: hundred MB. Offered, never switched to by itself (docs/lite.md); the window turns it into a button.
LITE_SUGGESTION = "the PP-OCRv6 (lite) engine instead (Settings → Backend, or --backend lite)"


def offers_lite(message: str) -> bool:
    """Whether a failure message (a memory refusal) offers the lite engine."""
    return LITE_SUGGESTION in message


def available_memory_bytes() -> int:
    """Memory the system can still hand out without swapping (also the GPU's, on a Jetson)."""
    return int(psutil.virtual_memory().available)


class MemoryBudgetError(BackendError):
    """Loading would not fit in free memory. Carries the numbers the message is made of."""

    def __init__(self, estimate: MemoryEstimate, available: int, headroom: int, suggestions: Sequence[str]):
        self.estimate = estimate
        self.available = available
        self.headroom = headroom
        self.suggestions = tuple(suggestions)
        short = estimate.total_bytes + headroom - available
        message = Message(
            "not enough free memory to load: needs {needs} ({detail}) plus {headroom} headroom, but only "
            "{available} is free ({short} short)",
            needs=format_bytes(estimate.total_bytes),
            detail=estimate.detail,
            headroom=format_bytes(headroom),
            available=format_bytes(available),
            short=format_bytes(short),
        )
        if self.suggestions:
            *first, last = self.suggestions
            options = f"{', '.join(first)} or {last}" if first else last
            message = Message(
                "{message} — close other programs, or try {options}", message=message, options=options
            )
        super().__init__(message)


def check_fits(
    estimate: MemoryEstimate,
    *,
    available: int | None = None,
    headroom_bytes: int = DEFAULT_HEADROOM_BYTES,
    suggestions: Sequence[str] = GENERIC_SUGGESTIONS,
) -> str | None:
    """Raise MemoryBudgetError when ``estimate`` plus ``headroom_bytes`` exceeds free memory.

    Returns a warning (with the numbers) when it fits but leaves less than twice the headroom
    free, else None. ``suggestions`` name the settings that would shrink the load, best first.
    """
    free = available_memory_bytes() if available is None else available
    left = free - estimate.total_bytes
    if left < headroom_bytes:
        raise MemoryBudgetError(estimate, free, headroom_bytes, suggestions)
    if left < 2 * headroom_bytes:
        warning = (
            f"memory is tight: loading takes {format_bytes(estimate.total_bytes)} ({estimate.detail}) "
            f"of {format_bytes(free)} free, leaving {format_bytes(left)}"
        )
        log.warning("%s", warning)
        return warning
    return None


class MemoryGuard:
    """The pipeline's ``memory_guard``: a reason not to start another page while memory is low.

    Trips when free memory falls below ``threshold_bytes`` and stays tripped until it is back
    above ``threshold_bytes + hysteresis_bytes``, so pages in flight do not flap at the edge.
    Called from the pipeline's worker threads.
    """

    def __init__(
        self,
        threshold_bytes: int,
        read: Callable[[], int] = available_memory_bytes,
        *,
        hysteresis_bytes: int | None = None,
    ) -> None:
        self.threshold_bytes = threshold_bytes
        if hysteresis_bytes is None:
            hysteresis_bytes = max(threshold_bytes // 4, 64 * MIB)
        self.hysteresis_bytes = hysteresis_bytes
        self._read = read
        self._low = False
        self._lock = threading.Lock()

    @classmethod
    def from_megabytes(
        cls, low_memory_mb: int, read: Callable[[], int] = available_memory_bytes
    ) -> MemoryGuard:
        """Build the guard from ``TelemetrySettings.low_memory_mb``."""
        return cls(low_memory_mb * MIB, read)

    @property
    def low(self) -> bool:
        return self._low

    def __call__(self) -> str | None:
        free = self._read()
        with self._lock:
            was_low = self._low
            limit = self.threshold_bytes + self.hysteresis_bytes if was_low else self.threshold_bytes
            self._low = free < limit
        if self._low != was_low:
            if self._low:
                log.warning(
                    "free memory %s is below %s: holding new pages", format_bytes(free), format_bytes(limit)
                )
            else:
                log.info("free memory %s recovered: taking new pages again", format_bytes(free))
        if not self._low:
            return None
        return Message(
            "only {free} free memory (below {limit}): waiting before starting another page",
            free=format_bytes(free),
            limit=format_bytes(limit),
        )
