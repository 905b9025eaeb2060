"""A page's text lines kept with the page: the store (schema 4), the result and the JSON export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop.core.results import DocumentResult, GenerationStats, PageLines, PageResult
from ocr_desktop.core.store import SCHEMA_VERSION, JobOptions, JobStore
from ocr_desktop.exporters import json_export
from ocr_desktop.textlines import TextLine, shared_reader
from tests.fixtures.layout import EXAMPLES

OPTIONS = JobOptions(task="text", dpi=150, max_pixels=1_000_000, backend="llamacpp", mode="layout")


def _result(index: int, lines: PageLines | None = None) -> PageResult:
    return PageResult(
        page_index=index,
        text=f"page {index + 1}",
        task="text",
        backend="llamacpp",
        model="glm-ocr",
        stats=GenerationStats(completion_tokens=3, total_s=1.0, finish_reason="stop"),
        width=596,
        height=843,
        lines=lines,
    )


@pytest.fixture(scope="module")
def code_lines() -> PageLines:
    """The real detector's lines on the SDK's ``code.png``."""
    image = Image.open(EXAMPLES / "source" / "code.png")
    reader = shared_reader()
    return PageLines(image.width, image.height, tuple(reader.detect(image)), reader.description)


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    s = JobStore(tmp_path / "jobs.sqlite3")
    yield s
    s.close()


def _job(store: JobStore, tmp_path: Path, pages: int = 2) -> str:
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.7")
    return store.create_job(source, "scan.pdf", pages, None, OPTIONS)


def test_lines_stored_before_the_page_is_read_survive_its_result(
    store: JobStore, tmp_path: Path, code_lines: PageLines
) -> None:
    # GIVEN a page whose lines the layout stage stored before reading it
    job_id = _job(store, tmp_path)
    assert len(code_lines.lines) > 10
    store.save_page_lines(job_id, 0, code_lines)
    assert store.page_lines(job_id, 0) == code_lines
    # WHEN the page's result (which carries no lines) is saved
    store.save_page_result(job_id, _result(0))
    store.save_page_result(job_id, _result(1))
    # THEN the stored lines are the page's, equal to what was detected; a page never detected has None
    pages = store.document_result(job_id).pages
    assert pages[0].lines == code_lines
    assert pages[0].lines is not None and pages[0].lines.detector.startswith("PP-OCRv6")
    assert pages[1].lines is None and store.page_lines(job_id, 1) is None
    assert store.page_lines(job_id, 7) is None


def test_lines_come_with_a_result_or_later_and_replace_older_ones(store: JobStore, tmp_path: Path) -> None:
    job_id = _job(store, tmp_path)
    recognised = PageLines(
        100,
        50,
        (TextLine((1, 2, 60, 20), ((1, 2), (60, 2), (60, 20), (1, 20)), 1.0, "Total 12", 0.97),),
        "lite",
    )
    # a result with its lines (the lite engine) stores them with the page
    store.save_page_result(job_id, _result(0, recognised))
    assert store.page_lines(job_id, 0) == recognised
    # an export detecting lines for a finished page that had none stores them afterwards
    store.save_page_result(job_id, _result(1))
    later = PageLines(596, 843, (), "PP-OCRv6")  # detected, none found: not the same as None
    store.save_page_lines(job_id, 1, later)
    assert store.document_result(job_id).pages[1].lines == later
    # and lines saved again replace the old ones
    store.save_page_lines(job_id, 0, later)
    assert store.page_lines(job_id, 0) == later


def test_a_schema_3_store_gains_the_column_and_keeps_its_pages(tmp_path: Path) -> None:
    # GIVEN a store written before text lines were kept (schema 3: no text_lines column)
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    job_id = _job(store, tmp_path)
    store.save_page_result(job_id, _result(0))
    store.close()
    db = sqlite3.connect(path)
    # (and without the formatted results of schema 5)
    for column in ("text_lines", "markdown", "plain", "edited_markdown", "edited_plain", "format_version"):
        db.execute(f"ALTER TABLE pages DROP COLUMN {column}")
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    # WHEN this version opens it
    store = JobStore(path)
    try:
        # THEN it is migrated, the page is kept without lines, and lines can be stored
        assert store._query("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 5
        assert store.document_result(job_id).pages[0].lines is None
        store.save_page_lines(job_id, 0, PageLines(10, 10))
        assert store.page_lines(job_id, 0) == PageLines(10, 10)
    finally:
        store.close()


def test_json_export_carries_each_pages_lines(code_lines: PageLines) -> None:
    document = DocumentResult(
        job_id="j",
        source="/x/code.png",
        name="code.png",
        page_count=2,
        pages=(_result(0, code_lines), _result(1)),
    )
    data = json.loads(json_export.render(document))
    lines = data["pages"][0]["lines"]
    assert lines["image"] == {"width": code_lines.width, "height": code_lines.height}
    assert len(lines["items"]) == len(code_lines.lines)
    first = code_lines.lines[0]
    assert lines["items"][0] == {
        "box": list(first.box),
        "quad": [list(p) for p in first.quad],
        "score": first.score,
    }
    assert PageLines.from_json(lines) == code_lines
    assert data["pages"][1]["lines"] is None
