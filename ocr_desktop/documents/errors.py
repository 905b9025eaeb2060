"""A document that cannot be read, and a page range that selects nothing: the messages say
what happened and what to do."""

from __future__ import annotations


class DocumentError(Exception):
    """A document cannot be read; ``message`` says what happened and what to do.

    ``page_index`` (0-based) is set when only that page failed; the document's other pages can
    still be read, and ``Document.pages()`` carries on with the next page.
    """

    def __init__(self, message: str, *, page_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.page_index = page_index


class PageRangeError(DocumentError, ValueError):
    """A page range such as ``1-3,7,10-`` cannot be parsed or selects no page."""
