"""The bridge from pipeline threads to the GUI thread: every event on one signal, order kept,
deltas coalesced per frame, failure reasons translated."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import BackendState
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.bridge import PipelineBridge, TextFrame
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import (
    EVENT_TYPES,
    BackendKept,
    BackendReady,
    BackendRetired,
    BackendStateChanged,
    Event,
    JobAdded,
    JobFailed,
    JobFinished,
    JobStarted,
    PageFailed,
    PageFinished,
    PagePlanned,
    PageRequeued,
    PageStarted,
    RegionFinished,
    RegionStarted,
    TextDelta,
)
from tests.gui_helpers import is_event

pytestmark = pytest.mark.gui


def test_events_arrive_on_the_gui_thread_in_order_with_deltas_joined(qtbot: QtBot) -> None:
    # GIVEN a bridge and a recorder of what reaches the GUI thread
    bridge = PipelineBridge()
    seen: list[object] = []
    threads: set[threading.Thread] = set()

    def record(event: object) -> None:
        threads.add(threading.current_thread())
        seen.append(event)

    bridge.pipeline_event.connect(record)

    # WHEN a worker thread streams 500 deltas for a page between its start and its end
    def work() -> None:
        send = bridge.listener
        send(PageStarted("job", 0))
        for i in range(500):
            send(TextDelta("job", 0, f"t{i} "))
        send(PageFinished("job", PageResult(0, "done", "text", "scripted", "m")))
        send(JobFinished("job", JobStatus.DONE))

    with qtbot.waitSignal(bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=10_000):
        worker = threading.Thread(target=work, name="fake-pipeline")
        worker.start()
    worker.join()

    # THEN everything arrived on the GUI thread, in order, with the deltas joined into few frames
    assert threads == {threading.main_thread()}
    assert seen[0] == PageStarted("job", 0)
    assert [type(e) for e in seen[-2:]] == [PageFinished, JobFinished]
    frames = [e for e in seen if isinstance(e, TextFrame)]
    assert len(frames) + 3 == len(seen)
    assert 1 <= len(frames) < 500
    assert "".join(f.text for f in frames) == "".join(f"t{i} " for i in range(500))
    assert sum(f.count for f in frames) == 500


def test_every_pipeline_event_reaches_the_one_signal_with_its_message_translated(qtbot: QtBot) -> None:
    # GIVEN one value of every event the pipeline sends
    region = RegionResult(0, "text", "text", (0, 0, 10, 10), (0, 0, 100, 100), task="text", text="a")
    reason = Message("page {page} could not be rendered: {reason}", page=2, reason="x")
    events: list[Event] = [
        JobAdded("job", "a.pdf", 0, "/a.pdf"),
        JobStarted("job", 2, (0, 1), (1,)),
        PageStarted("job", 1),
        PagePlanned("job", 1, "cdla", (region,)),
        RegionStarted("job", 1, 0),
        RegionFinished("job", 1, region),
        PageFinished("job", PageResult(1, "a", "text", "scripted", "m")),
        PageFailed("job", 0, reason),
        JobFinished("job", JobStatus.DONE),
        JobFailed("other", reason),
        BackendStateChanged(BackendState.READY, "scripted: m"),
        BackendReady("scripted", "m", 1.5),
        BackendRetired("old"),
        PageRequeued("job", 1),
        BackendKept("scripted", "m", reason),
    ]
    assert {type(e) for e in events} | {TextDelta} == set(EVENT_TYPES), "a value of every event"
    bridge = PipelineBridge()
    seen: list[object] = []
    bridge.pipeline_event.connect(seen.append)

    # WHEN a pipeline thread sends them
    def work() -> None:
        for event in events:
            bridge.listener(event)

    with qtbot.waitSignal(bridge.pipeline_event, check_params_cb=is_event(BackendKept), timeout=10_000):
        threading.Thread(target=work, name="fake-pipeline").start()

    # THEN each arrives once, in order, on the one signal; messages are plain translated text
    assert [type(e) for e in seen] == [type(e) for e in events]
    assert seen[:7] == events[:7] and seen[8] == events[8] and seen[10:13] == events[10:13]
    failed = seen[7]
    assert isinstance(failed, PageFailed) and failed.message == "page 2 could not be rendered: x"
    assert type(failed.message) is str
