"""The SQLite job store: jobs, pages, results, history, resume keys, durability settings."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ocr_desktop import paths
from ocr_desktop.core.page_format import committed
from ocr_desktop.core.results import (
    FLAG_EDITED,
    FLAG_REPETITION_LOOP,
    FLAG_TRUNCATED,
    GenerationStats,
    PageResult,
)
from ocr_desktop.core.store import (
    SCHEMA_VERSION,
    JobOptions,
    JobStatus,
    JobStore,
    PageStatus,
    StoreError,
)

OPTIONS = JobOptions(task="text", pages="", dpi=150, max_pixels=1_000_000, backend="llamacpp")


def result(index: int, text: str = "", **kw: object) -> PageResult:
    stats = GenerationStats(
        prompt_tokens=100 + index,
        image_tokens=90,
        completion_tokens=12,
        time_to_first_token_s=0.5,
        total_s=2.0,
        finish_reason="stop",
    )
    fields: dict[str, object] = {
        "page_index": index,
        "text": text or f"text of page {index + 1}",
        "task": "text",
        "backend": "llamacpp",
        "model": "glm-ocr-q8_0",
        "stats": stats,
        "width": 644,
        "height": 812,
    }
    fields.update(kw)
    return PageResult(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    s = JobStore(tmp_path / "jobs.sqlite3")
    yield s
    s.close()


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7 three pages")
    return path


def test_default_location_is_the_user_data_dir_with_wal_and_full_sync() -> None:
    store = JobStore()
    try:
        assert store.path == paths.store_file()
        assert store.path.parent == paths.data_dir()
        assert store._query("PRAGMA journal_mode")[0][0] == "wal"
        assert store._query("PRAGMA synchronous")[0][0] == 2  # FULL
        assert store._query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    finally:
        store.close()


def test_a_store_written_by_a_newer_version_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match=r"newer OCR Desktop.*move the file aside"):
        JobStore(path)


def test_a_damaged_store_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot be opened"):
        JobStore(path)


def test_create_job_and_read_it_back(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 3, [0, 2], OPTIONS)
    job = store.job(job_id)
    assert job is not None
    assert (job.source, job.name, job.status, job.options) == (
        str(doc),
        "scan.pdf",
        JobStatus.QUEUED,
        OPTIONS,
    )
    assert (job.page_count, job.page_indices, job.pages_done, job.pages_pending) == (3, (0, 2), 0, 2)
    assert store.pending_pages(job_id) == [0, 2]
    assert store.job("no-such-id") is None


def test_pages_are_known_after_preflight(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", None, None, OPTIONS)
    assert store.job(job_id).page_count is None
    assert store.pending_pages(job_id) == []
    store.set_job_pages(job_id, 4, None)
    assert store.job(job_id).page_indices == (0, 1, 2, 3)
    assert store.pending_pages(job_id) == [0, 1, 2, 3]


def test_results_round_trip_into_a_document_result(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 3, None, OPTIONS)
    flagged = result(2, flags=frozenset({FLAG_REPETITION_LOOP, FLAG_TRUNCATED}))
    store.save_page_result(job_id, flagged)
    store.save_page_result(job_id, result(0))
    store.mark_page_failed(job_id, 1, "the page image is too large")
    doc_result = store.document_result(job_id)
    # page order, every field kept, each with its formatted result (format once)
    assert doc_result.pages == (committed(result(0)), committed(flagged))
    assert doc_result.failed == {1: "the page image is too large"}
    assert (doc_result.job_id, doc_result.source, doc_result.name, doc_result.page_count) == (
        job_id,
        str(doc),
        "scan.pdf",
        3,
    )
    assert store.pending_pages(job_id) == []
    record = store.job(job_id)
    assert (record.pages_done, record.pages_failed, record.pages_pending) == (2, 1, 0)


def test_a_saved_page_survives_reopening(tmp_path: Path, doc: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    first = JobStore(path)
    job_id = first.create_job(doc, "scan.pdf", 2, None, OPTIONS)
    first.save_page_result(job_id, result(0))
    first.close()
    second = JobStore(path)
    try:
        assert second.document_result(job_id).pages == (committed(result(0)),)
        assert second.pending_pages(job_id) == [1]
    finally:
        second.close()


def test_a_committed_page_survives_a_killed_writer(tmp_path: Path, doc: Path) -> None:
    # GIVEN a process that saves a page and is then killed without closing anything
    path = tmp_path / "jobs.sqlite3"
    code = f"""
