"""Numbers that agree: the queue's elapsed time and tok/s are the pages' own figures summed (one
definition, docs/gui.md "Numbers"), elapsed stops while paused and is the same after a restart,
and the gauges show only what the running backend has."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.documents.pages import PageImage
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.gauges import GaugePanel, GaugeStrip
from ocr_desktop.gui.queue_view import Column, format_duration
from ocr_desktop.pipeline.events import JobFinished, PageFinished
from ocr_desktop.telemetry.sampler import Sampler
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, is_event, on_event, show_document, window_factory
from tests.test_gauges import Kv, ScriptedBoard, board, kv, sampler  # noqa: F401 - fixtures

pytestmark = pytest.mark.gui


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_queue_elapsed_and_tok_s_are_the_pages_figures_summed_and_survive_a_restart(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a three-page document read to the end
    window = make_window(ScriptedBackend(token_delay_s=0.01, tokens_per_page=20))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "doc.pdf", 3)])
    pages = window.store.document_result(job_id).pages
    row = window.queue_model.job(job_id)
    assert row is not None

    # THEN the queue's tok/s is the pages' decode tokens over their decode time
    tokens = sum(p.stats.completion_tokens - 1 for p in pages)
    decode = sum(p.stats.total_s - p.stats.time_to_first_token_s for p in pages)
    assert row.tokens_per_s == pytest.approx(tokens / decode)
    assert min(p.stats.decode_tokens_per_s for p in pages) <= row.tokens_per_s
    assert row.tokens_per_s <= max(p.stats.decode_tokens_per_s for p in pages)
    # THEN its elapsed time is the pages' reading times summed
    assert row.elapsed == pytest.approx(sum(p.stats.total_s for p in pages))
    shown = window.queue_model.index(0, Column.ELAPSED).data()
    assert shown == format_duration(row.elapsed)

    # WHEN the window is closed and opened again on the same store
    elapsed, speed = row.elapsed, window.queue_model.index(0, Column.SPEED).data()
    window.close()
    window2 = make_window(ScriptedBackend())

    # THEN the same figures are shown
    row2 = window2.queue_model.job(job_id)
    assert row2 is not None and row2.elapsed == pytest.approx(elapsed)
    assert window2.queue_model.index(0, Column.SPEED).data() == speed


def test_elapsed_does_not_run_while_paused(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # GIVEN a two-page document whose first page is being read
    window = make_window(ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "doc.pdf", 2)])

    # WHEN the queue is paused (the page in flight finishes, no new one starts)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(PageFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.window_actions.pause_action.trigger()
    row = window.queue_model.job(job_id)
    assert row is not None
    before = row.elapsed
    qtbot.wait(1200)

    # THEN the elapsed time stands still
    assert row.elapsed == before
    assert row.pages_done == {0}


def test_the_kv_cache_gauge_shows_only_while_the_backend_reports_one(
    qtbot: QtBot,
    sampler: Sampler,  # noqa: F811 - the fixture imported above
    kv: list[Kv | None],  # noqa: F811
) -> None:
    # GIVEN the gauges while llama.cpp (no KV-cache metric) runs
    panel, strip = GaugePanel(sampler), GaugeStrip(sampler)
    for widget in (panel, strip):
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitUntil(lambda: panel.rows["ram"].value.text() != "n/a", timeout=GUI_TIMEOUT_MS)
    # THEN there is no KV-cache gauge
    assert not panel.rows["kv"].bar.isVisible() and not panel.rows["kv"].name.isVisible()
    assert not strip.items["kv"].bar.isVisible()

    # WHEN vLLM reports its KV cache THEN the gauge appears
    kv[0] = Kv(0.5)
    qtbot.waitUntil(strip.items["kv"].bar.isVisible, timeout=GUI_TIMEOUT_MS)
    assert panel.rows["kv"].bar.isVisible() and strip.items["kv"].value.text() == "50 %"


def test_ram_tooltip_counts_an_in_process_model_in_this_app(
    qtbot: QtBot,
    sampler: Sampler,  # noqa: F811
    board: ScriptedBoard,  # noqa: F811
) -> None:
    # GIVEN a machine without a separate model process or GPU share (llama.cpp in this app)
    del board.values["ram_gpu_shared_bytes"]
    strip = GaugeStrip(sampler)
    qtbot.addWidget(strip)
    strip.show()
    # (the sampler was started before the share was taken away: wait for a reading without it)
    qtbot.waitUntil(
        lambda: "Free:" in (tip := strip.items["ram"].bar.toolTip()) and "GPU share" not in tip,
        timeout=GUI_TIMEOUT_MS,
    )
    # THEN the tooltip does not claim the model takes 0 B
    tip = strip.items["ram"].bar.toolTip()
    assert "Model runtime" not in tip
    assert "This app (with a model loaded in it, as llama.cpp is)" in tip


def test_pages_read_side_by_side_keep_their_live_text(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a backend reading two pages of a document at once (as vLLM does): page 1 short,
    # page 2 long; and a second document to look at meanwhile. Page 1 streams only once page 2 is
    # being read: page 2 starts when it is rendered, which under load took longer than page 1's
    # 5 tokens, so page 1 had finished before page 2 started and nothing streamed side by side.
    page_2_started = threading.Event()

    def read_side_by_side(page: PageImage) -> None:
        if page.source.name == "two.pdf" and page.index == 1:
            page_2_started.set()
        elif page.source.name == "two.pdf" and not page_2_started.wait(GUI_TIMEOUT_MS / 1000):
            raise AssertionError("page 2 was not read while page 1 was")

    backend = ScriptedBackend(
        in_flight=2,
        token_delay_s=0.02,
        scripts={0: ["a "] * 5, 1: ["b "] * 300},
        on_page=read_side_by_side,
    )
    window = make_window(backend)
    finished: list[int] = []
    window.bridge.pipeline_event.connect(
        on_event(PageFinished, lambda e: finished.append(e.result.page_index))
    )
    first, second = window.add_paths([make_pdf(tmp_path / "two.pdf", 2), make_pdf(tmp_path / "other.pdf", 1)])
    window.queue_view.select_job(first)

    # WHEN page 1 finishes while page 2 still streams, and the user looks at the other document
    qtbot.waitUntil(lambda: 0 in finished, timeout=GUI_TIMEOUT_MS)
    assert 1 not in finished
    row = window.queue_model.job(first)
    assert row is not None
    qtbot.waitUntil(lambda: 1 in row.live and row.live[1].text.startswith("b b "), timeout=GUI_TIMEOUT_MS)
    show_document(qtbot, window, second)
    qtbot.wait(100)

    # THEN back on the first document, page 2 shows what streamed so far and keeps streaming
    show_document(qtbot, window, first)
    so_far = window.reading_view.page_text(1)
    assert so_far.startswith("b b ")
    qtbot.waitUntil(lambda: len(window.reading_view.page_text(1)) > len(so_far), timeout=GUI_TIMEOUT_MS)


def test_the_queue_names_every_page_being_read(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a backend reading two pages of a document at once (as vLLM does), page 1 shorter
    backend = ScriptedBackend(in_flight=2, token_delay_s=0.02, scripts={0: ["a "] * 40, 1: ["b "] * 150})
    window = make_window(backend)
    [job_id] = window.add_paths([make_pdf(tmp_path / "two.pdf", 2)])

    def status() -> str:
        return str(window.queue_model.index(window.queue_model.row_of(job_id), Column.STATUS).data())

    # WHEN both stream THEN the status cell names both pages, and the bar counts both half done
    qtbot.waitUntil(lambda: status().startswith("Reading pages 1, 2 · "), timeout=GUI_TIMEOUT_MS)
    row = window.queue_model.job(job_id)
    assert row is not None
    qtbot.waitUntil(
        lambda: len(row.live) == 2 and all(page.deltas for page in row.live.values()), timeout=GUI_TIMEOUT_MS
    )
    assert row.progress == 0.5
    # WHEN page 1 is finished THEN only page 2 is named
    qtbot.waitUntil(lambda: status().startswith("Reading page 2 · "), timeout=GUI_TIMEOUT_MS)
    assert row.pages_done == {0}
