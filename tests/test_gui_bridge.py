"""The bridge from pipeline threads to the GUI thread: order kept, deltas coalesced per frame."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.core.results import PageResult
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.bridge import PipelineBridge

pytestmark = pytest.mark.gui


def test_events_arrive_on_the_gui_thread_in_order_with_deltas_joined(qtbot: QtBot) -> None:
    # GIVEN a bridge and a recorder of what reaches the GUI thread
    bridge = PipelineBridge()
    seen: list[tuple[str, object]] = []
    threads: set[threading.Thread] = set()

    def record(name: str) -> Callable[..., None]:
        def slot(*args: object) -> None:
            threads.add(threading.current_thread())
            seen.append((name, args))

        return slot

    for name in ("page_started", "text_delta", "page_finished", "job_finished"):
        getattr(bridge, name).connect(record(name))

    # WHEN a worker thread streams 500 deltas for a page between its start and its end
    def work() -> None:
        listener = bridge.listener
        listener.page_started("job", 0)
        for i in range(500):
            listener.text_delta("job", 0, f"t{i} ")
        listener.page_finished("job", PageResult(0, "done", "text", "scripted", "m"))
        listener.job_finished("job", JobStatus.DONE)

    with qtbot.waitSignal(bridge.job_finished, timeout=10_000):
        worker = threading.Thread(target=work, name="fake-pipeline")
        worker.start()
    worker.join()

    # THEN everything arrived on the GUI thread, in order, with the deltas joined into few signals
    assert threads == {threading.main_thread()}
    names = [name for name, _ in seen]
    assert names[0] == "page_started" and names[-2:] == ["page_finished", "job_finished"]
    deltas = [args for name, args in seen if name == "text_delta"]
    assert 1 <= len(deltas) < 500
    assert "".join(str(args[2]) for args in deltas) == "".join(f"t{i} " for i in range(500))  # type: ignore[index]
    assert sum(int(args[3]) for args in deltas) == 500  # type: ignore[index]
