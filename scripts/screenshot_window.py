"""Waiting on the real window in the screenshot scripts (scripts/screenshot.sh,
scripts/screenshot_lite.sh): their Python runs from the repository root and imports this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer

if TYPE_CHECKING:
    from ocr_desktop.gui.main_window import MainWindow


def wait(ms: int) -> None:
    """Let the event loop run for ``ms`` (repaints, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(window: MainWindow, kind: type, timeout_ms: int = 60_000) -> None:
    """Until the window's bridge delivers a pipeline event of ``kind`` (or the timeout)."""
    loop = QEventLoop()

    def seen(event: object) -> None:
        if isinstance(event, kind):
            loop.quit()

    window.bridge.pipeline_event.connect(seen)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    window.bridge.pipeline_event.disconnect(seen)
