"""The queue: one row per document with its progress, status, backend, elapsed time and tok/s.

:class:`QueueModel` is the GUI's one record of job state: each :class:`JobRow` holds what the
pipeline's events said about its job (they carry what they report: page counts, how a job ended,
the text of the pages being read), so nothing in the window reads the store back to learn it.
The reading view and the window's actions ask these rows. The table view draws
the pages column as a progress bar and lets rows be dragged to reorder the queue (the model
reports the move through ``move_requested``; the main window asks the pipeline to do it).
"""

from __future__ import annotations

import collections
import enum
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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

from ocr_desktop.core.results import GenerationStats, PageResult
from ocr_desktop.core.store import JobRecord, JobStatus, PageRecord, PageStatus
from ocr_desktop.gui.errors import translated
from ocr_desktop.gui.settings_dialog import backend_label

JOB_IDS_MIME = "application/x-ocr-desktop-job-ids"

ModelIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    PAGES = 1
    STATUS = 2
    BACKEND = 3
    ELAPSED = 4
    SPEED = 5


@dataclass
class LivePage:
    """A page being read now."""

    since: float  # time.monotonic() when its reading started
    text: str = ""  # streamed so far
    deltas: int = 0  # text deltas so far (a vLLM delta may hold several tokens)


@dataclass
class JobRow:
    """What the queue shows about one job."""

    job_id: str
    name: str
    page_count: int
    source: str = ""
    status: JobStatus = JobStatus.QUEUED
    message: str = ""  # why the job failed
    pages_done: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    backend: str = ""
    live: dict[int, LivePage] = field(default_factory=dict)  # pages being read (vLLM: several at once)
    elapsed_s: float = 0.0  # the reading times of the finished pages (docs/gui.md, "Numbers")
    #: Time spent on pages that ended unfinished (cancelled, failed): still reading time, so
    #: Elapsed does not jump back when a page in flight is cancelled (it showed 1:31, then 0:16).
    abandoned_s: float = 0.0
    #: Failed only because no model is installed yet: it waits for the model (read when it
    #: arrives), and says so rather than "Failed: model file not found".
    waiting: bool = False
    completion_tokens: int = 0
    decode_s: float = 0.0

    def add_stats(self, stats: GenerationStats) -> None:
        """Count a finished page into the document's elapsed time and tok/s: the same figures
        the page's own statistics show, summed."""
        self.elapsed_s += stats.total_s
        if stats.decode_tokens_per_s > 0:
            self.completion_tokens += stats.completion_tokens - 1
            self.decode_s += stats.total_s - stats.time_to_first_token_s

    @property
    def elapsed(self) -> float:
        """Time spent reading this document's pages: the finished pages' reading times plus how
        long the pages in flight have been read. Waiting, pauses and loading do not count."""
        now = time.monotonic()
        return self.elapsed_s + self.abandoned_s + sum(now - page.since for page in self.live.values())

    def end_live(self, page_index: int | None = None) -> None:
        """Pages in flight (one, or all) ended without a result: their time so far stays counted."""
        now = time.monotonic()
        for index in [page_index] if page_index is not None else list(self.live):
            page = self.live.pop(index, None)
            if page is not None:
                self.abandoned_s += now - page.since

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.decode_s if self.decode_s > 0 else 0.0

    @property
    def progress(self) -> float:
        """0..1 over the document's pages, each page being read counted half done once it streams."""
        if self.page_count <= 0:
            # Nothing is known to read: full only when the reading ended well (a document
            # cancelled before its first page shows an empty bar, not a full one).
            return 1.0 if self.status is JobStatus.DONE else 0.0
        done = len(self.pages_done) + len(self.failed) + 0.5 * sum(1 for p in self.live.values() if p.deltas)
        return min(1.0, done / self.page_count)

    def live_texts(self) -> dict[int, str]:
        """The pages being read and their text so far."""
        return {index: page.text for index, page in self.live.items()}


