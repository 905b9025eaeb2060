"""Renders page images for the viewer on a thread pool, never on the GUI thread.

The worker (a ``ThreadPoolExecutor`` thread: unlike ``QThreadPool`` threads, it ends on
``shutdown`` instead of lingering as a Python dummy thread) opens the document, renders the
one page and converts the PIL image to a ``QImage`` (safe to build off the GUI thread); the
GUI thread turns it into a ``QPixmap``. Only the newest request's answer is delivered, so
paging quickly through a long PDF does not queue a backlog of stale pages, and a few recent
pages are kept for going back and forth.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from ocr_desktop.core.documents import DocumentError, open_document
from ocr_desktop.gui.errors import report_unexpected

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


class PageRenderer(QObject):
    """Asks for page images; answers with ``rendered`` or ``failed`` on the GUI thread."""

    rendered = Signal(object, QImage)  # PageKey, the page image
    failed = Signal(object, str)  # PageKey, message saying what went wrong
    done = Signal(object, int, object, str)  # internal, from the worker: key, generation, QImage|None, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # One page at a time: bounded memory, and the second core stays with the model.
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._generation = 0
        self._cache: OrderedDict[PageKey, QImage] = OrderedDict()
        self.done.connect(self._on_done)

    def request(self, key: PageKey) -> None:
        self._generation += 1
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.rendered.emit(key, cached)
            return
        self._pool.submit(self._render, key, self._generation).add_done_callback(report_unexpected)

    def shutdown(self) -> None:
        """Drop queued renders and wait for the running one (no thread outlives the window)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _render(self, key: PageKey, generation: int) -> None:
        """On the worker thread."""
        if generation != self._generation:
            return  # a newer page was asked for before this one started
        try:
            document = open_document(key.source, dpi=key.dpi, max_pixels=key.max_pixels)
            image = pil_to_qimage(document.render_page(key.page_index).image)
        except DocumentError as exc:
            self.done.emit(key, generation, None, exc.message)
        except (OSError, ValueError) as exc:
            self.done.emit(key, generation, None, str(exc))
        else:
            self.done.emit(key, generation, image, "")

    @Slot(object, int, object, str)
    def _on_done(self, key: PageKey, generation: int, image: QImage | None, error: str) -> None:
        if image is not None:
            self._cache[key] = image
            while len(self._cache) > _CACHE_PAGES:
                self._cache.popitem(last=False)
        if generation != self._generation:
            return  # a newer page was asked for meanwhile
        if image is None:
            log.warning("cannot show page %d of %s: %s", key.page_index + 1, key.source, error)
            self.failed.emit(key, error)
        else:
            self.rendered.emit(key, image)
