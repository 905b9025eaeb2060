"""Every document the store remembers, to put one back on the queue and read its results.

The list is read from the store off the GUI thread (``tasks``) and filled in when it arrives."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop.core.store import JobRecord, JobStatus, JobStore
from ocr_desktop.gui.queue_view import distinct_names
from ocr_desktop.gui.tasks import TaskRunner


class HistoryDialog(QDialog):
    reopen = Signal(str)  # job_id to show in the queue again
    loaded = Signal()  # the list is filled in

    def __init__(self, store: JobStore, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("History"))
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(self.tr("Documents read earlier"))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setHeaderLabels(
            [self.tr("Document"), self.tr("Added"), self.tr("Pages"), self.tr("Status")]
        )
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemDoubleClicked.connect(self._reopen_current)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.reopen_button = QPushButton(self.tr("Show in Queue"), self)
        self.reopen_button.setToolTip(self.tr("Put the document back on the queue and show its pages"))
        self.reopen_button.setDefault(True)
        buttons.addButton(self.reopen_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.reopen_button.clicked.connect(self._reopen_current)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(640, 420)
        tasks.run(lambda _task: store.list_jobs(), on_result=self._fill)

    def _fill(self, jobs: list[JobRecord]) -> None:
        statuses = {
            JobStatus.QUEUED: self.tr("Queued"),
            JobStatus.RUNNING: self.tr("Reading"),
            JobStatus.PAUSED: self.tr("Paused"),
            JobStatus.DONE: self.tr("Done"),
            JobStatus.FAILED: self.tr("Failed"),
            JobStatus.CANCELLED: self.tr("Cancelled"),
        }
        names = distinct_names([(job.name, job.source) for job in jobs])
        # Newest first: the document looked for is usually a recent one.
        for job in sorted(jobs, key=lambda j: j.created_at, reverse=True):
            pages = f"{job.pages_done}/{len(job.page_indices)}" if job.page_indices else "–"
            added = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
            item = QTreeWidgetItem([names[job.name, job.source], added, pages, statuses[job.status]])
            item.setData(0, Qt.ItemDataRole.UserRole, job.id)
            item.setToolTip(0, job.source)
            self.tree.addTopLevelItem(item)
        for column in (1, 2, 3):
            self.tree.resizeColumnToContents(column)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.loaded.emit()

    def job_ids(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [str(item.data(0, Qt.ItemDataRole.UserRole)) for item in items if item is not None]

    def select(self, job_id: str) -> None:
        item = self.tree.topLevelItem(self.job_ids().index(job_id))
        if item is not None:
            self.tree.setCurrentItem(item)

    @Slot()
    def _reopen_current(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.reopen.emit(str(item.data(0, Qt.ItemDataRole.UserRole)))
            self.accept()