def row_from_record(job: JobRecord, pages: Sequence[PageRecord]) -> JobRow:
    """A queue row for a job read back from the store (after a restart, or from the history):
    its page rows only, never its text, regions or figures."""
    # A job that was running when the app stopped is queued again by resume_unfinished.
    status = JobStatus.QUEUED if job.status in (JobStatus.RUNNING, JobStatus.PAUSED) else job.status
    done = [p for p in pages if p.status is PageStatus.DONE]
    row = JobRow(
        job_id=job.id,
        name=job.name,
        page_count=len(job.page_indices) or (job.page_count or 0),
        source=job.source,
        status=status,
        message=job.error,
        backend=job.options.backend,
        pages_done={p.page_index for p in done},
        failed={p.page_index: p.error for p in pages if p.status is PageStatus.FAILED},
    )
    for page in done:
        row.add_stats(page.stats)
    if done:
        row.backend = done[-1].backend
    return row


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

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[JobRow] = []
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

    def add_job(self, row: JobRow) -> None:
        existing = self.job(row.job_id)
        if existing is not None:
            self._names[existing.name] -= 1
            self._names[row.name] += 1
            existing.name, existing.page_count = row.name, row.page_count or existing.page_count
            self._changed(row.job_id)
            return
        self._pending.append(row)
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
            self._names[name] -= 1
            self.endRemoveRows()
            self._names_changed(name)

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

    def on_job_started(
        self, job_id: str, page_count: int, page_indices: tuple[int, ...], backend: str
    ) -> None:
        row = self.job(job_id)
        if row is None:
            return
        row.page_count = len(page_indices) or page_count
        row.status = JobStatus.RUNNING
        row.backend = backend
        self._changed(job_id)

    def on_page_started(self, job_id: str, page_index: int) -> None:
        row = self.job(job_id)
        if row is None:
            return
        row.status = JobStatus.RUNNING  # also after a retry of a job that had ended
        row.end_live(page_index)  # read again by a retry: its time so far stays counted
        row.live[page_index] = LivePage(time.monotonic())
        row.failed.pop(page_index, None)
        self._changed(job_id)

    def on_text_delta(self, job_id: str, page_index: int, text: str, deltas: int) -> None:
        row = self.job(job_id)
        page = row.live.get(page_index) if row is not None else None
        if page is not None:
            page.text += text
            page.deltas += deltas
            self._streaming.add(job_id)
            if not self._streaming_timer.isActive():
                self._streaming_timer.start()

    def _repaint_streaming(self) -> None:
        job_ids, self._streaming = self._streaming, set()
        for job_id in job_ids:
            self._changed(job_id, Column.PAGES, Column.STATUS)

    def on_page_finished(self, job_id: str, result: PageResult) -> None:
        row = self.job(job_id)
        if row is None:
            return
        row.pages_done.add(result.page_index)
        row.live.pop(result.page_index, None)  # the others stream on
        row.failed.pop(result.page_index, None)
        row.backend = result.backend or row.backend
        row.add_stats(result.stats)
        self._changed(job_id)

    def on_page_failed(self, job_id: str, page_index: int, message: str) -> None:
        row = self.job(job_id)
        if row is None:
            return
        row.failed[page_index] = message
        row.end_live(page_index)
        self._changed(job_id)

    def on_job_finished(self, job_id: str, status: JobStatus, message: str = "") -> None:
        row = self.job(job_id)
        if row is None:
            return
        row.end_live()
        row.status, row.message = status, message
        self._changed(job_id)

    def set_waiting(self, job_ids: Iterable[str]) -> None:
        """These failed jobs wait for the model (see ``JobRow.waiting``)."""
        for job_id in job_ids:
            row = self.job(job_id)
            if row is not None and row.status is JobStatus.FAILED:
                row.waiting = True
                self._changed(job_id)

    def on_retry(self, job_id: str) -> None:
        """Failed pages go back into the queue (told after the pipeline took them, off the GUI
        thread: a page of the job may have started already, and then it stays running)."""
        row = self.job(job_id)
        if row is None:
            return
        row.failed.clear()
        row.waiting = False
        if row.status is not JobStatus.RUNNING:
            row.status, row.message = JobStatus.QUEUED, ""
        self._changed(job_id)

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
