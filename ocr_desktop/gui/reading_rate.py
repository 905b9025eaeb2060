"""pages/min over reading time only (issue 20): the status bar's rate counted idle and paused
time and extrapolated from two pages (2.5, 88.1 and 13.5 pages/min were shown while paused).

A reading clock runs only while at least one page is being read; each finished page stamps it.
The rate is the pages finished over the last ``window`` stamps per minute of that clock, shown
once ``minimum`` pages have finished: waiting, pauses and model loading do not count, and a
paused queue keeps showing the rate it read at."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

#: pages/min is measured over the last this many finished pages (the status bar's tooltip says so).
RATE_WINDOW_PAGES = 10
#: ... and shown once this many have finished.
RATE_MINIMUM_PAGES = 3


class ReadingRate:
    def __init__(
        self,
        window: int = RATE_WINDOW_PAGES,
        minimum: int = RATE_MINIMUM_PAGES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.minimum = minimum
        self._clock = clock
        self._live: set[tuple[str, int]] = set()
        self._read_s = 0.0  # reading time before the current stretch of reading
        self._since: float | None = None  # when the current stretch began (a page in flight)
        # The reading clock at each finished page (and at the start of the first one read).
        self._stamps: collections.deque[float] = collections.deque(maxlen=window + 1)

    def reading_s(self) -> float:
        """Time during which at least one page was being read."""
        return self._read_s + (self._clock() - self._since if self._since is not None else 0.0)

    def page_started(self, job_id: str, page_index: int) -> None:
        if not self._stamps:
            self._stamps.append(self.reading_s())  # the first page's own time counts too
        if not self._live:
            self._since = self._clock()
        self._live.add((job_id, page_index))

    def page_ended(self, job_id: str, page_index: int, *, finished: bool) -> None:
        """A page finished (``finished``: it counts) or ended without a result (cancelled, failed)."""
        if finished:
            self._stamps.append(self.reading_s())
        self._live.discard((job_id, page_index))
        self._stop_if_idle()

    def job_ended(self, job_id: str) -> None:
        """No page of the job is read any more (done, cancelled, failed)."""
        self._live = {key for key in self._live if key[0] != job_id}
        self._stop_if_idle()

    def _stop_if_idle(self) -> None:
        if not self._live and self._since is not None:
            self._read_s += self._clock() - self._since
            self._since = None

    def pages_per_min(self) -> float | None:
        """The rate over the window, or None until ``minimum`` pages have finished."""
        pages = len(self._stamps) - 1
        span = self._stamps[-1] - self._stamps[0] if self._stamps else 0.0
        if pages < self.minimum or span <= 0:
            return None
        return pages * 60.0 / span
