"""The queue's pages column as the user sees it: the progress bar rendered by the real view and
style, checked pixel by pixel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.queue_view import Column, JobRow, QueueModel, QueueView

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[QueueView]:
    model = QueueModel()
    view = QueueView(model)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    yield view


def add(view: QueueView, job_id: str, page_count: int, done: int, status: JobStatus) -> None:
    model = view.queue_model()
    model.add_job(JobRow(job_id, f"{job_id}.pdf", page_count, status=status, pages_done=set(range(done))))
    model.flush()


def is_chunk(colour: QColor, chunk: QColor) -> bool:
    """Near the bar's fill colour (the style shades it a little from top to bottom)."""
    return sum(abs(a - b) for a, b in zip(colour.getRgb()[:3], chunk.getRgb()[:3], strict=True)) < 90


def cell(view: QueueView, job_id: str) -> tuple[QImage, QColor]:
    index = view.model().index(view.queue_model().row_of(job_id), Column.PAGES)
    rect = view.visualRect(index).adjusted(4, 5, -4, -5)  # inside the bar's frame
    image = view.viewport().grab(rect).toImage()
    chunk = view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    return image, chunk


def filled_columns(image: QImage, chunk: QColor, y: int) -> float:
    return sum(is_chunk(image.pixelColor(x, y), chunk) for x in range(image.width())) / image.width()


def test_progress_fills_left_to_right_over_the_whole_height(view: QueueView) -> None:
    # GIVEN a document with 3 of 12 pages read
    add(view, "quarter", 12, 3, JobStatus.RUNNING)
    image, chunk = cell(view, "quarter")
    # THEN the bar is filled from the left, about a quarter of its width ...
    middle = image.height() // 2
    assert is_chunk(image.pixelColor(2, middle), chunk)
    assert not is_chunk(image.pixelColor(image.width() - 3, middle), chunk)
    assert 0.15 < filled_columns(image, chunk, middle) < 0.35
    # ... at every height of the cell, not as a strip at its bottom
    for y in (2, middle, image.height() - 3):
        assert is_chunk(image.pixelColor(3, y), chunk), y


def test_cancelled_unread_document_shows_an_empty_bar(view: QueueView) -> None:
    # GIVEN a document cancelled before any page was read, and one cancelled before it was opened
    add(view, "cancelled", 12, 0, JobStatus.CANCELLED)
    add(view, "unopened", 0, 0, JobStatus.CANCELLED)
    # THEN neither bar shows any fill; a finished document's bar is full
    add(view, "done", 4, 4, JobStatus.DONE)
    for job_id in ("cancelled", "unopened"):
        image, chunk = cell(view, job_id)
        assert filled_columns(image, chunk, image.height() // 2) < 0.05, job_id
    image, chunk = cell(view, "done")
    assert filled_columns(image, chunk, image.height() // 2) > 0.9
