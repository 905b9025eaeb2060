"""What the window says about the reading is true (issue 20): the reading view after a cancel,
Elapsed that never runs backwards, pages/min over reading time only, and a paused indicator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.reading_rate import ReadingRate
from ocr_desktop.pipeline.events import JobFinished
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, is_event, window_factory

pytestmark = pytest.mark.gui


TIMEOUT = GUI_TIMEOUT_MS
FRAME, ENDED = is_event(TextFrame), is_event(JobFinished)  # some text streamed; a job ended


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_a_cancel_ends_the_reading_status_and_elapsed_keeps_its_time(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a document whose first page has been read for a while
    window = make_window(ScriptedBackend(token_delay_s=0.05, tokens_per_page=400))
    with qtbot.waitSignal(window.bridge.pipeline_event, check_params_cb=FRAME, timeout=TIMEOUT):
        [job_id] = window.add_paths([make_pdf(tmp_path / "doc.pdf", 3)])
    qtbot.wait(1500)
    view = window.reading_view
    assert "reading" in view.stats_text()
    row = window.queue_model.job(job_id)
    assert row is not None
    before = row.elapsed
    assert before >= 1.0
    # WHEN the document is cancelled
    window.queue_view.select_job(job_id)
    with qtbot.waitSignal(window.bridge.pipeline_event, check_params_cb=ENDED, timeout=TIMEOUT):
        window.window_actions.cancel_job_action.trigger()
    # THEN the reading view no longer says the page is being read
    assert "reading" not in view.stats_text(), view.stats_text()
    assert row.status is JobStatus.CANCELLED
    # AND Elapsed did not jump back: the time spent on the cancelled page still counts
    assert row.elapsed >= before
    # AND it stands still once nothing is read
    stopped = row.elapsed
    qtbot.wait(300)
    assert row.elapsed == stopped


def test_the_status_bar_says_the_queue_is_paused(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window(ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    assert not window.paused_label.isVisible()
    with qtbot.waitSignal(window.bridge.pipeline_event, check_params_cb=FRAME, timeout=TIMEOUT):
        window.add_paths([make_pdf(tmp_path / "doc.pdf", 2)])
    window.window_actions.pause_action.trigger()
    assert window.paused_label.isVisible() and "Paused" in window.paused_label.text()
    window.window_actions.pause_action.trigger()
    assert not window.paused_label.isVisible()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pages_per_minute_counts_reading_time_only() -> None:
    clock = Clock()
    rate = ReadingRate(window=10, minimum=3, clock=clock)
    # GIVEN pages read one after another, 6 s each, with long idle and paused stretches between
    for page in range(4):
        rate.page_started("a", page)
        clock.now += 6
        rate.page_ended("a", page, finished=True)
        if page == 1:
            # THEN two pages are not enough to say a rate
            assert rate.pages_per_min() is None
        clock.now += 300  # waiting, paused: not reading
    # THEN the rate is 10 pages/min (one per 6 s of reading), however long the pauses were
    assert rate.pages_per_min() == pytest.approx(10.0)
    clock.now += 3600
    assert rate.pages_per_min() == pytest.approx(10.0)
    # WHEN two pages are read side by side (vLLM), both finishing after 6 s THEN 20 pages/min
    rate = ReadingRate(window=10, minimum=3, clock=clock)
    for pair in range(2):
        rate.page_started("b", 2 * pair)
        rate.page_started("b", 2 * pair + 1)
        clock.now += 6
        rate.page_ended("b", 2 * pair, finished=True)
        rate.page_ended("b", 2 * pair + 1, finished=True)
        clock.now += 50
    assert rate.pages_per_min() == pytest.approx(20.0)
    # AND a cancelled page's time counts as reading time but not as a page
    rate.page_started("b", 9)
    clock.now += 12
    rate.job_ended("b")
    assert rate.reading_s() == pytest.approx(24.0)
