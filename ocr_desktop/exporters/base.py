"""What every exporter shares: the error type and the walk over a document's pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ocr_desktop.core.results import FLAG_REPETITION_LOOP, FLAG_TRUNCATED, DocumentResult, PageResult


class ExportError(Exception):
    """An export failed; ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
}


def flag_notes(page: PageResult) -> list[str]:
    return [note for flag, note in FLAG_NOTES.items() if flag in page.flags]
