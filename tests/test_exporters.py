"""Exporters: golden files for every format, file naming, never overwriting silently, and atomic
writes that leave the previous file intact when the disk is full."""

from __future__ import annotations

import dataclasses
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
    PageLines,
    PageResult,
    RegionResult,
)
from ocr_desktop.exporters import TEXT_FORMATS, ExportError, export_documents, render, render_combined
from ocr_desktop.settings import ExportSettings
from ocr_desktop.textlines import TextLine

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


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_golden_single_document(fmt: str) -> None:
    assert render(REPORT, fmt) == golden(f"report.{fmt}")


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_golden_without_page_separators(fmt: str) -> None:
    assert render(REPORT, fmt, page_separators=False) == golden(f"report-no-separators.{fmt}")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_golden_combined(fmt: str) -> None:
    assert render_combined([REPORT, FORMULA], fmt) == golden(f"combined.{fmt}")


def test_json_schema_is_documented() -> None:
    # GIVEN the JSON of a document with every kind of page
    data = json.loads(render(REPORT, "json"))
    assert data["schema_version"] == 2
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
    walk(json.loads(render_combined([FORMULA, LAYOUT], "json")))
    # THEN docs/json-schema.md describes every key it uses
    documented = set(re.findall(r"`([a-z_0-9]+)`", (DOCS / "json-schema.md").read_text(encoding="utf-8")))
    assert keys - documented == set()


def options(
    out: Path | None,
    formats: str = "md",
    *,
    combined: bool = False,
    overwrite: bool = False,
    numbered: bool = False,
) -> ExportSettings:
    return ExportSettings(
        formats=tuple(formats.split(",")),
        out_dir=str(out) if out else "",
        combined=combined,
        overwrite=overwrite,
        numbered=numbered,
    )


def test_a_rerun_leaves_up_to_date_files_alone_and_replaces_its_own_stale_ones(tmp_path: Path) -> None:
    # GIVEN a first export
    first = export_documents([REPORT], options(tmp_path, "md,txt"))
    assert first.written == [tmp_path / "report.md", tmp_path / "report.txt"] and not first.failed
    md = tmp_path / "report.md"
    inode = md.stat().st_ino
    # WHEN the same export runs again THEN nothing is rewritten and the report says so
    again = export_documents([REPORT], options(tmp_path, "md,txt"))
    assert (again.written, again.unchanged) == ([], [tmp_path / "report.md", tmp_path / "report.txt"])
    assert md.stat().st_ino == inode
    # WHEN the text changed (an edit, other settings) THEN the app's own file is replaced in place
    edited = dataclasses.replace(REPORT, pages=REPORT.pages[:1])
    changed = export_documents([edited], options(tmp_path))
    assert changed.written == [md] and md.read_text(encoding="utf-8") == render(edited, "md")
    # WHEN --overwrite is given THEN even an up-to-date file is written afresh (compared with the
    # inode it has now: the first one was freed by the replacement above and may be reused)
    before = md.stat().st_ino
    forced = export_documents([edited], options(tmp_path, overwrite=True))
    assert forced.written == [md] and md.stat().st_ino != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "report.txt", "user"]


def test_a_file_the_app_did_not_write_is_never_replaced_unasked(tmp_path: Path) -> None:
    # GIVEN an export folder that already holds someone's report.md
    (tmp_path / "report.md").write_text("my own notes")
    # WHEN the report is exported THEN that document fails with the reason and the way out ...
    report = export_documents([REPORT], options(tmp_path, "md,txt"))
    [failed] = report.failed
    assert (failed.path, failed.job_ids) == (tmp_path / "report.md", ("job-a",))
    assert (
        "report.md already exists and was not written by OCR Desktop (or was edited since)" in failed.message
    )
    assert "--overwrite" in failed.message and "--numbered" in failed.message
    # ... the other format is still written, and the notes are untouched
    assert report.written == [tmp_path / "report.txt"]
    assert (tmp_path / "report.md").read_text() == "my own notes"
    # AND an export the user edited afterwards counts as theirs
    (tmp_path / "report.txt").write_text("edited by hand")
    assert export_documents([REPORT], options(tmp_path, "txt")).failed
    # WHEN numbered copies are asked for THEN one is written, and a rerun finds it up to date
    numbered = export_documents([REPORT], options(tmp_path, numbered=True))
    assert numbered.written == [tmp_path / "report (2).md"]
    assert export_documents([REPORT], options(tmp_path, numbered=True)).unchanged == [
        tmp_path / "report (2).md"
    ]
    assert (tmp_path / "report (2).md").read_text(encoding="utf-8") == golden("report.md")
    # AND with overwrite the plain name is replaced
    assert export_documents([REPORT], options(tmp_path, overwrite=True)).written == [tmp_path / "report.md"]
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == golden("report.md")


