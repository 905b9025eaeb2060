"""The memory budget: refusing a load that would not fit, and holding back pages when memory is low."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import psutil
import pytest

from ocr_desktop.backends.base import BackendError, MemoryEstimate
from ocr_desktop.backends.memory import (
    DEFAULT_HEADROOM_BYTES,
    GENERIC_SUGGESTIONS,
    MemoryBudgetError,
    MemoryGuard,
    available_memory_bytes,
    check_fits,
)
from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.settings import DocumentSettings, ReadingSettings, Settings, TelemetrySettings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf

MIB = 1 << 20
GIB = 1 << 30
TIMEOUT = 30.0


def test_available_memory_is_psutils() -> None:
    free = available_memory_bytes()
    assert 0 < free <= psutil.virtual_memory().total


def test_a_model_that_does_not_fit_is_refused_with_the_numbers_and_what_to_change() -> None:
    # GIVEN an 8 GB Orin Nano with 3 GiB free and a vLLM load of 4.5 GiB
    estimate = MemoryEstimate(int(4.5 * GIB), "vLLM share 0.4 of 7.4 GiB + server 1.5 GiB")
    # WHEN checked
    with pytest.raises(MemoryBudgetError) as caught:
        check_fits(
            estimate, available=3 * GIB, suggestions=("a GPU memory share of 0.3", "max model length 4096")
        )
    # THEN it is refused with the numbers, the breakdown and the settings to change
    error = caught.value
    assert isinstance(error, BackendError)
    assert str(error) == (
        "not enough free memory to load: needs 4.5 GiB (vLLM share 0.4 of 7.4 GiB + server 1.5 GiB) "
        "plus 512 MiB headroom, but only 3.0 GiB is free (2.0 GiB short) — close other programs, "
        "or try a GPU memory share of 0.3 or max model length 4096"
    )
    assert (error.available, error.headroom, error.estimate) == (3 * GIB, DEFAULT_HEADROOM_BYTES, estimate)


def test_the_generic_suggestions_name_every_setting_that_shrinks_a_load() -> None:
    with pytest.raises(MemoryBudgetError) as caught:
        check_fits(MemoryEstimate(2 * GIB, "model 2 GiB"), available=GIB)
    message = str(caught.value)
    assert message.endswith(
        "or try a smaller context size, fewer pages in flight, the vision projector on the CPU "
        "or a lower pixel budget per page"
    )
    assert caught.value.suggestions == GENERIC_SUGGESTIONS


def test_headroom_counts_a_load_that_would_leave_too_little_is_refused() -> None:
    estimate = MemoryEstimate(GIB, "model 1 GiB")
    with pytest.raises(MemoryBudgetError):
        check_fits(estimate, available=GIB + 100 * MIB, headroom_bytes=200 * MIB)
    assert check_fits(estimate, available=GIB + 600 * MIB, headroom_bytes=200 * MIB) is None


def test_a_tight_fit_loads_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    # GIVEN a load that leaves more than the headroom but less than twice it
    estimate = MemoryEstimate(3 * GIB, "model 906 MiB + projector 462 MiB + KV cache")
    # WHEN checked THEN it passes and says how little is left
    with caplog.at_level(logging.WARNING, logger="ocr_desktop.backends.memory"):
        warning = check_fits(estimate, available=3 * GIB + 800 * MIB)
    assert warning == (
        "memory is tight: loading takes 3.0 GiB (model 906 MiB + projector 462 MiB + KV cache) "
        "of 3.8 GiB free, leaving 800 MiB"
    )
    assert warning in caplog.text


def test_the_guard_trips_below_the_threshold_and_recovers_only_above_the_hysteresis() -> None:
    # GIVEN a 700 MiB threshold (the default setting), hence 175 MiB of hysteresis
    free = [2 * GIB]
    guard = MemoryGuard.from_megabytes(TelemetrySettings().low_memory_mb, read=lambda: free[0])
    assert guard.hysteresis_bytes == 175 * MIB
    # THEN plenty of memory gives no reason
    assert guard() is None
    # WHEN free memory falls below the threshold THEN it says why, with the numbers
    free[0] = 500 * MIB
    assert guard() == "only 500 MiB free memory (below 700 MiB): waiting before starting another page"
    # WHEN it climbs just above the threshold THEN it still holds (no flapping at the edge)
    free[0] = 750 * MIB
    assert guard() == "only 750 MiB free memory (below 875 MiB): waiting before starting another page"
    assert guard.low
    # WHEN it clears threshold + hysteresis THEN pages may start again
    free[0] = 900 * MIB
    assert guard() is None
    assert not guard.low
    # AND the edge only counts again from the threshold itself
    free[0] = 750 * MIB
    assert guard() is None


def test_the_guard_reads_real_free_memory_by_default() -> None:
    assert MemoryGuard(0)() is None
    assert MemoryGuard(psutil.virtual_memory().total * 2)() is not None


class FreeMemory:
    """A scripted free-memory figure for the guard, counting how often the pipeline asked."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.reads = 0
        self._cv = threading.Condition()

    def __call__(self) -> int:
        with self._cv:
            self.reads += 1
            self._cv.notify_all()
            return self.value

    def wait_for_reads(self, more: int) -> None:
        with self._cv:
            target = self.reads + more
            assert self._cv.wait_for(lambda: self.reads >= target, TIMEOUT)


