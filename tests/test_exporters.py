"""Exporters: golden files for every format, file naming, never overwriting silently, and atomic
writes that leave the previous file intact when the disk is full."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import pytest

from ocr_desktop import files
from ocr_desktop.core.results import (
    FLAG_REPETITION_LOOP,
    FLAG_RETRIED,
    FLAG_TRUNCATED,
    DocumentResult,
    GenerationStats,
    PageResult,
)
from ocr_desktop.exporters import FORMATS, ExportError, export, render, render_combined

GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).parents[1] / "docs"

REPORT = DocumentResult(
    job_id="job-a",
    source="/scans/report.pdf",
    name="report.pdf",
    page_count=4,
    pages=(
        PageResult(
            0,
            "# Quarterly report\n\nSales rose by **12 %** in \\(Q_3\\).\n\n"
            "<table><thead><tr><th>Region</th><th>Sales</th></tr></thead><tbody>"
            "<tr><td>北部</td><td>1,200</td></tr><tr><td>South | East</td><td>980</td></tr>"
            "</tbody></table>\n",
            "text",
            "llamacpp",
            "GLM-OCR-Q8_0",
            GenerationStats(2800, 2772, 120, 4.5, 9.3, "stop"),
            width=1232,
            height=1764,
        ),
        PageResult(
            2,
            '<table><tr><td rowspan="2">Total</td><td>a</td></tr><tr><td>b</td></tr></table>'
            "\n\nThe same line",
            "text",
            "llamacpp",
            "GLM-OCR-Q8_0",
            GenerationStats(2800, 2772, 400, 4.0, 12.0, "loop"),
            frozenset({FLAG_REPETITION_LOOP, FLAG_RETRIED}),
            1232,
            1764,
        ),
        PageResult(
            3, "Energy: \\[ E = mc^2 \\]", "text", "llamacpp", "GLM-OCR-Q8_0", width=1232, height=1764
        ),
    ),
    failed={1: "page 2 of report.pdf could not be rendered (Syntax Error: bad stream) — re-save it"},
    created_at=1764040000.0,
    finished_at=1764040100.5,
)
FORMULA = DocumentResult(
    job_id="job-b",
    source="/scans/formula.png",
    name="formula.png",
    page_count=1,
    pages=(
        PageResult(
            0,
            "\\frac{a}{b} = c",
            "formula",
            "vllm",
            "glm-ocr",
            GenerationStats(300, 256, 16, 0.8, 1.2, "length"),
            frozenset({FLAG_TRUNCATED}),
            336,
            224,
        ),
    ),
    created_at=1764040200.0,
)


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_single_document(fmt: str) -> None:
    assert render(REPORT, fmt) == golden(f"report.{fmt}")


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_golden_without_page_separators(fmt: str) -> None:
    assert render(REPORT, fmt, page_separators=False) == golden(f"report-no-separators.{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_combined(fmt: str) -> None:
    assert render_combined([REPORT, FORMULA], fmt) == golden(f"combined.{fmt}")


def test_json_schema_is_documented() -> None:
    # GIVEN the JSON of a document with every kind of page
    data = json.loads(render(REPORT, "json"))
    assert data["schema_version"] == 1
    keys: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    walk(json.loads(render_combined([FORMULA], "json")))
    # THEN docs/json-schema.md describes every key it uses
    documented = set(re.findall(r"`([a-z_0-9]+)`", (DOCS / "json-schema.md").read_text(encoding="utf-8")))
    assert keys - documented == set()


def test_export_names_files_after_documents_and_never_overwrites(tmp_path: Path) -> None:
    # GIVEN an export folder that already holds report.md
    (tmp_path / "report.md").write_text("earlier export")
    # WHEN the report is exported twice
    first = export([REPORT], "md", tmp_path)
    second = export([REPORT], "md", tmp_path)
    # THEN numbered names are chosen and the earlier file is untouched
    assert first == [tmp_path / "report (2).md"]
    assert second == [tmp_path / "report (3).md"]
    assert (tmp_path / "report.md").read_text() == "earlier export"
    assert first[0].read_text(encoding="utf-8") == golden("report.md")
    # AND with overwrite the plain name is replaced
    assert export([REPORT], "md", tmp_path, overwrite=True) == [tmp_path / "report.md"]
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == golden("report.md")


def test_export_combined_and_beside_the_source(tmp_path: Path) -> None:
    beside = DocumentResult("job-c", str(tmp_path / "in" / "scan.tiff"), "scan.tiff", 1, REPORT.pages[:1])
    assert export([beside], "txt", None) == [tmp_path / "in" / "scan.txt"]
    paths = export([REPORT, FORMULA], "json", tmp_path / "out", combined=True)
    assert paths == [tmp_path / "out" / "ocr-results.json"]
    assert paths[0].read_text(encoding="utf-8") == golden("combined.json")
    assert export([], "txt", tmp_path) == []


def test_non_utf8_names_are_written(tmp_path: Path) -> None:
    odd = os.fsdecode(b"r\xe9sum\xe9.pdf")
    document = DocumentResult("job-d", f"/scans/{odd}", odd, 1, REPORT.pages[:1])
    [path] = export([document], "json", tmp_path)
    assert path.name == "r\ufffdsum\ufffd.json"
    assert json.loads(path.read_text(encoding="utf-8"))["document"]["source"] == "/scans/r\ufffdsum\ufffd.pdf"


def test_failed_write_leaves_the_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an earlier export, and a disk that fills up during the next write
    out = tmp_path / "out"
    export([REPORT], "txt", out)
    before = (out / "report.txt").read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full_disk)
    # WHEN the export is written over it
    with pytest.raises(ExportError) as err:
        export([REPORT], "txt", out, overwrite=True)
    # THEN the message says what happened and what to do ...
    assert "No space left on device — free space or choose another folder" in err.value.message
    # ... the earlier file is as it was, and no temp file is left behind
    assert (out / "report.txt").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["report.txt"]


def test_failed_write_into_a_read_only_place(tmp_path: Path) -> None:
    # A regular file where the folder should be: nothing can be created there, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ExportError, match=r"could not write .*not-a-folder/report.md: .* — "):
        export([REPORT], "md", blocker)
    assert blocker.read_text() == "x"


def test_unknown_format() -> None:
    with pytest.raises(ExportError, match="unknown export format 'docx' — choose one of txt, md, json"):
        render(REPORT, "docx")
