"""The server's side of the queue: documents sent over the API become jobs of the one pipeline.

A request never reads a page itself: :meth:`JobBoard.submit` stores the upload, checks it the
way a dropped file is checked (``open_document``: type, damage, decompression bombs, page count)
and queues it on the pipeline that the window or ``ocr-desktop serve`` runs, so the window's
backend, memory policy and reading mode apply and the job shows in its queue and history. The
synchronous GLM-OCR endpoints then wait for the job without holding a thread (:meth:`wait`).

Limits: at most ``max_queued_jobs`` API documents queued or reading at once (more: 429 with a
Retry-After), at most ``max_pages`` pages to read per document (more: 413). Uploads live under
``<data dir>/server-uploads/<random id>/`` with a name the server makes; the API serves only jobs
whose source lies there, never the other documents of the window's history.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ocr_desktop import exporters, paths
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.core.store import JobRecord, JobStatus, JobStore
from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.errors import DocumentError, PageRangeError
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.worker import Pipeline
from ocr_desktop.server.inputs import Refusal, safe_name
from ocr_desktop.settings import ExportSettings, Settings

log = logging.getLogger(__name__)

#: Seconds between looks at the store while a request waits for its job.
POLL_S = 0.2
#: Bytes copied at a time from an upload spooled to disk.
_COPY_CHUNK = 1024 * 1024
#: Retry-After when no API job has finished yet to estimate from.
DEFAULT_RETRY_AFTER_S = 5


def upload_root() -> Path:
    return paths.data_dir() / "server-uploads"


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 200 * 1024 * 1024
    max_pages: int = 500
    max_queued_jobs: int = 16


class JobBoard:
    """API jobs on a :class:`Pipeline` and its :class:`JobStore`; safe to use from any thread."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: JobStore,
        settings: Callable[[], Settings],
        limits: Limits,
        root: Path | None = None,
    ) -> None:
        self.pipeline = pipeline
        #: The settings the pipeline reads with now (the window's change as the user edits them).
        self.settings = settings
        self.store = store
        self.limits = limits
        self.root = (root or upload_root()).absolute()
        self._lock = threading.Lock()
        self._active: set[str] = set()  # API jobs queued or reading
        self._reserved = 0  # requests between the queue check and their submit
        self._durations: deque[float] = deque(maxlen=20)
        self._started: dict[str, float] = {}

    def sweep(self) -> int:
        """Remove the upload folders of jobs no longer in the store (removed from the window's
        history); returns how many. Run when the server starts: an upload lives as long as its
        job, which the pipeline may resume after a restart."""
        if not self.root.is_dir():
            return 0
        kept = {Path(job.source).parent for job in self.store.list_jobs()}
        removed = 0
        for folder in self.root.iterdir():
            if folder.is_dir() and not folder.is_symlink() and folder not in kept:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        if removed:
            log.info("removed %d upload folder(s) of jobs no longer in the history", removed)
        return removed

    # -- the queue bound ---------------------------------------------------------------------

    def _prune(self) -> None:
        for job_id in list(self._active):
            record = self.store.job(job_id)
            if record is None or record.status.finished:
                self._active.discard(job_id)
                started = self._started.pop(job_id, None)
                if started is not None:
                    self._durations.append(time.monotonic() - started)

    def retry_after(self) -> int:
        """Seconds a refused client should wait: about one job's time (the mean of the last
        finished ones), at least 1 and at most 60."""
        if not self._durations:
            return DEFAULT_RETRY_AFTER_S
        return max(1, min(60, round(sum(self._durations) / len(self._durations))))

    def _refuse_when_full(self, wanted: int = 1) -> None:
        """Raise 429 unless ``wanted`` more documents fit in the queue; call with the lock held."""
        self._prune()
        if len(self._active) + self._reserved + wanted > self.limits.max_queued_jobs:
            wait = self.retry_after()
            raise Refusal(
                429,
                "queue_full",
                Message(
                    "{count} documents are queued or reading, this server's limit — try again in {seconds} s",
                    count=self.limits.max_queued_jobs,
                    seconds=wait,
                ),
                retry_after=wait,
            )

    def check_room(self) -> None:
        """429 now, before a request's body is read, when the queue is already full: a full
        queue must not make the server take in (and hold in memory) uploads it will refuse.
        Reserves nothing: :meth:`submit` checks again."""
        with self._lock:
            self._refuse_when_full()

    def _reserve(self) -> None:
        with self._lock:
            self._refuse_when_full()
            self._reserved += 1

    def active_count(self) -> int:
        with self._lock:
            self._prune()
            return len(self._active)

    # -- submitting ----------------------------------------------------------------------------

    def submit(self, data: bytes | BinaryIO, filename: str | None, pages: str = "") -> str:
        """Store ``data`` (bytes, or a file to copy from: an upload spooled to disk is copied
        in pieces, never held in memory whole), check it and queue it; returns the job id.
        Blocking (disk, pdfinfo): call it from a worker thread. Raises :class:`Refusal`."""
        if isinstance(data, bytes) and len(data) > self.limits.max_body_bytes:
            raise Refusal(413, "too_large", "the document is over this server's size limit")
        self._reserve()
        folder: Path | None = None
        try:
            folder = self.root / secrets.token_hex(16)
            folder.mkdir(parents=True, mode=0o700)
            path = folder / safe_name(filename)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, _COPY_CHUNK)
                size = out.tell()
            if size == 0:
                raise Refusal(400, "empty", "the uploaded file is empty (0 bytes)")
            self._check(path, pages)
            job_id = self.pipeline.submit(path, pages=pages or None)
        except BaseException:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            with self._lock:
                self._reserved -= 1
            raise
        with self._lock:
            self._reserved -= 1
            self._active.add(job_id)
            self._started[job_id] = time.monotonic()
        return job_id

    def _check(self, path: Path, pages: str) -> None:
        """What the pipeline would find when it opens the document, found now, so the client
        gets it as its answer instead of a failed job."""
        settings = self.settings()
        try:
            document = open_document(
                path, dpi=settings.documents.dpi, max_pixels=settings.documents.max_pixels, pages=pages
            )
        except PageRangeError as exc:
            raise Refusal(400, "bad_page_range", str(exc)) from None
        except DocumentError as exc:
            raise Refusal(422, "unreadable_document", str(exc)) from None
        with contextlib.suppress(Exception):
            document.close()
        if len(document.page_indices) > self.limits.max_pages:
            raise Refusal(
                413,
                "too_many_pages",
                Message(
                    "the document has {count} pages to read, over this server's limit of {limit} — "
                    "send fewer pages (start_page_id / end_page_id) or split it",
                    count=len(document.page_indices),
                    limit=self.limits.max_pages,
                ),
            )

    # -- reading back --------------------------------------------------------------------------

    def record(self, job_id: str) -> JobRecord | None:
        """The job, if it is one sent over the API (other jobs of the store are not the API's)."""
        record = self.store.job(job_id)
        if record is None or not Path(record.source).is_relative_to(self.root):
            return None
        return record

    async def wait(self, job_id: str) -> JobRecord:
        """The job's record once it has finished; polls the store from worker threads, so the
        event loop keeps answering other requests meanwhile."""
        while True:
            record = await asyncio.to_thread(self.store.job, job_id)
            if record is None:
                raise Refusal(410, "job_removed", "the job was removed before it finished")
            if record.status.finished:
                return record
            await asyncio.sleep(POLL_S)

    def progress(self, record: JobRecord) -> dict[str, Any]:
        regions_done, regions = self.store.region_counts(record.id)
        return {
            "id": record.id,
            "name": record.name,
            "status": record.status.value,
            "page_count": record.page_count,
            "pages_total": len(record.page_indices),
            "pages_done": record.pages_done,
            "pages_failed": record.pages_failed,
            "regions_total": regions,
            "regions_done": regions_done,
            "error": record.error or None,
            "created": record.created_at,
            "finished": record.finished_at,
        }

    def result(self, job_id: str) -> DocumentResult:
        return self.store.document_result(job_id)

    def export(self, job_id: str, fmt: str) -> bytes:
        """The finished job as the app's export of ``fmt`` writes it. Text formats are rendered
        in memory; a format laid over the pages (the searchable PDF, once the exporters have it)
        is not text, so the app's own export writes it into a temporary folder to be read back."""
        document = self.result(job_id)
        try:
            # The client sent the document: the server's own path to its upload (which names the
            # user's home folder) is none of its business, the name it sent is.
            shown = dataclasses.replace(document, source=document.name)
            return exporters.render(shown, fmt).encode("utf-8")
        except exporters.ExportError:
            pass
        with tempfile.TemporaryDirectory(prefix="ocr-api-export-") as folder:
            options = ExportSettings(formats=(fmt,), out_dir=folder, overwrite=True)
            report = exporters.export_documents([document], options, save_lines=self.store.save_page_lines)
            if report.failed or not report.written:
                reasons = "; ".join(outcome.message for outcome in report.failed) or "nothing was written"
                raise Refusal(422, "export_failed", Message("the export failed: {reason}", reason=reasons))
            return report.written[0].read_bytes()

    def cancel(self, job_id: str) -> None:
        self.pipeline.cancel_job(job_id)

    def failure(self, record: JobRecord) -> Refusal | None:
        """Why a finished job has nothing to give (failed whole, or cancelled), else None."""
        if record.status == JobStatus.CANCELLED:
            return Refusal(409, "cancelled", "the job was cancelled")
        if record.status == JobStatus.FAILED and record.pages_done == 0:
            return Refusal(422, "read_failed", record.error or "no page could be read")
        return None
