"""``open_document``, the pre-flight, and the :class:`Document` it returns, whose pages are
rendered one at a time.

``open_document`` sniffs the type from the file's bytes (never from its extension), counts the
pages (``pdfinfo`` for PDFs, Pillow for images), and turns every way a file can be unreadable
into a :class:`DocumentError` whose message says what to do. It renders nothing but the first
page of an image file (to catch truncated images early) and never a PDF page.
``Document.pages()`` then renders ONE page at a time (PDF: ``documents.pdf``; images:
``documents.images``).
"""

from __future__ import annotations

import contextlib
import stat
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ocr_desktop.documents.errors import DocumentError, PageRangeError
from ocr_desktop.documents.images import frame_to_page, image_error, image_preflight, open_image
from ocr_desktop.documents.pages import (
    DEFAULT_DPI,
    DEFAULT_MAX_PIXELS,
    GLM_MAX_PIXELS,
    GLM_MIN_PIXELS,
    PageImage,
    fit_or_refuse,
    parse_page_range,
    refuse_blank,
)
from ocr_desktop.documents.pdf import PdfPage, PdftoppmRun, pdf_preflight
from ocr_desktop.documents.sniff import (
    SUPPORTED_DESCRIPTION,
    describe_unsupported,
    display_name,
    display_path,
    read_head,
    sniff_bytes,
)
from ocr_desktop.messages import Message


