"""The queue: one row per document with its progress, status, backend, elapsed time and tok/s.

:class:`QueueModel` puts in order the rows the job states keep (:mod:`ocr_desktop.gui.job_states`,
the GUI's one record of job state: each :class:`JobRow` holds what the pipeline's events said
about its job, so nothing in the window reads the store back to learn it) and repaints a row
when the job states say it changed. The window's actions ask these rows. The table view draws
the pages column as a progress bar and lets rows be dragged to reorder the queue (the model
reports the move through ``move_requested``; the main window asks the pipeline to do it).
"""

from __future__ import annotations

import collections
import enum
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.errors import translated
from ocr_desktop.gui.job_states import JobRow, JobStates, LivePage, row_from_record
from ocr_desktop.gui.settings_dialog import backend_label

__all__ = [
    "JOB_IDS_MIME",
    "Column",
    "JobRow",
    "LivePage",
    "ProgressDelegate",
    "QueueModel",
    "QueueView",
    "distinct_names",
    "format_duration",
    "row_from_record",
]

JOB_IDS_MIME = "application/x-ocr-desktop-job-ids"

ModelIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    PAGES = 1
    STATUS = 2
    BACKEND = 3
    ELAPSED = 4
    SPEED = 5


def distinct_names(documents: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(name, source) -> the name to show: the name, with its folder when another document of
    the list has the same name ("report.pdf — 2023")."""
    count = collections.Counter(name for name, _source in set(documents))
    return {
        (name, source): f"{name} — {Path(source).parent.name}" if count[name] > 1 and source else name
        for name, source in documents
    }


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class QueueModel(QAbstractTableModel):
    """The rows of the queue, in the pipeline's order."""

    move_requested = Signal(str, int)  # job_id, new position (row index after the move)

    def __init__(self, states: JobStates | None = None, parent: QObject | None = None) -> None:
        """``states``: where the rows' state is kept (the window's, which the pipeline's events
        change); a queue of its own by default."""
        super().__init__(parent)
        self.states = states or JobStates(parent=self)
        self.states.row_changed.connect(self._changed)
        self.states.updated.connect(self._on_update)
        self._rows: list[JobRow] = []  # the job's rows in the states, in the queue's order
        self._index: dict[str, int] = {}  # job_id -> row
        # Jobs added since the last flush: a drop of a thousand files becomes one row insertion
        # (one layout of the view) instead of a thousand.
        self._pending: list[JobRow] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self.flush)
        # Rows whose streamed text grew: one repaint per row and turn of the event loop, not one
        # per page (vLLM streams eight pages of a document at once; the bridge hands over each
        # page's text of a frame as its own event).
        self._streaming: set[str] = set()
        self._streaming_timer = QTimer(self)
        self._streaming_timer.setSingleShot(True)
        self._streaming_timer.timeout.connect(self._repaint_streaming)
        self._names: collections.Counter[str] = collections.Counter()  # how many rows share a name
        self.paused = False
        self._headers = {
            Column.NAME: self.tr("Document"),
            Column.PAGES: self.tr("Pages"),
            Column.STATUS: self.tr("Status"),
            Column.BACKEND: self.tr("Backend"),
            Column.ELAPSED: self.tr("Elapsed"),
            Column.SPEED: self.tr("tok/s"),
        }

    # -- reading -----------------------------------------------------------------------------

    def rows(self) -> list[JobRow]:
        """Every job, the ones still waiting to be shown (``flush``) last."""
        return self._rows + self._pending

    def row_of(self, job_id: str) -> int:
        """The job's row in the view; -1 if it has none (yet)."""
        return self._index.get(job_id, -1)

    def job(self, job_id: str) -> JobRow | None:
        i = self.row_of(job_id)
        if i >= 0:
            return self._rows[i]
        return next((row for row in self._pending if row.job_id == job_id), None)

    def _reindex(self) -> None:
        self._index = {row.job_id: i for i, row in enumerate(self._rows)}

    def job_at(self, row: int) -> JobRow:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[Column(section)]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == Column.ELAPSED:
                return self.tr("Time spent reading this document's pages; waiting and pauses do not count")
            if section == Column.SPEED:
                return self.tr(
                    "Tokens per second while writing: the tokens after the first, divided by the time "
                    "after the first token, over the finished pages (as on each page)"
                )
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.UserRole:
            return row.progress if column == Column.PAGES else row.job_id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return row.source or row.name
            if column == Column.STATUS and (row.message or row.failed):
                return translated(row.message) or "\n".join(
                    self.tr("Page {n}: {message}").format(n=i + 1, message=translated(m))
                    for i, m in sorted(row.failed.items())
                )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.ELAPSED, Column.SPEED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: JobRow, column: Column) -> str:
        match column:
            case Column.NAME:
                if self._names[row.name] > 1 and row.source:  # same-named files told apart
                    return f"{row.name} — {Path(row.source).parent.name}"
                return row.name
            case Column.PAGES:
                return f"{len(row.pages_done)}/{row.page_count}" if row.page_count else "–"
            case Column.STATUS:
                return self.status_text(row)
            case Column.BACKEND:
                return backend_label(row.backend)
            case Column.ELAPSED:
                return format_duration(row.elapsed) if row.elapsed or row.live else ""
            case Column.SPEED:
                return f"{row.tokens_per_s:.1f}" if row.tokens_per_s else ""

    def status_text(self, row: JobRow) -> str:
        match row.status:
            case JobStatus.QUEUED:
                return self.tr("Paused") if self.paused else self.tr("Queued")
            case JobStatus.PAUSED:
                return self.tr("Paused")
            case JobStatus.RUNNING:
                if not row.live:
                    return self.tr("Paused") if self.paused else self.tr("Starting")
                deltas = sum(page.deltas for page in row.live.values())
                if len(row.live) == 1:
                    [index] = row.live
                    return self.tr("Reading page {n} · {deltas} pieces of text").format(
                        n=index + 1, deltas=deltas
                    )
                # vLLM reads several pages of one document side by side
                return self.tr("Reading pages {pages} · {deltas} pieces of text").format(
                    pages=", ".join(str(index + 1) for index in sorted(row.live)), deltas=deltas
                )
            case JobStatus.DONE:
                if row.failed:
                    if len(row.failed) == 1:
                        return self.tr("Done, 1 page failed")
                    return self.tr("Done, {count} pages failed").format(count=len(row.failed))
                return self.tr("Done")
            case JobStatus.FAILED:
                if row.waiting:
                    return self.tr("Waiting for the model")
                return self.tr("Failed: {message}").format(message=translated(row.message))
            case JobStatus.CANCELLED:
                return self.tr("Cancelled")

    # -- changing ----------------------------------------------------------------------------

    def _changed(self, job_id: str, first: Column = Column.NAME, last: Column = Column.SPEED) -> None:
        i = self.row_of(job_id)
        if i >= 0:
            self.dataChanged.emit(self.index(i, first), self.index(i, last))

    def _on_update(self, event: object) -> None:
        if isinstance(event, TextFrame) and self.job(event.job_id) is not None:
            self._streaming.add(event.job_id)
            if not self._streaming_timer.isActive():
                self._streaming_timer.start()

    def _repaint_streaming(self) -> None:
        job_ids, self._streaming = self._streaming, set()
        for job_id in job_ids:
            self._changed(job_id, Column.PAGES, Column.STATUS)

    def add_job(self, row: JobRow) -> None:
        existing = self.job(row.job_id)
        if existing is not None:
            self._forget_name(existing.name)
            self._names[row.name] += 1
            # A job queued again (a retry, a re-read) is announced with its document's page
            # count; the row already counts the pages chosen to read ("1-2" of 3: 2).
            existing.name, existing.page_count = row.name, existing.page_count or row.page_count
            self._changed(row.job_id)
            return
        self._pending.append(self.states.add_row(row))
        self._names[row.name] += 1
        if self._names[row.name] == 2:  # the first of that name now shows its folder too
            self._names_changed(row.name)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Show the jobs added since the last flush (at the next turn of the event loop, or now)."""
        self._flush_timer.stop()
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(pending) - 1)
        self._rows.extend(pending)
        self._reindex()
        self.endInsertRows()

    def remove_job(self, job_id: str) -> None:
        self.flush()
        i = self.row_of(job_id)
        if i >= 0:
            self.beginRemoveRows(QModelIndex(), i, i)
            name = self._rows.pop(i).name
            self._reindex()
            self.states.forget(job_id)
            self._forget_name(name)
            self.endRemoveRows()
            self._names_changed(name)

    def _forget_name(self, name: str) -> None:
        """One row of that name fewer (a name no row has is not kept: a long session's removed
        documents would pile up)."""
        self._names[name] -= 1
        if self._names[name] <= 0:
            del self._names[name]

    def _names_changed(self, name: str) -> None:
        """Rows of that name show their folder or stop showing it."""
        for i, row in enumerate(self._rows):
            if row.name == name:
                self.dataChanged.emit(self.index(i, Column.NAME), self.index(i, Column.NAME))

    def move_job(self, job_id: str, position: int) -> bool:
        """Move a row so that it ends up at ``position``; False if nothing moved."""
        source = self.row_of(job_id)
        position = max(0, min(position, len(self._rows) - 1))
        if source < 0 or source == position:
            return False
        # beginMoveRows wants the destination as an index *before* the move.
        destination = position + 1 if position > source else position
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination)
        self._rows.insert(position, self._rows.pop(source))
        self._reindex()
        self.endMoveRows()
        return True

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.STATUS), self.index(len(self._rows) - 1, Column.STATUS)
            )

    def tick(self) -> None:
        """Refresh the elapsed column of running jobs (called once a second)."""
        for i, row in enumerate(self._rows):
            if row.live:
                self.dataChanged.emit(self.index(i, Column.ELAPSED), self.index(i, Column.ELAPSED))

    # -- drag and drop reordering --------------------------------------------------------------

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [JOB_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        ids = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(JOB_IDS_MIME, QByteArray("\n".join(self._rows[r].job_id for r in ids).encode()))
        return mime

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(JOB_IDS_MIME):
            return False
        job_ids = bytes(data.data(JOB_IDS_MIME).data()).decode().split("\n")
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._rows))
        for offset, job_id in enumerate(job_ids):
            source = self.row_of(job_id)
            if source < 0:
                continue
            position = target + offset - (1 if source < target else 0)
            if self.move_job(job_id, position):
                self.move_requested.emit(job_id, self.row_of(job_id))
        # False: the rows were moved here, so the view must not remove the "dragged" rows.
        return False


class ProgressDelegate(QStyledItemDelegate):
    """Draws the pages column as a progress bar with "done/total" on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int(float(index.data(Qt.ItemDataRole.UserRole) or 0.0) * 1000)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole))
        bar.textVisible = True
        # Qt 6 draws a bar vertically unless the state says horizontal (Qt 5 had ``orientation``):
        # without it "3/12" was a thin strip filling the cell from the bottom.
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueueView(QTableView):
    """The queue table: rows selectable, draggable to reorder."""

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueView")
        self.setAccessibleName(self.tr("Document queue"))
        self.setToolTip(self.tr("Documents in the queue. Drag a row to change the order."))
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self._progress = ProgressDelegate(self)
        self.setItemDelegateForColumn(Column.PAGES, self._progress)
        header = self.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.STATUS, QHeaderView.ResizeMode.Stretch)
        # Widths from the widest text each column can hold, not ResizeToContents: that measures
        # every row again on each change, which with a thousand queued documents stalls the GUI
        # thread for a second per streamed token.
        widest = {
            Column.PAGES: "0000/0000",
            Column.BACKEND: "llama.cpp (in-process)",
            Column.ELAPSED: "00:00:00",
            Column.SPEED: "0000.0",
        }
        metrics = self.fontMetrics()
        for column, text in widest.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            header.resizeSection(column, max(metrics.horizontalAdvance(t) for t in (text, title)) + 24)
        header.setMinimumSectionSize(60)

    def queue_model(self) -> QueueModel:
        model = self.model()
        assert isinstance(model, QueueModel)
        return model

    def selected_job_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.queue_model().job_at(r).job_id for r in rows]

    def current_job_id(self) -> str | None:
        index = self.currentIndex()
        return self.queue_model().job_at(index.row()).job_id if index.isValid() else None

    def select_job(self, job_id: str) -> None:
        """Make the job's row the only selected and the current one, and scroll to it.

        Not ``selectRow``: that one reads the keyboard modifiers held right now, so called from a
        Ctrl+Up shortcut it toggles the row out of the selection."""
        row = self.queue_model().row_of(job_id)
        if row >= 0:
            index = self.model().index(row, Column.NAME)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.selectionModel().setCurrentIndex(index, flags)
            self.scrollTo(index)
