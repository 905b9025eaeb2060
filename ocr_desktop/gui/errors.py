"""One channel for what the user must know: a notice bar for messages, a dialog for crashes.

Every user-facing message goes through :class:`NoticeBar` (what happened, what to do, maybe one
action such as "Open Folder"). An exception nobody caught — on the main thread or any other —
reaches :class:`CrashReporter`, which logs it and shows a dialog with the traceback and the log
file's path; the app keeps running (qutebrowser's crash dialog, napari's notifications).
"""

from __future__ import annotations

import enum
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import paths
from ocr_desktop.messages import Message

log = logging.getLogger(__name__)


#: The translation context of the core's :class:`~ocr_desktop.messages.Message` templates.
MESSAGES_CONTEXT = "messages"


def translated(text: str) -> str:
    """A message from the core in the user's language: a :class:`Message`'s template translated,
    its fields filled in (translated too where they are messages); other text as it is."""
    if not isinstance(text, Message):
        return text
    template = QCoreApplication.translate(MESSAGES_CONTEXT, text.template)
    fields = {
        key: translated(value) if isinstance(value, str) else value for key, value in text.fields.items()
    }
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        # A translation that names a field the template lacks must not hide the failure itself.
        log.warning("translation of %r does not fit its fields", text.template)
        return str(text)


def error_text(exc: BaseException) -> str:
    """An exception's message in the user's language: its Message argument translated (``str(exc)``
    would give the English, as str() of a str subclass is a plain str)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return translated(exc.args[0])
    return str(exc)


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_COLORS = {
    Severity.INFO: ("#e7f1fb", "#1c5d99"),
    Severity.WARNING: ("#fff4d6", "#8a5a00"),
    Severity.ERROR: ("#fde8e8", "#a11d1d"),
}


class NoticeBar(QFrame):
    """A dismissible message strip above the main content, with at most one action button."""

    shown = Signal(str)  # the message text, for tests and the log

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setAccessibleName(self.tr("Notice"))
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._action = QPushButton(self)
        self._action.hide()
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setToolTip(self.tr("Dismiss this message"))
        self._close.setAccessibleName(self.tr("Dismiss message"))
        self._close.clicked.connect(self.hide)
        self._callback: Callable[[], None] | None = None
        self._action.clicked.connect(self._run_action)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(self._close)
        self.hide()

    def text(self) -> str:
        return self._label.text()

    def action_text(self) -> str:
        return self._action.text() if self._callback else ""

    def show_message(
        self,
        text: str,
        severity: Severity = Severity.INFO,
        *,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        background, foreground = _COLORS[severity]
        self.setStyleSheet(
            f"#noticeBar {{ background: {background}; border: 1px solid {foreground}; border-radius: 4px; }}"
            f"#noticeBar QLabel {{ color: {foreground}; }}"
        )
        self._label.setText(text)
        self._callback = action[1] if action else None
        self._action.setText(action[0] if action else "")
        self._action.setVisible(action is not None)
        self.show()
        log.log(logging.ERROR if severity is Severity.ERROR else logging.INFO, "notice: %s", text)
        self.shown.emit(text)

    def show_error(self, text: str) -> None:
        """``show_message`` of an error (a slot for signals that carry only the text)."""
        self.show_message(text, Severity.ERROR)

    def trigger_action(self) -> None:
        """Run the action button's callback (what clicking it does)."""
        self._run_action()

    @Slot()
    def _run_action(self) -> None:
        if self._callback is not None:
            self._callback()


class CrashDialog(QDialog):
    """Shows an uncaught exception's traceback and where the log file is."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unexpected error"))
        self.setAccessibleName(self.tr("Unexpected error"))
        self.intro = intro = QLabel(
            self.tr(
                "Something went wrong inside OCR Desktop: {summary}\n\n"
                "The app keeps running, but the last action may not have finished. "
                "The details below are also in the log file:\n{log}\n"
                "Please include them when you report the problem."
            ).format(summary=summary, log=paths.log_file()),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Traceback"))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(720, 420)


class CrashReporter(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook``; shows one dialog per crash."""

    crashed = Signal(str, str)  # summary, formatted traceback (queued from any thread)

    def __init__(self, parent_widget: Callable[[], QWidget | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parent_widget = parent_widget
        self._previous = (sys.excepthook, threading.excepthook)
        self.dialog: CrashDialog | None = None
        self.crashed.connect(self._show)

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous[0](exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", details)
        self.crashed.emit(f"{exc_type.__name__}: {exc}", details)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self._excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            # A burst of errors (one per event) shows the first; the rest are in the log.
            return
        self.dialog = CrashDialog(summary, details, self._parent_widget())
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._forget_dialog)
        self.dialog.open()

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None