import os, signal
from ocr_desktop.core.store import JobStore, JobOptions
from ocr_desktop.core.results import PageResult
s = JobStore({str(path)!r})
job = s.create_job({str(doc)!r}, "scan.pdf", 2, None, JobOptions())
s.save_page_result(job, PageResult(0, "kept", "text", "llamacpp", "m"))
print(job, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9
    job_id = proc.stdout.strip()
    # THEN the next process sees the page
    store = JobStore(path)
    try:
        assert [p.text for p in store.document_result(job_id).pages] == ["kept"]
    finally:
        store.close()


def test_user_edits_keep_the_original_text(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 1, None, OPTIONS)
    store.save_page_result(job_id, result(0, "recognised"))
    store.set_page_text(job_id, 0, "corrected")
    (page,) = store.document_result(job_id).pages
    assert page.text == "corrected"
    assert FLAG_EDITED in page.flags
    # the recognised text is kept beside the edit (no API reads it back yet: read the row)
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        row = db.execute("SELECT text, edited_text FROM pages WHERE job_id = ?", (job_id,)).fetchone()
    assert row == ("recognised", "corrected")


def test_editing_a_page_without_a_result_is_an_error(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 1, None, OPTIONS)
    with pytest.raises(StoreError, match=r"page 1 .* has no result"):
        store.set_page_text(job_id, 0, "x")


def test_reset_failed_pages_makes_them_pending(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 3, None, OPTIONS)
    store.mark_page_failed(job_id, 0, "a")
    store.mark_page_failed(job_id, 2, "b")
    store.save_page_result(job_id, result(1))
    assert store.reset_failed_pages(job_id) == [0, 2]
    assert store.pending_pages(job_id) == [0, 2]
    assert store.document_result(job_id).failed == {}


def test_page_started_counts_attempts(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 2, None, OPTIONS)
    store.page_started(job_id, 1)
    store.page_started(job_id, 1)
    store.save_page_result(job_id, result(1))
    pages = store.pages(job_id)
    assert [(p.page_index, p.status, p.attempts) for p in pages] == [
        (0, PageStatus.PENDING, 0),
        (1, PageStatus.DONE, 2),
    ]
    assert pages[1].finished_at is not None


def test_status_history_and_unfinished_jobs(store: JobStore, doc: Path) -> None:
    a = store.create_job(doc, "a", 1, None, OPTIONS)
    b = store.create_job(doc, "b", 1, None, OPTIONS)
    c = store.create_job(doc, "c", 1, None, OPTIONS)
    store.set_job_status(a, JobStatus.DONE)
    store.set_job_status(b, JobStatus.RUNNING)
    store.set_job_status(c, JobStatus.FAILED, "cannot read it")
    assert [j.id for j in store.list_jobs()] == [a, b, c]
    assert [j.id for j in store.list_jobs(include_finished=False)] == [b]
    assert [j.id for j in store.unfinished_jobs()] == [b]
    assert store.job(a).finished_at is not None
    assert store.job(b).finished_at is None
    assert store.job(c).error == "cannot read it"


def test_a_job_running_in_another_live_process_is_not_offered_for_resume(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "a", 1, None, OPTIONS)
    store.set_job_status(job_id, JobStatus.RUNNING)
    with sqlite3.connect(store.path) as db:  # as if the parent process (alive) were running it
        db.execute("UPDATE jobs SET owner_pid = ?", (os.getppid(),))
    assert store.unfinished_jobs() == []
    with sqlite3.connect(store.path) as db:  # a dead owner: the job is free to resume
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True
        )
        db.execute("UPDATE jobs SET owner_pid = ?", (int(dead.stdout),))
    assert [j.id for j in store.unfinished_jobs()] == [job_id]


def test_move_and_remove(store: JobStore, doc: Path) -> None:
    a, b, c = (store.create_job(doc, n, 1, None, OPTIONS) for n in "abc")
    store.move_job(c, 0)
    assert [j.name for j in store.list_jobs()] == ["c", "a", "b"]
    store.move_job(c, 99)
    assert [j.name for j in store.list_jobs()] == ["a", "b", "c"]
    store.move_job(a, 1)
    assert [j.name for j in store.list_jobs()] == ["b", "a", "c"]
    store.save_page_result(b, result(0))
    store.remove_job(b)
    assert store.job(b) is None
    assert store._query("SELECT COUNT(*) FROM pages WHERE job_id = ?", (b,))[0][0] == 0


def test_find_job_keys_on_path_size_mtime_and_options(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 1, None, OPTIONS)
    assert store.find_job(doc, OPTIONS).id == job_id
    assert store.find_job(doc, JobOptions(task="table")) is None
    assert store.find_job(doc.parent / "other.pdf", OPTIONS) is None
    # a cancelled or failed job is not picked up again
    store.set_job_status(job_id, JobStatus.CANCELLED)
    assert store.find_job(doc, OPTIONS) is None
    store.set_job_status(job_id, JobStatus.DONE)
    assert store.find_job(doc, OPTIONS).id == job_id
    # a changed file is a new document
    doc.write_bytes(b"%PDF-1.7 a different, longer file")
    assert store.find_job(doc, OPTIONS) is None


def test_a_non_utf8_file_name_round_trips(store: JobStore, tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/scan-\xff\xfe.pdf"
    Path(os.fsdecode(raw)).write_bytes(b"%PDF-")
    source = os.fsdecode(raw)
    job_id = store.create_job(source, Path(source).name, 1, None, OPTIONS)
    job = store.job(job_id)
    assert os.fsencode(job.source) == raw
    assert job.name == "scan-\ufffd\ufffd.pdf"
    assert store.find_job(source, OPTIONS).id == job_id
    assert store.document_result(job_id).source == source


def test_threads_write_at_once_without_losing_a_page(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "scan.pdf", 40, None, OPTIONS)

    def save(indices: range) -> None:
        for i in indices:
            store.save_page_result(job_id, result(i))
            store.list_jobs()

    threads = [threading.Thread(target=save, args=(range(k, 40, 4),)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.document_result(job_id).pages) == 40


def test_document_result_of_a_removed_job_says_so(store: JobStore) -> None:
    with pytest.raises(StoreError, match="not in the store"):
        store.document_result("gone")


def test_a_released_job_can_be_taken_by_any_process(store: JobStore, doc: Path) -> None:
    job_id = store.create_job(doc, "a", 1, None, OPTIONS)
    with sqlite3.connect(store.path) as db:  # claimed by a live process other than this one
        db.execute("UPDATE jobs SET owner_pid = ?", (os.getppid(),))
    assert store.jobs_owned_elsewhere() == {job_id}
    store.set_job_status(job_id, JobStatus.QUEUED, release=True)  # as a pipeline shutting down does
    assert store.jobs_owned_elsewhere() == set()
    assert [j.id for j in store.unfinished_jobs()] == [job_id]
