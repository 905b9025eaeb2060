"""Layout reading through the pipeline with the real llama.cpp runtime and the shipped CDLA model.

The page is drawn by the tests (tests/fixtures/layout.py: header, title, two columns, a table with
its caption, a display formula, a figure, a footer). The GLM-OCR test model has random weights, so
its text says nothing; what is checked is what the app did: which regions were sent to the model
with which prompt (the prompt llama.cpp received), what was skipped, saved and committed.
"""

from __future__ import annotations

import collections
import dataclasses
import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ocr_desktop.core.results import PageResult
from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.exporters import export_documents
from ocr_desktop.pipeline import Pipeline, PipelineListener
from ocr_desktop.settings import ExportSettings, Settings
from tests.backends import ScriptedBackend
from tests.fixtures.layout import draw_page

TIMEOUT = 240.0


class Prompts:
    """Records the text part of every chat llama.cpp is asked to complete, with the image size."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[int, int]]] = []
        self._lock = threading.Lock()

    def record(self, messages: list[dict[str, Any]]) -> None:
        import base64

        (message,) = messages
        image_part, text_part = message["content"]
        data = base64.b64decode(image_part["image_url"]["url"].split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
        with self._lock:
            self.seen.append((text_part["text"], size))


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Prompts:
    """Spy on llama-cpp-python's own entry point: the messages the real runtime receives."""
    import llama_cpp

    spy = Prompts()
    original = llama_cpp.Llama.create_chat_completion

    def create_chat_completion(self: Any, *args: Any, **kwargs: Any) -> Any:
        spy.record(kwargs["messages"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(llama_cpp.Llama, "create_chat_completion", create_chat_completion)
    return spy


class Events(PipelineListener):
    def __init__(self) -> None:
        self.finished: list[PageResult] = []
        self.planned: list[tuple[str, int]] = []
        self.regions_started: list[int] = []
        self.text: list[str] = []

    def page_planned(self, job_id: str, page_index: int, layout: str, regions: tuple[Any, ...]) -> None:
        self.planned.append((layout, len(regions)))

    def region_started(self, job_id: str, page_index: int, order: int) -> None:
        self.regions_started.append(order)

    def text_delta(self, job_id: str, page_index: int, text: str) -> None:
        self.text.append(text)

    def page_finished(self, job_id: str, result: PageResult) -> None:
        self.finished.append(result)


@pytest.fixture
def layout_settings(llamacpp_settings: Settings) -> Settings:
    s = llamacpp_settings
    return dataclasses.replace(
        s,
        reading=dataclasses.replace(s.reading, mode="layout", layout_model="cdla"),
        # 6 tokens (under the schema's minimum): the random model rarely stops by itself
        generation=dataclasses.replace(s.generation, max_tokens=6),
        documents=dataclasses.replace(s.documents, max_pixels=50_176),  # 64 image tokens per region: quick
    )


@pytest.fixture
def drawn_png(tmp_path: Path) -> Path:
    page, _parts = draw_page()
    path = tmp_path / "drawn.png"
    page.save(path)
    return path


@pytest.fixture
def pipeline(tmp_path: Path, layout_settings: Settings) -> Iterator[tuple[Pipeline, JobStore, Events]]:
    store = JobStore(tmp_path / "jobs.sqlite3")
    events = Events()
    pipeline = Pipeline(store, layout_settings, events)
    pipeline.start()
    yield pipeline, store, events
    assert pipeline.shutdown()
    store.close()


@pytest.mark.llamacpp
def test_drawn_page_is_read_by_regions_with_their_prompts(
    pipeline: tuple[Pipeline, JobStore, Events], prompts: Prompts, drawn_png: Path, tmp_path: Path
) -> None:
    pipe, store, events = pipeline
    # WHEN the drawn page is read in layout mode through the real llama.cpp backend
    job = pipe.submit(drawn_png)
    assert pipe.wait_idle(TIMEOUT)
    assert store.job(job).status is JobStatus.DONE  # type: ignore[union-attr]
    (result,) = events.finished
    by_kind: dict[str, list[Any]] = {}
    for region in result.regions:
        by_kind.setdefault(region.kind, []).append(region)
    # THEN the layout model used is recorded, and every region is kept with its box and order
    assert result.layout == "cdla" and not result.layout_note
    assert [r.order for r in result.regions] == list(range(len(result.regions)))
    assert events.planned == [("cdla", len(result.regions))]
    # the table went to llama.cpp with Table Recognition:, the formula with Formula Recognition:,
    # every other read region with Text Recognition:, one chat per region read, in reading order
    read = [r for r in result.regions if r.read]
    assert [text for text, _size in prompts.seen] == [
        {"text": "Text Recognition:", "table": "Table Recognition:", "formula": "Formula Recognition:"}[
            r.task
        ]
        for r in read
    ]
    assert [r.task for r in by_kind["table"]] == ["table"]
    assert [r.task for r in by_kind["formula"]] == ["formula"]
    assert events.regions_started == [r.order for r in read]
    # each region's crop, not the page, was sent: the table's crop is wide, the title's wider still
    sizes = {r.order: size for r, (_text, size) in zip(read, prompts.seen, strict=True)}
    table = by_kind["table"][0]
    assert sizes[table.order][0] > 2 * sizes[table.order][1]
    # header and footer were dropped (not read, no text), the figure kept as a crop, not read
    assert sorted(r.label for r in by_kind["furniture"]) == ["footer", "header"]
    assert all(not r.read and not r.text for r in by_kind["furniture"])
    (figure,) = by_kind["figure"]
    assert not figure.read
    with Image.open(io.BytesIO(figure.image_png)) as crop:
        x1, y1, x2, y2 = figure.box
        assert abs(crop.width / crop.height - (x2 - x1) / (y2 - y1)) < 0.1  # padded, not resized
    # every region read was committed once, and the page's text is their assembly
    records = store.region_records(job, 0)
    assert {r.status for r in records if r.order in sizes} == {"done"}
    assert all(r.attempts == 1 for r in records if r.order in sizes)
    assert all(r.status == "kept" and r.attempts == 0 for r in records if r.order not in sizes)
    assert "".join(events.text).strip()
    # AND the Markdown export links the figure, saved beside it
    out = tmp_path / "out"
    report = export_documents([store.document_result(job)], ExportSettings(formats=("md",), out_dir=str(out)))
    assert not report.failed
    markdown = (out / "drawn.md").read_text(encoding="utf-8")
    link = f"drawn_figures/page-1-figure-{figure.order + 1}.png"
    assert f"]({link})" in markdown
    assert (out / link).read_bytes() == figure.image_png


@pytest.mark.llamacpp
def test_whole_page_mode_sends_the_page_once(
    tmp_path: Path, layout_settings: Settings, prompts: Prompts, drawn_png: Path
) -> None:
    # GIVEN reading.mode "page"
    layout_settings = layout_settings.with_value("reading.mode", "page")
    store = JobStore(tmp_path / "jobs.sqlite3")
    events = Events()
    pipe = Pipeline(store, layout_settings, events)
    pipe.start()
    try:
        pipe.submit(drawn_png)
        assert pipe.wait_idle(TIMEOUT)
    finally:
        assert pipe.shutdown()
        store.close()
    # THEN the whole page went to the model once, with Text Recognition:, and has no regions
    assert [text for text, _size in prompts.seen] == ["Text Recognition:"]
    (result,) = events.finished
    assert result.regions == () and result.layout == ""


# -- scheduling, with the scripted backend (the runtimes have the tests above and test_cli_layout) --


class DrawnDocument:
    """``count`` copies of the drawn layout page, as the pipeline's document opener returns them."""

    def __init__(self, path: Path, count: int) -> None:
        self.path, self.page_count = path, count
        self.page_indices = list(range(count))

    def render_page(self, index: int) -> PageImage:
        page, _parts = draw_page()
        return PageImage(page, index, self.path, page.size)

    def close(self) -> None:
        pass


def scripted_pipeline(
    tmp_path: Path,
    backend: ScriptedBackend,
    events: PipelineListener,
    pages: int,
    memory_guard: Callable[[], str | None] | None = None,
) -> tuple[Pipeline, JobStore, Path]:
    settings = (
        Settings().with_value("reading.layout_model", "cdla").with_value("generation.loop_retry", False)
    )
    store = JobStore(tmp_path / "jobs.sqlite3")
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-fake")
    pipeline = Pipeline(
        store,
        settings,
        events,
        backend_factory=lambda _s: backend,
        memory_guard=memory_guard,
        open_document=lambda p, **_kw: DrawnDocument(p, pages),
        retry_backoff_s=(0.0, 0.0, 0.0),
    )
    return pipeline, store, path


def read_to_the_end(pipeline: Pipeline, path: Path) -> str:
    """Start ``pipeline``, read ``path`` until the queue is idle, shut it down; the job's id."""
    pipeline.start()
    try:
        job = pipeline.submit(path)
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown()
    return job


class Timeline(Events):
    """Also records when each page finished and each region started, in one sequence."""

    def __init__(self) -> None:
        super().__init__()
        self.sequence: list[tuple[str, int]] = []
        self.page_text: dict[int, list[str]] = {}

    def region_started(self, job_id: str, page_index: int, order: int) -> None:
        self.sequence.append(("region", page_index))

    def text_delta(self, job_id: str, page_index: int, text: str) -> None:
        self.page_text.setdefault(page_index, []).append(text)

    def page_finished(self, job_id: str, result: PageResult) -> None:
        self.sequence.append(("page", result.page_index))
        super().page_finished(job_id, result)


def test_regions_fill_the_in_flight_limit_across_pages_and_stream_in_reading_order(tmp_path: Path) -> None:
    # GIVEN a backend that reads 4 requests at once (as vLLM does) and a 3-page document; regions
    # take longer than planning the next page (layout + text-line detection: up to ~15 s on 2 cores
    # under other tests' load)
    backend = ScriptedBackend(in_flight=4, token_delay_s=1.0)
    events = Timeline()
    # Page 0's last region is read only once a region of page 1 has started: planning page 1 may
    # take longer than page 0's regions under load, and then "before the page before it had
    # finished" depended on the machine. If the next page were not planned and read meanwhile, the
    # wait would time out and the check below would fail.
    page_1_read = threading.Event()
    page_0_regions: list[int] = []
    lock = threading.Lock()
    to_read: dict[int, int] = {}
    note_region, note_plan = events.region_started, events.page_planned

    def page_planned(job_id: str, page_index: int, layout: str, regions: tuple[Any, ...]) -> None:
        note_plan(job_id, page_index, layout, regions)
        to_read[page_index] = sum(1 for r in regions if r.read)

    def region_started(job_id: str, page_index: int, order: int) -> None:
        note_region(job_id, page_index, order)
        if page_index == 1:
            page_1_read.set()

    def last_of_page_0_waits(page: PageImage) -> None:
        if page.index != 0:
            return
        with lock:
            page_0_regions.append(page.index)
            last = len(page_0_regions) == to_read[0]
        if last and not page_1_read.wait(TIMEOUT):
            raise AssertionError("no region of page 1 started while page 0's last region waited")

    events.region_started = region_started  # type: ignore[method-assign]
    events.page_planned = page_planned  # type: ignore[method-assign]
    backend.on_page = last_of_page_0_waits
    pipeline, store, path = scripted_pipeline(tmp_path, backend, events, 3)
    job = read_to_the_end(pipeline, path)
    # THEN 4 regions were read at once, never more
    assert backend.max_concurrent_seen == 4
    # AND the next page's regions started before the page before it had finished
    first_done = events.sequence.index(("page", 0))
    assert ("region", 1) in events.sequence[:first_done]
    # AND each page's live text came in reading order, as the page's regions assembled
    for result in sorted(events.finished, key=lambda r: r.page_index):
        streamed = "".join(events.page_text[result.page_index])
        assert streamed == "\n\n".join(r.text for r in result.regions if r.read)
    assert store.job(job).pages_done == 3  # type: ignore[union-attr]
    store.close()


def test_pause_stops_between_regions_and_cancel_then_retry_reads_only_the_rest(tmp_path: Path) -> None:
    # GIVEN a one-at-a-time backend reading a one-page document
    backend = ScriptedBackend(in_flight=1, token_delay_s=0.02)
    events = Timeline()
    pipeline, store, path = scripted_pipeline(tmp_path, backend, events, 1)
    started = threading.Event()
    original = events.region_started

    def region_started(job_id: str, page_index: int, order: int) -> None:
        original(job_id, page_index, order)
        if sum(1 for e in events.sequence if e[0] == "region") == 3:
            started.set()

    events.region_started = region_started  # type: ignore[method-assign]
    pipeline.start()
    try:
        job = pipeline.submit(path)
        # WHEN the queue is paused while the third region is being read
        assert started.wait(TIMEOUT)
        pipeline.pause()
        deadline = threading.Event()
        while store.pages(job)[0].attempts < 1 or any(
            r.status == "pending" and r.attempts for r in store.region_records(job, 0)
        ):
            deadline.wait(0.02)
        calls = len(backend.calls)
        deadline.wait(0.3)
        # THEN the region in flight finished and no further region started
        assert len(backend.calls) == calls == 3
        records = store.region_records(job, 0)
        assert [r.status for r in records if r.attempts] == ["done"] * 3
        # WHEN it goes on, then the page is cancelled during its fifth region
        five = threading.Event()
        events.region_started = lambda j, p, o: (  # type: ignore[method-assign]
            original(j, p, o),
            sum(1 for e in events.sequence if e[0] == "region") == 5 and five.set(),
        )
        pipeline.unpause()
        assert five.wait(TIMEOUT)
        assert pipeline.cancel_page(job, 0) == 1
        assert pipeline.wait_idle(TIMEOUT)
        assert store.pages(job)[0].status.value == "failed"
        done = {r.order for r in store.region_records(job, 0) if r.status == "done"}
        assert len(done) == 4
        # AND the page is retried: only the regions not read yet are read
        calls = len(backend.calls)
        assert pipeline.retry_failed(job)
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown()
    records = store.region_records(job, 0)
    read = [r for r in records if r.status == "done"]
    assert len(backend.calls) - calls == len(read) - len(done)
    assert all(r.attempts == 1 for r in read if r.order in done)
    assert store.job(job).status is JobStatus.DONE  # type: ignore[union-attr]
    store.close()


def test_memory_guard_and_repetition_guard_apply_per_region(tmp_path: Path) -> None:
    # GIVEN a backend that could read 4 regions at once but always loops, and a memory guard that
    # never allows an additional read
    loop = ["Total 12 is the answer. "] * 300
    backend = ScriptedBackend(in_flight=4, token_delay_s=0.002, scripts={0: ["Title. ", *loop]})
    events = Timeline()
    pipeline, store, path = scripted_pipeline(tmp_path, backend, events, 1, memory_guard=lambda: "low memory")
    pipeline.start()
    try:
        pipeline.submit(path)
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown()
    store.close()
    # THEN one region was read at a time (one read may always run), all were read
    assert backend.max_concurrent_seen == 1
    (result,) = events.finished
    read = [r for r in result.regions if r.read]
    assert len(backend.calls) == len(read) > 1
    # AND each region's loop was stopped and cut on its own, long before its token budget
    for region in read:
        assert "repetition_loop" in region.flags and region.stats.finish_reason == "loop"
        assert region.text.count("Total 12 is the answer.") == 1 and region.stats.completion_tokens < 100
    assert "repetition_loop" in result.flags


def test_a_region_that_fails_stops_its_page_without_committing_cut_regions(tmp_path: Path) -> None:
    from ocr_desktop.backends.base import BackendError

    # GIVEN 4 regions in flight, and the backend refusing the page's sixth read, while others stream
    calls: list[int] = []

    def refuse_the_sixth(_page: PageImage) -> None:
        calls.append(1)
        if len(calls) == 6:
            raise BackendError("the image was refused")

    backend = ScriptedBackend(in_flight=4, token_delay_s=0.02, on_page=refuse_the_sixth)
    events = Timeline()
    pipeline, store, path = scripted_pipeline(tmp_path, backend, events, 1)
    pipeline.start()
    try:
        job = pipeline.submit(path)
        assert pipeline.wait_idle(TIMEOUT)
        # THEN the page failed with the backend's message, and the regions stopped with it were
        # not committed: every region stored is a whole reading
        assert store.pages(job)[0].status.value == "failed"
        assert "the image was refused" in store.pages(job)[0].error
        planned = store.page_regions(job, 0)
        assert planned is not None
        done = {r.order for r in store.region_records(job, 0) if r.status == "done"}
        assert all(r.stats.finish_reason == "stop" for r in planned[1] if r.order in done)
        # WHEN it is retried, THEN it completes
        assert pipeline.retry_failed(job)
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown()
    assert store.job(job).status is JobStatus.DONE  # type: ignore[union-attr]
    records = store.region_records(job, 0)
    assert all(r.attempts == 1 for r in records if r.order in done)
    store.close()


class CountingStore(JobStore):
    """The real store, counting the reads the pipeline makes of what it may already hold."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads: collections.Counter[str] = collections.Counter()

    def job(self, job_id: str) -> Any:
        self.reads["job"] += 1
        return super().job(job_id)

    def pending_pages(self, job_id: str) -> list[int]:
        self.reads["pending_pages"] += 1
        return super().pending_pages(job_id)

    def page_regions(self, job_id: str, page_index: int) -> Any:
        self.reads["page_regions"] += 1
        return super().page_regions(job_id, page_index)

    def region_records(self, job_id: str, page_index: int) -> Any:
        self.reads["region_records"] += 1
        return super().region_records(job_id, page_index)


def test_a_layout_run_does_not_read_back_what_it_wrote(tmp_path: Path) -> None:
    # GIVEN a 2-page document read by layout, through the real store
    backend = ScriptedBackend(in_flight=2)
    events = Events()
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-fake")
    store = CountingStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(
        store,
        Settings().with_value("reading.layout_model", "cdla"),
        events,
        backend_factory=lambda _s: backend,
        open_document=lambda p, **_kw: DrawnDocument(p, 2),
    )
    job = read_to_the_end(pipeline, path)
    # THEN each page's plan was looked up once (is there one from an earlier run?), and neither
    # the job row just created, the pages just recorded, the regions just planned nor the
    # regions just read were read back; the job's row is read once, when it ends
    assert dict(store.reads) == {"page_regions": 2, "job": 1}
    # AND what the pages hold is what the store holds
    stored = store.document_result(job)
    finished = sorted(events.finished, key=lambda r: r.page_index)
    assert [p.regions for p in stored.pages] == [r.regions for r in finished]
    assert [p.text for p in stored.pages] == [r.text for r in finished]
    assert all(r.text for p in stored.pages for r in p.regions if r.read)
    store.close()


# -- the SDK's pixels: a PDF read by layout is rendered at 200 DPI ----------------------------------


def _sdk_crop_size(page_size: tuple[int, int], box_1000: tuple[int, int, int, int]) -> tuple[int, int]:
    """The GLM-OCR SDK's crop of a region (glmocr/utils/image_utils.py): the page rendered at
    200 DPI, ``crop_image_region`` (int of each 0-1000 edge × side / 1000, no padding), then
    ``smart_resize`` to multiples of 28 (its max_pixels is never reached by a region)."""
    width, height = page_size
    x1, y1, x2, y2 = (
        int(v * side / 1000) for v, side in zip(box_1000, (width, height, width, height), strict=True)
    )
    return round((x2 - x1) / 28) * 28, round((y2 - y1) / 28) * 28


def test_a_pdf_read_by_layout_sends_the_sdks_200_dpi_crops(tmp_path: Path) -> None:
    # GIVEN the SDK's code.png as a PDF page 540 × 666 pt (the documents.dpi setting left at 150)
    from tests.fixtures.layout import EXAMPLES

    pdf = tmp_path / "code.pdf"
    with Image.open(EXAMPLES / "source" / "code.png") as image:
        image.convert("RGB").save(pdf, "PDF", resolution=72)
    sent: list[tuple[int, int]] = []
    backend = ScriptedBackend(on_page=lambda page: sent.append(page.image.size))
    settings = (
        Settings().with_value("reading.layout_model", "cdla").with_value("generation.loop_retry", False)
    )
    assert settings.documents.dpi == 150
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = read_to_the_end(Pipeline(store, settings, Events(), backend_factory=lambda _s: backend), pdf)
    # THEN the page was rendered at 200 DPI (540 × 666 pt → 1500 × 1850 px; the app's rendering
    # snaps both sides to multiples of 28) for layout and its lines
    [page] = store.document_result(job).pages
    assert page.lines is not None
    assert abs(page.lines.width - 1500) < 28 and abs(page.lines.height - 1850) < 28
    read = [r for r in page.regions if r.read]
    assert read and len(sent) == len(read)
    # AND each crop sent is the SDK's crop of that region at 200 DPI, grown only by the padding
    # (0.8 % of the shorter side on each edge: 12 px here), within one 28-px step of rounding and
    # the page's snap to 28 (under 1 %); at 150 DPI they would be 75 % as wide and high
    pad = round(0.008 * 1500)
    for region, size in zip(read, sent, strict=True):
        sdk_w, sdk_h = _sdk_crop_size((1500, 1850), region.box_1000)
        assert abs(size[0] - (sdk_w + 2 * pad)) <= 28 + 0.01 * sdk_w, (region.label, size, sdk_w)
        assert abs(size[1] - (sdk_h + 2 * pad)) <= 28 + 0.01 * sdk_h, (region.label, size, sdk_h)


@pytest.mark.llamacpp
def test_lines_are_recognised_at_read_time_and_no_export_runs_the_recogniser(
    pipeline: tuple[Pipeline, JobStore, Events],
    drawn_png: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ocr_desktop.textlines import LineReader

    pipe, store, _events = pipeline
    # WHEN the drawn page is read in layout mode
    job = pipe.submit(drawn_png)
    assert pipe.wait_idle(TIMEOUT)
    # THEN its stored lines are those the layout planned with, each read by the recogniser, with
    # the characters' boxes the searchable PDF places words by
    lines = store.page_lines(job, 0)
    assert lines is not None and len(lines.lines) > 10
    assert all(line.confidence is not None for line in lines.lines)
    assert sum(1 for line in lines.lines if line.chars) >= len(lines.lines) - 2
    assert "Reading Pages by Regions" in [line.text for line in lines.lines]  # the drawn title
    # AND exporting it as a searchable PDF and hOCR runs no detector or recogniser at all
    monkeypatch.setattr(LineReader, "_run", lambda *_a, **_k: pytest.fail("lines detected again"))
    monkeypatch.setattr(LineReader, "recognise_lines", lambda *_a, **_k: pytest.fail("recognised again"))
    report = export_documents(
        [store.document_result(job)],
        ExportSettings(formats=("pdf", "hocr"), out_dir=str(tmp_path / "out")),
        save_lines=store.save_page_lines,
    )
    assert not report.failed and len(report.written) == 2
