"""``ocr-desktop`` as a person runs it: real subprocesses, the real llama.cpp backend with the
generated test model, real PDFs, and the job store read back to prove what happened."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocr_desktop import paths, settings
from ocr_desktop.core.store import JobStatus, JobStore, PageStatus
from tests.fixtures.files import make_pdf

#: The smallest page GLM-OCR takes keeps the tiny model's pages quick (a few seconds on 2 busy
#: cores); it is still a real render, image encode and decode.
FAST = ("--max-pixels", "25088", "--dpi", "50")


def ocr_desktop(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ocr_desktop`` with the test's XDG folders (inherited from the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "ocr_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ocr_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def wait_for_pages_done(count: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Poll the store (as the GUI would, while the CLI writes) until ``count`` pages are done.

    A bare connection polled every 5 ms: the tiny model reads a page in ~50 ms on an idle
    machine, and the kill that follows must land before the job ends."""
    deadline = time.monotonic() + timeout
    db: sqlite3.Connection | None = None
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"ocr-desktop ended early:\n{proc.communicate()}"
            if db is None and paths.store_file().exists():
                db = sqlite3.connect(paths.store_file(), timeout=10)
            if db is not None:
                try:
                    (done,) = db.execute("SELECT COUNT(*) FROM pages WHERE status = 'done'").fetchone()
                except sqlite3.OperationalError:  # the schema is being created
                    done = 0
                if done >= count:
                    return
            time.sleep(0.005)
    finally:
        if db is not None:
            db.close()
    raise AssertionError(f"{count} pages were not done within {timeout} s")


def only_job(store: JobStore):  # type: ignore[no-untyped-def]
    (job,) = store.list_jobs()
    return job


@pytest.fixture
def real_backend(llamacpp_settings: settings.Settings) -> settings.Settings:
    """Write a settings file selecting llama.cpp with the generated GLM-OCR test model. The random
    model rarely ends a page by itself, so pages stop at a small max_tokens."""
    configured = llamacpp_settings.with_value("generation.max_tokens", 16)
    settings.save(configured)
    return configured


