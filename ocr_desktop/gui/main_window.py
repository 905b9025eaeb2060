"""The main window: queue above, reading view below, notices on top, state in the status bar.

The window owns the :class:`Pipeline` (Qt-free, its own threads) and talks to it only through
its methods; the pipeline answers through :class:`PipelineBridge` signals on the GUI thread.
Window geometry, dock layout, splitter sizes and which finished jobs were cleared from the
queue are GUI state and live in QSettings; preferences live in the settings file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import APP_DISPLAY_NAME, __version__, paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends import registry
from ocr_desktop.backends.base import BackendError, BackendState, MemoryEstimate
from ocr_desktop.backends.memory import (
    GENERIC_SUGGESTIONS,
    LITE_SUGGESTION,
    MemoryBudgetError,
    MemoryGuard,
    available_memory_bytes,
    check_fits,
    offers_lite,
)
from ocr_desktop.backends.registry import GLM_OCR_BACKENDS
from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, PageResult
from ocr_desktop.core.store import JobStatus, JobStore, StoreError
from ocr_desktop.gui.api_switch import ApiSwitch
from ocr_desktop.gui.bridge import PipelineBridge, TextFrame
from ocr_desktop.gui.compare import CompareDialog
from ocr_desktop.gui.drop_zone import DocumentIntake, DropZone, accepts
from ocr_desktop.gui.errors import NoticeBar, Severity, error_text, translated
from ocr_desktop.gui.gauges import GaugePanel, GaugeStrip
from ocr_desktop.gui.lite import LiteReading
from ocr_desktop.gui.log_view import LogView
from ocr_desktop.gui.model_panel import ModelPanel, missing_model
from ocr_desktop.gui.page_renderer import PageRenderer
from ocr_desktop.gui.queue_controller import QueueController, resumable
from ocr_desktop.gui.queue_view import JobRow, QueueModel, QueueView
from ocr_desktop.gui.reading_rate import ReadingRate
from ocr_desktop.gui.reading_view import ReadingView
from ocr_desktop.gui.settings_dialog import backend_changed, backend_label
from ocr_desktop.gui.tasks import TaskRunner
from ocr_desktop.gui.window_actions import ActionSlots, WindowActions
from ocr_desktop.pipeline import BackendFactory, Pipeline
from ocr_desktop.pipeline.events import (
    BackendKept,
    BackendReady,
    BackendRetired,
    BackendStateChanged,
    JobAdded,
    JobFailed,
    JobFinished,
    JobStarted,
    PageFailed,
    PageFinished,
    PagePlanned,
    PageStarted,
    RegionFinished,
    RegionStarted,
)
from ocr_desktop.settings import ExportSettings, Settings
from ocr_desktop.telemetry.sampler import Sampler
from ocr_desktop.telemetry.vllm_source import VllmMetricsLike

if TYPE_CHECKING:
    from ocr_desktop.exporters import ExportReport

log = logging.getLogger(__name__)

#: Rows the queue shows in a window opened for the first time (its default size).
QUEUE_ROWS_SHOWN = 7

DOCUMENT_FILTER = "*.pdf *.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff"


def window_state() -> QSettings:
    """GUI state (geometry, splitters, cleared jobs): an ini file beside the settings file."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def registry_estimate(settings: Settings) -> MemoryEstimate | None:
    """What the backend ``settings`` name would take once loaded (creating it loads nothing)."""
    return registry.create_backend(settings).memory_estimate()


@dataclass(frozen=True)
class LoadedDocument:
    """A document's stored results, read off the GUI thread for the reading view."""

    result: DocumentResult
    dpi: int
    max_pixels: int
    originals: dict[int, str]  # edited page -> the model's text of it (for Revert page)


