"""The GUI's background-task helper: work off the GUI thread, result / error / progress back on
it, cancel, and shutdown that waits for what must finish."""

from __future__ import annotations

import sys
import threading
from types import TracebackType

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner

pytestmark = pytest.mark.gui

TIMEOUT_MS = 5000


def test_result_and_progress_arrive_on_the_gui_thread_in_order(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gui = threading.current_thread()
    seen: list[tuple[str, object, bool]] = []

    def work(task: BackgroundTask[str]) -> str:
        assert threading.current_thread() is not gui
        for i in range(3):
            task.report(i)
        return "done"

    runner.run(
        work,
        on_progress=lambda v: seen.append(("progress", v, threading.current_thread() is gui)),
        on_result=lambda v: seen.append(("result", v, threading.current_thread() is gui)),
    )
    qtbot.waitUntil(lambda: len(seen) == 4, timeout=TIMEOUT_MS)
    assert seen == [
        ("progress", 0, True),
        ("progress", 1, True),
        ("progress", 2, True),
        ("result", "done", True),
    ]
    runner.shutdown()


def test_an_error_goes_to_on_error_or_else_to_the_crash_dialog(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []
    runner.run(lambda _t: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert isinstance(errors[0], ZeroDivisionError)

    hooked: list[type[BaseException]] = []

    def hook(kind: type[BaseException], _exc: BaseException, _tb: TracebackType | None) -> None:
        hooked.append(kind)

    monkeypatch.setattr(sys, "excepthook", hook)
    runner.run(lambda _t: int("not a number"))
    qtbot.waitUntil(lambda: bool(hooked), timeout=TIMEOUT_MS)
    assert hooked == [ValueError]
    runner.shutdown()


def test_cancel_stops_the_work_and_drops_its_callbacks(qtbot: QtBot) -> None:
    runner = TaskRunner()
    started, results = threading.Event(), []

    def slow(task: BackgroundTask[str]) -> str:
        started.set()
        while not task.cancelled:
            threading.Event().wait(0.01)
        return "stopped"

    task = runner.run(slow, on_result=results.append)
    assert started.wait(5)
    queued = runner.run(lambda _t: "never", on_result=results.append)
    task.cancel()
    queued.cancel()
    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=TIMEOUT_MS)
    assert results == []
    assert queued.future is not None and queued.future.cancelled()


def test_shutdown_waits_for_kept_work_and_cancels_the_rest() -> None:
    runner = TaskRunner()
    gate, done = threading.Event(), []

    def save(_task: BackgroundTask[None]) -> None:
        gate.wait(5)
        done.append("saved")

    runner.run(save, keep=True)
    other = runner.run(lambda _t: done.append("other"))
    threading.Timer(0.2, gate.set).start()
    runner.shutdown()
    assert done == ["saved"] and other.cancelled
