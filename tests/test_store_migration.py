"""The job store migrates from schema 1 (the store written before layout reading): a store written
by that version's own code opens, keeps every result, can be exported again, and goes on."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path

import pytest

from ocr_desktop.core.results import FLAG_EDITED, FLAG_TRUNCATED, GenerationStats, PageResult, RegionResult
from ocr_desktop.core.store import SCHEMA_VERSION, JobOptions, JobStatus, JobStore, fingerprint
from ocr_desktop.exporters import export_documents
from ocr_desktop.settings import ExportSettings

OLD_STORE = Path(__file__).parent / "data" / "store_schema1.py.orig"


@pytest.fixture
def old_store_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The store module of schema 1, loaded from its source (dataclasses need it in sys.modules)."""
    module = types.ModuleType("store_schema1")
    module.__file__ = str(OLD_STORE)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(OLD_STORE.read_text(encoding="utf-8"), str(OLD_STORE), "exec"), module.__dict__)
    return module


def test_a_schema_1_store_opens_keeps_every_result_and_exports(
    old_store_module: types.ModuleType, tmp_path: Path
) -> None:
    # GIVEN a store written by the version before layout reading: a finished job (one page edited,
    # one failed) and an unfinished job with one page still pending
    path = tmp_path / "jobs.sqlite3"
    source = tmp_path / "report.pdf"
    source.write_bytes(b"%PDF-1.4 fake")
    old = old_store_module.JobStore(path)
    options = old_store_module.JobOptions(
        task="text", pages="", dpi=150, max_pixels=2_408_448, backend="llamacpp"
    )
    done = old.create_job(source, "report.pdf", 3, None, options)
    old.save_page_result(
        done,
        PageResult(
            0,
            "# Title\n\nFirst page.",
            "text",
            "llamacpp",
            "GLM-OCR-Q8_0",
            GenerationStats(900, 800, 20, 0.5, 2.0, "stop"),
            frozenset(),
            1232,
            1764,
        ),
    )
    old.save_page_result(
        done,
        PageResult(
            2,
            "Third page",
            "text",
            "llamacpp",
            "GLM-OCR-Q8_0",
            GenerationStats(900, 800, 4096, 0.5, 60.0, "length"),
            frozenset({FLAG_TRUNCATED}),
            1232,
            1764,
        ),
    )
    old.set_page_text(done, 0, "# Title\n\nFirst page, corrected.")
    old.mark_page_failed(done, 1, "page 2 could not be rendered")
    old.set_job_status(done, old_store_module.JobStatus.DONE)
    unfinished = old.create_job(source, "report.pdf", 2, None, options)
    old.save_page_result(unfinished, PageResult(0, "Only the first", "text", "vllm", "glm-ocr"))
    old.set_job_status(unfinished, old_store_module.JobStatus.QUEUED, release=True)
    before = old.document_result(done)
    old.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (1,)

    # WHEN the current code opens it
    store = JobStore(path)
    # THEN it is migrated, and every result is as it was
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    after = store.document_result(done)
    assert [(p.page_index, p.text, p.stats, p.flags, p.width) for p in after.pages] == [
        (p.page_index, p.text, p.stats, p.flags, p.width) for p in before.pages
    ]
    assert FLAG_EDITED in after.pages[0].flags and after.failed == {1: "page 2 could not be rendered"}
    assert all(p.regions == () and p.layout == "" for p in after.pages)
    # the old jobs' options read as whole-page jobs, and their keys still find them (a rerun of the
    # same file with the same options reuses the job instead of reading it again)
    record = store.job(done)
    assert record is not None and record.options == JobOptions(mode="page")
    assert fingerprint(source, record.options) == record.fingerprint
    assert store.find_job(source, JobOptions(mode="page")) is not None
    # the unfinished job resumes at its pending page
    assert [j.id for j in store.unfinished_jobs()] == [unfinished]
    assert store.pending_pages(unfinished) == [1]
    # AND the finished job exports again, with the corrected text
    report = export_documents([after], ExportSettings(formats=("md", "json"), out_dir=str(tmp_path / "out")))
    assert not report.failed and len(report.written) == 2
    assert "First page, corrected." in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    # AND the migrated store takes layout results
    store.save_page_plan(
        unfinished,
        1,
        "cdla",
        [RegionResult(0, "text", "text", (0, 0, 10, 10), (0, 0, 500, 500), 0.9, "text")],
    )
    assert store.page_regions(unfinished, 1) is not None
    store.set_job_status(unfinished, JobStatus.DONE)
    store.close()