def test_pages_in_flight_drop_while_free_memory_is_low_and_return_after(tmp_path: Path) -> None:
    # GIVEN the real pipeline reading a 12-page PDF with a backend that takes 4 pages at once,
    # and the real guard (threshold 700 MiB, 175 MiB more to recover) reading scripted free memory
    free = FreeMemory(4 * GIB)
    guard = MemoryGuard(700 * MIB, read=free)
    first_four = threading.Barrier(4, timeout=TIMEOUT, action=lambda: setattr(free, "value", 400 * MIB))
    last_four = threading.Barrier(4, timeout=TIMEOUT)
    started: list[tuple[int, int]] = []  # (page index, pages in flight when it started)
    backend = ScriptedBackend(in_flight=4, token_delay_s=0.01)

    def on_page(page: PageImage) -> None:
        started.append((page.index, backend.concurrent))
        if page.index < 4:
            # All four in flight together; memory drops (the barrier's action) before any goes on.
            first_four.wait()
        elif page.index == 5:
            # Above the threshold but within the hysteresis: stay in flight while the pipeline
            # asks the guard twice more, so a guard without hysteresis would start page 6 beside it.
            free.value = 800 * MIB
            free.wait_for_reads(2)
        elif page.index == 7:
            free.value = 4 * GIB  # recovered
        elif page.index >= 8:
            last_four.wait()  # four in flight again

    backend.on_page = on_page
    # Read whole: one request per page, as the barriers count them. In layout mode (the default)
    # each page is first rendered at 200 DPI and its layout and text lines detected, which on a
    # loaded 2-core machine outlasted the barriers' timeout before four pages were in flight.
    settings = Settings(
        documents=DocumentSettings(dpi=36),  # below the dialog's minimum: small pages
        reading=ReadingSettings(mode="page"),
    )
    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(store, settings, backend_factory=lambda _s: backend, memory_guard=guard)
    pipeline.start()
    try:
        # WHEN the document is read
        job = pipeline.submit(make_pdf(tmp_path / "doc.pdf", 12))
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown(TIMEOUT)
    # THEN four pages ran at once, then one at a time while memory was low (and within the
    # hysteresis), then four at once again; every page was read
    record = store.job(job)
    assert record is not None and record.status is JobStatus.DONE and record.pages_done == 12
    in_flight = dict(started)
    assert sorted(in_flight) == list(range(12))
    assert [in_flight[i] for i in range(4, 8)] == [1, 1, 1, 1]
    assert backend.max_concurrent_seen == 4
    assert max(in_flight[i] for i in range(8, 12)) == 4
