"""What every exporter shares: the error type and the walk over a document's pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ocr_desktop.backends.lite import MODEL_NAME as LITE_MODEL_NAME
from ocr_desktop.core import page_format
from ocr_desktop.core.results import (
    FLAG_LINES_ONLY,
    FLAG_REPETITION_LOOP,
    FLAG_TRUNCATED,
    DocumentResult,
    FormattedPage,
    PageResult,
    RegionResult,
)


class ExportError(Exception):
    """An export failed; ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExportCancelled(Exception):
    """The user stopped the export (``ExportProgress.cancelled``); what was written stays."""


def _no_report(done: int, total: int) -> None:
    pass


def _not_cancelled() -> bool:
    return False


@dataclass
class ExportProgress:
    """Where a long export stands, and whether to stop. The steps are pages: each page's text
    layer placed, and each page's layer drawn into a searchable PDF; the text formats take no
    time worth showing. ``report(done, total)`` is called after each step (from the exporting
    thread); ``cancelled()`` is asked before each, and ``step`` raises ExportCancelled once it
    says so."""

    report: Callable[[int, int], None] = _no_report
    cancelled: Callable[[], bool] = _not_cancelled
    total: int = 0
    done: int = 0

    def check(self) -> None:
        if self.cancelled():
            raise ExportCancelled

    def step(self) -> None:
        """One step done (after ``check`` before it)."""
        self.done += 1
        self.report(self.done, self.total)


@dataclass(frozen=True)
class PageEntry:
    """One page of a document in page order: read (``result``) or failed (``error``)."""

    index: int
    result: PageResult | None
    error: str | None

    @property
    def number(self) -> int:
        return self.index + 1


def page_entries(document: DocumentResult) -> Iterator[PageEntry]:
    """Finished and failed pages together, in page order (pages never attempted are left out)."""
    results = {page.page_index: page for page in document.pages}
    for index in sorted(results.keys() | document.failed.keys()):
        if index in results:
            yield PageEntry(index, results[index], None)
        else:
            yield PageEntry(index, None, document.failed[index])


#: What a reader of a text export should know about a flagged page.
FLAG_NOTES = {
    FLAG_REPETITION_LOOP: "the model began repeating itself; the text is cut where the loop started",
    FLAG_TRUNCATED: "the text reached the token limit and may be incomplete",
    FLAG_LINES_ONLY: "a table or formula on this page is given as its text lines, without its structure",
}
#: Every page the lite engine read says so: its text is a first reading, not GLM-OCR's.
LITE_NOTE = f"read with {LITE_MODEL_NAME}, the engine that ships with the app, not with GLM-OCR"


def flag_notes(page: PageResult) -> list[str]:
    """What a reader of a text export should know about ``page``: which engine read it, when it
    was not GLM-OCR, then its flags."""
    notes = [LITE_NOTE] if page.backend == "lite" else []
    return notes + [note for flag, note in FLAG_NOTES.items() if flag in page.flags]


def valid_text(text: str) -> str:
    """Names and paths from non-UTF-8 file names hold surrogate escapes, which cannot be written
    as UTF-8; they become U+FFFD, as in the app's display names."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def document_stem(name: str) -> str:
    """The file name (without extension) of a document's exports."""
    stem = Path(valid_text(name).replace("/", "_").replace("\0", "_")).stem.strip()
    return stem if stem and not stem.startswith(".") else f"document{stem}"


def export_stem(document: DocumentResult) -> str:
    """The file name (without extension) of this document's exports: the one the exporter chose,
    else the name's."""
    return document.export_stem or document_stem(document.name)


#: What follows the stem in the longest name an export writes (``<stem>_figures``).
LONGEST_SUFFIX = "_figures"


def figure_path(document: DocumentResult, page_index: int, region: RegionResult) -> str:
    """Where a figure's crop is saved, relative to the export's folder (a folder beside it)."""
    return _figure(export_stem(document), page_index, region.order)


def figure_file(name: str, page_index: int, order: int) -> str:
    """:func:`figure_path` of the document named ``name`` and the region of reading ``order``."""
    return _figure(document_stem(name), page_index, order)


def _figure(stem: str, page_index: int, order: int) -> str:
    return f"{stem}{LONGEST_SUFFIX}/page-{page_index + 1}-figure-{order + 1}.png"


def page_formatted(document: DocumentResult, page: PageResult) -> FormattedPage:
    """A page's Markdown and plain text as formatted when it was committed or edited
    (``core/page_format.py``; no formatter pass here), figures linked to their saved crops
    (``figure_path``)."""
    formatted = page_format.formatted(page)
    markdown = fill_figure_links(document.name, page, formatted.markdown, stem=export_stem(document))
    return FormattedPage(markdown, formatted.text)


def fill_figure_links(name: str, page: PageResult, markdown: str, *, stem: str = "") -> str:
    """``markdown`` with each figure placeholder of ``page`` linked to its crop's file (a URL: a
    space or parenthesis in the name, "my paper (2)", would end a bare link); ``stem`` is the
    export's file name when the exporter chose one (numbered, shortened), else the name's."""
    figures = {region.order for region in page.regions if region.image_png}
    stem = stem or document_stem(name)
    return page_format.fill_figures(
        markdown, lambda order: quote(_figure(stem, page.page_index, order)) if order in figures else None
    )


def linked_figures(page: PageResult) -> list[RegionResult]:
    """The page's figures its Markdown links (a figure the user deleted from the text is not)."""
    linked = page_format.linked_figures(page_format.formatted(page).markdown)
    return [region for region in page.regions if region.image_png and region.order in linked]
