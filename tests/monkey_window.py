"""The monkey run behind ``tests/test_gui_monkey.py``: the real main window driven by real events
for a bounded time, with a watchdog on the GUI thread.

Run as ``python -m tests.monkey_window SECONDS SEED FILE...`` (from the repository root, with
``QT_QPA_PLATFORM`` and the ``XDG_*`` folders set by the caller). It opens the files, waits until
they are read, then for SECONDS picks actions at random (window resizes across sizes, splitter
drags with the mouse, zoom in/out/fit, page flips, tab switches, queue selection, scrolling) and
returns to the event loop after each, as a user's clicks do.

The watchdog: a 20 ms timer on the GUI thread re-arms ``faulthandler``'s timeout; a timer that
has not run for the stall limit means the GUI thread has not reached its event loop for that long
(a layout feedback loop keeps it busy with posted events: clicks and menus get no answer either).
faulthandler then prints STALL_MARK and every thread's stack, and ends the process: a hung window
cannot end on its own, so the test runs this in a child process and reads the verdict from its
output. Each action is printed before it runs, so the last one printed caused the stall.
"""

from __future__ import annotations

import faulthandler
import os
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QSplitter

from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.settings import Settings
from ocr_desktop.telemetry.psutil_source import PsutilSource
from ocr_desktop.telemetry.sampler import Sampler
from tests.backends import ScriptedBackend

#: What a stalled run prints: faulthandler's line when the GUI thread reached no timer for the
#: limit (it then exits with status 1), or the settle check's when the window kept laying out.
STALL_MARKS = ("Timeout (", "STALL:")
#: A GUI thread that reaches no timer for this long has hung (the issue's limit).
STALL_LIMIT_S = 1.0


