"""The Compare dialog: runs the benchmark off the GUI thread, shows table and charts, applies the advice;
it borrows the backend slot from the pipeline, the one owner of loaded backends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.core.store import JobStatus, JobStore, PageStatus
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.gui.compare import PROGRESS_STEPS, CompareDialog
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.settings import Settings
from tests.test_bench import SMALL_PAGES, Factory
from tests.test_pipeline import FakeOpener, Recorder

pytestmark = pytest.mark.gui

PipelineFactory = Callable[[Factory], tuple[Pipeline, Recorder]]


@pytest.fixture
def make_pipeline(tmp_path: Path) -> Iterator[PipelineFactory]:
    """A started pipeline whose backends (its own and the benchmark's) come from ``factory``."""
    made: list[Pipeline] = []

    def make(factory: Factory) -> tuple[Pipeline, Recorder]:
        events = Recorder()
        pipeline = Pipeline(
            JobStore(tmp_path / "jobs.sqlite3"),
            Settings(),
            events,
            backend_factory=lambda s: factory(s, s.backend),
            open_document=FakeOpener(),
        )
        pipeline.start()
        made.append(pipeline)
        return pipeline, events

    yield make
    for pipeline in made:
        assert pipeline.shutdown(20.0)


def make_dialog(
    qtbot: QtBot, make_pipeline: PipelineFactory, factory: Factory, levels: str = "1,2,4"
) -> CompareDialog:
    pipeline, _events = make_pipeline(factory)
    dialog = CompareDialog(Settings(), pipeline)
    qtbot.addWidget(dialog)
    dialog.levels_edit.setText(levels)
    dialog.pages_spin.setValue(4)
    dialog.repeats_spin.setValue(1)
    dialog.tokens_spin.setValue(10)
    dialog.pixels_spin.setValue(SMALL_PAGES)
    return dialog


def test_run_shows_table_and_charts_and_applies_the_recommendation(
    qtbot: QtBot, make_pipeline: PipelineFactory
) -> None:
    # GIVEN a server-like backend whose throughput grows with pages in flight
    gui_thread = threading.current_thread()
    page_threads: set[threading.Thread] = set()

    def note_thread(_page: PageImage) -> None:
        page_threads.add(threading.current_thread())

    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.003, "tokens_per_page": 10, "on_page": note_thread},
        vllm={"in_flight": 8, "token_delay_s": 0.003, "tokens_per_page": 10, "on_page": note_thread},
    )
    dialog = make_dialog(qtbot, make_pipeline, factory)
    dialog.show()

    # WHEN Run is clicked and the run ends
    with qtbot.waitSignal(dialog.run_finished, timeout=60_000):
        dialog.run_button.click()
        assert dialog.running and not dialog.run_button.isEnabled()

    # THEN pages were read off the GUI thread, and the table, charts and advice are shown
    assert page_threads and gui_thread not in page_threads
    assert dialog.progress.value() == PROGRESS_STEPS
    table = dialog.table.toPlainText()
    assert "pages/min at 4 in flight" in table and "vLLM (server)" in table
    for chart in (dialog.throughput_chart, dialog.memory_chart):
        assert not chart.pixmap().isNull() and chart.pixmap().width() > 100
    assert dialog.outcome is not None and dialog.outcome.files.results.is_file()
    assert dialog.recommendation is not None
    assert dialog.recommendation_label.text().endswith(dialog.recommendation.text)
    assert dialog.apply_button.isEnabled() and dialog.run_button.isEnabled()

    # WHEN the recommendation is applied
    with qtbot.waitSignal(dialog.recommendation_applied) as applied:
        dialog.apply_button.click()

    # THEN the emitted settings are the saved ones, changed as recommended
    new: Settings = applied.args[0]
    assert new.backend == "vllm" and new.vllm.max_in_flight == 4
    assert settings_mod.load() == new
    assert not dialog.apply_button.isEnabled()


def test_cancel_stops_the_run_and_shows_what_was_measured(
    qtbot: QtBot, make_pipeline: PipelineFactory
) -> None:
    # GIVEN a slow backend: a run would take minutes
    factory = Factory(llamacpp={"in_flight": 1, "token_delay_s": 0.02, "tokens_per_page": 500}, vllm={})
    dialog = make_dialog(qtbot, make_pipeline, factory, levels="1")
    dialog.backend_boxes["vllm"].setChecked(False)

    # WHEN Run then Cancel are clicked
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        dialog.run_button.click()
        qtbot.waitUntil(lambda: "round" in dialog.status.text(), timeout=10_000)
        dialog.cancel_button.click()

    # THEN the run ended early, the backend was unloaded and the report says it was cancelled
    assert dialog.outcome is not None and dialog.outcome.cancelled
    assert dialog.status.text().startswith("Cancelled")
    assert factory.made["llamacpp"].loaded is False
    assert "cancelled" in dialog.table.toPlainText()
    assert dialog.recommendation is None and not dialog.apply_button.isEnabled()


def test_closing_while_running_cancels_first(qtbot: QtBot, make_pipeline: PipelineFactory) -> None:
    factory = Factory(llamacpp={"in_flight": 1, "token_delay_s": 0.02, "tokens_per_page": 500}, vllm={})
    dialog = make_dialog(qtbot, make_pipeline, factory, levels="1")
    dialog.backend_boxes["vllm"].setChecked(False)
    dialog.show()
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        dialog.run_button.click()
        qtbot.waitUntil(lambda: "round" in dialog.status.text(), timeout=10_000)
        dialog.reject()
        assert dialog.isVisible()  # still open until the benchmark has stopped
    assert not dialog.isVisible() and not dialog.running


