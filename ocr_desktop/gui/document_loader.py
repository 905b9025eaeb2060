"""Reads the document selected in the queue off the GUI thread for the reading view, and saves
the user's edits of it.

What happens to the document's pages while it is read from the store (a page started, finished
or failed) is kept aside and laid over what the store gave, so the reading view gets the
document as it is now. The loader is handed the store and the task runner and answers with
signals; it never calls into the window.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, PageResult
from ocr_desktop.core.store import JobStore, StoreError
from ocr_desktop.gui.errors import error_text
from ocr_desktop.gui.tasks import TaskRunner


@dataclass(frozen=True)
class LoadedDocument:
    """A document's stored results, read off the GUI thread for the reading view."""

    result: DocumentResult
    dpi: int
    max_pixels: int
    originals: dict[int, str]  # edited page -> the model's text of it (for Revert page)


def load_document(store: JobStore, job_id: str) -> LoadedDocument | None:
    """On a worker: what the reading view shows of a document (None: it is gone)."""
    record = store.job(job_id)
    if record is None:
        return None
    result = store.document_result(job_id)
    originals = {
        page.page_index: original
        for page in result.pages
        if FLAG_EDITED in page.flags
        and (original := store.original_text(job_id, page.page_index)) is not None
    }
    return LoadedDocument(result, record.options.dpi, record.options.max_pixels, originals)


class DocumentLoader(QObject):
    """``load`` a document; ``loaded`` brings it with what happened to its pages meanwhile."""

    loaded = Signal(str, object)  # job_id, LoadedDocument
    failed = Signal(str)  # what went wrong, for the user
    edit_failed = Signal(str)  # an edit was not kept: why, for the user

    def __init__(self, store: JobStore, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        #: The document being read, and what happened to its pages meanwhile: page -> result,
        #: failure, or None (started again).
        self.loading: str | None = None
        self._late: dict[int, PageResult | str | None] = {}

    def load(self, job_id: str) -> None:
        self.loading, self._late = job_id, {}
        store = self._store
        self._tasks.run(
            lambda _task: load_document(store, job_id),
            on_result=lambda loaded: self._on_loaded(job_id, loaded),
            on_error=self._on_failed,
        )

    def page_started(self, job_id: str, page_index: int) -> None:
        if job_id == self.loading:
            self._late[page_index] = None

    def page_finished(self, job_id: str, result: PageResult) -> None:
        if job_id == self.loading:
            self._late[result.page_index] = result

    def page_failed(self, job_id: str, page_index: int, message: str) -> None:
        if job_id == self.loading:
            self._late[page_index] = message

    def _on_loaded(self, job_id: str, loaded: LoadedDocument | None) -> None:
        if job_id != self.loading:
            return  # another document was selected meanwhile
        self.loading = None
        if loaded is None:
            return
        pages = {page.page_index: page for page in loaded.result.pages}
        failed = dict(loaded.result.failed)
        for index, late in self._late.items():
            pages.pop(index, None)
            failed.pop(index, None)
            if isinstance(late, PageResult):
                pages[index] = late
            elif late is not None:
                failed[index] = late
        result = dataclasses.replace(
            loaded.result, pages=tuple(pages[i] for i in sorted(pages)), failed=failed
        )
        self.loaded.emit(job_id, dataclasses.replace(loaded, result=result))

    def _on_failed(self, exc: BaseException) -> None:
        self.loading = None
        if not isinstance(exc, StoreError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        self.failed.emit(self.tr("The document cannot be shown: {error}").format(error=error_text(exc)))

    def save_edit(self, job_id: str, page_index: int, text: str) -> None:
        """Save an edit off the GUI thread (an fsynced write); kept: quitting waits for it."""

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, StoreError):
                sys.excepthook(type(exc), exc, exc.__traceback__)
                return
            self.edit_failed.emit(
                self.tr("Your edit of page {n} was not kept: {error}").format(
                    n=page_index + 1, error=error_text(exc)
                )
            )

        store = self._store
        self._tasks.run(
            lambda _task: store.set_page_text(job_id, page_index, text), on_error=failed, keep=True
        )
