"""The GUI's one record of job state: every view reads it, the pipeline's events change it.

:class:`JobStates` holds a :class:`JobRow` per job in the queue (status, the pages done and
failed, the pages being read with their text so far, the reading times) and, for the document
the reading view shows or is about to show, a :class:`DocumentState` (the finished pages'
results, their regions, the text the user typed, the model's text of edited pages). The window
hands it each pipeline event (:meth:`JobStates.apply`); it changes what the event says, once,
then tells the views: ``row_changed`` (the queue repaints the row) and ``updated`` (the event,
for the views that present a change in their own way: the reading view follows a page that
starts, appends streamed text, highlights the region being read).

A document selected in the queue is *opened* at once and *filled* when its stored pages come
back from the store (read off the GUI thread by the document loader). Events that arrive in
between change the opened document like any other, so the fill takes only what the model does
not know yet: a page that started, finished or failed meanwhile is newer than the store's copy.
Nothing is set aside and laid over the store's answer afterwards.

A fact lives in one place: which pages are being read, and their text so far, is the row's
(every job's, so a document selected mid-page shows the text read so far); which pages failed
and why is the row's; the finished pages' results are the document's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, GenerationStats, PageResult, RegionResult
from ocr_desktop.core.store import JobRecord, JobStatus, PageRecord, PageStatus
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.pipeline.events import (
    JobFailed,
    JobFinished,
    JobStarted,
    PageFailed,
    PageFinished,
    PagePlanned,
    PageRequeued,
    PageStarted,
    RegionFinished,
    RegionStarted,
)


@dataclass
class LivePage:
    """A page being read now."""

    since: float  # time.monotonic() when its reading started
    text: str = ""  # streamed so far
    deltas: int = 0  # text deltas so far (a vLLM delta may hold several tokens)


@dataclass
class JobRow:
    """What is known of one job in the queue (what the queue shows of it)."""

    job_id: str
    name: str
    page_count: int
    source: str = ""
    status: JobStatus = JobStatus.QUEUED
    message: str = ""  # why the job failed
    pages_done: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    backend: str = ""
    live: dict[int, LivePage] = field(default_factory=dict)  # pages being read (vLLM: several at once)
    elapsed_s: float = 0.0  # the reading times of the finished pages (docs/gui.md, "Numbers")
    #: Time spent on pages that ended unfinished (cancelled, failed): still reading time, so
    #: Elapsed does not jump back when a page in flight is cancelled (it showed 1:31, then 0:16).
    abandoned_s: float = 0.0
    #: Failed only because no model is installed yet: it waits for the model (read when it
    #: arrives), and says so rather than "Failed: model file not found".
    waiting: bool = False
    completion_tokens: int = 0
    decode_s: float = 0.0
    #: The statistics each finished page counts with: a page read again (the lite engine's pages
    #: re-read with GLM-OCR) takes its first reading's figures out instead of counting twice.
    page_stats: dict[int, GenerationStats] = field(default_factory=dict)

    def page_done(self, page_index: int, stats: GenerationStats) -> None:
        """A page finished: it counts done, and its statistics count into the document's elapsed
        time and tok/s (the same figures the page's own statistics show, summed)."""
        earlier = self.page_stats.pop(page_index, None)
        if earlier is not None:
            self._count(earlier, -1)
        self.pages_done.add(page_index)
        self.page_stats[page_index] = stats
        self._count(stats, 1)

    def read_again(self, page_index: int) -> None:
        """A finished page is being read again: it is not done until it finishes again (the store
        has it pending), and its first reading leaves tok/s. The time that reading took stays
        reading time, as a cancelled page's does, so Elapsed does not run back."""
        self.pages_done.discard(page_index)
        earlier = self.page_stats.pop(page_index, None)
        if earlier is not None:
            self._count(earlier, -1)
            self.abandoned_s += earlier.total_s

    def _count(self, stats: GenerationStats, sign: int) -> None:
        self.elapsed_s += sign * stats.total_s
        if stats.decode_tokens_per_s > 0:
            self.completion_tokens += sign * (stats.completion_tokens - 1)
            self.decode_s += sign * (stats.total_s - stats.time_to_first_token_s)

    @property
    def elapsed(self) -> float:
        """Time spent reading this document's pages: the finished pages' reading times plus how
        long the pages in flight have been read. Waiting, pauses and loading do not count."""
        now = time.monotonic()
        return self.elapsed_s + self.abandoned_s + sum(now - page.since for page in self.live.values())

    def end_live(self, page_index: int | None = None) -> None:
        """Pages in flight (one, or all) ended without a result: their time so far stays counted."""
        now = time.monotonic()
        for index in [page_index] if page_index is not None else list(self.live):
            page = self.live.pop(index, None)
            if page is not None:
                self.abandoned_s += now - page.since

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.decode_s if self.decode_s > 0 else 0.0

    @property
    def progress(self) -> float:
        """0..1 over the document's pages, each page being read counted half done once it streams."""
        if self.page_count <= 0:
            # Nothing is known to read: full only when the reading ended well (a document
            # cancelled before its first page shows an empty bar, not a full one).
            return 1.0 if self.status is JobStatus.DONE else 0.0
        done = len(self.pages_done) + len(self.failed) + 0.5 * sum(1 for p in self.live.values() if p.deltas)
        return min(1.0, done / self.page_count)

    def live_texts(self) -> dict[int, str]:
        """The pages being read and their text so far."""
        return {index: page.text for index, page in self.live.items()}


def row_from_record(job: JobRecord, pages: Sequence[PageRecord]) -> JobRow:
    """A queue row for a job read back from the store (after a restart, or from the history):
    its page rows only, never its text, regions or figures."""
    # A job that was running when the app stopped is queued again by resume_unfinished.
    status = JobStatus.QUEUED if job.status in (JobStatus.RUNNING, JobStatus.PAUSED) else job.status
    done = [p for p in pages if p.status is PageStatus.DONE]
    row = JobRow(
        job_id=job.id,
        name=job.name,
        page_count=len(job.page_indices) or (job.page_count or 0),
        source=job.source,
        status=status,
        message=job.error,
        backend=job.options.backend,
        failed={p.page_index: p.error for p in pages if p.status is PageStatus.FAILED},
    )
    for page in done:
        row.page_done(page.page_index, page.stats)
    if done:
        row.backend = done[-1].backend
    return row


@dataclass
class DocumentState:
    """One document's pages as the reading view shows them; its row says which pages are being
    read (and their text so far) and which failed."""

    row: JobRow
    page_count: int = 0  # pages of the document (the row counts the pages chosen to be read)
    source: str = ""  # as the store has it (what the page renderer opens)
    name: str = ""
    dpi: int = 150
    max_pixels: int = 0
    filled: bool = False  # its stored pages came back from the store
    #: The shown text of each page not being read: the model's, the user's as typed, or what a
    #: page that failed or was cancelled had streamed.
    texts: dict[int, str] = field(default_factory=dict)
    results: dict[int, PageResult] = field(default_factory=dict)  # finished pages (edits applied)
    originals: dict[int, str] = field(default_factory=dict)  # page -> the model's text (Revert page)
    regions: dict[int, tuple[RegionResult, ...]] = field(default_factory=dict)  # layout regions
    reading: dict[int, int] = field(default_factory=dict)  # page -> the region being read now
    #: Pages an event started, finished or failed since the document was opened: newer than
    #: the store's copy, whatever became of them (a page started and then cancelled with its
    #: job is pending in the store, though a read made before it started still had it done).
    touched: set[int] = field(default_factory=set)

    @property
    def job_id(self) -> str:
        return self.row.job_id

    @property
    def live(self) -> set[int]:
        return set(self.row.live)

    @property
    def failed(self) -> dict[int, str]:
        return self.row.failed

    def text(self, page_index: int) -> str:
        page = self.row.live.get(page_index)
        return page.text if page is not None else self.texts.get(page_index, "")

    def known(self) -> set[int]:
        """The pages that have text to show."""
        return set(self.texts) | set(self.row.live)

    def fill(self, result: DocumentResult, originals: dict[int, str], dpi: int, max_pixels: int) -> None:
        """The stored pages, under what the events said since the document was opened: a page
        being read, failed or finished meanwhile keeps what the events said of it.
        ``originals``: the model's text of the edited pages."""
        self.page_count = self.page_count or result.page_count
        self.source, self.name, self.dpi, self.max_pixels = result.source, result.name, dpi, max_pixels
        for page in result.pages:
            index = page.page_index
            if index in self.touched or index in self.row.live or index in self.row.failed:
                continue
            self.texts[index] = page.text
            self.results[index] = page
            self.regions[index] = page.regions
            if FLAG_EDITED not in page.flags:
                self.originals[index] = page.text
            elif index in originals:
                self.originals[index] = originals[index]
        self.filled = True


class JobStates(QObject):
    """Every job's row and the opened documents' pages; :meth:`apply` an event, views follow."""

    row_changed = Signal(str)  # job_id: what its row shows changed (not for streamed text)
    updated = Signal(object)  # the event just applied (a pipeline event or a TextFrame)

    def __init__(
        self, reading_backend: Callable[[], str] | None = None, parent: QObject | None = None
    ) -> None:
        """``reading_backend``: the backend a job that starts now is read with (the settings')."""
        super().__init__(parent)
        self._reading_backend = reading_backend
        self._rows: dict[str, JobRow] = {}
        self._documents: dict[str, DocumentState] = {}  # opened: shown, or being loaded

    # -- rows --------------------------------------------------------------------------------------

    def row(self, job_id: str) -> JobRow | None:
        return self._rows.get(job_id)

    def job_ids(self) -> set[str]:
        """The jobs whose rows are kept (those in the queue)."""
        return set(self._rows)

    def add_row(self, row: JobRow) -> JobRow:
        """Keep ``row`` as the job's state (a job comes on the queue)."""
        self._rows[row.job_id] = row
        return row

    def forget(self, job_id: str) -> None:
        """The job left the queue: its row and its opened document go."""
        self._rows.pop(job_id, None)
        self._documents.pop(job_id, None)

    def set_waiting(self, job_ids: Iterable[str]) -> None:
        """These failed jobs wait for the model (see ``JobRow.waiting``)."""
        for job_id in job_ids:
            row = self._rows.get(job_id)
            if row is not None and row.status is JobStatus.FAILED:
                row.waiting = True
                self.row_changed.emit(job_id)

    def retried(self, job_id: str) -> None:
        """Failed pages go back into the queue (told after the pipeline took them, off the GUI
        thread: a page of the job may have started already, and then it stays running)."""
        row = self._rows.get(job_id)
        if row is None:
            return
        row.failed.clear()
        row.waiting = False
        if row.status is not JobStatus.RUNNING:
            row.status, row.message = JobStatus.QUEUED, ""
        self.row_changed.emit(job_id)

    # -- documents ---------------------------------------------------------------------------------

    def open(self, job_id: str) -> DocumentState | None:
        """Keep the document's pages from now on (None: the job has no row); ``fill`` brings
        the stored ones."""
        document = self._documents.get(job_id)
        if document is None and (row := self._rows.get(job_id)) is not None:
            document = self._documents[job_id] = DocumentState(row)
        return document

    def document(self, job_id: str | None) -> DocumentState | None:
        return self._documents.get(job_id) if job_id is not None else None

    def close(self, job_id: str | None) -> None:
        """The document is no longer shown or loaded: its pages are not kept any more."""
        if job_id is not None:
            self._documents.pop(job_id, None)

    def keep_documents(self, job_ids: Iterable[str | None]) -> None:
        """Only these documents are shown or being loaded: the pages of the others are not kept
        (so that a long session holds one or two documents' pages, never every one looked at)."""
        kept = set(job_ids)
        for other in [j for j in self._documents if j not in kept]:
            del self._documents[other]

    def open_documents(self) -> set[str]:
        """The documents whose pages are kept (shown, or being loaded)."""
        return set(self._documents)

    # -- events ------------------------------------------------------------------------------------

    def apply(self, event: object) -> None:
        """Change what ``event`` says (one place), then tell the views."""
        job_id: str | None = getattr(event, "job_id", None)
        row = self._rows.get(job_id) if job_id is not None else None
        document = self._documents.get(job_id) if job_id is not None else None
        match event:
            case JobStarted(_job_id, page_count, page_indices, pending):
                # The pages to read are not done, whatever was known of them: a job started
                # again to re-read pages (the lite engine's, with GLM-OCR) has them pending.
                if document is not None:
                    document.page_count = page_count or document.page_count
                    document.touched.update(pending)
                    for index in pending:
                        document.results.pop(index, None)  # its text stays shown until it restarts
                if row is not None:
                    for index in pending:
                        row.read_again(index)
                    row.page_count = len(page_indices) or page_count
                    row.status = JobStatus.RUNNING
                    if self._reading_backend is not None:
                        row.backend = self._reading_backend()
            case PageStarted(_job_id, page_index):
                if document is not None:
                    document.touched.add(page_index)
                    document.texts.pop(page_index, None)
                    document.results.pop(page_index, None)
                if row is not None:
                    row.status = JobStatus.RUNNING  # also after a retry of a job that had ended
                    row.end_live(page_index)  # read again by a retry: its time so far stays counted
                    row.read_again(page_index)  # a finished page re-read: not done meanwhile
                    row.live[page_index] = LivePage(time.monotonic())
                    row.failed.pop(page_index, None)
            case PageRequeued(_job_id, page_index):
                # Put back unfinished (a switch cancelled it, the backend crashed and reloads):
                # pending again, so the row stops showing it read and its clock stops while the
                # backend loads; what it had streamed stays shown until it starts again.
                if document is not None:
                    document.touched.add(page_index)
                    document.reading.pop(page_index, None)
                if row is not None:
                    self._keep_streamed(document, row, [page_index])
                    row.end_live(page_index)
            case PagePlanned(_job_id, page_index, _layout, regions):
                if document is not None:
                    document.regions[page_index] = regions
            case RegionStarted(_job_id, page_index, order):
                if document is not None:
                    document.reading[page_index] = order
            case RegionFinished(_job_id, page_index, region):
                if document is not None and page_index in document.regions:
                    document.regions[page_index] = tuple(
                        region if r.order == region.order else r for r in document.regions[page_index]
                    )
            case TextFrame(_job_id, page_index, text, count):
                page = row.live.get(page_index) if row is not None else None
                if page is not None:
                    page.text += text
                    page.deltas += count
                self.updated.emit(event)
                return  # the queue repaints streaming rows at its own pace
            case PageFinished(_job_id, result):
                index = result.page_index
                if document is not None:
                    document.touched.add(index)
                    document.texts[index] = document.originals[index] = result.text
                    document.results[index] = result
                    document.regions[index] = result.regions
                    document.reading.pop(index, None)
                if row is not None:
                    row.page_done(index, result.stats)
                    row.live.pop(index, None)  # the others stream on
                    row.failed.pop(index, None)
                    row.backend = result.backend or row.backend
            case PageFailed(_job_id, page_index, message):
                if document is not None:
                    document.touched.add(page_index)
                if row is not None:
                    self._keep_streamed(document, row, [page_index])
                    row.failed[page_index] = message
                    row.end_live(page_index)
            case JobFinished(_job_id, status):
                self._job_ended(document, row, status, "")
            case JobFailed(_job_id, message):
                self._job_ended(document, row, JobStatus.FAILED, message)
            case _:
                return  # not about a job's state
        if row is not None:
            self.row_changed.emit(row.job_id)
        self.updated.emit(event)

    def _job_ended(
        self, document: DocumentState | None, row: JobRow | None, status: JobStatus, message: str
    ) -> None:
        """No page of the job is being read any more (done, cancelled or failed)."""
        if document is not None:
            document.reading.clear()
        if row is not None:
            self._keep_streamed(document, row, list(row.live))
            row.end_live()
            row.status, row.message = status, message

    @staticmethod
    def _keep_streamed(document: DocumentState | None, row: JobRow, pages: list[int]) -> None:
        """A page that ended without a result keeps showing what it had streamed."""
        if document is None:
            return
        for index in pages:
            if (page := row.live.get(index)) is not None:
                document.texts[index] = page.text
