"""Export documents as .txt / .md / .json / searchable .pdf / .hocr into a folder, off the GUI thread.

The options are the ``export`` section of the settings schema (same editors as the settings
dialog), starting from the saved defaults. The writing is ``exporters.export_documents``, the
same function and rules as ``ocr-desktop ocr``: up-to-date files are left alone, the app's own
earlier exports are replaced, other files only with "Overwrite existing" or "Numbered copies";
one file that cannot be written never stops the others, and the report of every file comes back
in ``exported`` (:func:`describe` words it for the window's notice).

The list of documents is read on the window's :class:`TaskRunner` (``tasks``, one worker in
order), after the edit saved on the way here (``ReadingView.commit_edit``); Export is enabled
once the list is there, so the export reads the edit. The export runs on a runner of its own
(``exports``: a long export does not hold up showing documents); quitting waits for it.
"""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import exporters
from ocr_desktop import settings as settings_mod
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.core.store import JobRecord, JobStore, StoreError
from ocr_desktop.gui.errors import error_text, translated
from ocr_desktop.gui.settings_dialog import Editor, help_text, label_text, make_editor
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner
from ocr_desktop.settings import ExportSettings, Settings


def describe(report: exporters.ExportReport) -> tuple[str, bool]:
    """The notice for a finished export: what was written, left up to date and not written (with
    each reason), and whether anything failed."""
    parts = []
    if report.written:
        saved = (
            QCoreApplication.translate("ExportDialog", "Saved 1 file to {folder}")
            if len(report.written) == 1
            else QCoreApplication.translate("ExportDialog", "Saved {count} files to {folder}")
        )
        parts.append(saved.format(count=len(report.written), folder=report.written[0].parent))
    if report.unchanged:
        parts.append(
            QCoreApplication.translate("ExportDialog", "{count} file(s) were already up to date").format(
                count=len(report.unchanged)
            )
        )
    if report.failed:
        reasons = "; ".join(translated(outcome.message) for outcome in report.failed)
        parts.append(
            QCoreApplication.translate(
                "ExportDialog", "{count} file(s) could not be written: {reasons}"
            ).format(count=len(report.failed), reasons=reasons)
        )
    if report.cancelled:
        parts.append(
            QCoreApplication.translate("ExportDialog", "Export cancelled: the other files were not written")
        )
    if not parts:
        return QCoreApplication.translate(
            "ExportDialog", "Nothing was exported: the documents have no finished pages."
        ), False
    return ". ".join(parts), bool(report.failed)


class ExportDialog(QDialog):
    exported = Signal(object)  # exporters.ExportReport: every file written, up to date or failed
    failed = Signal(str)  # the results could not be read at all: what went wrong and what to do
    listed = Signal()  # the documents are listed (read off the GUI thread)
    progressed = Signal(int, int)  # steps done, in all: pages of a searchable PDF / hOCR laid and drawn

    def __init__(
        self,
        defaults: ExportSettings,
        store: JobStore,
        job_ids: list[str],
        *,
        tasks: TaskRunner,
        exports: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self._store = store
        self._exports = exports
        self.report: exporters.ExportReport | None = None  # of the last export, once it is done
        self._stop = threading.Event()  # set by stop_export: the export stops before its next page
        self.documents = QListWidget(self)
        self.documents.setAccessibleName(self.tr("Documents to export"))
        self.editors: dict[str, Editor] = {}
        form = QFormLayout()
        settings = Settings(export=defaults)
        for info, value in settings_mod.iter_fields(settings):
            if not info.key.startswith("export."):
                continue
            editor = make_editor(info, self)
            editor.put(value)
            editor.widget.setToolTip(help_text(info))
            editor.widget.setAccessibleName(label_text(info))
            self.editors[info.key] = editor
            if isinstance(editor.widget, QCheckBox):
                form.addRow("", editor.widget)  # the box says its label (it was said twice)
            else:
                form.addRow(label_text(info) + ":", editor.widget)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a11d1d;")
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.export_button.setEnabled(False)  # until the documents are listed
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Documents with finished pages:"), self))
        layout.addWidget(self.documents, 1)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(560, 480)
        tasks.run(lambda _task: store.list_jobs(), on_result=lambda jobs: self._list(jobs, job_ids))

    def _list(self, jobs: list[JobRecord], job_ids: list[str]) -> None:
        for job in jobs:
            if job.pages_done == 0:
                continue
            item = QListWidgetItem(f"{job.name}  ({job.pages_done}/{len(job.page_indices)})", self.documents)
            item.setData(Qt.ItemDataRole.UserRole, job.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if job.id in job_ids else Qt.CheckState.Unchecked)
            item.setToolTip(job.source)
        self.export_button.setEnabled(True)
        self.listed.emit()

    def checked_job_ids(self) -> list[str]:
        items = (self.documents.item(i) for i in range(self.documents.count()))
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def options(self) -> ExportSettings:
        """The chosen options; raises SettingsError naming a bad one."""
        settings = Settings()
        for key, editor in self.editors.items():
            settings = settings.with_value(key, editor.get())
        return settings.export

    def accept(self) -> None:
        try:
            options = self.options()
        except settings_mod.SettingsError as exc:
            self._show_error(str(exc))
            return
        job_ids = self.checked_job_ids()
        if not job_ids:
            self._show_error(self.tr("Tick at least one document."))
            return
        if not options.formats:
            self._show_error(self.tr("Tick at least one format."))
            return
        self.export_button.setEnabled(False)
        store = self._store

        stop = self._stop

        def export(task: BackgroundTask[exporters.ExportReport]) -> exporters.ExportReport:
            documents: list[DocumentResult] = [store.document_result(job_id) for job_id in job_ids]
            progress = exporters.ExportProgress(
                report=lambda done, total: task.report((done, total)), cancelled=stop.is_set
            )
            return exporters.export_documents(
                documents, options, save_lines=store.save_page_lines, progress=progress
            )

        # Kept: quitting waits for the files being written. The dialog closes now; progress and
        # the result come as signals, and stop_export stops it.
        self._exports.run(
            export,
            on_result=self._on_exported,
            on_error=self._on_error,
            on_progress=lambda value: self.progressed.emit(*value),
            keep=True,
        )
        super().accept()

    def stop_export(self) -> None:
        """Stop the running export before its next page; the files written so far are kept and
        the report (``exported``) says it was cancelled."""
        self._stop.set()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _on_exported(self, report: exporters.ExportReport) -> None:
        self.report = report
        self.exported.emit(report)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, StoreError):
            self.failed.emit(self.tr("Export failed: {error}").format(error=error_text(exc)))
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)