def load_document(store: JobStore, job_id: str) -> LoadedDocument | None:
    """On a worker: what the reading view shows of a document (None: it is gone)."""
    record = store.job(job_id)
    if record is None:
        return None
    result = store.document_result(job_id)
    originals = {
        page.page_index: original
        for page in result.pages
        if FLAG_EDITED in page.flags
        and (original := store.original_text(job_id, page.page_index)) is not None
    }
    return LoadedDocument(result, record.options.dpi, record.options.max_pixels, originals)


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        backend_factory: BackendFactory | None = None,
        sampler: Sampler | None = None,
        model_check: Callable[[Settings], str | None] | None = None,
        memory_estimate: Callable[[Settings], MemoryEstimate | None] | None = None,
        free_memory: Callable[[], int] = available_memory_bytes,
        lite_first_run: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``model_check`` says why the settings' model is missing (None: it is there), and
        ``memory_estimate`` what the backend the settings name would take; by default
        :func:`missing_model` and the registry's backend's own estimate, and no checks when a
        ``backend_factory`` brings its own backends (tests, screenshots). ``free_memory``: the
        memory free now, for the switch's checks (here and in the pipeline). ``lite_first_run``:
        read with the lite engine while GLM-OCR's model is missing (gui/lite.py); by default
        unless a ``backend_factory`` is given."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setAcceptDrops(True)
        self.settings = settings
        self.store = store
        self._backend_factory = backend_factory or registry.create_backend
        self._memory_estimate = memory_estimate or (registry_estimate if backend_factory is None else None)
        self._free_memory = free_memory
        self.bridge = PipelineBridge(self)
        self.pipeline = Pipeline(
            store,
            settings,
            self.bridge.listener,
            backend_factory=self._backend_factory,
            memory_guard=MemoryGuard.from_megabytes(settings.telemetry.low_memory_mb),
            free_memory=free_memory,
        )
        self.renderer = PageRenderer(self)
        self.tasks = TaskRunner(self)  # short work off the GUI thread: submits, checks, edits
        self.intake = DocumentIntake(self.tasks, self.pipeline.submit_many, self)
        # The document being read from the store for the reading view (off the GUI thread), and
        # what happened to its pages meanwhile: page -> result, failure, or None (started again).
        self._loading: str | None = None
        self._loading_late: dict[int, PageResult | str | None] = {}
        self._rate = ReadingRate()  # pages/min over reading time only
        self._reveal: str | None = None  # the job to select once it is queued (the user added it)
        self._closed = False
        self.compare_dialog: CompareDialog | None = None  # the last one opened
        self.sampler = sampler or Sampler(
            settings.telemetry, process_pids=self._server_pids, vllm_metrics=self._server_metrics
        )

        self.notice = NoticeBar(self)
        self.downloads = TaskRunner(self, name="download")  # hours, on a slow line: its own worker
        self.exports = TaskRunner(self, name="export")  # a long export does not hold up self.tasks
        self.model_panel = ModelPanel(self.downloads, self)
        self._model_check = model_check or (missing_model if backend_factory is None else None)
        self.lite = LiteReading(
            pipeline=self.pipeline,
            store=store,
            notice=self.notice,
            panel=self.model_panel,
            tasks=self.tasks,
            settings=lambda: self.settings,
            apply_settings=self.apply_settings,
            first_run=backend_factory is None if lite_first_run is None else lite_first_run,
            parent=self,
        )
        self._backend_error: str | None = None  # the message of the last failed backend load
        self._backend_notice: str | None = None  # the notice shown about it (stale once loaded)
        self._backend_failed: set[str] = set()  # jobs that failed only because of that
        self.queue_model = QueueModel(self)
        self.queue_view = QueueView(self.queue_model, self)
        # Asking the user goes through the window's confirm (looked up at each call: the tests
        # replace it to answer for the user).
        self.queue = QueueController(
            store,
            self.pipeline,
            self.queue_model,
            self.queue_view,
            tasks=self.tasks,
            confirm=lambda title, text: self.confirm(title, text),  # noqa: PLW0108 (looked up late)
            parent=self,
        )
        self.drop_zone = DropZone(self)
        self.queue_stack = QStackedWidget(self)
        self.queue_stack.addWidget(self.drop_zone)
        self.queue_stack.addWidget(self.queue_view)
        self.reading_view = ReadingView(self.renderer, self)
        self.reading_view.text_edit.setAcceptDrops(False)  # a dropped file is a document, not text
        self.reading_view.markdown_view.setAcceptDrops(False)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.queue_stack)
        self.splitter.addWidget(self.reading_view)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.model_panel)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        rv = self.reading_view
        self.window_actions = WindowActions(
            self,
            ActionSlots(
                open_files=self.open_files,
                open_folder=self.open_folder,
                paste=self.paste,
                export=self.export,
                show_history=self.show_history,
                quit=self.close,
                copy_page=rv.copy_page,
                copy_document=rv.copy_document,
                open_settings=self.open_settings,
                toggle_pause=self.toggle_pause,
                cancel_page=self.cancel_page,
                cancel_selected=self.queue.cancel_selected,
                retry_selected=self.queue.retry_selected,
                remove_selected=self.queue.remove_selected,
                clear_finished=self.queue.clear_finished,
                move_up=lambda: self.queue.move_selected(-1),
                move_down=lambda: self.queue.move_selected(1),
                zoom_in=rv.zoom_in,
                zoom_out=rv.zoom_out,
                fit_width=rv.fit_width,
                next_page=rv.next_page,
                previous_page=rv.previous_page,
                compare_backends=self.compare_backends,
                about=self.about,
                open_log_folder=self.open_log_folder,
                queue_view=self.queue_view,
                reading_view=rv,
            ),
        )
        self._build_docks()
        self._connect()
        self._restore_state()
        self._update_stack()
        self._update_actions()

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self.pipeline.start()
        # The HTTP API on this pipeline and store (Settings → Server; off by default).
        self.api = ApiSwitch(self.pipeline, store, lambda: self.settings, self._api_refused, self)
        self.statusBar().addPermanentWidget(self.api.indicator)
        self.api.apply(settings)
        #: True until the queue is read back from the store and unfinished documents resumed.
        self.restoring = True
        self.queue.restore()
        self.check_model()

    # -- construction ---------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self._loading_since: float | None = None  # time.monotonic() when the backend began loading
        self._load_expected_s: float | None = None  # how long its last load took
        self._switched_from: Settings | None = None  # the settings before the last backend switch
        self._load_stage = ""
        self._backend_text = ""
        self.backend_label = QLabel(self)
        self.backend_label.setAccessibleName(self.tr("Backend state"))
        self.model_label = QLabel(self)
        self.model_label.setAccessibleName(self.tr("Model"))
        self.rate_label = QLabel(self)
        self.rate_label.setAccessibleName(self.tr("Pages per minute"))
        self.rate_label.setToolTip(self.tr("Pages read per minute, over the last ten pages"))
        # Said in the status bar, not only in each queued row: the queue is paused. (The queue's
        # own word, so it has the queue's translation.)
        self.paused_label = QLabel("⏸ " + QCoreApplication.translate("QueueModel", "Paused"), self)
        self.paused_label.setObjectName("pausedIndicator")
        self.paused_label.setAccessibleName(self.paused_label.text())
        self.paused_label.hide()
        #: Where the gauge strip goes (the gauges are their own widget, see _install_gauges).
        self.gauge_slot = QWidget(self)
        self.gauge_slot.setObjectName("gaugeSlot")
        QHBoxLayout(self.gauge_slot).setContentsMargins(0, 0, 0, 0)
        self.load_bar = QProgressBar(self)
        self.load_bar.setAccessibleName(self.tr("Backend loading progress"))
        self.load_bar.setMaximumWidth(120)
        self.load_bar.setTextVisible(False)
        self.load_bar.hide()
        bar.addWidget(self.backend_label)
        bar.addWidget(self.load_bar)
        bar.addWidget(self.model_label)
        bar.addWidget(self.rate_label)
        bar.addWidget(self.paused_label)
        bar.addPermanentWidget(self.gauge_slot)
        self._set_backend_state(BackendState.UNLOADED, self.tr("loads when the first page is read"))

    def _build_docks(self) -> None:
        self.gauge_dock = QDockWidget(self.tr("Gauges"), self)
        self.gauge_dock.setObjectName("gaugeDock")
        self.gauge_dock.setAccessibleName(self.tr("Gauges"))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.gauge_dock)
        self.gauge_dock.hide()
        toggle = self.gauge_dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("F9"))
        toggle.setToolTip(self.tr("Show or hide the memory and GPU gauges (F9)"))
        self.window_actions.view_menu.addAction(toggle)
        self._install_gauges()

        self.log_dock = QDockWidget(self.tr("Log"), self)
        self.log_dock.setObjectName("logDock")
        self.log_view = LogView(self.log_dock)
        self.log_dock.setWidget(self.log_view)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        toggle = self.log_dock.toggleViewAction()
        toggle.setShortcut(QKeySequence("F12"))
        toggle.setToolTip(self.tr("Show or hide the last lines of the log (F12)"))
        self.window_actions.view_menu.addAction(toggle)

    def _install_gauges(self) -> None:
        """Gauges over one sampler: a strip in the status bar and a panel in the dock. The sampler
        pauses itself while no gauge is visible."""
        self.gauge_strip = GaugeStrip(self.sampler, self.gauge_slot)
        layout = self.gauge_slot.layout()
        assert layout is not None
        layout.addWidget(self.gauge_strip)
        self.gauge_panel = GaugePanel(self.sampler, self.gauge_dock)
        self.gauge_dock.setWidget(self.gauge_panel)
        self.sampler.start()

    # Called on the sampler's thread: they only read the pipeline's current backend reference.
    def _server_pids(self) -> list[int]:
        backend = self.pipeline.backend
        return backend.server_pids() if backend is not None else []

    def _server_metrics(self) -> VllmMetricsLike | None:
        backend = self.pipeline.backend
        return backend.metrics() if backend is not None else None

    def _connect(self) -> None:
        self.bridge.pipeline_event.connect(self._on_pipeline_event)
        self.intake.queued.connect(self._on_queued)
        self.drop_zone.open_requested.connect(self.open_files)
        self.queue.changed.connect(self._update_actions)
        self.queue.dropped.connect(self._on_dropped)
        self.queue.restored.connect(self._on_restored)
        self.queue_model.rowsInserted.connect(self._update_stack)
        self.queue_model.rowsInserted.connect(self._reveal_added)
        self.queue_model.rowsRemoved.connect(self._update_stack)
        self.queue_view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.queue_view.selectionModel().selectionChanged.connect(self._update_actions)
        self.reading_view.page_edited.connect(self._on_page_edited)
        self.model_panel.choose_files.connect(lambda: self.open_settings("llamacpp"))
        self.model_panel.model_ready.connect(self._on_model_ready)

    # -- state kept between runs ----------------------------------------------------------------

    def _restore_state(self) -> None:
        state = window_state()
        geometry = state.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 820)
        window = state.value("window/state")
        if window is not None:
            self.restoreState(window)
        if state.value(f"splitters/{self.splitter.objectName()}") is None:
            # First run: the queue gets room for about seven rows (the 1:3 stretch gave it three).
            view = self.queue_view
            rows = view.verticalHeader().defaultSectionSize() * QUEUE_ROWS_SHOWN
            queue = rows + view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth() + 4
            self.splitter.setSizes([queue, max(queue, self.height() - queue)])
        for splitter in (self.splitter, self.reading_view.splitter):
            sizes = state.value(f"splitters/{splitter.objectName()}")
            if sizes is not None:
                splitter.restoreState(sizes)
        cleared = state.value("queue/cleared", [])
        # QSettings' ini format gives back a lone string for a one-item list.
        self.queue.hidden = {cleared} if isinstance(cleared, str) else {str(c) for c in cleared or []}  # type: ignore[attr-defined]

    def _save_state(self) -> None:
        state = window_state()
        state.setValue("window/geometry", self.saveGeometry())
        state.setValue("window/state", self.saveState())
        for splitter in (self.splitter, self.reading_view.splitter):
            state.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        state.setValue("queue/cleared", sorted(self.queue.hidden))
        state.sync()

    # -- adding documents -------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if accepts(event.mimeData()):
            event.acceptProposedAction()
            self.drop_zone.set_dragging(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_zone.set_dragging(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_zone.set_dragging(False)
        if self.intake.add_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    @Slot()
    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open Documents"),
            "",
            self.tr("Documents ({patterns});;All files (*)").format(patterns=DOCUMENT_FILTER),
        )
        if files:
            self.intake.add_paths([Path(f) for f in files])

    @Slot()
    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open Folder"))
        if folder:
            self.intake.add_paths([Path(folder)])

    @Slot(list)
    def open_paths(self, files: list[Path]) -> None:
        """Files from the command line or a later launch ("Open with"): queue them and come to
        the front."""
        if files:
            self.intake.add_paths(files)
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    @Slot()
    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.intake.add_mime(mime):
            self.notice.show_message(
                self.tr("The clipboard holds no image or file. Copy an image (or files) first, then paste."),
                Severity.WARNING,
            )

    def add_paths(self, found: list[Path]) -> list[str]:
        """Queue documents now, on this thread, and return their job ids (errors show up in the
        queue rows). Drops, pastes and File → Open go through ``intake`` instead, which submits
        off the GUI thread."""
        job_ids = self.pipeline.submit_many(found)
        self._show_queued(list(zip(job_ids, found, strict=True)))
        self.queue_model.flush()
        return job_ids

    def _show_queued(self, queued: list[tuple[str, Path]]) -> None:
        """Documents were submitted: the first is selected and scrolled to once its row is shown."""
        if queued:
            self._reveal = queued[0][0]
            self._reveal_added()

    @Slot()
    def _reveal_added(self) -> None:
        if self._reveal is not None and self.queue_model.row_of(self._reveal) >= 0:
            self.queue_view.select_job(self._reveal)
            self._reveal = None

    @Slot(list, list)
    def _on_queued(self, queued: list[tuple[str, Path]], errors: list[str]) -> None:
        """The intake submitted what was dropped, pasted or opened."""
        self._show_queued(queued)
        if errors:
            self.notice.show_message("\n".join(errors), Severity.ERROR)
        elif not queued:
            self.notice.show_message(
                self.tr(
                    "No documents found there. OCR Desktop reads PDF, PNG, JPEG, WebP, BMP, GIF and TIFF."
                ),
                Severity.WARNING,
            )

    # -- pipeline events --------------------------------------------------------------------------

    @Slot(str, str, int, str)
    @Slot(object)
    def _on_pipeline_event(self, event: object) -> None:
        """Every pipeline event reaches the window (one signal); each goes where it acts."""
        match event:
            case JobAdded(job_id, name, page_count, source):
                self._on_job_added(job_id, name, page_count, source)
            case JobStarted(job_id, page_count, page_indices, _pending):
                self._on_job_started(job_id, page_count, page_indices)
            case PageStarted(job_id, page_index):
                self._on_page_started(job_id, page_index)
            # Layout mode: the page view draws the regions, marks the one being read, and keeps
            # each region's text as it is read (a click on its box finds it before the page ends).
            case PagePlanned(job_id, page_index, _layout, regions):
                self.reading_view.on_page_planned(job_id, page_index, regions)
            case RegionStarted(job_id, page_index, order):
                self.reading_view.on_region_started(job_id, page_index, order)
            case RegionFinished(job_id, page_index, region):
                self.reading_view.on_region_finished(job_id, page_index, region)
            case TextFrame(job_id, page_index, text, count):
                self._on_text_delta(job_id, page_index, text, count)
            case PageFinished(job_id, result):
                self._on_page_finished(job_id, result)
            case PageFailed(job_id, page_index, message):
                self._on_page_failed(job_id, page_index, message)
            case JobFinished(job_id, status):
                self._on_job_finished(job_id, status)
            case JobFailed(job_id, message):
                self._on_job_failed(job_id, message)
            case BackendStateChanged(state, message):
                self._on_backend_state(state, message)
            case BackendReady(backend_id, model_name, load_seconds):
                self._on_backend_ready(backend_id, model_name, load_seconds)
            case BackendRetired(backend_id):
                # The log view shows it: the switch's old backend is out of memory now.
                log.info("%s unloaded: the new backend is ready", backend_id)
            case BackendKept(backend_id, model_name, message):
                self._on_backend_kept(backend_id, model_name, message)

    def _on_job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        self.queue.hidden.discard(job_id)
        self.queue_model.add_job(JobRow(job_id, name, page_count, source, backend=self.settings.backend))
        if self._reveal is None and not self.queue_view.selectionModel().hasSelection():
            self._reveal = job_id  # selected once its row is shown (queue_model.flush)

    @Slot(str, int, object)
    def _on_job_started(self, job_id: str, page_count: int, page_indices: tuple[int, ...]) -> None:
        self.reading_view.set_page_count(job_id, page_count)
        self.queue_model.on_job_started(job_id, page_count, page_indices, self.settings.backend)
        if self.reading_view.job_id is None:
            self.queue_view.select_job(job_id)
        self._update_actions()

    @Slot(str, int)
    def _on_page_started(self, job_id: str, page_index: int) -> None:
        if job_id == self._loading:
            self._loading_late[page_index] = None
        self.queue_model.on_page_started(job_id, page_index)
        self._rate.page_started(job_id, page_index)
        self.reading_view.on_page_started(job_id, page_index)
        self._update_actions()

    @Slot(str, int, str, int)
    def _on_text_delta(self, job_id: str, page_index: int, text: str, deltas: int) -> None:
        self.queue_model.on_text_delta(job_id, page_index, text, deltas)
        self.reading_view.on_text_delta(job_id, page_index, text)

    @Slot(str, object)
    def _on_page_finished(self, job_id: str, result: PageResult) -> None:
        if job_id == self._loading:
            self._loading_late[result.page_index] = result
        self._rate.page_ended(job_id, result.page_index, finished=True)
        self.queue_model.on_page_finished(job_id, result)
        self.reading_view.on_page_finished(job_id, result)
        self._update_rate()

    @Slot(str, int, str)
    def _on_page_failed(self, job_id: str, page_index: int, message: str) -> None:
        if job_id == self._loading:
            self._loading_late[page_index] = message
        self.queue_model.on_page_failed(job_id, page_index, message)
        self._rate.page_ended(job_id, page_index, finished=False)
        self.reading_view.on_page_failed(job_id, page_index, message)
        self._update_actions()

    @Slot(str, object)
    def _on_job_finished(self, job_id: str, status: JobStatus) -> None:
        self.queue_model.on_job_finished(job_id, status)
        self._rate.job_ended(job_id)
        self.reading_view.on_job_finished(job_id)
        self._update_actions()

    @Slot(str, str)
    def _on_job_failed(self, job_id: str, message: str) -> None:
        if message == self._backend_error:
            self._backend_failed.add(job_id)
        self.queue_model.on_job_finished(job_id, JobStatus.FAILED, message)
        self._rate.job_ended(job_id)
        self.reading_view.on_job_finished(job_id)
        self._update_actions()

    @Slot(object, str)
    def _on_backend_state(self, state: BackendState, message: str) -> None:
        self._set_backend_state(state, message)
        if state is BackendState.ERROR:
            self._backend_error = message
            self.check_model(error=message)
        elif state is BackendState.READY:
            if self._backend_notice is not None and self.notice.text() == self._backend_notice:
                self.notice.hide()  # stale: the backend it was about loaded now
            self._backend_error = self._backend_notice = None
            if not self.lite.active:  # the lite engine is ready, GLM-OCR still to download
                self.model_panel.hide()

    @Slot(str, str, object)
    def _on_backend_ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
        self.model_label.setText(model_name)
        if load_seconds is not None:
            # Timed by the pipeline around the load itself, not from when this thread got LOADING
            # (a late event made a 1.5 s load look like 1.4 s). The next load should take as long.
            window_state().setValue(f"backend/load_seconds/{backend_id}", load_seconds)

    @Slot(str, str, str)
    def _on_backend_kept(self, backend_id: str, _model_name: str, message: str) -> None:
        """The switch's new backend failed while the old one was still loaded: it keeps reading,
        so the settings name it again (saved: the next start loads what works)."""
        failed = backend_label(self.settings.backend)
        before = self._switched_from or self.settings
        self.settings = dataclasses.replace(
            self.settings, backend=backend_id, llamacpp=before.llamacpp, vllm=before.vllm
        )
        self._save_settings(self.settings)
        self.notice.show_message(
            self.tr("{failed} could not be loaded, so {kept} keeps reading: {message}").format(
                failed=failed, kept=backend_label(backend_id), message=message
            ),
            Severity.ERROR,
        )

    def check_model(self, error: str | None = None) -> None:
        """Off the GUI thread: is the backend's model on this machine? If not, the model panel
        offers it; ``error`` (a failed load) is shown as a notice unless the panel explains it."""
        settings = self.settings  # the value of now: a later apply_settings replaces, never changes it
        check = self._model_check
        if check is None:
            self._on_model_checked(settings, None, error)
            return
        self.tasks.run(
            lambda _task: check(settings),
            on_result=lambda reason: self._on_model_checked(settings, reason, error),
        )

    def _on_model_checked(self, settings: Settings, reason: str | None, error: str | None) -> None:
        if reason is not None:
            self.model_panel.show_missing(settings, reason)
            if self.lite.on_model_missing(settings, failed=error is not None):
                return  # the lite engine reads meanwhile (the panel says so)
            if error is not None:
                self._backend_notice = self.tr(
                    "No model is installed, so documents cannot be read yet. Download it or choose "
                    "model files above; the documents waiting are read then."
                )
                self.notice.show_message(self._backend_notice, Severity.WARNING)
            return
        if not self.model_panel.downloading:
            self.model_panel.hide()
        if error is not None:
            self._backend_notice = self.tr(
                "The backend could not be loaded: {message}\nCheck Edit → Settings, then press "
                "Retry (Ctrl+R)."
            ).format(message=error)
            self.notice.show_message(self._backend_notice, Severity.ERROR)
            if offers_lite(error):  # a memory refusal: the lite engine is one click away
                self.lite.offer_lite()

    @Slot()
    def _on_model_ready(self) -> None:
        self.notice.show_message(self.tr("The model is installed."), Severity.INFO)
        self.retry_backend_failures()

    def retry_backend_failures(self) -> None:
        """Read again the documents that failed only because the backend could not be loaded
        (after a download or a settings change that may have fixed it)."""
        job_ids, self._backend_failed = sorted(self._backend_failed), set()
        self.queue.retry(job_ids)

    def _set_backend_state(self, state: BackendState, message: str) -> None:
        names = {
            BackendState.UNLOADED: (self.tr("not loaded"), "gray"),
            BackendState.LOADING: (self.tr("loading…"), "#b27b00"),
            BackendState.READY: (self.tr("ready"), "#1b7f2a"),
            BackendState.ERROR: (self.tr("error"), "#b00020"),
        }
        name, color = names[state]
        backend_id = self.lite.reading_backend(self.settings.backend)
        backend = backend_label(backend_id)
        loading = state is BackendState.LOADING
        if loading and self._loading_since is None:
            self._loading_since = time.monotonic()
            expected = window_state().value(f"backend/load_seconds/{backend_id}")
            self._load_expected_s = float(str(expected)) if expected is not None else None
        if not loading:
            self._loading_since = None
        self.backend_state = state
        self._backend_text = f'<span style="color:{color}">●</span> {backend}: {name}'
        self._load_stage = message if loading else ""
        self.backend_label.setToolTip(message)
        self.load_bar.setVisible(loading)
        self._show_load_progress()
        if state is not BackendState.READY:
            self.model_label.setText("")

    def _show_load_progress(self) -> None:
        """While a backend loads: its stage, and elapsed against the last load's time."""
        if self._loading_since is None:
            self.backend_label.setText(self._backend_text)
            return
        elapsed = time.monotonic() - self._loading_since
        expected = self._load_expected_s
        if expected:
            timing = self.tr("{elapsed:.0f} s of about {expected:.0f} s").format(
                elapsed=elapsed, expected=expected
            )
            self.load_bar.setRange(0, 1000)
            self.load_bar.setValue(min(999, int(1000 * elapsed / expected)))
        else:
            timing = self.tr("{elapsed:.0f} s (first load: no earlier time to compare)").format(
                elapsed=elapsed
            )
            self.load_bar.setRange(0, 0)
        stage = self._load_stage if len(self._load_stage) <= 60 else self._load_stage[:59] + "…"
        self.backend_label.setText(f"{self._backend_text} {stage} · {timing}")

    # -- queue actions ----------------------------------------------------------------------------

    def _selected(self) -> list[str]:
        return self.queue.selected()

    @Slot()
    def toggle_pause(self) -> None:
        paused = self.window_actions.pause_action.isChecked()
        self.window_actions.pause_action.setText(self.tr("&Resume") if paused else self.tr("&Pause"))
        self.queue.set_paused(paused)
        self.paused_label.setVisible(paused)

    @Slot()
    def cancel_page(self) -> None:
        """Cancel the page being read of the document shown (focus in the reading view) or of
        the selected documents."""
        shown = self.reading_view.job_id
        focused = QApplication.focusWidget()
        in_reading_view = focused is not None and self.reading_view.isAncestorOf(focused)
        job_ids = [shown] if in_reading_view and shown is not None else self._selected()
        if not self.queue.cancel_pages(job_ids):
            self.statusBar().showMessage(self.tr("No page of this document is being read."), 3000)

    @Slot()
    def _on_restored(self) -> None:
        self.restoring = False

    @Slot(str)
    def _on_dropped(self, job_id: str) -> None:
        if self.reading_view.job_id == job_id:
            self.reading_view.show_job(None)

    # -- other actions ----------------------------------------------------------------------------

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def export(self) -> None:
        from ocr_desktop.gui.export_dialog import ExportDialog

        self.reading_view.commit_edit()
        job_ids = self._selected() or [r.job_id for r in self.queue_model.rows()]
        dialog = ExportDialog(
            self._export_defaults(), self.store, job_ids, tasks=self.tasks, exports=self.exports, parent=self
        )
        dialog.exported.connect(self._on_exported)
        dialog.failed.connect(lambda message: self.notice.show_message(message, Severity.ERROR))
        self.export_dialog = dialog
        dialog.open()

    def _export_defaults(self) -> ExportSettings:
        """The settings' export options, with the folder and formats of the last export from
        this window (``window.ini``): the dialog forgot them each time. Kept out of the
        settings file, which the command line's exports read."""
        from ocr_desktop.exporters import FORMATS

        defaults = self.settings.export
        state = window_state()
        folder, formats = state.value("export/out_dir"), state.value("export/formats")
        if isinstance(folder, str):
            defaults = dataclasses.replace(defaults, out_dir=folder)
        if isinstance(formats, str) and formats:
            chosen = tuple(f for f in formats.split(",") if f in FORMATS)
            defaults = dataclasses.replace(defaults, formats=chosen or defaults.formats)
        return defaults

    @Slot(object)
    def _on_exported(self, report: ExportReport) -> None:
        from ocr_desktop.gui.export_dialog import describe

        with contextlib.suppress(settings_mod.SettingsError):  # the dialog's options were valid: it exported
            options = self.export_dialog.options()
            state = window_state()
            state.setValue("export/out_dir", options.out_dir)
            state.setValue("export/formats", ",".join(options.formats))

        text, failed = describe(report)
        files = report.written or report.unchanged
        action = None
        if files:
            folder = files[0].parent
            action = (self.tr("Open Folder"), lambda: self.open_folder_url(folder))
        severity = Severity.ERROR if failed else Severity.INFO if files else Severity.WARNING
        self.notice.show_message(text, severity, action=action)

    @staticmethod
    def open_folder_url(folder: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def open_log_folder(self) -> None:
        self.open_folder_url(paths.log_file().parent)

    @Slot()
    def show_history(self) -> None:
        from ocr_desktop.gui.history_dialog import HistoryDialog

        dialog = HistoryDialog(self.store, self.tasks, self)
        dialog.reopen.connect(self.reopen_job)
        self.history_dialog = dialog
        dialog.open()

    @Slot(str)
    def reopen_job(self, job_id: str) -> None:
        """Put a job from the history back on the queue and show it."""
        self.queue.reopen(job_id)

    @Slot()
    def open_settings(self, section: str = "") -> None:
        from ocr_desktop.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.show_section(section)
        dialog.settings_accepted.connect(self.apply_settings)
        self.settings_dialog = dialog
        dialog.open()

    def page_running(self) -> bool:
        return any(row.live for row in self.queue_model.rows())

    def ask_finish_page(self) -> bool | None:
        """While a page is being read: finish it first (True), cancel it (False), or keep the
        old backend (None)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Switch backend"))
        box.setText(self.tr("A page is being read. Finish it with the current backend before switching?"))
        finish = box.addButton(self.tr("Finish the Page First"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel the Page"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return True if clicked is finish else False if clicked is cancel else None

    def memory_refusal(self, new: Settings) -> str | None:
        """Before anything is unloaded: why the backend ``new`` names cannot fit in memory (with
        the numbers), or None. What the running backend holds counts as free, since the switch
        unloads it first."""
        if self._memory_estimate is None:
            return None
        try:
            estimate = self._memory_estimate(new)
        except BackendError:
            return None  # it cannot even be created: loading it says why
        if estimate is None:
            return None
        running = self.pipeline.backend
        held = running.memory_estimate() if running is not None else None
        free = self._free_memory() + (held.total_bytes if held is not None else 0)
        try:
            lite = () if new.backend not in GLM_OCR_BACKENDS else (LITE_SUGGESTION,)
            check_fits(estimate, available=free, suggestions=(*GENERIC_SUGGESTIONS, *lite))
        except MemoryBudgetError as exc:
            return self.tr("Not switching to {backend}, the current backend keeps running: {reason}").format(
                backend=backend_label(new.backend), reason=translated(exc.message)
            )
        return None

    @Slot(object)
    def apply_settings(self, new: Settings) -> None:
        """Keep new preferences: save them, and switch the backend if its options changed."""
        switch = backend_changed(self.settings, new)
        other_backend = new.backend != self.settings.backend
        finish_page = True  # a reload of the same backend (e.g. its thread count) asks nothing
        refused = self.memory_refusal(new) if switch and other_backend else None
        if refused is not None:
            self.notice.show_message(refused, Severity.ERROR)
            if new.backend in GLM_OCR_BACKENDS:
                self.lite.offer_lite()
        answer = (
            self.ask_finish_page()
            if refused is None and switch and other_backend and self.page_running()
            else True
        )
        if refused is not None or answer is None:
            # Keep the running backend; the other changes still apply.
            now = self.settings
            new = dataclasses.replace(new, backend=now.backend, llamacpp=now.llamacpp, vllm=now.vllm)
            switch = False
        else:
            finish_page = answer
        old, self.settings = self.settings, new
        self._save_settings(new)
        if old.language != new.language:
            self.notice.show_message(self.tr("The new language applies the next time OCR Desktop starts."))
        if switch:
            self._switched_from = old  # what a failed switch goes back to (_on_backend_kept)
            self._set_backend_state(BackendState.LOADING, self.tr("switching backend"))
            self.pipeline.switch_backend(new, finish_page)
        else:
            self.pipeline.update_settings(new)
        self.check_model()
        self.retry_backend_failures()
        self.api.apply(new)

    def _api_refused(self, message: str) -> None:
        self.notice.show_message(message, Severity.ERROR)

    def _save_settings(self, new: Settings) -> None:
        try:
            settings_mod.save(new)
        except (OSError, settings_mod.SettingsError) as exc:
            self.notice.show_message(
                self.tr("The settings could not be saved: {error}. They apply until you quit.").format(
                    error=exc
                ),
                Severity.ERROR,
            )

    @Slot()
    def compare_backends(self) -> None:
        dialog = CompareDialog(self.settings, self.pipeline, self)
        dialog.recommendation_applied.connect(self.apply_settings)
        self.compare_dialog = dialog
        dialog.open()

    @Slot()
    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About OCR Desktop"),
            self.tr(
                "<b>OCR Desktop {version}</b><p>Reads documents with GLM-OCR on llama.cpp or vLLM, "
                "on NVIDIA Jetson and any Linux machine.</p><p>Log file: {log}</p>"
            ).format(version=__version__, log=paths.log_file()),
        )

    # -- view updates -----------------------------------------------------------------------------

    @Slot()
    def _update_stack(self) -> None:
        empty = not self.queue_model.rowCount()
        self.queue_stack.setCurrentWidget(self.drop_zone if empty else self.queue_view)
        # An empty window is all drop zone; the reading view comes with the first document.
        self.reading_view.setVisible(not empty)
        self._update_actions()

    @Slot()
    def _update_actions(self) -> None:
        selected = [row for j in self._selected() if (row := self.queue_model.job(j)) is not None]
        shown = self.queue_model.job(self.reading_view.job_id or "")
        self.window_actions.cancel_job_action.setEnabled(any(not r.status.finished for r in selected))
        self.window_actions.retry_action.setEnabled(any(resumable(r) for r in selected))
        self.window_actions.remove_action.setEnabled(bool(selected))
        self.window_actions.move_up_action.setEnabled(len(selected) == 1)
        self.window_actions.move_down_action.setEnabled(len(selected) == 1)
        self.window_actions.export_action.setEnabled(any(r.pages_done for r in self.queue_model.rows()))
        self.window_actions.clear_action.setEnabled(any(r.status.finished for r in self.queue_model.rows()))
        self.window_actions.cancel_page_action.setEnabled(
            any(r.live for r in selected) or (shown is not None and bool(shown.live))
        )

    @Slot()
    def _on_current_row(self) -> None:
        """Show the selected document: its stored pages are read off the GUI thread; the pages
        being read come from its row, and what happens to its pages meanwhile is kept aside."""
        job_id = self.queue_view.current_job_id()
        if job_id is None or job_id in (self.reading_view.job_id, self._loading):
            return
        self.reading_view.commit_edit()  # now: the edit's save is queued before this read
        self._loading, self._loading_late = job_id, {}
        store = self.store
        self.tasks.run(
            lambda _task: load_document(store, job_id),
            on_result=lambda loaded: self._on_document_loaded(job_id, loaded),
            on_error=self._on_load_failed,
        )

    def _on_document_loaded(self, job_id: str, loaded: LoadedDocument | None) -> None:
        if job_id != self._loading:
            return  # another document was selected meanwhile
        self._loading = None
        row = self.queue_model.job(job_id)
        if loaded is None or row is None:
            return
        pages = {page.page_index: page for page in loaded.result.pages}
        failed = dict(loaded.result.failed)
        for index, late in self._loading_late.items():
            pages.pop(index, None)
            failed.pop(index, None)
            if isinstance(late, PageResult):
                pages[index] = late
            elif late is not None:
                failed[index] = late
        result = dataclasses.replace(
            loaded.result, pages=tuple(pages[i] for i in sorted(pages)), failed=failed
        )
        self.reading_view.show_job(
            result,
            dpi=loaded.dpi,
            max_pixels=loaded.max_pixels,
            live=row.live_texts(),
            originals=loaded.originals,
        )
        self._update_actions()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = None
        if not isinstance(exc, StoreError):
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        self.notice.show_message(
            self.tr("The document cannot be shown: {error}").format(error=error_text(exc)), Severity.ERROR
        )

    @Slot(str, int, str)
    def _on_page_edited(self, job_id: str, page_index: int, text: str) -> None:
        """Save an edit off the GUI thread (an fsynced write); kept: quitting waits for it."""

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, StoreError):
                sys.excepthook(type(exc), exc, exc.__traceback__)
                return
            self.notice.show_message(
                self.tr("Your edit of page {n} was not kept: {error}").format(
                    n=page_index + 1, error=error_text(exc)
                ),
                Severity.ERROR,
            )

        self.tasks.run(
            lambda _task: self.store.set_page_text(job_id, page_index, text), on_error=failed, keep=True
        )

    def _update_rate(self) -> None:
        rate = self._rate.pages_per_min()
        if rate is not None:
            self.rate_label.setText(self.tr("{rate:.1f} pages/min").format(rate=rate))

    @Slot()
    def _on_tick(self) -> None:
        self.queue_model.tick()
        if self._loading_since is not None:
            self._show_load_progress()

    # -- closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop every thread the window started (idempotent): the pipeline keeps unfinished pages
        pending in the store, so the next start resumes them."""
        if self._closed:
            return
        self._closed = True
        self.reading_view.commit_edit()
        self._save_state()
        self._tick.stop()
        if self.compare_dialog is not None:
            self.compare_dialog.shutdown()  # a benchmark holds the pipeline's backend slot
        self.tasks.shutdown()  # the intake's submits, edits being saved, queue actions finish first
        self.exports.shutdown()  # the files being written are finished
        self.downloads.shutdown()
        self.renderer.shutdown()
        self.log_view.detach()
        self.sampler.stop()
        self.api.stop()  # requests under way end before the pipeline they wait for
        if not self.pipeline.shutdown(timeout=60.0):
            log.warning("the pipeline did not stop within 60 s; a page may still be encoding")
        self.bridge.drain()