class Watchdog:
    """Re-armed by a 20 ms timer on the GUI thread; fires when that timer has not run for
    ``limit_s``. ``faulthandler``'s timer runs on a C thread that needs no GIL: a GUI thread
    spinning through Python overrides (``resizeEvent``) keeps a Python watchdog thread from
    running at all, as the first version of this test found."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.beat = time.monotonic()
        self.armed = False
        self.worst = 0.0
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._stamp)
        self._timer.start()

    def arm(self) -> None:
        self.armed = True
        self.beat = time.monotonic()
        self._stamp()

    def disarm(self) -> None:
        self.armed = False
        faulthandler.cancel_dump_traceback_later()

    def _stamp(self) -> None:
        now = time.monotonic()
        if self.armed:
            self.worst = max(self.worst, now - self.beat)
            # On expiry: "Timeout (0:00:01)!", every thread's stack, then _exit(1).
            faulthandler.dump_traceback_later(self.limit_s, file=sys.stdout, exit=True)
        self.beat = now


class Settle(QObject):
    """Counts the events of laying out (resize, layout request, show, hide) the whole app
    receives. A window settles within a few milliseconds of any action; one that keeps laying
    itself out is in a feedback loop (a scroll bar shown and hidden for ever), however fast it
    still answers timers: the freeze of issue 20 ran as such a storm, 5,000 events in 0.3 s."""

    KINDS = frozenset({QEvent.Type.Resize, QEvent.Type.LayoutRequest, QEvent.Type.Show, QEvent.Type.Hide})

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.count = 0
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.KINDS:
            self.count += 1
        return False

    def wait(self, action: str, limit_s: float) -> float:
        """Process events until a 30 ms stretch brings at most a few layout events; exit the
        process (a stall) if that takes over ``limit_s``. Returns the time it took."""
        start = time.monotonic()
        while True:
            before, window_end = self.count, time.monotonic() + 0.03
            while time.monotonic() < window_end:
                QApplication.processEvents()
                time.sleep(0.002)
            if self.count - before <= 5:
                return time.monotonic() - start
            if time.monotonic() - start > limit_s:
                print(
                    f"STALL: the window kept laying itself out for {limit_s} s after: {action} "
                    f"({self.count - before} layout events in the last 0.03 s)",
                    flush=True,
                )
                faulthandler.dump_traceback(file=sys.stdout, all_threads=False)
                sys.stdout.flush()
                os._exit(1)


def drag(splitter: QSplitter, handle_index: int, to: int) -> str:
    """Press on a splitter handle, move it in steps with the button held, release: what a user's
    drag delivers to the handle (QTest's mouseMove carries no buttons, so the events are built)."""
    handle = splitter.handle(handle_index)
    start = handle.rect().center()
    vertical = splitter.orientation() == Qt.Orientation.Vertical
    origin = handle.mapTo(splitter, start)
    delta = to - (origin.y() if vertical else origin.x())

    def send(kind: QEvent.Type, offset: int, buttons: Qt.MouseButton) -> None:
        local = QPointF(start.x(), start.y() + offset) if vertical else QPointF(start.x() + offset, start.y())
        event = QMouseEvent(
            kind,
            local,
            handle.mapToGlobal(local),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(handle, event)

    send(QEvent.Type.MouseButtonPress, 0, Qt.MouseButton.LeftButton)
    steps = 6
    for step in range(1, steps + 1):
        send(QEvent.Type.MouseMove, delta * step // steps, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, delta, Qt.MouseButton.NoButton)
    return f"drag {splitter.objectName()} handle to {to}"


def wheel(widget: object, up: bool, ctrl: bool) -> str:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    target = widget
    centre = QPointF(target.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(target.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 if up else -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(target, event)
    name = target.objectName() or type(target).__name__
    return f"wheel {'up' if up else 'down'}{' with Ctrl' if ctrl else ''} on {name}"


class Monkey:
    def __init__(self, window: MainWindow, rng: random.Random, settle: Settle) -> None:
        self.window = window
        self.rng = rng
        self.settle = settle

    def step(self) -> str:
        w, rng = self.window, self.rng
        view = w.reading_view
        choice = rng.randrange(10)
        if choice == 0:
            width, height = rng.randint(640, 1600), rng.randint(420, 1000)
            w.resize(width, height)
            return f"resize window to {width}x{height}"
        if choice == 1:
            return drag(w.splitter, 1, rng.randint(40, max(60, w.splitter.height() - 40)))
        if choice == 2:
            return drag(view.splitter, 1, rng.randint(40, max(60, view.splitter.width() - 40)))
        if choice == 3:
            button = rng.choice([view.zoom_in_button, view.zoom_out_button, view.fit_button])
            button.click()
            return f"click {button.accessibleName()}"
        if choice == 4:
            return wheel(view.page_view.viewport(), rng.random() < 0.5, ctrl=True)
        if choice == 5:
            return wheel(
                rng.choice([view.page_view.viewport(), view.markdown_view.viewport()]),
                rng.random() < 0.5,
                False,
            )
        if choice == 6:
            button = rng.choice([view.next_button, view.prev_button])
            button.click()
            return f"click {button.accessibleName()} (page {view.page_index + 1})"
        if choice == 7:
            index = rng.randrange(view.tabs.count())
            view.tabs.tabBar().setCurrentIndex(index)
            return f"tab {view.tabs.tabText(index)}"
        if choice == 8:
            model = w.queue_model
            row = rng.randrange(model.rowCount())
            w.queue_view.select_job(model.job_at(row).job_id)
            return f"select queue row {row}"
        return self.sweep(rng.choice([w.splitter, view.splitter, None]))

    def sweep(self, splitter: QSplitter | None) -> str:
        """Fit the page to the width, then move through every height of the page view in 2 px
        steps (a splitter's handle dragged, or the window's height): the freeze happened at one
        height only (a page as tall as the view with the scroll bar and not without it)."""
        w = self.window
        w.reading_view.fit_button.click()
        if splitter is None:
            width = w.width()
            for height in range(420, 1000, 3):
                w.resize(width, height)
                self.settle.wait(f"sweep: window resized to {width}x{height}", STALL_LIMIT_S)
            return f"sweep window height at width {width} with the page fitted"
        vertical = splitter.orientation() == Qt.Orientation.Vertical
        extent = splitter.height() if vertical else splitter.width()
        for to in range(40, extent - 40, 3):
            drag(splitter, 1, to)
            self.settle.wait(f"sweep: {splitter.objectName()} handle dragged to {to}", STALL_LIMIT_S)
        return f"sweep {splitter.objectName()} handle over {extent} px with the page fitted"


def main() -> int:
    seconds, seed, files = float(sys.argv[1]), int(sys.argv[2]), [Path(f) for f in sys.argv[3:]]
    app = QApplication(sys.argv[:1])
    settings = Settings().with_value("reading.mode", "page")
    store = JobStore()
    backend = ScriptedBackend()
    window = MainWindow(
        settings,
        store,
        backend_factory=lambda _settings: backend,
        sampler=Sampler(settings.telemetry, sources=[PsutilSource()]),
    )
    window.show()
    dog = Watchdog(STALL_LIMIT_S)
    deadline = time.monotonic() + 120
    while window.queue.restoring and time.monotonic() < deadline:
        app.processEvents()
    window.open_paths(files)
    while time.monotonic() < deadline:
        app.processEvents()
        rows = window.queue_model.rows()
        if len(rows) >= len(files) and all(row.status.finished for row in rows):
            break
        time.sleep(0.01)
    else:
        print("the files were not read in time", flush=True)
        return 2
    window.resize(1200, 820)  # the default window size, where the freeze was seen
    rng = random.Random(seed)
    monkey = Monkey(window, rng, Settle(app))
    steps = 0
    dog.arm()
    # What the issue did: the default window, each document, the page fitted, the splitter
    # between the queue and the reading view dragged down through every position.
    for row in range(min(2, window.queue_model.rowCount())):  # the first two files given
        window.queue_view.select_job(window.queue_model.job_at(row).job_id)
        print(f"select queue row {row}; {monkey.sweep(None)}", flush=True)
        window.resize(1200, 820)
        print(f"select queue row {row}; {monkey.sweep(window.splitter)}", flush=True)
    end = time.monotonic() + seconds

    def act() -> None:
        nonlocal steps
        if time.monotonic() >= end:
            app.quit()
            return
        # Printed before the next action: after a stall the last line names the culprit.
        action = monkey.step()
        print(f"{steps}: {action}", flush=True)
        steps += 1
        monkey.settle.wait(action, STALL_LIMIT_S)
        QTimer.singleShot(rng.choice([0, 1, 5, 30]), act)

    QTimer.singleShot(0, act)
    app.exec()
    dog.disarm()
    print(f"OK: {steps} actions, longest gap between GUI-thread timer beats {dog.worst:.3f} s", flush=True)
    window.shutdown()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
