"""The job store migrates from schema 1 (the store written before layout reading): a store written
by that version's own code opens, keeps every result, can be exported again, and goes on."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path

import pytest

from ocr_desktop.core import formatter
from ocr_desktop.core.results import FLAG_EDITED, FLAG_TRUNCATED, GenerationStats, PageResult, RegionResult
from ocr_desktop.core.store import SCHEMA_VERSION, JobOptions, JobStatus, JobStore, fingerprint
from ocr_desktop.exporters import export_documents
from ocr_desktop.settings import ExportSettings

DATA = Path(__file__).parent / "data"


def load_old_store(monkeypatch: pytest.MonkeyPatch, schema: int) -> types.ModuleType:
    """The store module of an older schema, loaded from its source (dataclasses need it in
    sys.modules)."""
    path = DATA / f"store_schema{schema}.py.orig"
    module = types.ModuleType(f"store_schema{schema}")
    module.__file__ = str(path)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


@pytest.fixture
def old_store_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The store module of schema 1 (before layout reading)."""
    return load_old_store(monkeypatch, 1)


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


@pytest.fixture
def store3_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The store module of schema 3 (before text lines and format once)."""
    return load_old_store(monkeypatch, 3)


def test_a_schema_3_store_gets_formatted_results_and_its_layout_pages_keep_the_model_text(
    store3_module: types.ModuleType, tmp_path: Path
) -> None:
    # GIVEN a store written before "format once": a layout page (its text the worker's assembly,
    # a figure among its regions) and a whole page the user edited
    path = tmp_path / "jobs.sqlite3"
    source = tmp_path / "paper.png"
    source.write_bytes(b"not read here")
    old = store3_module.JobStore(path)
    job = old.create_job(source, "paper.png", 2, None, store3_module.JobOptions(mode="layout"))
    figure = RegionResult(
        1, "figure", "figure", (0, 50, 10, 60), (0, 500, 1000, 600), 0.9, "", image_png=b"png"
    )
    regions = [
        RegionResult(0, "title", "text", (0, 0, 10, 10), (0, 0, 1000, 100), 0.9, "text", "Results"),
        figure,
        RegionResult(2, "text", "text", (0, 70, 10, 80), (0, 700, 1000, 800), 0.9, "text", "It grew."),
    ]
    old.save_page_plan(job, 0, "cdla", regions)
    for region in (regions[0], regions[2]):
        old.save_region_result(job, 0, region)
    old.save_page_result(
        job,
        PageResult(
            0, "## Results\n\nIt grew.", "text", "llamacpp", "m", regions=tuple(regions), layout="cdla"
        ),
    )
    old.save_page_result(job, PageResult(1, "Whole page", "text", "llamacpp", "m"))
    old.set_page_text(job, 1, "Whole page, corrected")
    old.set_job_status(job, store3_module.JobStatus.DONE)
    old.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (3,)

    # WHEN the current code opens it
    store = JobStore(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    layout_page, edited_page = store.document_result(job).pages
    # THEN the layout page's stored text is what the model wrote (its regions' outputs), and its
    # text and formatted result are assembled from the regions, the figure as a placeholder
    assert layout_page.raw_text == "Results\n\nIt grew."
    assert layout_page.formatted is not None
    assert layout_page.text == layout_page.formatted.markdown
    assert layout_page.text.startswith("## Results") and "](ocr-figure:2)" in layout_page.text
    # the edited page keeps its edit, formatted
    assert edited_page.text == "Whole page, corrected" and FLAG_EDITED in edited_page.flags
    assert edited_page.formatted is not None and edited_page.formatted.text == "Whole page, corrected"
    # AND the results formatted on reading are kept (the next read formats nothing)
    rows = sqlite3.connect(path).execute("SELECT format_version, markdown IS NOT NULL FROM pages").fetchall()
    assert rows == [(formatter.FORMAT_VERSION, 1), (formatter.FORMAT_VERSION, 1)]
    # AND the export links the figure
    report = export_documents(
        [store.document_result(job)], ExportSettings(formats=("md",), out_dir=str(tmp_path))
    )
    assert not report.failed
    assert "](paper_figures/page-1-figure-2.png)" in (tmp_path / "paper.md").read_text(encoding="utf-8")
    store.close()