def test_exports_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        [path] = export_documents([REPORT], options(tmp_path)).written
        assert path.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        [other] = export_documents([REPORT], options(tmp_path, "txt")).written
        assert other.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_export_combined_and_beside_the_source(tmp_path: Path) -> None:
    beside = DocumentResult("job-c", str(tmp_path / "in" / "scan.tiff"), "scan.tiff", 1, REPORT.pages[:1])
    assert export_documents([beside], options(None, "txt")).written == [tmp_path / "in" / "scan.txt"]
    report = export_documents([REPORT, FORMULA], options(tmp_path / "out", "json", combined=True))
    assert report.written == [tmp_path / "out" / "ocr-results.json"]
    assert report.outcomes[0].job_ids == ("job-a", "job-b")
    assert report.written[0].read_text(encoding="utf-8") == golden("combined.json")
    assert export_documents([], options(tmp_path, "txt")).outcomes == []


def test_non_utf8_names_are_written(tmp_path: Path) -> None:
    odd = os.fsdecode(b"r\xe9sum\xe9.pdf")
    document = DocumentResult("job-d", f"/scans/{odd}", odd, 1, REPORT.pages[:1])
    [path] = export_documents([document], options(tmp_path, "json")).written
    assert path.name == "r\ufffdsum\ufffd.json"
    assert json.loads(path.read_text(encoding="utf-8"))["document"]["source"] == "/scans/r\ufffdsum\ufffd.pdf"


def full_disk(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_failed_write_leaves_the_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an earlier export, and a disk that fills up during the next write
    out = tmp_path / "out"
    export_documents([REPORT], options(out, "txt"))
    before = (out / "report.txt").read_bytes()
    monkeypatch.setattr(files.os, "fsync", full_disk)
    # WHEN the export is written over it
    [failed] = export_documents([REPORT], options(out, "txt", overwrite=True)).failed
    # THEN the message says what happened and what to do ...
    assert "No space left on device — free space or choose another folder" in failed.message
    assert "(the earlier file of that name is unchanged)" in failed.message
    # ... the earlier file is as it was, and no temp file is left behind
    assert (out / "report.txt").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["report.txt"]


def test_a_failed_new_file_leaves_nothing_and_claims_no_earlier_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files.os, "fsync", full_disk)
    report = export_documents([REPORT, FORMULA], options(tmp_path / "out", "md"))
    # every document was tried: one failure does not stop the others
    assert [o.job_ids for o in report.failed] == [("job-a",), ("job-b",)]
    assert all("(no file was left behind)" in o.message for o in report.failed)
    assert not any("unchanged" in o.message for o in report.failed)
    assert list((tmp_path / "out").iterdir()) == []


def test_failed_write_into_a_read_only_place(tmp_path: Path) -> None:
    # A regular file where the folder should be: nothing can be created there, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    [failed] = export_documents([REPORT], options(blocker)).failed
    assert re.search(r"could not write .*not-a-folder/report.md: .* — ", failed.message)
    assert blocker.read_text() == "x"


def test_unknown_format() -> None:
    with pytest.raises(ExportError, match="unknown export format 'docx' — choose one of txt, md, json"):
        render(REPORT, "docx")


