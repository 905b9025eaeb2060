"""The Compare dialog: runs the benchmark off the GUI thread, shows table and charts, applies the advice."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop import settings as settings_mod
from ocr_desktop.core.documents import PageImage
from ocr_desktop.gui.compare import PROGRESS_STEPS, CompareDialog
from ocr_desktop.settings import Settings
from tests.test_bench import SMALL_PAGES, Factory

pytestmark = pytest.mark.gui


def make_dialog(qtbot: QtBot, factory: Factory, levels: str = "1,2,4") -> CompareDialog:
    dialog = CompareDialog(Settings(), backend_factory=factory)
    qtbot.addWidget(dialog)
    dialog.levels_edit.setText(levels)
    dialog.pages_spin.setValue(4)
    dialog.repeats_spin.setValue(1)
    dialog.tokens_spin.setValue(10)
    dialog.pixels_spin.setValue(SMALL_PAGES)
    return dialog


def test_run_shows_table_and_charts_and_applies_the_recommendation(qtbot: QtBot) -> None:
    # GIVEN a server-like backend whose throughput grows with pages in flight
    gui_thread = threading.current_thread()
    page_threads: set[threading.Thread] = set()

    def note_thread(_page: PageImage) -> None:
        page_threads.add(threading.current_thread())

    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.003, "tokens_per_page": 10, "on_page": note_thread},
        vllm={"in_flight": 8, "token_delay_s": 0.003, "tokens_per_page": 10, "on_page": note_thread},
    )
    dialog = make_dialog(qtbot, factory)
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


def test_cancel_stops_the_run_and_shows_what_was_measured(qtbot: QtBot) -> None:
    # GIVEN a slow backend: a run would take minutes
    factory = Factory(llamacpp={"in_flight": 1, "token_delay_s": 0.02, "tokens_per_page": 500}, vllm={})
    dialog = make_dialog(qtbot, factory, levels="1")
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


def test_closing_while_running_cancels_first(qtbot: QtBot) -> None:
    factory = Factory(llamacpp={"in_flight": 1, "token_delay_s": 0.02, "tokens_per_page": 500}, vllm={})
    dialog = make_dialog(qtbot, factory, levels="1")
    dialog.backend_boxes["vllm"].setChecked(False)
    dialog.show()
    with qtbot.waitSignal(dialog.run_finished, timeout=30_000):
        dialog.run_button.click()
        qtbot.waitUntil(lambda: "round" in dialog.status.text(), timeout=10_000)
        dialog.reject()
        assert dialog.isVisible()  # still open until the benchmark has stopped
    assert not dialog.isVisible() and not dialog.running


@pytest.mark.parametrize(("levels", "message"), [("1,two", "whole numbers"), ("2,4", "start at 1")])
def test_bad_levels_are_reported_and_nothing_runs(qtbot: QtBot, levels: str, message: str) -> None:
    factory = Factory()
    dialog = make_dialog(qtbot, factory, levels=levels)
    dialog.run_button.click()
    assert message in dialog.status.text()
    assert not dialog.running and not factory.made