@dataclass
class _Cursor:
    """``render_page``'s state: the stream kept for the next consecutive page, and a single
    image's page as the pre-flight decoded it (handed to the first render, not decoded again)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stream: PageStream | None = None
    last_index: int | None = None
    checked: PageImage | None = None


@dataclass(frozen=True, eq=False)  # eq=False: a document owns a renderer; identity is what counts
class Document:
    """A document that passed the pre-flight. Pages are rendered on demand by :meth:`pages`."""

    path: Path
    name: str  # display name, safe to show and encode (see display_name)
    kind: str  # one of SUPPORTED_KINDS
    page_count: int
    page_indices: tuple[int, ...]  # 0-based, after the page range
    dpi: int
    max_pixels: int
    _pdf_pages: dict[int, PdfPage] | None = None  # page sizes of a PDF, by 0-based index
    _cursor: _Cursor = field(default_factory=_Cursor, init=False, repr=False, compare=False)

    def pages(self, indices: Iterable[int] | None = None) -> PageStream:
        """Iterate the selected pages (default: ``page_indices``), rendering one at a time.

        A page that cannot be rendered raises DocumentError with ``page_index`` set from
        ``next()``; the stream stays usable and goes on with the following page. Close the stream
        (or use it as a context manager) when stopping early, so a running renderer is ended.
        """
        chosen = self.page_indices if indices is None else tuple(indices)
        for index in chosen:
            if not 0 <= index < self.page_count:
                raise PageRangeError(
                    f"{self.name}: page {index + 1} does not exist (the document has {self.page_count})"
                )
        return PageStream(self, chosen)

    def render_page(self, index: int) -> PageImage:
        """Render page ``index`` (0-based).

        Calls for consecutive pages (``i``, then ``i + 1``, …, as the pipeline makes them) share
        one renderer that stays one page ahead, which is as fast as :meth:`pages`; any other
        call renders just that page. :meth:`close` ends a renderer kept for the next call.
        """
        cursor = self._cursor
        with cursor.lock:
            if index == 0 and cursor.checked is not None:
                page, cursor.checked = cursor.checked, None
                cursor.last_index = 0
                return page
            stream = cursor.stream
            if stream is None or stream.next_index != index:
                if stream is not None:
                    stream.close()
                sequential = cursor.last_index == index - 1
                later = [i for i in self.page_indices if i > index] if sequential else []
                stream = cursor.stream = self.pages([index, *later])
            cursor.last_index = index
            try:
                return next(stream)
            finally:
                if stream.next_index is None:
                    stream.close()
                    cursor.stream = None

    def close(self) -> None:
        """End the renderer :meth:`render_page` keeps for the next page, if any."""
        with self._cursor.lock:
            if self._cursor.stream is not None:
                self._cursor.stream.close()
                self._cursor.stream = None

    def where(self, index: int) -> str:
        """How messages name page ``index``: the file alone when it has one page."""
        return (
            self.name
            if self.page_count == 1
            else Message("page {page} of {name}", page=index + 1, name=self.name)
        )

    def _pdf_target(self, index: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """``(original, fitted)`` sizes of PDF page ``index``: at the document's DPI, and after
        fitting to the pixel budget. Raises DocumentError for a page no model could read."""
        assert self._pdf_pages is not None, "computed from pdfinfo's page sizes, for PDFs only"
        page = self._pdf_pages[index]
        if page.degenerate:
            raise DocumentError(
                Message(
                    "{where} has an empty page box ({width:g}×{height:g} pt): there is nothing on it to "
                    "read — the PDF is damaged; re-save it from a PDF viewer",
                    where=self.where(index),
                    width=page.width_pt,
                    height=page.height_pt,
                ),
                page_index=index,
            )
        width = max(1, round(page.width_pt * self.dpi / 72))
        height = max(1, round(page.height_pt * self.dpi / 72))
        if page.rotation % 180 == 90:
            width, height = height, width
        return (width, height), fit_or_refuse(self.where(index), index, (width, height), self.max_pixels)


def open_document(
    path: Path | str,
    *,
    dpi: int = DEFAULT_DPI,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pages: str = "",
) -> Document:
    """Check that ``path`` is a readable document and count its pages; render nothing yet.

    Raises DocumentError (message names the file and what to do) for a missing file, a folder,
    an empty or unreadable file, an unsupported type, a damaged image or PDF, a password-protected
    or empty PDF, a decompression bomb and absurd image sizes; PageRangeError for a bad range.
    """
    path = Path(path)
    name = display_name(path)
    if not GLM_MIN_PIXELS <= max_pixels <= GLM_MAX_PIXELS:
        raise ValueError(f"max_pixels {max_pixels} is outside GLM-OCR's {GLM_MIN_PIXELS}..{GLM_MAX_PIXELS}")
    if dpi < 1:
        raise ValueError(f"dpi must be positive, not {dpi}")
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(
                Message(
                    "{name} is a folder — open the documents inside it, or drop the folder itself", name=name
                )
            )
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(
                Message(
                    "{name} is not a regular file (a pipe or device) — save it as a file first", name=name
                )
            )
        if info.st_size == 0:
            raise DocumentError(
                Message(
                    "{name} is empty (0 bytes) — the copy or download did not finish; get it again", name=name
                )
            )
        head = read_head(path)
    except FileNotFoundError:
        raise DocumentError(
            Message("{name} was not found at {path} — check the path", name=name, path=display_path(path))
        ) from None
    except PermissionError:
        raise DocumentError(
            Message(
                "{name} cannot be read: permission denied — make it readable (chmod u+r) or copy it "
                "somewhere you can read",
                name=name,
            )
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"{name} cannot be read: {exc.strerror or exc} — check the disk or the share"
        ) from None
    kind = sniff_bytes(head)
    if kind is None:
        raise DocumentError(
            Message(
                "{name} is {kind}, not a supported document — supported are {supported}; convert it "
                "(e.g. print or export it to PDF) and open that",
                name=name,
                kind=describe_unsupported(head),
                supported=SUPPORTED_DESCRIPTION,
            )
        )
    if kind == "pdf":
        count, pdf_pages = pdf_preflight(path, name)
        indices = parse_page_range(pages, count)
        if all(pdf_pages[i].degenerate for i in indices):
            first = pdf_pages[indices[0]]
            raise DocumentError(
                Message(
                    "{name} is a damaged PDF: every page has an empty page box ({width:g}×{height:g} pt), "
                    "so there is nothing to read — re-save it from a PDF viewer",
                    name=name,
                    width=first.width_pt,
                    height=first.height_pt,
                )
            )
        return Document(path, name, kind, count, tuple(indices), dpi, max_pixels, pdf_pages)
    count = image_preflight(path, name, kind)
    indices = parse_page_range(pages, count)
    document = Document(path, name, kind, count, tuple(indices), dpi, max_pixels)
    if count == 1:
        # A truncated image is only noticed when it is decoded; decoding the one page now makes
        # such a file fail here, as an error for the file, instead of as a failed page later.
        # (A TIFF's frames are checked one by one as pages, so one bad frame costs one page.)
        # The page decoded here is the one the first render_page(0) hands out (once: a
        # document kept open does not keep its pixels).
        try:
            document._cursor.checked = document.render_page(0)
        except DocumentError as exc:
            raise DocumentError(exc.message) from None
    return document


class PageStream(Iterator[PageImage]):
    """Lazy pages of one document; see :meth:`Document.pages`."""

    def __init__(self, document: Document, indices: Sequence[int]) -> None:
        self._document = document
        self._pending: deque[int] = deque(indices)
        self._run: PdftoppmRun | None = None
        self._image: Image.Image | None = None  # the open image file, kept for multi-frame TIFF

    def __iter__(self) -> PageStream:
        return self

    def __enter__(self) -> PageStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter exit modules may already be torn down; the OS reaps the child then.
        with contextlib.suppress(Exception):
            self.close()

    @property
    def next_index(self) -> int | None:
        """The page the next ``next()`` renders; None when the stream is exhausted."""
        return self._pending[0] if self._pending else None

    def __next__(self) -> PageImage:
        if not self._pending:
            self.close()
            raise StopIteration
        index = self._pending.popleft()
        if self._document.kind == "pdf":
            return self._next_pdf_page(index)
        return self._next_image_page(index)

    def close(self) -> None:
        """End a running renderer and close the file; safe to call more than once."""
        self._end_run()
        if self._image is not None:
            self._image.close()
            self._image = None

    def _end_run(self) -> None:
        if self._run is not None:
            self._run.close()
            self._run = None

    def _next_pdf_page(self, index: int) -> PageImage:
        document = self._document
        original, target = document._pdf_target(index)
        run = self._run
        if run is None or run.next_index != index or run.size != target:
            self._end_run()
            run = self._run = PdftoppmRun(document.path, index, self._run_end(index, target), target)
        image = run.read_page()
        if image is None:
            reason = run.failure()
            self._end_run()
            raise DocumentError(
                Message(
                    "{where} could not be rendered ({reason}) — the PDF may be damaged; re-save it from a "
                    "PDF viewer",
                    where=document.where(index),
                    reason=reason,
                ),
                page_index=index,
            )
        if run.next_index > run.last:
            self._end_run()
        refuse_blank(image, document.where(index), index)
        return PageImage(image, index, document.path, original)

    def _run_end(self, first: int, size: tuple[int, int]) -> int:
        """Last page of the run starting at ``first``: consecutive pending pages of the same size."""
        last = first
        for index in self._pending:
            if index != last + 1:
                break
            try:
                if self._document._pdf_target(index)[1] != size:
                    break
            except DocumentError:
                break
            last = index
        return last

    def _next_image_page(self, index: int) -> PageImage:
        document = self._document
        if self._image is None:
            self._image = open_image(document.path, document.name, document.kind)
        try:
            self._image.seek(index)
        except Exception as exc:  # a damaged TIFF IFD raises several exception types
            raise image_error(document.where(index), document.kind, exc, index) from None
        return frame_to_page(
            self._image,
            where=document.where(index),
            index=index,
            kind=document.kind,
            source=document.path,
            max_pixels=document.max_pixels,
        )
