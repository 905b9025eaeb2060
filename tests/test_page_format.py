"""Format once, render many: a page is formatted when it is committed and again only when the user
edits it; the .txt, .md and .json read that result. An edit never drops what the export had: a
layout page's figures stay linked unless the user deletes their line, and the figures folder
holds only crops some export links. The JSON's raw_text of a layout page is what the model wrote."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop.core import formatter, page_format
from ocr_desktop.core.results import FLAG_EDITED, PageResult, RegionResult
from ocr_desktop.core.store import JobOptions, JobStore
from ocr_desktop.exporters import export_documents
from ocr_desktop.settings import ExportSettings


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


FIGURE_PNG = _png()


def _region(order: int, label: str, kind: str, task: str, text: str = "", png: bytes = b"") -> RegionResult:
    box = (0, 100 * order, 400, 100 * order + 80)
    return RegionResult(
        order, label, kind, box, (0, 50 * order, 800, 50 * order + 40), 0.9, task, text, image_png=png
    )


REGIONS = (
    _region(0, "title", "text", "text", "Results"),
    _region(1, "text", "text", "text", "The plot shows growth."),
    _region(2, "figure", "figure", "", png=FIGURE_PNG),
    _region(3, "table", "table", "table", "<table><tr><td>a</td><td>b</td></tr></table>"),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    s = JobStore(tmp_path / "jobs.sqlite3")
    yield s
    s.close()


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the formatter's passes (each format_page / assemble_regions renders its blocks once)."""
    counted: list[int] = []
    render = formatter._render

    def counting(blocks: object) -> formatter.FormattedPage:
        counted.append(1)
        return render(blocks)  # type: ignore[arg-type]

    monkeypatch.setattr(formatter, "_render", counting)
    return counted


def commit_layout_page(store: JobStore, tmp_path: Path) -> str:
    """A layout page committed as the pipeline commits it: plan, regions read one by one, then the
    page (formatted once, ``page_format.committed``)."""
    source = tmp_path / "paper.png"
    source.write_bytes(b"not read here")
    job_id = store.create_job(source, "paper.png", 1, None, JobOptions(mode="layout"))
    store.save_page_plan(job_id, 0, "cdla", list(REGIONS))
    for region in REGIONS:
        if region.read:
            store.save_region_result(job_id, 0, region)
    page = PageResult(
        0, page_format.regions_model_text(REGIONS), "text", "llamacpp", "m", regions=REGIONS, layout="cdla"
    )
    store.save_page_result(job_id, page_format.committed(page))
    return job_id


def test_one_formatter_pass_from_commit_to_txt_md_and_json(
    store: JobStore, tmp_path: Path, passes: list[int]
) -> None:
    # GIVEN a layout page with a figure, committed
    job_id = commit_layout_page(store, tmp_path)
    # WHEN it is read back and exported as .txt, .md and .json
    report = export_documents(
        [store.document_result(job_id)],
        ExportSettings(formats=("txt", "md", "json"), out_dir=str(tmp_path / "out")),
    )
    # THEN the page was formatted once in all, when it was committed
    assert not report.failed and len(report.written) == 3
    assert len(passes) == 1
    # AND every format holds that one result: the .md and the JSON's text link the figure
    markdown = (tmp_path / "out" / "paper.md").read_text(encoding="utf-8")
    link = "paper_figures/page-1-figure-3.png"
    assert (
        markdown.index("## Results") < markdown.index("The plot shows growth.") < markdown.index(f"]({link})")
    )
    assert (tmp_path / "out" / link).read_bytes() == FIGURE_PNG
    data = json.loads((tmp_path / "out" / "paper.json").read_text(encoding="utf-8"))
    assert data["pages"][0]["text"] == markdown.split("-->", 1)[1].strip()
    text = (tmp_path / "out" / "paper.txt").read_text(encoding="utf-8")
    assert text.index("Results") < text.index("The plot shows growth.") < text.index("figure 3")
    assert "<table>" not in text and "##" not in text


def test_raw_text_of_a_layout_page_is_the_models_region_outputs(store: JobStore, tmp_path: Path) -> None:
    # GIVEN a committed layout page
    job_id = commit_layout_page(store, tmp_path)
    # WHEN it is exported as JSON
    export_documents(
        [store.document_result(job_id)], ExportSettings(formats=("json",), out_dir=str(tmp_path))
    )
    page = json.loads((tmp_path / "paper.json").read_text(encoding="utf-8"))["pages"][0]
    # THEN raw_text is what the model wrote: the read regions' outputs in reading order, no
    # heading marks, no table conversion, no figure link
    assert page["raw_text"] == (
        "Results\n\nThe plot shows growth.\n\n<table><tr><td>a</td><td>b</td></tr></table>"
    )
    assert page["text"].startswith("## Results")


def test_an_edit_keeps_the_figures_linked(store: JobStore, tmp_path: Path) -> None:
    # GIVEN a committed layout page with a figure, whose text the user corrects (the window
    # edits the page's text as the Text tab shows it)
    job_id = commit_layout_page(store, tmp_path)
    original = store.original_text(job_id, 0)
    assert original is not None
    store.set_page_text(job_id, 0, original.replace("growth", "strong growth"))
    # WHEN it is exported as Markdown
    out = tmp_path / "out"
    report = export_documents(
        [store.document_result(job_id)], ExportSettings(formats=("md",), out_dir=str(out))
    )
    # THEN the edit is there and the figure is still linked, its crop saved beside the export
    assert not report.failed
    markdown = (out / "paper.md").read_text(encoding="utf-8")
    link = "paper_figures/page-1-figure-3.png"
    assert "strong growth" in markdown and f"]({link})" in markdown
    assert (out / link).read_bytes() == FIGURE_PNG


def test_a_figure_deleted_in_the_text_is_neither_linked_nor_saved(store: JobStore, tmp_path: Path) -> None:
    # GIVEN a committed layout page whose figure line the user deleted from the text
    job_id = commit_layout_page(store, tmp_path)
    original = store.original_text(job_id, 0)
    assert original is not None
    kept = "\n".join(line for line in original.split("\n") if "figure" not in line)
    store.set_page_text(job_id, 0, kept)
    (page,) = store.document_result(job_id).pages
    assert FLAG_EDITED in page.flags
    # WHEN it is exported as Markdown only
    out = tmp_path / "md"
    export_documents([store.document_result(job_id)], ExportSettings(formats=("md",), out_dir=str(out)))
    # THEN the figure is not linked and the figures folder holds no orphan
    assert "figure" not in (out / "paper.md").read_text(encoding="utf-8")
    assert not (out / "paper_figures").exists()
    # AND a JSON export, which lists the figure region with its image, saves the crop it links
    out = tmp_path / "json"
    export_documents([store.document_result(job_id)], ExportSettings(formats=("json",), out_dir=str(out)))
    region = json.loads((out / "paper.json").read_text(encoding="utf-8"))["pages"][0]["regions"][2]
    assert (out / region["image"]).read_bytes() == FIGURE_PNG


def test_an_edit_back_to_the_original_is_no_edit_and_formats_like_the_commit(
    store: JobStore, tmp_path: Path
) -> None:
    job_id = commit_layout_page(store, tmp_path)
    (committed,) = store.document_result(job_id).pages
    original = store.original_text(job_id, 0)
    assert original == committed.text
    store.set_page_text(job_id, 0, "changed")
    store.set_page_text(job_id, 0, original)
    (page,) = store.document_result(job_id).pages
    assert FLAG_EDITED not in page.flags and page == committed