def test_no_partial_file_is_ever_visible_in_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an export whose data is all written but not yet synced (where a SIGKILL or a power cut
    # would land worst), watched from inside the sync
    out = tmp_path / "out"
    out.mkdir()
    seen: list[list[str]] = []
    real_fsync = os.fsync

    def watching_fsync(fd: int) -> None:
        if str(Path(f"/proc/self/fd/{fd}").readlink()).startswith(f"{out}/"):  # not the record
            seen.append(sorted(p.name for p in out.iterdir()))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", watching_fsync)
    # WHEN two documents are exported
    report = export_documents([REPORT, FORMULA], options(out, "md"))
    # THEN while each was written, the folder held no partial file: only the finished ones
    assert seen == [[], ["report.md"]]
    assert report.written == [out / "report.md", out / "formula.md"]


def test_without_o_tmpfile_a_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a file system without O_TMPFILE (NFS, old kernels), and a disk that fills up
    monkeypatch.delattr(files.os, "O_TMPFILE")
    monkeypatch.setattr(files.os, "fsync", full_disk)
    # WHEN a file is written THEN it fails, and the hidden temp file is gone too
    [failed] = export_documents([REPORT], options(tmp_path / "out", "txt")).failed
    assert "No space left on device" in failed.message
    assert list((tmp_path / "out").iterdir()) == []
    # AND once there is space again, the classic temp-file-and-rename writes it, with the umask's mode
    monkeypatch.undo()
    monkeypatch.delattr(files.os, "O_TMPFILE")
    [path] = export_documents([REPORT], options(tmp_path / "out", "txt")).written
    assert path.read_text(encoding="utf-8") == render(REPORT, "txt")
    assert path.stat().st_mode & 0o777 == 0o666 & ~files._umask()


def _png(color: str) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (56, 28), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _region(order: int, label: str, kind: str, task: str, text: str = "", png: bytes = b"") -> RegionResult:
    box = (10, 100 * order, 500, 100 * order + 80)
    return RegionResult(
        order, label, kind, box, (8, 57 * order, 403, 57 * order + 45), 0.9, task, text, image_png=png
    )


FIGURE_PNG = _png("navy")
LAYOUT = DocumentResult(
    job_id="job-c",
    source="/scans/paper.pdf",
    name="paper.pdf",
    page_count=1,
    pages=(
        PageResult(
            0,
            "stored assembly",
            "text",
            "llamacpp",
            "GLM-OCR-Q8_0",
            width=1232,
            height=1764,
            layout="cdla",
            lines=PageLines(
                1232,
                1764,
                (
                    TextLine(
                        (20, 30, 400, 60), ((20, 30), (400, 30), (400, 60), (20, 60)), 0.9, "Reading", 0.98
                    ),
                ),
                "PP-OCRv6 text lines",
            ),
            regions=(
                _region(0, "header", "furniture", ""),
                _region(1, "title", "text", "text", "Reading by regions"),
                _region(2, "text", "text", "text", "Columns stay apart."),
                _region(3, "table", "table", "table", "<table><tr><td>a</td><td>b</td></tr></table>"),
                _region(4, "equation", "formula", "formula", "E = mc^2"),
                _region(5, "figure", "figure", "", png=FIGURE_PNG),
                _region(6, "footer", "furniture", ""),
            ),
        ),
    ),
)


def test_layout_page_exports_assemble_regions_and_save_figures(tmp_path: Path) -> None:
    # GIVEN a page read by layout regions, one of them a figure and two skipped furniture
    # WHEN it is exported as Markdown, JSON and text
    report = export_documents([LAYOUT], options(tmp_path, "md,json,txt"))
    assert not report.failed
    markdown = (tmp_path / "paper.md").read_text(encoding="utf-8")
    # THEN the Markdown assembles the regions in reading order: title as heading, table, display
    # math, and the figure as a link to its crop, saved beside the export
    link = "paper_figures/page-1-figure-6.png"
    assert markdown.index("## Reading by regions") < markdown.index("Columns stay apart.")
    assert markdown.index("| a | b |") < markdown.index("$$\nE = mc^2\n$$") < markdown.index(f"]({link})")
    assert (tmp_path / link).read_bytes() == FIGURE_PNG
    # the JSON carries every region with its boxes, the figure's path, no text for what was not read
    data = json.loads((tmp_path / "paper.json").read_text(encoding="utf-8"))
    page = data["pages"][0]
    assert page["layout"] == {"model": "cdla", "note": ""}
    assert [r["kind"] for r in page["regions"]] == [
        "furniture",
        "text",
        "text",
        "table",
        "formula",
        "figure",
        "furniture",
    ]
    table = page["regions"][3]
    assert table["box"] == {"x1": 10, "y1": 300, "x2": 500, "y2": 380}
    assert table["box_1000"] == [8, 171, 403, 216] and table["task"] == "table"
    assert page["regions"][5]["image"] == link and page["regions"][0]["text"] is None
    assert page["text"] == markdown.split("-->", 1)[1].strip()
    # the text export assembles the same regions without markup
    text = (tmp_path / "paper.txt").read_text(encoding="utf-8")
    assert "Reading by regions" in text and "Columns stay apart." in text and "<table>" not in text
    # AND exporting again rewrites nothing
    again = export_documents([LAYOUT], options(tmp_path, "md,json,txt"))
    assert not again.written


def test_same_named_documents_in_one_export_keep_apart(tmp_path: Path) -> None:
    # GIVEN two documents whose exports share a name: paper.pdf and paper.png, both with a figure
    other_png = FIGURE_PNG + b"-other"
    region = dataclasses.replace(LAYOUT.pages[0].regions[5], image_png=other_png)
    page = dataclasses.replace(
        LAYOUT.pages[0], regions=(*LAYOUT.pages[0].regions[:5], region, *LAYOUT.pages[0].regions[6:])
    )
    other = dataclasses.replace(LAYOUT, job_id="job-png", name="paper.png", pages=(page,))
    # WHEN both are exported into one folder in one run
    report = export_documents([LAYOUT, other], options(tmp_path, "md,json"))
    # THEN neither replaced the other: the second is numbered, files and figures alike
    assert not report.failed
    assert sorted(p.name for p in report.written) == [
        "paper (2).json",
        "paper (2).md",
        "paper.json",
        "paper.md",
    ]
    assert (tmp_path / "paper_figures/page-1-figure-6.png").read_bytes() == FIGURE_PNG
    assert (tmp_path / "paper (2)_figures/page-1-figure-6.png").read_bytes() == other_png
    assert "](paper%20%282%29_figures/page-1-figure-6.png)" in (tmp_path / "paper (2).md").read_text(
        encoding="utf-8"
    )


def test_a_later_run_never_replaces_another_documents_exports(tmp_path: Path) -> None:
    # GIVEN a/paper.png exported to out/ (with its figure) by one run
    out = tmp_path / "out"
    first = dataclasses.replace(LAYOUT, job_id="job-a", source="/scans/a/paper.png", name="paper.png")
    assert export_documents([first], options(out, "md,json,txt")).written
    kept = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # WHEN b/paper.png, another document of the same name, is exported to out/ by a later run
    other_png = FIGURE_PNG + b"-b"
    region = dataclasses.replace(LAYOUT.pages[0].regions[5], image_png=other_png)
    page = dataclasses.replace(
        LAYOUT.pages[0],
        text="Another paper",
        regions=(*LAYOUT.pages[0].regions[:5], region, *LAYOUT.pages[0].regions[6:]),
    )
    second = dataclasses.replace(first, job_id="job-b", source="/scans/b/paper.png", pages=(page,))
    report = export_documents([second], options(out, "md,json,txt"))
    # THEN a's files and figure are untouched, b's are numbered, and the report says why
    assert not report.failed
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert sorted(p.name for p in report.written) == ["paper (2).json", "paper (2).md", "paper (2).txt"]
    assert (out / "paper (2)_figures/page-1-figure-6.png").read_bytes() == other_png
    assert all("another document's export" in o.note for o in report.outcomes)
    # WHEN a is exported again THEN its own files are its own: up to date, not numbered
    again = export_documents([first], options(out, "md,json,txt"))
    assert not again.written
    assert sorted(p.name for p in again.unchanged) == ["paper.json", "paper.md", "paper.txt"]
    # WHEN b is exported again THEN it finds its numbered files, up to date
    rerun = export_documents([second], options(out, "md"))
    assert sorted(p.name for p in rerun.unchanged) == ["paper (2).md"]
    # WHEN b is exported with --overwrite THEN it takes the plain name (asked for)
    forced = export_documents([second], options(out, "md", overwrite=True))
    assert forced.written == [out / "paper.md"]
    assert (out / "paper_figures/page-1-figure-6.png").read_bytes() == other_png


@pytest.mark.parametrize(
    ("stem", "shortened"),
    [
        ("x" * 251, True),  # a 255-byte name with ".png": its ".json" would be 256 bytes
        ("报" * 80, False),  # 244 bytes with ".png": fits, but its temporary file did not
    ],
    ids=["255-bytes", "244-bytes-chinese"],
)
def test_names_up_to_the_file_systems_limit_are_exported(tmp_path: Path, stem: str, shortened: bool) -> None:
    # GIVEN a document whose name is as long as the file system allows, with a figure
    name = stem + ".png"
    assert len(name.encode()) in (244, 255)
    document = dataclasses.replace(LAYOUT, source=f"/scans/{name}", name=name)
    # WHEN it is exported in every format, twice
    twice = [document, dataclasses.replace(document, job_id="job-2")]
    report = export_documents(twice, options(tmp_path, "md,json,txt"))
    # THEN every file is written: the name shortened (marked "…") only where it would not fit
    assert not report.failed, report.failed
    assert len(report.written) == 6
    for path in report.written:
        assert len(path.name.encode()) <= 255
        assert ("…" in path.name) == shortened
        assert path.name.startswith(stem[:50])
    first = report.for_job(LAYOUT.job_id)
    assert first[0].path is not None and (first[0].path.stem == stem) != shortened
    assert all(("shortened" in o.note) == shortened for o in first)
    # the JSON keeps the full name, and the figure it links is there
    [json_path] = [o.path for o in first if o.fmt == "json"]
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["document"]["name"] == name
    figure = data["pages"][0]["regions"][5]["image"]
    assert (tmp_path / figure).read_bytes() == FIGURE_PNG
