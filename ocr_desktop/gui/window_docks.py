"""The window's docks: the gauges (a strip in the status bar and a panel in a dock, over one
sampler that pauses itself while no gauge is visible) and the log (View → Log, F12)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from ocr_desktop.gui.gauges import GaugePanel, GaugeStrip
from ocr_desktop.gui.log_view import LogView
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.telemetry.sampler import Sampler
from ocr_desktop.telemetry.vllm_source import VllmMetricsLike


@dataclass(frozen=True)
class Docks:
    gauge_dock: QDockWidget
    gauge_strip: GaugeStrip
    gauge_panel: GaugePanel
    log_dock: QDockWidget
    log_view: LogView


def build_docks(window: QMainWindow, sampler: Sampler, gauge_slot: QWidget, view_menu: QMenu) -> Docks:
    """Both docks, hidden, with their View menu toggles; the sampler started."""
    gauge_dock = QDockWidget(QCoreApplication.translate("MainWindow", "Gauges"), window)
    gauge_dock.setObjectName("gaugeDock")
    gauge_dock.setAccessibleName(QCoreApplication.translate("MainWindow", "Gauges"))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, gauge_dock)
    gauge_dock.hide()
    toggle = gauge_dock.toggleViewAction()
    toggle.setShortcut(QKeySequence("F9"))
    toggle.setToolTip(QCoreApplication.translate("MainWindow", "Show or hide the memory and GPU gauges (F9)"))
    view_menu.addAction(toggle)
    gauge_strip = GaugeStrip(sampler, gauge_slot)
    layout = gauge_slot.layout()
    assert layout is not None
    layout.addWidget(gauge_strip)
    gauge_panel = GaugePanel(sampler, gauge_dock)
    gauge_dock.setWidget(gauge_panel)
    sampler.start()

    log_dock = QDockWidget(QCoreApplication.translate("MainWindow", "Log"), window)
    log_dock.setObjectName("logDock")
    log_view = LogView(log_dock)
    log_dock.setWidget(log_view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, log_dock)
    log_dock.hide()
    toggle = log_dock.toggleViewAction()
    toggle.setShortcut(QKeySequence("F12"))
    toggle.setToolTip(
        QCoreApplication.translate("MainWindow", "Show or hide the last lines of the log (F12)")
    )
    view_menu.addAction(toggle)
    return Docks(gauge_dock, gauge_strip, gauge_panel, log_dock, log_view)


# Called on the sampler's thread: they only read the pipeline's current backend reference.
def server_pids(pipeline: Pipeline) -> list[int]:
    backend = pipeline.backend
    return backend.server_pids() if backend is not None else []


def server_metrics(pipeline: Pipeline) -> VllmMetricsLike | None:
    backend = pipeline.backend
    return backend.metrics() if backend is not None else None
