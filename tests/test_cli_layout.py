"""``ocr-desktop ocr --mode layout`` end to end: real subprocesses, a multi-page PDF of drawn layout
pages, the shipped CDLA layout model, and both real backends (llama.cpp with the generated test
model; vLLM's CPU server on the same checkpoint). Also a SIGKILL in the middle of a page: the next
run resumes at the first unfinished region, no region read twice, none lost.

vLLM tests are heavy (a real server): run this file alone, ``-m vllm`` separately."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop import paths, settings
from ocr_desktop.core.store import JobStatus, JobStore
from tests.fixtures.layout import draw_page
from tests.fixtures.vllm import RunningVllm
from tests.test_cli import ocr_desktop, only_job, start

#: Regions are small crops: 64 image tokens at most keeps the tiny model quick on 2 cores.
FAST = ("--max-pixels", "50176", "--dpi", "100")


def layout_pdf(path: Path, pages: int) -> Path:
    """A PDF whose pages are the drawn layout page (header, title, two columns, table, formula,
    figure, footer), scanned at 150 DPI."""
    page, _parts = draw_page()
    images = [page.convert("L") for _ in range(pages)]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=150, title="Layout")
    return path


def check_layout_export(out: Path, stem: str, pages: int, backend: str) -> None:
    """Every page read by regions, with the regions' boxes; the figures saved and linked."""
    data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    assert [p["number"] for p in data["pages"]] == list(range(1, pages + 1)) and not data["failed"]
    markdown = (out / f"{stem}.md").read_text(encoding="utf-8")
    for page in data["pages"]:
        assert page["backend"] == backend and page["layout"] == {"model": "cdla", "note": ""}
        kinds = [r["kind"] for r in page["regions"]]
        assert {"text", "table", "formula", "figure", "furniture"} <= set(kinds)
        tasks = {r["kind"]: r["task"] for r in page["regions"]}
        assert (tasks["table"], tasks["formula"], tasks["furniture"], tasks["figure"]) == (
            "table",
            "formula",
            None,
            None,
        )
        (figure,) = [r for r in page["regions"] if r["kind"] == "figure"]
        assert f"]({figure['image']})" in markdown
        with Image.open(out / figure["image"]) as crop:
            assert crop.width > crop.height  # the drawn figure is wide
        for region in page["regions"]:
            assert 0 <= region["box_1000"][0] < region["box_1000"][2] <= 1000


@pytest.fixture
def llamacpp_layout(llamacpp_settings: settings.Settings) -> settings.Settings:
    configured = llamacpp_settings.with_value("generation.max_tokens", 16).with_value(
        "reading.layout_model", "cdla"
    )  # 16 tokens: the random model rarely stops by itself
    settings.save(configured)
    return configured


