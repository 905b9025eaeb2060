"""Renders page images for the viewer off the GUI thread.

A :class:`TaskRunner` worker opens the document, renders the one page and converts the PIL image
to a ``QImage`` (safe to build off the GUI thread); the GUI thread turns it into a ``QPixmap``.
Only the newest request is answered (an older one not started yet is cancelled), so paging
quickly through a long PDF does not queue a backlog of stale pages, and a few recent pages are
kept for going back and forth.
"""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.gui.errors import translated
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner

log = logging.getLogger(__name__)

_CACHE_PAGES = 6


@dataclass(frozen=True)
class PageKey:
    source: str
    page_index: int
    dpi: int
    max_pixels: int


def pil_to_qimage(image: Image.Image) -> QImage:
    """A deep copy of ``image`` as a QImage (the PIL buffer may go away after this returns)."""
    rgb = image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    qimage = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return qimage.copy()


def _render(key: PageKey) -> QImage:
    """On the worker thread."""
    document = open_document(key.source, dpi=key.dpi, max_pixels=key.max_pixels)
    return pil_to_qimage(document.render_page(key.page_index).image)


class PageRenderer(QObject):
    """Asks for page images; answers with ``rendered`` or ``failed`` on the GUI thread."""

    rendered = Signal(object, QImage)  # PageKey, the page image
    failed = Signal(object, str)  # PageKey, message saying what went wrong

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # One page at a time: bounded memory, and the second core stays with the model.
        self._tasks = TaskRunner(self, name="page-render")
        self._current: BackgroundTask[QImage] | None = None
        self._current_key: PageKey | None = None
        self._cache: OrderedDict[PageKey, QImage] = OrderedDict()

    def request(self, key: PageKey) -> None:
        if self._current is not None and key == self._current_key:
            return  # being rendered: its answer comes (asked again, it would be decoded twice)
        if self._current is not None:
            self._current.cancel()  # a newer page is wanted: its answer would be dropped anyway
            self._current = None
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.rendered.emit(key, cached)
            return
        self._current_key = key
        self._current = self._tasks.run(
            lambda _task: _render(key),
            on_result=lambda image: self._on_rendered(key, image),
            on_error=lambda exc: self._on_failed(key, exc),
        )

    def shutdown(self) -> None:
        """Drop queued renders and wait for the running one (no thread outlives the window)."""
        self._tasks.shutdown()

    def _on_rendered(self, key: PageKey, image: QImage) -> None:
        self._current = None
        self._cache[key] = image
        while len(self._cache) > _CACHE_PAGES:
            self._cache.popitem(last=False)
        self.rendered.emit(key, image)

    def _on_failed(self, key: PageKey, exc: BaseException) -> None:
        self._current = None
        if isinstance(exc, DocumentError):
            message = translated(exc.message)
        elif isinstance(exc, OSError | ValueError):
            message = str(exc)
        else:  # a bug: to the crash dialog
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        log.warning("cannot show page %d of %s: %s", key.page_index + 1, key.source, message)
        self.failed.emit(key, message)