@pytest.mark.parametrize(("levels", "message"), [("1,two", "whole numbers"), ("2,4", "start at 1")])
def test_bad_levels_are_reported_and_nothing_runs(
    qtbot: QtBot, make_pipeline: PipelineFactory, levels: str, message: str
) -> None:
    factory = Factory()
    dialog = make_dialog(qtbot, make_pipeline, factory, levels=levels)
    dialog.run_button.click()
    assert message in dialog.status.text()
    assert not dialog.running and not factory.made


def reading_pipeline(tmp_path: Path) -> tuple[Pipeline, Recorder, JobStore, FakeOpener]:
    """A started pipeline that reads pages slowly with "llamacpp" (the benchmark's backends come
    from the same factory)."""
    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.01, "tokens_per_page": 20},
        vllm={"in_flight": 4, "token_delay_s": 0.002, "tokens_per_page": 10},
    )
    events = Recorder()
    opener = FakeOpener()
    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(
        store, Settings(), events, backend_factory=lambda s: factory(s, s.backend), open_document=opener
    )
    pipeline.start()
    return pipeline, events, store, opener


def queued_and_dialog(
    qtbot: QtBot, pipeline: Pipeline, events: Recorder, opener: FakeOpener, tmp_path: Path
) -> tuple[str, CompareDialog]:
    """A 3-page document queued and being read, and a Compare dialog set for a short run."""
    job = pipeline.submit(opener.make(tmp_path, "queued.pdf", 3))
    qtbot.waitUntil(lambda: bool(events.of("page_started")), timeout=10_000)
    dialog = CompareDialog(Settings(), pipeline)
    qtbot.addWidget(dialog)
    dialog.levels_edit.setText("1,2")
    dialog.pages_spin.setValue(2)
    dialog.repeats_spin.setValue(1)
    dialog.tokens_spin.setValue(10)
    dialog.pixels_spin.setValue(SMALL_PAGES)
    return job, dialog


def test_a_run_borrows_the_pipelines_backend_and_the_queue_goes_on(qtbot: QtBot, tmp_path: Path) -> None:
    # GIVEN a pipeline reading a queued 3-page document slowly, and the Compare dialog
    pipeline, events, store, opener = reading_pipeline(tmp_path)
    try:
        job, dialog = queued_and_dialog(qtbot, pipeline, events, opener, tmp_path)

        # WHEN a Compare run is started while the document is being read, and ends
        with qtbot.waitSignal(dialog.run_finished, timeout=60_000):
            dialog.run_button.click()
        assert dialog.outcome is not None and not dialog.outcome.cancelled
        assert pipeline.wait_idle(20.0)

        # THEN, by the pipeline's own events, one backend at most was loaded at any moment:
        # the queue's, then each benchmarked one, then the queue's again
        loaded: list[str] = []
        most = 0
        for name, *args in list(events.events):
            if name == "backend_ready":
                loaded.append(args[0])
            elif name == "backend_state" and args[0] is BackendState.UNLOADED:
                loaded.remove(args[1].removesuffix(" unloaded"))
            most = max(most, len(loaded))
        assert most == 1
        ready = [backend_id for backend_id, *_ in events.of("backend_ready")]
        assert ready == ["llamacpp", "llamacpp", "vllm", "llamacpp"]
        # AND the queue read pages before and after the benchmark's backends, none between
        order = [e[0] for e in events.events if e[0] in ("backend_ready", "page_started")]
        readies = [i for i, name in enumerate(order) if name == "backend_ready"]
        assert "page_started" in order[readies[0] : readies[1]]
        assert "page_started" not in order[readies[1] : readies[3]]
        assert "page_started" in order[readies[3] :]
        # AND the queue went on afterwards: the document was read to the end, not paused
        assert store.job(job).status is JobStatus.DONE
        assert {p.page_index: p.status for p in store.pages(job)} == dict.fromkeys(range(3), PageStatus.DONE)
        assert not pipeline.paused
    finally:
        assert pipeline.shutdown(20.0)


def test_a_pause_chosen_during_a_run_holds_when_the_run_ends(qtbot: QtBot, tmp_path: Path) -> None:
    # GIVEN a pipeline reading a queued 3-page document slowly, and the Compare dialog
    pipeline, events, store, opener = reading_pipeline(tmp_path)
    try:
        job, dialog = queued_and_dialog(qtbot, pipeline, events, opener, tmp_path)

        # WHEN a Compare run is started and, while it measures, the user pauses the queue
        with qtbot.waitSignal(dialog.run_finished, timeout=60_000):
            dialog.run_button.click()
            qtbot.waitUntil(lambda: len(events.of("backend_ready")) >= 2, timeout=30_000)
            pipeline.pause()
            assert dialog.running, "the pause must come while the benchmark holds the backend"
        started = len(events.of("page_started"))

        # THEN the run's end leaves the queue paused, as the user chose: no page starts
        assert pipeline.paused
        qtbot.wait(500)
        assert len(events.of("page_started")) == started
        assert store.job(job).status is JobStatus.PAUSED
        # AND a resume reads the document to the end
        pipeline.unpause()
        assert pipeline.wait_idle(20.0)
        assert store.job(job).status is JobStatus.DONE
    finally:
        assert pipeline.shutdown(20.0)
