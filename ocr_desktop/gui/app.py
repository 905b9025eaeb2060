"""The GUI's entry point: the QApplication, translations, logging, crash dialog and main window."""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from ocr_desktop import APP_DISPLAY_NAME, APP_ID, APP_NAME, __version__
from ocr_desktop import settings as settings_mod
from ocr_desktop.core.store import JobStore, StoreError
from ocr_desktop.gui.errors import CrashReporter, Severity, error_text, translated
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.resources import app_icon, install_translators, interface_language
from ocr_desktop.gui.settings_dialog import SCHEMA_CONTEXT
from ocr_desktop.gui.single_instance import InstanceServer, hand_over
from ocr_desktop.messages import Message

log = logging.getLogger(__name__)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings go to the log file instead of a terminal nobody sees."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    # Matches the .desktop file, so Wayland compositors and docks show the right icon.
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def run(argv: Sequence[str], files: Sequence[Path] = ()) -> int:
    """The window, with ``files`` queued; if a window is already open, hand them to it instead."""
    from ocr_desktop import logs

    logs.setup_logging()
    qInstallMessageHandler(_qt_message)
    app = create_application(argv)
    if hand_over(list(files)):
        log.info("handed %d file(s) to the window already open", len(files))
        return 0

    # Per-key fallback: a bad value costs only that key, unknown keys stay in the file, and
    # Settings → OK writes only what the user changed.
    loaded = settings_mod.load_file()
    settings = loaded.settings
    translators = install_translators(app, interface_language(settings.language))
    log.info("OCR Desktop %s starting (%d translators)", __version__, len(translators))

    try:
        store = JobStore()
    except StoreError as exc:
        QMessageBox.critical(None, APP_DISPLAY_NAME, error_text(exc))
        return 1

    window = MainWindow(settings, store)
    crashes = CrashReporter(lambda: window, window)
    crashes.install()
    instance = InstanceServer(window)
    instance.files_received.connect(window.open_paths)
    instance.listen()
    if loaded.problems:
        window.notice.show_message(
            app.translate("run", "Some settings could not be used; the others apply. {problems}").format(
                problems=settings_problems(loaded)
            ),
            Severity.WARNING,
        )
    window.show()
    if files:
        window.open_paths(list(files))
    try:
        return app.exec()
    finally:
        instance.close()
        window.shutdown()
        crashes.uninstall()
        store.close()


def settings_problems(loaded: settings_mod.LoadedSettings) -> str:
    """The settings file's problems as :meth:`LoadedSettings.message` lists them, in the user's
    language (setting keys, values and the path stay as written)."""
    lines = (f"  {translated(_with_help_translated(problem).describe())}" for problem in loaded.problems)
    header = QApplication.translate("run", "settings file {path}:").format(path=loaded.path)
    return "\n".join([header, *lines])


def _with_help_translated(problem: settings_mod.SettingsProblem) -> settings_mod.SettingsProblem:
    # A bad value's message quotes the key's help text, which is translated with the schema's labels
    # (the Settings dialog's tooltips), not as a message template.
    message = problem.message
    if not isinstance(message, Message) or "help" not in message.fields:
        return problem
    help_text = QApplication.translate(SCHEMA_CONTEXT, message.fields["help"])
    return dataclasses.replace(
        problem, message=Message(message.template, **{**message.fields, "help": help_text})
    )


if __name__ == "__main__":  # pragma: no cover - `python -m ocr_desktop.gui.app`
    raise SystemExit(run(sys.argv))