@pytest.mark.llamacpp
def test_ocr_layout_mode_reads_a_multi_page_pdf_with_llamacpp(
    llamacpp_layout: settings.Settings, tmp_path: Path
) -> None:
    pdf = layout_pdf(tmp_path / "paper.pdf", 2)
    out = tmp_path / "out"
    proc = ocr_desktop("ocr", str(pdf), "--mode", "layout", *FAST, "--format", "md,json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "2/2" in proc.stdout
    assert "Layout model: CDLA" in proc.stdout and "2 page(s) read by regions" in proc.stdout
    # rapid-layout's own coloured log lines go to the app's log, not the terminal
    assert "rapid_layout" not in proc.stdout + proc.stderr
    check_layout_export(out, "paper", 2, "llamacpp")
    store = JobStore()
    job = only_job(store)
    assert job.options.mode == "layout"
    for index in range(2):
        records = store.region_records(job.id, index)
        assert all(r.attempts == 1 for r in records if r.status == "done")
        assert {r.status for r in records} == {"done", "kept"}
    store.close()


def wait_for_regions_done(count: int, proc, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    """Poll the store until ``count`` regions of page 1 are done while page 1 is not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"ocr-desktop ended early:\n{proc.communicate()}"
        if paths.store_file().exists():
            db = sqlite3.connect(paths.store_file(), timeout=10)
            try:
                (done,) = db.execute(
                    "SELECT COUNT(*) FROM regions WHERE page_index = 0 AND status = 'done'"
                ).fetchone()
            except sqlite3.OperationalError:  # the schema is being created
                done = 0
            finally:
                db.close()
            if done >= count:
                return
        time.sleep(0.005)
    raise AssertionError(f"{count} regions were not done within {timeout} s")


@pytest.mark.llamacpp
def test_a_run_killed_mid_page_resumes_at_the_first_unfinished_region(
    llamacpp_layout: settings.Settings, tmp_path: Path
) -> None:
    # GIVEN a layout-mode run on a 2-page PDF, each region reading up to 64 tokens
    settings.save(llamacpp_layout.with_value("generation.max_tokens", 64))
    pdf = layout_pdf(tmp_path / "paper.pdf", 2)
    proc = start("ocr", str(pdf), "--mode", "layout", *FAST, "--format", "json")
    # WHEN it is killed with SIGKILL once 3 regions of page 1 are done
    wait_for_regions_done(3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store = JobStore()
    job = only_job(store)
    page = store.pages(job.id)[0]
    before = {r.order: r for r in store.region_records(job.id, 0) if r.status == "done"}
    planned = store.page_regions(job.id, 0)
    assert planned is not None
    texts_before = {r.order: r.text for r in planned[1] if r.order in before}
    store.close()
    assert page.status.value == "pending", "the kill must land mid-page"
    assert len(before) >= 3
    # AND the same command is run again
    again = ocr_desktop("ocr", str(pdf), "--mode", "layout", *FAST, "--format", "json")
    assert again.returncode == 0, again.stderr
    # THEN the job completed: every page done, every region read ...
    store = JobStore()
    resumed = only_job(store)
    assert resumed.id == job.id
    assert (resumed.status, resumed.pages_done, resumed.pages_failed) == (JobStatus.DONE, 2, 0)
    after = store.region_records(job.id, 0)
    assert {r.status for r in after} == {"done", "kept"}
    # ... no region finished before the kill was read again, nor its text changed ...
    for order in before:
        assert next(r for r in after if r.order == order).attempts == 1
    planned_after = store.page_regions(job.id, 0)
    assert planned_after is not None
    assert {r.order: r.text for r in planned_after[1] if r.order in before} == texts_before
    # ... the plan was not made again (same regions) and at most the region in flight was started twice
    assert [r.order for r in planned_after[1]] == [r.order for r in planned[1]]
    assert sum(r.attempts for r in after) <= sum(1 for r in after if r.status == "done") + 1
    assert json.loads((tmp_path / "paper.json").read_text(encoding="utf-8"))["pages"][0]["regions"]
    store.close()


@pytest.mark.vllm
def test_ocr_layout_mode_reads_a_multi_page_pdf_with_vllm(vllm_server: RunningVllm, tmp_path: Path) -> None:
    # GIVEN the settings of a remote vLLM (the session's CPU server), 8 regions in flight
    configured = (
        settings.Settings(backend="vllm", vllm=vllm_server.remote(max_in_flight=8))
        .with_value("generation.max_tokens", 16)
        .with_value("reading.layout_model", "cdla")
    )
    settings.save(configured)
    pdf = layout_pdf(tmp_path / "paper.pdf", 2)
    out = tmp_path / "out"
    proc = ocr_desktop("ocr", str(pdf), "--mode", "layout", *FAST, "--format", "md,json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Layout model: CDLA" in proc.stdout and "2 page(s) read by regions" in proc.stdout
    check_layout_export(out, "paper", 2, "vllm")


def test_the_progress_bar_counts_a_page_region_by_region(tmp_path: Path) -> None:
    from rich.progress import Progress

    from ocr_desktop.cli.ocr import _ProgressListener
    from ocr_desktop.core.results import GenerationStats, PageResult, RegionResult

    # GIVEN a document's bar and a page planned with 4 regions to read and a figure
    texts = [RegionResult(i, "text", "text", (0, 0, 1, 1), (0, 0, 1, 1), task="text") for i in range(4)]
    regions = (*texts, RegionResult(4, "figure", "figure", (0, 0, 1, 1), (0, 0, 1, 1)))
    store = JobStore(tmp_path / "jobs.sqlite3")
    listener = _ProgressListener(Progress(), store)
    listener.job_added("job", "paper.pdf", 2, str(tmp_path / "paper.pdf"))
    task = listener.progress.tasks[0]
    listener.page_planned("job", 0, "cdla", regions)
    # WHEN two of its regions are read, THEN the bar has advanced half a page
    for region in regions[:2]:
        listener.region_finished("job", 0, region)
    assert task.completed == pytest.approx(0.5)
    # AND when the page finishes it counts as one whole page
    listener.page_finished(
        "job", PageResult(0, "t", "text", "b", "m", GenerationStats(completion_tokens=4, total_s=1))
    )
    assert task.completed == pytest.approx(1.0)
    store.close()
