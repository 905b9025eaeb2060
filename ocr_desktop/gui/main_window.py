"""The main window: queue above, reading view below, notices on top, state in the status bar.

The window owns the :class:`Pipeline` (Qt-free, its own threads) and talks to it only through
its methods; the pipeline answers through :class:`PipelineBridge` signals on the GUI thread.
Window geometry, dock layout, splitter sizes and which finished jobs were cleared from the
queue are GUI state and live in QSettings; preferences live in the settings file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import (
    QCloseEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import APP_DISPLAY_NAME, paths
from ocr_desktop.backends import registry
from ocr_desktop.backends.base import BackendState, MemoryEstimate
from ocr_desktop.backends.memory import MemoryGuard, available_memory_bytes, offers_lite
from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.api_switch import ApiSwitch
from ocr_desktop.gui.backend_status import BackendStatus
from ocr_desktop.gui.backend_switcher import BackendSwitcher
from ocr_desktop.gui.bridge import PipelineBridge, TextFrame
from ocr_desktop.gui.compare import CompareDialog
from ocr_desktop.gui.document_loader import DocumentLoader, LoadedDocument
from ocr_desktop.gui.drop_zone import DocumentIntake, DropZone, WindowDrops
from ocr_desktop.gui.errors import NoticeBar, Severity
from ocr_desktop.gui.job_states import JobStates
from ocr_desktop.gui.lite import LiteReading
from ocr_desktop.gui.model_panel import ModelPanel, missing_model
from ocr_desktop.gui.page_renderer import PageRenderer
from ocr_desktop.gui.queue_controller import QueueController, resumable
from ocr_desktop.gui.queue_view import JobRow, QueueModel, QueueView
from ocr_desktop.gui.reading_rate import ReadingRate
from ocr_desktop.gui.reading_view import ReadingView
from ocr_desktop.gui.tasks import TaskRunner
from ocr_desktop.gui.window_actions import ActionSlots, WindowActions
from ocr_desktop.gui.window_dialogs import (
    ExportProgressNotice,
    export_defaults,
    open_log_folder,
    remember_export,
    show_about,
    show_export_report,
)
from ocr_desktop.gui.window_docks import build_docks, server_metrics, server_pids
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
    PageRequeued,
    PageStarted,
    RegionFinished,
    RegionStarted,
)
from ocr_desktop.settings import Settings
from ocr_desktop.telemetry.sampler import Sampler

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

#: Rows the queue shows in a window opened for the first time (its default size).
QUEUE_ROWS_SHOWN = 7


def window_state() -> QSettings:
    """GUI state (geometry, splitters, cleared jobs): an ini file beside the settings file."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def registry_estimate(settings: Settings) -> MemoryEstimate | None:
    """What the backend ``settings`` name would take once loaded (creating it loads nothing)."""
    return registry.create_backend(settings).memory_estimate()


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
        self.settings = settings
        self.store = store
        self._backend_factory = backend_factory or registry.create_backend
        self.bridge = PipelineBridge(self)
        self.pipeline = Pipeline(
            store,
            settings,
            self.bridge.listener,
            backend_factory=self._backend_factory,
            memory_guard=MemoryGuard.from_megabytes(settings.telemetry.low_memory_mb),
            free_memory=free_memory,
        )
        self.switcher = BackendSwitcher(
            self.pipeline,
            memory_estimate or (registry_estimate if backend_factory is None else None),
            free_memory,
            offer_lite=lambda: self.lite.offer_lite(),  # noqa: PLW0108 (self.lite comes later)
            parent=self,
        )
        self.renderer = PageRenderer(self)
        self.tasks = TaskRunner(self)  # short work off the GUI thread: submits, checks, edits
        self.intake = DocumentIntake(self.tasks, self.pipeline.submit_many, self)
        self.loader = DocumentLoader(store, self.tasks, self)
        self._rate = ReadingRate()  # pages/min over reading time only
        self._closed = False
        self.compare_dialog: CompareDialog | None = None  # the last one opened
        self.sampler = sampler or Sampler(
            settings.telemetry,
            process_pids=functools.partial(server_pids, self.pipeline),
            vllm_metrics=functools.partial(server_metrics, self.pipeline),
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
            commit_edits=lambda: self.reading_view.commit_edit(),  # noqa: PLW0108 (comes later)
            bring_back=lambda job_ids, then: self.queue.bring_back(job_ids, then),  # noqa: PLW0108 (comes later)
            first_run=backend_factory is None if lite_first_run is None else lite_first_run,
            parent=self,
        )
        self._backend_error: str | None = None  # the message of the last failed backend load
        self._backend_notice: str | None = None  # the notice shown about it (stale once loaded)
        self._backend_failed: set[str] = set()  # jobs that failed only because of that
        # One record of job state: the events change it, the queue and the reading view read it.
        # (The backend that reads: the lite engine while GLM-OCR is missing, though the settings
        # name llama.cpp.)
        self.states = JobStates(lambda: self.lite.reading_backend(self.settings.backend), self)
        self.queue_model = QueueModel(self.states, self)
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
        self.drops = WindowDrops(self, self.intake, self.drop_zone)
        self.queue_stack = QStackedWidget(self)
        self.queue_stack.addWidget(self.drop_zone)
        self.queue_stack.addWidget(self.queue_view)
        self.reading_view = ReadingView(self.renderer, self.states, self)
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
                open_files=lambda: self.intake.choose_files(self),
                open_folder=lambda: self.intake.choose_folder(self),
                paste=self.intake.paste,
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
                about=lambda: show_about(self),
                open_log_folder=open_log_folder,
                queue_view=self.queue_view,
                reading_view=rv,
            ),
        )
        docks = build_docks(self, self.sampler, self.gauge_slot, self.window_actions.view_menu)
        self.gauge_dock, self.log_dock, self.log_view = docks.gauge_dock, docks.log_dock, docks.log_view
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
        self.api = ApiSwitch(self.pipeline, store, lambda: self.settings, self.notice.show_error, self)
        self.statusBar().addPermanentWidget(self.api.indicator)
        self.api.apply(settings)
        self.queue.restore()
        self.check_model()

    # -- construction ---------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.backend_status = BackendStatus(
            bar, lambda: self.lite.reading_backend(self.settings.backend), window_state, self
        )
        self.rate_label = QLabel(self)
        self.rate_label.setAccessibleName(self.tr("Pages per minute"))
        self.rate_label.setToolTip(self.tr("Pages read per minute, over the last ten pages"))
        #: Where the gauge strip goes (the gauges are their own widget, see _install_gauges).
        self.gauge_slot = QWidget(self)
        self.gauge_slot.setObjectName("gaugeSlot")
        QHBoxLayout(self.gauge_slot).setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.rate_label)
        # Said in the status bar, not only in each queued row: the queue is paused. (The queue's
        # own word, so it has the queue's translation.)
        self.paused_label = QLabel(QCoreApplication.translate("QueueModel", "Paused"), self)
        self.paused_label.setStyleSheet("font-weight: bold; color: #b27b00;")
        self.paused_label.setObjectName("pausedIndicator")
        self.paused_label.setAccessibleName(self.paused_label.text())
        self.paused_label.hide()
        bar.addWidget(self.paused_label)
        bar.addPermanentWidget(self.gauge_slot)

    def _connect(self) -> None:
        self.bridge.pipeline_event.connect(self._on_pipeline_event)
        self.intake.queued.connect(self.queue.queued)
        self.intake.refused.connect(lambda message: self.notice.show_message(message, Severity.WARNING))
        self.queue.notice.connect(self.notice.show_message)
        self.drop_zone.open_requested.connect(lambda: self.intake.choose_files(self))
        self.queue.changed.connect(self._update_actions)
        self.queue.dropped.connect(self._on_dropped)
        self.queue_model.rowsInserted.connect(self._update_stack)
        self.queue_model.rowsRemoved.connect(self._update_stack)
        self.queue_view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.queue_view.selectionModel().selectionChanged.connect(self._update_actions)
        self.reading_view.page_edited.connect(self.loader.save_edit)
        self.loader.loaded.connect(self._on_document_loaded)
        self.loader.failed.connect(self._on_document_failed)
        self.switcher.notice.connect(self.notice.show_message)
        self.switcher.switching.connect(
            lambda stage: self.backend_status.set_state(BackendState.LOADING, stage)
        )
        self.loader.edit_failed.connect(self.notice.show_error)
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

    def add_paths(self, found: list[Path]) -> list[str]:
        """Queue documents now, on this thread, and return their job ids (errors show up in the
        queue rows). Drops, pastes and File → Open go through ``intake`` instead, which submits
        off the GUI thread."""
        job_ids = self.pipeline.submit_many(found)
        self.queue.show_queued(list(zip(job_ids, found, strict=True)))
        self.queue_model.flush()
        return job_ids

    # -- pipeline events --------------------------------------------------------------------------

    @Slot(object)
    def _on_pipeline_event(self, event: object) -> None:
        """Every pipeline event reaches the window (one signal). What it says of a job changes
        the job states, which the queue and the reading view follow; the rest goes where it acts."""
        self.states.apply(event)
        match event:
            case JobAdded(job_id, name, page_count, source):
                backend = self.lite.reading_backend(self.settings.backend)
                self.queue.job_added(JobRow(job_id, name, page_count, source, backend=backend))
            case JobStarted(job_id):
                if self.reading_view.job_id is None:
                    self.queue_view.select_job(job_id)
            case PageStarted(job_id, page_index):
                self._rate.page_started(job_id, page_index)
            case PagePlanned() | RegionStarted() | RegionFinished():
                return  # layout mode: the reading view draws and marks the regions
            case TextFrame():
                return  # many a second: the actions do not change
            case PageFinished(job_id, result):
                self._rate.page_ended(job_id, result.page_index, finished=True)
                self._update_rate()
                return
            case PageFailed(job_id, page_index) | PageRequeued(job_id, page_index):
                self._rate.page_ended(job_id, page_index, finished=False)
            case JobFinished(job_id):
                self._rate.job_ended(job_id)
            case JobFailed(job_id, message):
                if message == self._backend_error:
                    self._backend_failed.add(job_id)
                if job_id in self._backend_failed and self.model_panel.isVisibleTo(self):
                    self.states.set_waiting([job_id])  # the notice says it waits for the model
                self._rate.job_ended(job_id)
            case BackendStateChanged(state, message):
                self._on_backend_state(state, message)
            case BackendReady(backend_id, model_name, load_seconds):
                self.backend_status.ready(backend_id, model_name, load_seconds)
            case BackendRetired(backend_id):
                # The log view shows it: the switch's old backend is out of memory now.
                log.info("%s unloaded: the new backend is ready", backend_id)
            case BackendKept(backend_id, _model_name, message):
                self.settings = self.switcher.keep(self.settings, backend_id, message)
        # what the actions apply to changed (a job or page started, failed or finished)
        self._update_actions()

    @Slot(object, str)
    def _on_backend_state(self, state: BackendState, message: str) -> None:
        self.backend_status.set_state(state, message)
        if state is BackendState.ERROR:
            self._backend_error = message
            self.check_model(error=message)
        elif state is BackendState.READY:
            if self._backend_notice is not None and self.notice.text() == self._backend_notice:
                self.notice.hide()  # stale: the backend it was about loaded now
            self._backend_error = self._backend_notice = None
            if not self.lite.active:  # the lite engine is ready, GLM-OCR still to download
                self.model_panel.hide()

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
            self.states.set_waiting(self._backend_failed)
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

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def export(self) -> None:
        from ocr_desktop.gui.export_dialog import ExportDialog

        self.reading_view.commit_edit()
        job_ids = self._selected() or [r.job_id for r in self.queue_model.rows()]
        dialog = ExportDialog(
            export_defaults(self.settings.export, window_state()),
            self.store,
            job_ids,
            tasks=self.tasks,
            exports=self.exports,
            parent=self,
        )
        # Held by the window: a signal keeps no plain object alive through its bound method
        self.export_progress = ExportProgressNotice(self.notice, dialog.stop_export)
        dialog.progressed.connect(self.export_progress.show)
        dialog.exported.connect(lambda report: remember_export(dialog, window_state()))
        dialog.exported.connect(functools.partial(show_export_report, self.notice))
        dialog.failed.connect(lambda message: self.notice.show_message(message, Severity.ERROR))
        self.export_dialog = dialog
        dialog.open()

    @Slot()
    def show_history(self) -> None:
        from ocr_desktop.gui.history_dialog import HistoryDialog

        dialog = HistoryDialog(self.store, self.tasks, self)
        dialog.reopen.connect(self.queue.reopen)
        self.history_dialog = dialog
        dialog.open()

    @Slot()
    def open_settings(self, section: str = "") -> None:
        from ocr_desktop.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.show_section(section)
        dialog.settings_accepted.connect(self.apply_settings)
        self.settings_dialog = dialog
        dialog.open()

    def ask_finish_page(self) -> bool | None:
        """While a page is being read: finish it first (True), cancel it (False), or keep the
        old backend (None)."""
        return self.switcher.ask_finish_page(self)

    @Slot(object)
    def apply_settings(self, new: Settings) -> None:
        """Keep new preferences: save them, and switch the backend if its options changed."""
        self.settings = self.switcher.apply(
            self.settings,
            new,
            lambda: self.ask_finish_page() if any(row.live for row in self.queue_model.rows()) else True,
        )
        self.check_model()
        self.retry_backend_failures()
        self.api.apply(self.settings)

    @Slot()
    def compare_backends(self) -> None:
        dialog = CompareDialog(self.settings, self.pipeline, self)
        dialog.recommendation_applied.connect(self.apply_settings)
        self.compare_dialog = dialog
        dialog.open()

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

    @Slot(str)
    def _on_dropped(self, job_id: str) -> None:
        """A job left the queue (removed or cleared): it is not shown, and a page of it being
        read stops counting as reading (a removed job ends with no event: the pipeline drops it)."""
        if self.reading_view.job_id == job_id:
            self.reading_view.show_job(None)
        self._rate.job_ended(job_id)

    @Slot()
    def _on_current_row(self) -> None:
        """Show the selected document: the job states open it at once (the events change it from
        now on) and its stored pages fill it once read off the GUI thread."""
        job_id = self.queue_view.current_job_id()
        if job_id is None or job_id == self.loader.loading:
            return
        self.loader.cancel()  # one selected and left before it was shown is not shown when read
        shown = self.reading_view.job_id
        # The job states keep the pages of the document shown and of the one being loaded only.
        self.states.keep_documents({shown, job_id})
        if job_id == shown:
            return  # back to the document shown
        self.reading_view.commit_edit()  # now: the edit's save is queued before this read
        if self.states.open(job_id) is not None:
            self.loader.load(job_id)

    @Slot(str, object)
    def _on_document_loaded(self, job_id: str, loaded: LoadedDocument | None) -> None:
        document = self.states.document(job_id)
        if document is None or loaded is None:  # taken off the queue, or gone from the store
            self.states.close(job_id)
            return
        document.fill(loaded.result, loaded.originals, loaded.dpi, loaded.max_pixels)
        self.reading_view.show_job(document)
        self.states.keep_documents({job_id})
        self._update_actions()

    @Slot(str)
    def _on_document_failed(self, message: str) -> None:
        """The selected document could not be read from the store: the reading view stays on
        the one shown, and the pages of the one that failed are not kept."""
        self.states.keep_documents({self.reading_view.job_id})
        self.notice.show_error(message)

    def _update_rate(self) -> None:
        rate = self._rate.pages_per_min()
        if rate is not None:
            self.rate_label.setText(self.tr("{rate:.1f} pages/min").format(rate=rate))

    @Slot()
    def _on_tick(self) -> None:
        self.queue_model.tick()
        self.backend_status.tick()

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
