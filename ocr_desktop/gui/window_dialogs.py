"""The window's small dialogs and desktop hand-offs: About, the log folder, a folder in the file
manager, and the notice an export leaves (what was written, with Open Folder)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from ocr_desktop import __version__, exporters, paths
from ocr_desktop.gui.errors import NoticeBar, Severity


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
