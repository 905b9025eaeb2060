"""Reads the document selected in the queue off the GUI thread for the reading view, and saves
the user's edits of it.

The loader only reads: the window fills the document it opened in the job states with what it
brings (``DocumentState.fill``), and what happened to the document's pages while it was read
is already there, changed by the events as they came. The loader is handed the store and the
task runner and answers with signals; it never calls into the window.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ocr_desktop.core.results import FLAG_EDITED, DocumentResult
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
    """``load`` a document; ``loaded`` brings its stored pages."""

    loaded = Signal(str, object)  # job_id, LoadedDocument (None: the job is gone from the store)
    failed = Signal(str)  # what went wrong, for the user
    edit_failed = Signal(str)  # an edit was not kept: why, for the user

    def __init__(self, store: JobStore, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self.loading: str | None = None  # the document being read

    def load(self, job_id: str) -> None:
        self.loading = job_id
        store = self._store
        self._tasks.run(
            lambda _task: load_document(store, job_id),
            on_result=lambda loaded: self._on_loaded(job_id, loaded),
            on_error=self._on_failed,
        )

    def cancel(self) -> None:
        """The document being read is not wanted any more: its read's answer is dropped."""
        self.loading = None

    def _on_loaded(self, job_id: str, loaded: LoadedDocument | None) -> None:
        if job_id != self.loading:
            return  # another document was selected meanwhile
        self.loading = None
        self.loaded.emit(job_id, loaded)

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

        def save(_task: object) -> None:
            try:
                store.set_page_text(job_id, page_index, text)
            except StoreError:
                # A document removed before its edit was saved (Del right after typing: the edit
                # is reported when the reading view lets the document go) took the text with
                # it; the user asked for that, so there is nothing to warn about.
                if store.job(job_id) is not None:
                    raise

        self._tasks.run(save, on_error=failed, keep=True)