@pytest.mark.llamacpp
def test_ocr_reads_a_pdf_and_writes_every_format(
    real_backend: settings.Settings, sample_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    proc = ocr_desktop("ocr", str(sample_pdf), *FAST, "--format", "txt,md,json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "OCR summary" in proc.stdout
    assert "sample.pdf" in proc.stdout and "3/3" in proc.stdout
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".md", ".txt"]
    store = JobStore()
    job = only_job(store)
    assert (job.status, job.pages_done) == (JobStatus.DONE, 3)
    assert all(p.attempts == 1 for p in store.pages(job.id))
    exported = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert "glm-ocr-test" in json.dumps(exported)  # the model that read the pages is recorded
    store.close()


@pytest.mark.llamacpp
def test_a_killed_run_resumes_without_redoing_or_losing_a_page(
    real_backend: settings.Settings, tmp_path: Path
) -> None:
    # GIVEN an 8-page PDF being read by a real `ocr-desktop ocr` process
    pdf = make_pdf(tmp_path / "book.pdf", 8)
    proc = start("ocr", str(pdf), *FAST, "--format", "txt")
    # WHEN the process is killed with SIGKILL once two pages are done
    wait_for_pages_done(2, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store = JobStore()
    job = only_job(store)
    before = {p.page_index: p for p in store.pages(job.id) if p.status is PageStatus.DONE}
    texts_before = {p.page_index: p.text for p in store.document_result(job.id).pages}
    store.close()
    assert 2 <= len(before) < 8, "the kill must land mid-job"
    assert not (tmp_path / "book.txt").exists() and not list(tmp_path.glob("book*.txt"))
    # AND the same command is run again
    again = ocr_desktop("ocr", str(pdf), *FAST, "--format", "txt")
    assert again.returncode == 0, again.stderr
    # THEN the same job completed: every page done, none lost ...
    store = JobStore()
    resumed = only_job(store)
    assert resumed.id == job.id
    assert (resumed.status, resumed.pages_done, resumed.pages_failed) == (JobStatus.DONE, 8, 0)
    pages = {p.page_index: p for p in store.pages(job.id)}
    # ... no page finished before the kill was read again (same commit time, one start) ...
    for index, page in before.items():
        assert pages[index].attempts == 1
        assert pages[index].finished_at == page.finished_at
    texts_after = {p.page_index: p.text for p in store.document_result(job.id).pages}
    assert {i: texts_after[i] for i in before} == texts_before
    # ... and at most the one page in flight at the kill was started twice.
    assert sum(p.attempts for p in pages.values()) <= 8 + 1
    exported = list(tmp_path.glob("book*.txt"))
    assert len(exported) == 1
    store.close()


@pytest.mark.llamacpp
def test_ctrl_c_stops_cleanly_with_status_130_and_keeps_finished_pages(
    real_backend: settings.Settings, tmp_path: Path
) -> None:
    # 20 pages: the tiny model reads one in ~40 ms, and Ctrl-C must land well before the end
    pdf = make_pdf(tmp_path / "book.pdf", 20)
    proc = start("ocr", str(pdf), *FAST, "--format", "txt")
    wait_for_pages_done(1, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "run the same command again to continue" in stderr
    store = JobStore()
    job = only_job(store)
    assert 1 <= job.pages_done < 20
    assert job.status is JobStatus.QUEUED  # released for the next run, not left "running"
    store.close()


@pytest.mark.llamacpp
def test_a_second_run_reuses_the_results_to_export_another_format(
    real_backend: settings.Settings, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "letter.pdf", 2)
    out = tmp_path / "out"
    assert ocr_desktop("ocr", str(pdf), *FAST, "--format", "txt", "--out", str(out)).returncode == 0
    again = ocr_desktop("ocr", str(pdf), *FAST, "--format", "md", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "earlier run" in again.stdout
    assert "loading" not in again.stderr  # the model was not even loaded
    store = JobStore()
    job = only_job(store)
    assert [p.attempts for p in store.pages(job.id)] == [1, 1]
    store.close()
    assert sorted(p.suffix for p in out.iterdir()) == [".md", ".txt"]
    # --combined writes one file for all documents, still from the stored results
    combined = ocr_desktop("ocr", str(pdf), *FAST, "--format", "json", "--out", str(out), "--combined")
    assert combined.returncode == 0, combined.stderr
    assert (out / "ocr-results.json").is_file()
    # --no-resume reads the document afresh as a new job
    fresh = ocr_desktop("ocr", str(pdf), *FAST, "--format", "md", "--out", str(out), "--no-resume")
    assert fresh.returncode == 0, fresh.stderr
    store = JobStore()
    assert len(store.list_jobs()) == 2
    store.close()


@pytest.mark.llamacpp
def test_failures_are_listed_and_the_status_is_1(real_backend: settings.Settings, tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "docs" / "good.pdf", 1)
    (tmp_path / "docs" / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a PDF\n")
    proc = ocr_desktop("ocr", str(good.parent), str(tmp_path / "missing.pdf"), *FAST, "--format", "txt")
    assert proc.returncode == 1
    assert "2 failure(s)" in proc.stdout
    assert "broken.pdf:" in proc.stdout
    assert "missing.pdf: missing.pdf was not found" in proc.stdout
    assert (tmp_path / "docs" / "good.txt").exists() or list((tmp_path / "docs").glob("good*.txt"))


def test_bad_flags_name_the_setting_and_exit_2(sample_pdf: Path) -> None:
    proc = ocr_desktop("ocr", str(sample_pdf), "--dpi", "10")
    assert proc.returncode == 2
    assert "documents.dpi" in proc.stderr and "minimum 50" in proc.stderr


def test_a_folder_without_documents_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = ocr_desktop("ocr", str(tmp_path / "empty"))
    assert proc.returncode == 1
    assert "no documents found" in proc.stderr


def test_missing_model_files_fail_the_job_with_the_fix(sample_pdf: Path, tmp_path: Path) -> None:
    configured = settings.Settings().with_value("llamacpp.model_path", str(tmp_path / "nowhere.gguf"))
    settings.save(configured)
    proc = ocr_desktop("ocr", str(sample_pdf), "--format", "txt")
    assert proc.returncode == 1
    assert "model file not found" in proc.stdout
    store = JobStore()
    job = only_job(store)
    assert job.status is JobStatus.FAILED
    assert store.pending_pages(job.id) == [0, 1, 2]  # nothing lost: a later run reads them
    store.close()


@pytest.mark.llamacpp
def test_doctor_reports_a_usable_default_backend(real_backend: settings.Settings) -> None:
    proc = ocr_desktop("doctor")
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.splitlines()
    assert any(line.startswith("ok  backend llama.cpp") for line in lines)
    assert any(line.startswith("ok  llama.cpp model files") for line in lines)
    assert any(line.startswith("ok  poppler pdftoppm") and "version" in line for line in lines)
    assert any("telemetry psutil" in line for line in lines)
    assert "The default backend is ready" in proc.stdout


def test_doctor_says_why_and_how_to_fix_when_the_model_is_missing(tmp_path: Path) -> None:
    configured = settings.Settings().with_value("llamacpp.model_path", str(tmp_path / "nowhere.gguf"))
    settings.save(configured)
    proc = ocr_desktop("doctor")
    assert proc.returncode == 1
    out = proc.stdout
    assert "NO  llama.cpp model files: model file not found" in out
    assert "fix: ocr-desktop models pull glm-ocr-q8_0" in out
    assert "cannot read pages yet" in out


def test_doctor_names_a_broken_settings_file() -> None:
    paths.settings_file().write_text("[documents]\ndpi = 'lots'\n", encoding="utf-8")
    proc = ocr_desktop("doctor")
    assert "NO  settings file" in proc.stdout and "documents.dpi" in proc.stdout
    assert f"delete {paths.settings_file()}" in proc.stdout


def test_help_lists_every_subcommand() -> None:
    proc = ocr_desktop("--help")
    assert proc.returncode == 0
    for command in ("ocr", "doctor", "models", "bench"):
        assert f"    {command}" in proc.stdout
    ocr_help = ocr_desktop("ocr", "--help").stdout
    for flag in (
        "--backend",
        "--task",
        "--pages",
        "--dpi",
        "--max-pixels",
        "--format",
        "--out",
        "--combined",
    ):
        assert flag in ocr_help
    assert ocr_desktop("--version").stdout.startswith("ocr-desktop ")
