"""The Compare view: benchmark the backends on this device, show the table and charts, apply the advice.

The benchmark (``ocr_desktop.bench.runner``) runs as a task of the GUI's one background-task
helper (``gui/tasks.py``, a runner of its own: a run takes minutes), which also writes the
report files; its progress and outcome come back on the GUI thread, so widgets are only touched
there. Cancel sets the run's ``threading.Event``: the pages in flight finish, the backend
unloads and the figures measured so far are still shown. ``shutdown`` (the window quitting)
cancels a run and waits for it.

The pipeline is the one owner of loaded backends (an 8 GB device holds one model): the run
borrows the backend slot with ``Pipeline.lend_backend`` — the queue pauses, its page in flight
finishes, its backend unloads — loads each benchmarked backend through the lease, and gives the
slot back, after which the queue goes on. The memory check before each load is the benchmark's
``backends.memory.check_fits``, the policy every backend load asks.
"""

from __future__ import annotations

import datetime
import html
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.registry import BACKEND_IDS, GLM_OCR_BACKENDS
from ocr_desktop.bench import report
from ocr_desktop.bench.runner import BenchConfig, BenchError, run_benchmark
from ocr_desktop.gui.errors import error_text, translated
from ocr_desktop.gui.settings_dialog import SCHEMA_CONTEXT, backend_label, help_text
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner
from ocr_desktop.pipeline import Pipeline

log = logging.getLogger(__name__)

PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class CompareOutcome:
    """What the worker hands back: the files written (and the recommendation in them)."""

    files: report.ReportFiles
    cancelled: bool


