"""The last lines of the log, live, for View → Log (the full log is in the log file)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QFontDatabase, QHideEvent, QShowEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from ocr_desktop import logs


class _LineBridge(QObject):
    line = Signal(str)  # one formatted log line, from whichever thread logged it


class LogView(QPlainTextEdit):
    """Read-only, bounded to the ring buffer's size; listens only while visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName(self.tr("Log"))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setMaximumBlockCount(logs.RING_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._bridge = _LineBridge(self)
        self._bridge.line.connect(self.appendPlainText)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        ring = logs.ring_buffer()
        self.setPlainText("\n".join(ring.lines()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        ring.add_listener(self._bridge.line.emit)

    def hideEvent(self, event: QHideEvent) -> None:
        logs.ring_buffer().remove_listener(self._bridge.line.emit)
        super().hideEvent(event)

    @Slot()
    def detach(self) -> None:
        logs.ring_buffer().remove_listener(self._bridge.line.emit)
