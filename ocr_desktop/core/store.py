"""The job store: every job, page and result in one SQLite file in the user data dir.

Why SQLite in WAL mode: a finished page is one short transaction, committed the moment the page
finishes, so a process killed at any point loses at most the page it was working on; readers
(the GUI's queue view) never block the writer (the pipeline).

``synchronous=FULL``: each commit is fsynced. A page takes seconds to read, so one fsync per
page costs nothing noticeable, and a finished page then survives a power cut too — pulling the
plug is a realistic way for a Jetson to stop. (NORMAL in WAL mode survives a killed process but
may lose the last commits on power loss.)

Paths are stored as BLOBs of their file-system bytes (``os.fsencode``): a file name that is not
valid UTF-8 round-trips exactly, which no TEXT encoding of SQLite does for such names. The API
speaks ``str`` (``os.fsdecode``, surrogate-escaped) as the rest of the app does.

One connection guarded by a lock serves every thread: each statement is short, and one
connection keeps ``close()`` simple. The schema and its migrations are ``core/store_schema.py``.

A page is kept as the model wrote it (``text``; a layout page's regions in ``regions``) and as
the user wrote it (``edited_text``), with its formatted result beside each (format once,
``core/page_format.py``): the exports and the window read that, never format it again.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ocr_desktop import messages, paths
from ocr_desktop.core import page_format, store_pages
from ocr_desktop.core.formatter import FORMAT_VERSION, format_page
from ocr_desktop.core.results import (
    FLAG_EDITED,
    DocumentResult,
    GenerationStats,
    PageLines,
    PageResult,
    RegionResult,
)
from ocr_desktop.core.store_pages import PAGE_COLUMNS, page_result
from ocr_desktop.core.store_rereads import RereadQueries
from ocr_desktop.core.store_rows import (
    lines_from,
    lines_json,
    region_result,
    stats_from,
    stats_values,
)
from ocr_desktop.core.store_schema import REGION_COLUMNS, SCHEMA_VERSION, migrate
from ocr_desktop.messages import Message

__all__ = [
    "SCHEMA_VERSION",
    "JobOptions",
    "JobRecord",
    "JobStatus",
    "JobStore",
    "PageRecord",
    "PageStatus",
    "RegionRecord",
    "StoreError",
    "fingerprint",
]


class StoreError(Exception):
    """The store file cannot be used; the message says which file and what to do."""


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class PageStatus(str, enum.Enum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class JobOptions:
    """What a job was asked for; part of the key that finds a previous run of the same file."""

    task: str = "text"
    pages: str = ""
    dpi: int = 150
    max_pixels: int = 2_408_448
    backend: str = "llamacpp"
    #: "layout" or "page" (reading.mode). Jobs stored before layout reading have no such key and
    #: were read whole, hence the default; ``fingerprint`` leaves it out then.
    mode: str = "page"
    #: The settings that shape a page's text besides the fields above (model files, token
    #: budget, repetition penalty; the layout model and furniture kept in layout mode), as
    #: canonical JSON ``{"settings key": value}`` (``pipeline.run.text_settings``). A job stored
    #: before they were kept has none (``fingerprint`` leaves the key out then), so a rerun does
    #: not take its text for one read with today's settings.
    text_settings: str = ""


@dataclass(frozen=True)
class JobRecord:
    id: str
    source: str  # os.fsdecode of the stored bytes
    name: str
    status: JobStatus
    position: int
    options: JobOptions
    page_count: int | None  # None until the document was pre-flighted
    page_indices: tuple[int, ...]  # pages to read (0-based), empty until pre-flighted
    created_at: float
    finished_at: float | None
    error: str
    pages_done: int
    pages_failed: int
    fingerprint: str

    @property
    def pages_pending(self) -> int:
        return len(self.page_indices) - self.pages_done - self.pages_failed


@dataclass(frozen=True)
class PageRecord:
    """One page row without its text, regions or figures: what the queue and the history show."""

    job_id: str
    page_index: int
    status: PageStatus
    attempts: int  # how many times the pipeline started reading this page
    error: str
    finished_at: float | None
    backend: str = ""
    stats: GenerationStats = field(default_factory=GenerationStats)


@dataclass(frozen=True)
class RegionRecord:
    """One region row: how often it was started and whether it is read (tests, resume)."""

    order: int
    status: str  # "pending" | "done" | "kept"
    attempts: int


_JOB_COLUMNS = (
    "j.id, j.source, j.name, j.status, j.position, j.options, j.page_count, j.page_indices, "
    "j.created_at, j.finished_at, j.error, j.error_message, j.fingerprint, "
    "(SELECT COUNT(*) FROM pages p WHERE p.job_id = j.id AND p.status = 'done'), "
    "(SELECT COUNT(*) FROM pages p WHERE p.job_id = j.id AND p.status = 'failed')"
)


def fingerprint(source: str | os.PathLike[str], options: JobOptions) -> str:
    """Key of "this file, unchanged, read with these options": absolute path, size, mtime, options.

    A file that cannot be stat'ed gets a key from its path alone; opening it fails later anyway.
    """
    path = Path(source).absolute()
    try:
        st = path.stat()
        stamp = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        stamp = "missing"
    fields = asdict(options)
    if fields["mode"] == "page":
        del fields["mode"]  # the key a store written before layout reading holds for this job
    if not fields["text_settings"]:
        del fields["text_settings"]  # the key of a job stored before these settings were kept
    key = os.fsencode(path) + b"\0" + stamp.encode() + b"\0" + json.dumps(fields, sort_keys=True).encode()
    return hashlib.sha256(key).hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


class JobStore(RereadQueries):
    """Jobs, pages and results, safe to use from several threads of one process and from
    several processes at once (the GUI and a CLI run share the file)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else paths.store_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            # check_same_thread=False: the lock below serialises every use of the connection.
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                Message(
                    "the job store {path} cannot be opened ({reason}); move it aside to start with an "
                    "empty history",
                    path=str(self.path),
                    reason=str(exc),
                )
            ) from exc

    # -- plumbing ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    Message(
                        "the job store {path} was written by a newer OCR Desktop (schema {version}, "
                        "this version knows {known}); update the app or move the file aside",
                        path=str(self.path),
                        version=version,
                        known=SCHEMA_VERSION,
                    )
                )
            migrate(db, version)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed on leaving (IMMEDIATE: take the write lock up front
        so two processes never deadlock upgrading a read lock)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- jobs ----------------------------------------------------------------------------------

    def create_job(
        self,
        source: str | os.PathLike[str],
        name: str,
        page_count: int | None,
        page_indices: Iterable[int] | None,
        options: JobOptions,
    ) -> str:
        """Add a queued job at the end of the queue. ``page_count`` may be None when the
        document has not been pre-flighted yet (see :meth:`set_job_pages`)."""
        job_id = uuid.uuid4().hex
        with self._tx() as db:
            self._insert_job(db, job_id, source, name, options)
            if page_count is not None:
                self._insert_pages(db, job_id, page_count, page_indices)
        return job_id

    def create_jobs(
        self, documents: Sequence[tuple[str | os.PathLike[str], str]], options: JobOptions
    ) -> list[JobRecord]:
        """Add not yet pre-flighted jobs for ``(source, name)`` pairs at the end of the queue, in
        one transaction (one fsync for a drop of a thousand files). Returns the rows as written,
        so the caller holds them without reading them back."""
        with self._tx() as db:
            return [
                self._insert_job(db, uuid.uuid4().hex, source, name, options) for source, name in documents
            ]

    @staticmethod
    def _insert_job(
        db: sqlite3.Connection, job_id: str, source: str | os.PathLike[str], name: str, options: JobOptions
    ) -> JobRecord:
        (position,) = db.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM jobs").fetchone()
        values = (
            job_id,
            os.fsencode(os.fspath(source)),
            # a name from a non-UTF-8 file name carries surrogates, which TEXT cannot hold
            name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
            JobStatus.QUEUED.value,
            position,
            json.dumps(asdict(options)),
            fingerprint(source, options),
            time.time(),
            os.getpid(),
        )
        db.execute(
            "INSERT INTO jobs (id, source, name, status, position, options, fingerprint, created_at, "
            "owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        # The row as job() would read it: not pre-flighted, nothing read, no error.
        return _job_record((*values[:6], None, "[]", values[7], None, "", "", values[6], 0, 0))

    def set_job_pages(self, job_id: str, page_count: int, page_indices: Iterable[int] | None) -> bool:
        """Record what pre-flight found: the document's page count and the pages to read. False
        when the job is no longer in the store (removed by another process)."""
        with self._tx() as db:
            return self._insert_pages(db, job_id, page_count, page_indices)

    @staticmethod
    def _insert_pages(
        db: sqlite3.Connection, job_id: str, page_count: int, page_indices: Iterable[int] | None
    ) -> bool:
        indices = sorted(set(range(page_count) if page_indices is None else page_indices))
        updated = db.execute(
            "UPDATE jobs SET page_count = ?, page_indices = ? WHERE id = ?",
            (page_count, json.dumps(indices), job_id),
        ).rowcount
        if not updated:
            return False
        db.executemany(
            "INSERT OR IGNORE INTO pages (job_id, page_index) VALUES (?, ?)", [(job_id, i) for i in indices]
        )
        return True

    def job(self, job_id: str) -> JobRecord | None:
        rows = self._query(f"SELECT {_JOB_COLUMNS} FROM jobs j WHERE j.id = ?", (job_id,))
        return _job_record(rows[0]) if rows else None

    def list_jobs(self, include_finished: bool = True) -> list[JobRecord]:
        """Jobs in queue order (position), finished ones included unless asked otherwise."""
        rows = self._query(f"SELECT {_JOB_COLUMNS} FROM jobs j ORDER BY j.position, j.created_at")
        jobs = [_job_record(r) for r in rows]
        return jobs if include_finished else [j for j in jobs if not j.status.finished]

    def unfinished_jobs(self) -> list[JobRecord]:
        """Jobs to resume: not finished, and not queued in another live process."""
        busy = self.jobs_owned_elsewhere()
        return [j for j in self.list_jobs(include_finished=False) if j.id not in busy]

    def jobs_owned_elsewhere(self) -> set[str]:
        """Unfinished jobs claimed by another process that is still running (a CLI run beside
        the window, say): working on them here would read their pages twice."""
        return {
            str(job_id)
            for job_id, pid in self._query("SELECT id, owner_pid FROM jobs WHERE owner_pid IS NOT NULL")
            if pid != os.getpid() and _pid_alive(int(pid))
        }

    def find_job(self, source: str | os.PathLike[str], options: JobOptions) -> JobRecord | None:
        """The newest job for this same file (path, size, mtime) read with the same options,
        unless it was cancelled or failed as a whole — those are run afresh."""
        rows = self._query(
            f"SELECT {_JOB_COLUMNS} FROM jobs j WHERE j.fingerprint = ? AND j.status NOT IN (?, ?) "
            "ORDER BY j.created_at DESC LIMIT 1",
            (fingerprint(source, options), JobStatus.CANCELLED.value, JobStatus.FAILED.value),
        )
        return _job_record(rows[0]) if rows else None

    def latest_job_of(self, source: str | os.PathLike[str]) -> JobRecord | None:
        """The newest job of this file read with any options, unless cancelled or failed as a
        whole: the one a rerun with other settings does not reuse, so it can say why."""
        given = os.fsencode(os.fspath(source))
        absolute = os.fsencode(Path(source).absolute())
        rows = self._query(
            f"SELECT {_JOB_COLUMNS} FROM jobs j WHERE j.source IN (?, ?) AND j.status NOT IN (?, ?) "
            "ORDER BY j.created_at DESC LIMIT 1",
            (given, absolute, JobStatus.CANCELLED.value, JobStatus.FAILED.value),
        )
        return _job_record(rows[0]) if rows else None

    def set_job_status(
        self, job_id: str, status: JobStatus, error: str = "", *, release: bool = False
    ) -> None:
        """Finished statuses stamp ``finished_at``. An unfinished status claims the job for this
        process (another process leaves it alone while this one lives) unless ``release``."""
        finished_at = time.time() if status.finished else None
        owner = None if status.finished or release else os.getpid()
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status = ?, error = ?, error_message = ?, finished_at = ?, owner_pid = ? "
                "WHERE id = ?",
                (status.value, error, messages.dumps(error), finished_at, owner, job_id),
            )

    def remove_job(self, job_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def move_job(self, job_id: str, position: int) -> None:
        """Put a job at ``position`` (0-based) of :meth:`list_jobs` order; the others keep theirs."""
        with self._tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM jobs ORDER BY position, created_at")]
            if job_id not in ids:
                return
            ids.remove(job_id)
            ids.insert(max(0, min(position, len(ids))), job_id)
            db.executemany("UPDATE jobs SET position = ? WHERE id = ?", list(enumerate(ids)))

    # -- pages ---------------------------------------------------------------------------------

    def pending_pages(self, job_id: str) -> list[int]:
        rows = self._query(
            "SELECT page_index FROM pages WHERE job_id = ? AND status = 'pending' ORDER BY page_index",
            (job_id,),
        )
        return [int(r[0]) for r in rows]

    def pages(self, job_id: str) -> list[PageRecord]:
        return self.page_records([job_id]).get(job_id, [])

    def page_records(self, job_ids: Sequence[str] | None = None) -> dict[str, list[PageRecord]]:
        """The page rows of ``job_ids`` (default: every job) by job, in page order, in one query
        that reads no text, region or figure (the queue restored at startup counts pages)."""
        where = f"WHERE job_id IN ({', '.join('?' * len(job_ids))}) " if job_ids is not None else ""
        rows = self._query(
            "SELECT job_id, page_index, status, attempts, error, error_message, finished_at, backend, "
            "prompt_tokens, image_tokens, completion_tokens, time_to_first_token_s, total_s, finish_reason "
            f"FROM pages {where}ORDER BY job_id, page_index",
            tuple(job_ids or ()),
        )
        records: dict[str, list[PageRecord]] = {}
        for job_id, i, status, attempts, error, message, finished_at, backend, *stats in rows:
            records.setdefault(str(job_id), []).append(
                PageRecord(
                    str(job_id),
                    int(i),
                    PageStatus(status),
                    int(attempts),
                    messages.loads(str(error), str(message)),
                    finished_at,
                    str(backend),
                    stats_from(stats),
                )
            )
        return records

    def page_started(self, job_id: str, page_index: int) -> None:
        """Count one more start of this page (committed, so a killed run shows in ``attempts``)."""
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET attempts = attempts + 1 WHERE job_id = ? AND page_index = ?",
                (job_id, page_index),
            )

    def save_page_result(self, job_id: str, result: PageResult) -> None:
        """Store a finished page with its formatted result: one transaction, committed before this
        returns. A layout page's regions are in the store already (:meth:`save_region_result`);
        they are not written here, nor are text lines stored before (the result's ``lines`` None
        keeps them). A result not formatted yet is formatted here (values built by
        hand; the pipeline commits formatted pages, ``page_format.committed``)."""
        if result.formatted is None:
            result = page_format.committed(result)
        formatted = result.formatted
        assert formatted is not None
        with self._tx() as db:
            db.execute(
                "INSERT INTO pages (job_id, page_index) VALUES (?, ?) "
                "ON CONFLICT (job_id, page_index) DO NOTHING",
                (job_id, result.page_index),
            )
            db.execute(
                "UPDATE pages SET status = 'done', text = ?, edited_text = NULL, task = ?, backend = ?, "
                "model = ?, width = ?, height = ?, prompt_tokens = ?, image_tokens = ?, "
                "completion_tokens = ?, time_to_first_token_s = ?, total_s = ?, finish_reason = ?, "
                "flags = ?, error = '', error_message = '', finished_at = ?, layout = ?, layout_note = ?, "
                "layout_note_message = ?, text_lines = COALESCE(?, text_lines), markdown = ?, plain = ?, "
                "edited_markdown = NULL, edited_plain = NULL, format_version = ? "
                "WHERE job_id = ? AND page_index = ?",
                (
                    result.model_text or result.text,
                    result.task,
                    result.backend,
                    result.model,
                    result.width,
                    result.height,
                    *stats_values(result.stats),
                    json.dumps(sorted(result.flags - {FLAG_EDITED})),
                    time.time(),
                    result.layout,
                    result.layout_note,
                    messages.dumps(result.layout_note),
                    lines_json(result.lines),
                    formatted.markdown,
                    formatted.text,
                    FORMAT_VERSION,
                    job_id,
                    result.page_index,
                ),
            )

    def save_page_lines(self, job_id: str, page_index: int, lines: PageLines) -> None:
        """Keep the text lines found on a page (replacing any found before), done or not: the
        layout stage stores them before the page is read, an export after."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO pages (job_id, page_index) VALUES (?, ?) "
                "ON CONFLICT (job_id, page_index) DO NOTHING",
                (job_id, page_index),
            )
            db.execute(
                "UPDATE pages SET text_lines = ? WHERE job_id = ? AND page_index = ?",
                (lines_json(lines), job_id, page_index),
            )

    def page_lines(self, job_id: str, page_index: int) -> PageLines | None:
        """The text lines stored for a page; None when they were never detected."""
        rows = self._query(
            "SELECT text_lines FROM pages WHERE job_id = ? AND page_index = ?", (job_id, page_index)
        )
        return lines_from(rows[0][0]) if rows else None

    # -- regions (layout reading) --------------------------------------------------------------

    def save_page_plan(
        self, job_id: str, page_index: int, layout: str, regions: Sequence[RegionResult]
    ) -> None:
        """Record a page's layout plan once, in one transaction: every region, those to read
        pending, figures (with their crop) and skipped furniture kept. A page with a plan is
        read by it from then on (:meth:`page_regions`), so a resumed run reads the same regions."""
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET layout = ? WHERE job_id = ? AND page_index = ?",
                (layout, job_id, page_index),
            )
            db.executemany(
                "INSERT OR IGNORE INTO regions (job_id, page_index, region_order, label, kind, box, "
                "box_1000, score, task, status, image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        page_index,
                        r.order,
                        r.label,
                        r.kind,
                        json.dumps(r.box),
                        json.dumps(r.box_1000),
                        r.score,
                        r.task,
                        "pending" if r.task else "kept",
                        r.image_png or None,
                    )
                    for r in regions
                ],
            )

    def page_regions(self, job_id: str, page_index: int) -> tuple[str, tuple[RegionResult, ...]] | None:
        """The page's plan: the layout model it was made with and its regions (with the text of
        those read so far); None when the page has no plan yet."""
        rows = self._query(
            f"SELECT {REGION_COLUMNS} FROM regions WHERE job_id = ? AND page_index = ? ORDER BY region_order",
            (job_id, page_index),
        )
        if not rows:
            return None
        layout = self._query(
            "SELECT layout FROM pages WHERE job_id = ? AND page_index = ?", (job_id, page_index)
        )
        return (str(layout[0][0]) if layout else ""), tuple(region_result(r[1:]) for r in rows)

    def region_records(self, job_id: str, page_index: int) -> list[RegionRecord]:
        rows = self._query(
            "SELECT region_order, status, attempts FROM regions WHERE job_id = ? AND page_index = ? "
            "ORDER BY region_order",
            (job_id, page_index),
        )
        return [RegionRecord(int(o), str(s), int(a)) for o, s, a in rows]

    def region_started(self, job_id: str, page_index: int, order: int) -> None:
        """Count one more start of a region (committed: a killed run shows in its attempts)."""
        with self._tx() as db:
            db.execute(
                "UPDATE regions SET attempts = attempts + 1 "
                "WHERE job_id = ? AND page_index = ? AND region_order = ?",
                (job_id, page_index, order),
            )

    def save_region_result(self, job_id: str, page_index: int, region: RegionResult) -> None:
        """Store a region the moment it is read: one transaction, committed before this returns."""
        with self._tx() as db:
            db.execute(
                "UPDATE regions SET status = 'done', text = ?, prompt_tokens = ?, image_tokens = ?, "
                "completion_tokens = ?, time_to_first_token_s = ?, total_s = ?, finish_reason = ?, "
                "flags = ?, finished_at = ? WHERE job_id = ? AND page_index = ? AND region_order = ?",
                (
                    region.text,
                    *stats_values(region.stats),
                    json.dumps(sorted(region.flags)),
                    time.time(),
                    job_id,
                    page_index,
                    region.order,
                ),
            )

    def mark_page_failed(self, job_id: str, page_index: int, message: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = 'failed', error = ?, error_message = ?, finished_at = ? "
                "WHERE job_id = ? AND page_index = ?",
                (message, messages.dumps(message), time.time(), job_id, page_index),
            )

    def reset_failed_pages(self, job_id: str) -> list[int]:
        """Make failed pages pending again (for a retry); returns their indices."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT page_index FROM pages WHERE job_id = ? AND status = 'failed' ORDER BY page_index",
                (job_id,),
            ).fetchall()
            db.execute(
                "UPDATE pages SET status = 'pending', error = '', error_message = '', finished_at = NULL "
                "WHERE job_id = ? AND status = 'failed'",
                (job_id,),
            )
        return [int(r[0]) for r in rows]

    def set_page_text(self, job_id: str, page_index: int, text: str) -> None:
        """Keep a user's edit, formatted, beside what the model wrote (which is never
        overwritten); an edit back to the page's original text is no edit."""
        with self._tx() as db:
            found = store_pages.original(db, job_id, page_index)
            if found is None:
                raise StoreError(
                    Message("page {page} of job {job} has no result to edit", page=page_index + 1, job=job_id)
                )
            before, _formatted, task = found
            if text == before:
                db.execute(
                    "UPDATE pages SET edited_text = NULL, edited_markdown = NULL, edited_plain = NULL "
                    "WHERE job_id = ? AND page_index = ?",
                    (job_id, page_index),
                )
                return
            edit = format_page(text, task)
            db.execute(
                "UPDATE pages SET edited_text = ?, edited_markdown = ?, edited_plain = ? "
                "WHERE job_id = ? AND page_index = ?",
                (text, edit.markdown, edit.text, job_id, page_index),
            )

    def document_result(self, job_id: str) -> DocumentResult:
        """The job's finished pages (as the user edited them, with their formatted result) and
        failed pages. A page formatted by another formatter version is formatted again, and that
        result kept."""
        job = self.job(job_id)
        if job is None:
            raise StoreError(Message("job {job} is not in the store (was it removed?)", job=job_id))
        rows = self._query(
            f"SELECT {PAGE_COLUMNS} FROM pages WHERE job_id = ? ORDER BY page_index", (job_id,)
        )
        regions: dict[int, list[RegionResult]] = {}
        for region_row in self._query(
            f"SELECT {REGION_COLUMNS} FROM regions WHERE job_id = ? ORDER BY page_index, region_order",
            (job_id,),
        ):
            regions.setdefault(int(region_row[0]), []).append(region_result(region_row[1:]))
        pages: list[PageResult] = []
        failed: dict[int, str] = {}
        formatted_now: list[PageResult] = []
        for row in rows:
            index, status, err, err_message = int(row[0]), str(row[1]), str(row[16]), str(row[17])
            if status == PageStatus.FAILED.value:
                failed[index] = messages.loads(err, err_message)
            if status != PageStatus.DONE.value:
                continue
            page, fresh = page_result(row, tuple(regions.get(index, ())))
            pages.append(page)
            if not fresh:
                formatted_now.append(page)
        if formatted_now:
            self._keep_formatted(job_id, formatted_now)
        return DocumentResult(
            job_id=job.id,
            source=job.source,
            name=job.name,
            page_count=job.page_count or 0,
            pages=tuple(pages),
            failed=failed,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )

    def _keep_formatted(self, job_id: str, pages: Sequence[PageResult]) -> None:
        """Store the results of pages formatted again when read (a store of an older version)."""
        with self._tx() as db:
            for page in pages:
                model = page_format.committed(
                    dataclasses.replace(page, text=page.model_text, flags=page.flags - {FLAG_EDITED})
                ).formatted
                assert model is not None and page.formatted is not None
                edit = page.formatted if FLAG_EDITED in page.flags else None
                db.execute(
                    "UPDATE pages SET markdown = ?, plain = ?, edited_markdown = ?, edited_plain = ?, "
                    "format_version = ? WHERE job_id = ? AND page_index = ?",
                    (
                        model.markdown,
                        model.text,
                        edit.markdown if edit else None,
                        edit.text if edit else None,
                        FORMAT_VERSION,
                        job_id,
                        page.page_index,
                    ),
                )

    def original_text(self, job_id: str, page_index: int) -> str | None:
        """A page's text before any user edit (Revert page puts it back): the model's answer, or
        a layout page's Markdown assembled from its regions."""
        with self._tx() as db:
            found = store_pages.original(db, job_id, page_index)
        return found[0] if found is not None else None

    def region_counts(self, job_id: str) -> tuple[int, int]:
        """Regions read (or kept) and regions planned over the job's pages, in one query (the
        server's job progress)."""
        rows = self._query(
            "SELECT COALESCE(SUM(status != 'pending'), 0), COUNT(*) FROM regions WHERE job_id = ?", (job_id,)
        )
        return int(rows[0][0]), int(rows[0][1])


def _job_record(row: tuple[Any, ...]) -> JobRecord:
    (
        job_id,
        source,
        name,
        status,
        position,
        options,
        count,
        indices,
        created,
        finished,
        error,
        error_message,
        fp,
        done,
        failed,
    ) = row
    return JobRecord(
        id=str(job_id),
        source=os.fsdecode(bytes(source)),
        name=str(name),
        status=JobStatus(status),
        position=int(position),
        options=JobOptions(**json.loads(str(options))),
        page_count=None if count is None else int(count),
        page_indices=tuple(json.loads(str(indices))),
        created_at=float(created),
        finished_at=None if finished is None else float(finished),
        error=messages.loads(str(error), str(error_message)),
        pages_done=int(done),
        pages_failed=int(failed),
        fingerprint=str(fp),
    )