class CompareDialog(QDialog):
    """Run the benchmark with a progress bar; show the table, the charts and the recommendation."""

    recommendation_applied = Signal(object)  # Settings, already saved
    run_finished = Signal()  # the worker ended (finished, cancelled or failed)

    def __init__(
        self,
        settings: settings_mod.Settings,
        pipeline: Pipeline,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compare backends on this device"))
        self._settings = settings
        self._pipeline = pipeline
        self._cancel = threading.Event()
        self._runner = TaskRunner(self, name="bench")
        self._run: BackgroundTask[CompareOutcome] | None = None
        self._close_when_done = False
        self.recommendation: report.Recommendation | None = None
        self.outcome: CompareOutcome | None = None

        defaults = BenchConfig()
        self.backend_boxes = {bid: QCheckBox(backend_label(bid)) for bid in BACKEND_IDS}
        # The lite line engine is offered but not measured by default: it reads another way (no tokens,
        # no pages in flight) and its speed must not turn the advice away from the GLM-OCR backends.
        for bid, box in self.backend_boxes.items():
            box.setChecked(bid in GLM_OCR_BACKENDS)
        self.levels_edit = QLineEdit(",".join(str(n) for n in defaults.in_flight))
        self.levels_edit.setToolTip(self.tr("Pages in flight to measure, comma-separated, starting at 1"))
        self.pages_spin = _spin(1, 64, defaults.pages, self.tr("Pages per level and round"))
        self.repeats_spin = _spin(
            1, 20, defaults.repeats, self.tr("Rounds per level; figures are medians over them")
        )
        self.tokens_spin = _spin(2, 16384, defaults.max_tokens, self.tr("Most tokens generated per page"))
        pixels = settings_mod.field_info("documents.max_pixels")
        self.pixels_spin = _spin(
            int(pixels.minimum or 0),
            int(pixels.maximum or 0),
            settings.documents.max_pixels,
            help_text(pixels),
        )
        self.pixels_spin.setSingleStep(28 * 28 * 64)
        self.mode_combo = QComboBox()
        for mode in ("page", "layout"):
            self.mode_combo.addItem(QCoreApplication.translate(SCHEMA_CONTEXT, mode), mode)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(defaults.mode))
        self.mode_combo.setToolTip(
            self.tr(
                "page: each request a whole page; layout: each page's layout regions, each with its own "
                "prompt, counted as its share of the page (docs/benchmarks.md)"
            )
        )

        backends_row = QHBoxLayout()
        for box in self.backend_boxes.values():
            backends_row.addWidget(box)
        form = QFormLayout()
        form.addRow(self.tr("Backends"), backends_row)
        form.addRow(self.tr("Pages in flight"), self.levels_edit)
        form.addRow(self.tr("Pages"), self.pages_spin)
        form.addRow(self.tr("Rounds"), self.repeats_spin)
        form.addRow(self.tr("Max tokens"), self.tokens_spin)
        form.addRow(self.tr("Pixel budget"), self.pixels_spin)
        form.addRow(self.tr("Reading mode"), self.mode_combo)

        self.run_button = QPushButton(self.tr("Run"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.status = QLabel(
            self.tr(
                "Runs the same pages through each backend and level; without documents, the bundled "
                "sample pages."
            )
        )
        self.status.setWordWrap(True)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)

        self.table = QTextBrowser()
        self.throughput_chart = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.memory_chart = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, self.tr("Table"))
        self.tabs.addTab(_scrolled(self.throughput_chart), self.tr("Pages/min"))
        self.tabs.addTab(_scrolled(self.memory_chart), self.tr("Memory"))

        self.recommendation_label = QLabel()
        self.recommendation_label.setWordWrap(True)
        self.recommendation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = QPushButton(self.tr("Apply recommendation"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_recommendation)
        advice_row = QHBoxLayout()
        advice_row.addWidget(self.recommendation_label, 1)
        advice_row.addWidget(self.apply_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(advice_row)
        layout.addWidget(buttons)
        self.resize(820, 720)

    # -- running -----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._run is not None

    def config(self) -> BenchConfig:
        """The benchmark the controls describe (raises BenchError with what to fix)."""
        try:
            levels = tuple(int(p) for p in self.levels_edit.text().split(",") if p.strip())
        except ValueError:
            raise BenchError(
                self.tr("pages in flight: write whole numbers separated by commas, e.g. 1,2,4")
            ) from None
        return BenchConfig(
            backends=tuple(bid for bid, box in self.backend_boxes.items() if box.isChecked()),
            in_flight=levels,
            pages=self.pages_spin.value(),
            repeats=self.repeats_spin.value(),
            max_tokens=self.tokens_spin.value(),
            max_pixels=self.pixels_spin.value(),
            mode=str(self.mode_combo.currentData()),
        )

    @Slot()
    def start(self) -> None:
        if self.running:
            return
        try:
            config = self.config()
        except BenchError as exc:
            self.status.setText(error_text(exc))
            return
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out_dir = paths.data_dir() / "benchmarks" / stamp
        self._cancel.clear()
        self.recommendation = None
        self.apply_button.setEnabled(False)
        self.recommendation_label.clear()
        self.progress.setValue(0)
        self._set_running(True)
        settings = self._settings
        self._run = self._runner.run(
            lambda task: self._work(task, config, settings, out_dir),
            on_result=self._on_finished,
            on_error=self._on_error,
            on_progress=lambda value: self._on_progress(*value),
        )

    def _work(
        self,
        task: BackgroundTask[CompareOutcome],
        config: BenchConfig,
        settings: settings_mod.Settings,
        out_dir: Path,
    ) -> CompareOutcome:
        """On the worker: measure and write the report; progress goes to the GUI thread."""

        def progress(message: str, fraction: float) -> None:
            task.report((translated(message), fraction))  # translate() is thread-safe

        progress(self.tr("Pausing the queue: the page being read finishes first…"), -1.0)
        with self._pipeline.lend_backend() as lease:
            results = run_benchmark(config, settings, progress, self._cancel, lease.create_backend)
        files = report.write_report(results, out_dir)
        return CompareOutcome(files, results.cancelled)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, BenchError):
            self._on_failed(error_text(exc))
            return
        log.error("benchmark failed", exc_info=exc)
        self._on_failed(
            self.tr("the benchmark failed: {kind}: {error} — see the log file").format(
                kind=type(exc).__name__, error=exc
            )
        )

    @Slot()
    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling: the pages in flight finish, then the backend unloads…"))

    def reject(self) -> None:
        """Close; a running benchmark is cancelled first and the dialog closes when it has stopped."""
        if self.running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def shutdown(self) -> None:
        """Cancel a run and wait for it to stop (the window is quitting)."""
        self._cancel.set()
        self._runner.shutdown()

    def _end_run(self) -> None:
        self._run = None
        self._set_running(False)
        self.run_finished.emit()
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    @Slot(str, float)
    def _on_progress(self, message: str, fraction: float) -> None:
        self.status.setText(message)
        if fraction >= 0:
            self.progress.setValue(round(fraction * PROGRESS_STEPS))

    @Slot(object)
    def _on_finished(self, outcome: CompareOutcome) -> None:
        self.outcome = outcome
        files = outcome.files
        self.table.setMarkdown(files.table.read_text(encoding="utf-8"))
        throughput, memory = files.charts
        self.throughput_chart.setPixmap(QPixmap(str(throughput)))
        self.memory_chart.setPixmap(QPixmap(str(memory)))
        self.recommendation = files.recommendation
        if files.recommendation is not None:
            self.recommendation_label.setText(
                self.tr("<b>Recommendation:</b> {text}").format(text=html.escape(files.recommendation.text))
            )
            self.apply_button.setEnabled(True)
        else:
            self.recommendation_label.setText(self.tr("No backend finished a page: no recommendation."))
        done = self.tr("Cancelled") if outcome.cancelled else self.tr("Finished")
        self.status.setText(
            self.tr("{done}. Results in {folder}").format(done=done, folder=files.results.parent)
        )
        self._end_run()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self._end_run()

    # -- applying ----------------------------------------------------------------------------------

    @Slot()
    def apply_recommendation(self) -> None:
        if self.recommendation is None:
            return
        try:
            changed = report.apply_recommendation(self._settings, self.recommendation)
            settings_mod.save(changed)
        except (settings_mod.SettingsError, OSError) as exc:
            self.status.setText(
                self.tr("The recommendation could not be applied: {error}").format(error=error_text(exc))
            )
            return
        self._settings = changed
        applied = ", ".join(f"{key} = {value}" for key, value in self.recommendation.settings.items())
        self.status.setText(self.tr("Applied and saved: {settings}").format(settings=applied))
        self.apply_button.setEnabled(False)
        self.recommendation_applied.emit(changed)


def _spin(minimum: int, maximum: int, value: int, tooltip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setValue(value)
    spin.setToolTip(tooltip)
    return spin


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    return area
