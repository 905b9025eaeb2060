"""The window's small dialogs and desktop hand-offs: About, the log folder, a folder in the file
manager, a running export's progress (with Cancel) and the notice an export leaves (what was
written, with Open Folder)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from ocr_desktop import __version__, exporters, paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.gui.errors import NoticeBar, Severity
from ocr_desktop.settings import ExportSettings

if TYPE_CHECKING:
    from ocr_desktop.gui.export_dialog import ExportDialog


def open_folder_url(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def open_log_folder() -> None:
    open_folder_url(paths.log_file().parent)


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        QCoreApplication.translate("MainWindow", "About OCR Desktop"),
        QCoreApplication.translate(
            "MainWindow",
            "<b>OCR Desktop {version}</b><p>Reads documents with GLM-OCR on llama.cpp or vLLM, "
            "on NVIDIA Jetson and any Linux machine.</p><p>Log file: {log}</p>",
        ).format(version=__version__, log=paths.log_file()),
    )


def export_defaults(defaults: ExportSettings, state: QSettings) -> ExportSettings:
    """The settings' export options, with the folder and formats of the last export from the
    window (``window.ini``): the dialog forgot them each time. Kept out of the settings file,
    which the command line's exports read."""
    folder, formats = state.value("export/out_dir"), state.value("export/formats")
    if isinstance(folder, str):
        defaults = dataclasses.replace(defaults, out_dir=folder)
    if isinstance(formats, str) and formats:
        chosen = tuple(f for f in formats.split(",") if f in exporters.FORMATS)
        defaults = dataclasses.replace(defaults, formats=chosen or defaults.formats)
    return defaults


def remember_export(dialog: ExportDialog, state: QSettings) -> None:
    """Keep the folder and formats of an export that ran, for the next one (``export_defaults``)."""
    with contextlib.suppress(settings_mod.SettingsError):  # the dialog's options were valid: it exported
        options = dialog.options()
        state.setValue("export/out_dir", options.out_dir)
        state.setValue("export/formats", ",".join(options.formats))


def show_export_report(notice: NoticeBar, report: exporters.ExportReport) -> None:
    """What an export did, in the notice bar, with Open Folder when it wrote or kept files."""
    from ocr_desktop.gui.export_dialog import describe

    text, failed = describe(report)
    files = report.written or report.unchanged
    action = None
    if files:
        folder = files[0].parent
        action = (QCoreApplication.translate("MainWindow", "Open Folder"), lambda: open_folder_url(folder))
    severity = Severity.ERROR if failed else Severity.INFO if files else Severity.WARNING
    notice.show_message(text, severity, action=action)


class ExportProgressNotice:
    """A running export's progress in the notice bar, with Cancel (the window stays usable: the
    export runs on its own worker). Shown when the percentage changes, not at every page."""

    def __init__(self, notice: NoticeBar, stop: Callable[[], None]) -> None:
        self._notice, self._stop = notice, stop
        self._shown = -1  # the percentage on show
        self._stopping = False

    def show(self, done: int, total: int) -> None:
        percent = min(100, done * 100 // total) if total else 0
        if percent == self._shown or self._stopping:
            return
        self._shown = percent
        text = QCoreApplication.translate("MainWindow", "Exporting… {percent}% of the pages done").format(
            percent=percent
        )
        cancel = QCoreApplication.translate("MainWindow", "Cancel")
        self._notice.show_message(text, action=(cancel, self.cancel))

    def cancel(self) -> None:
        self._stopping = True
        self._stop()
        self._notice.show_message(QCoreApplication.translate("MainWindow", "Stopping the export…"))
