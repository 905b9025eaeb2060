"""The status bar's backend part: which backend, its state, its model, and while it loads the
stage and the time against its last load (kept per backend in the window's state file).

The window hands in how to read the backend id of now and where the load times are kept, and
feeds the pipeline's backend events in; this widget group never calls into the window.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from ocr_desktop.backends.base import BackendState
from ocr_desktop.gui.settings_dialog import backend_label


class BackendStatus(QObject):
    """``label`` (backend and state, and the load's stage and timing), ``load_bar`` and
    ``model_label``; ``state`` is the backend's last known state."""

    def __init__(
        self,
        bar: QStatusBar,
        backend_id: Callable[[], str],
        state_file: Callable[[], QSettings],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._backend_id = backend_id
        self._state_file = state_file
        self._loading_since: float | None = None  # time.monotonic() when the backend began loading
        self._load_expected_s: float | None = None  # how long its last load took
        self._load_stage = ""
        self._text = ""
        self.state = BackendState.UNLOADED
        self.label = QLabel(parent)
        self.label.setAccessibleName(self.tr("Backend state"))
        self.model_label = QLabel(parent)
        self.model_label.setAccessibleName(self.tr("Model"))
        self.load_bar = QProgressBar(parent)
        self.load_bar.setAccessibleName(self.tr("Backend loading progress"))
        self.load_bar.setMaximumWidth(120)
        self.load_bar.setTextVisible(False)
        self.load_bar.hide()
        bar.addWidget(self.label)
        bar.addWidget(self.load_bar)
        bar.addWidget(self.model_label)
        self.set_state(BackendState.UNLOADED, self.tr("loads when the first page is read"))

    def set_state(self, state: BackendState, message: str) -> None:
        names = {
            BackendState.UNLOADED: (self.tr("not loaded"), "gray"),
            BackendState.LOADING: (self.tr("loading…"), "#b27b00"),
            BackendState.READY: (self.tr("ready"), "#1b7f2a"),
            BackendState.ERROR: (self.tr("error"), "#b00020"),
        }
        name, color = names[state]
        backend_id = self._backend_id()
        loading = state is BackendState.LOADING
        if loading and self._loading_since is None:
            self._loading_since = time.monotonic()
            expected = self._state_file().value(f"backend/load_seconds/{backend_id}")
            self._load_expected_s = float(str(expected)) if expected is not None else None
        if not loading:
            self._loading_since = None
        self.state = state
        self._text = f'<span style="color:{color}">●</span> {backend_label(backend_id)}: {name}'
        self._load_stage = message if loading else ""
        self.label.setToolTip(message)
        self.load_bar.setVisible(loading)
        self.show_progress()
        if state is not BackendState.READY:
            self.model_label.setText("")

    def ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
        self.model_label.setText(model_name)
        if load_seconds is not None:
            # Timed by the pipeline around the load itself, not from when this thread got LOADING
            # (a late event made a 1.5 s load look like 1.4 s). The next load should take as long.
            self._state_file().setValue(f"backend/load_seconds/{backend_id}", load_seconds)

    def tick(self) -> None:
        if self._loading_since is not None:
            self.show_progress()

    def show_progress(self) -> None:
        """While a backend loads: its stage, and elapsed against the last load's time."""
        if self._loading_since is None:
            self.label.setText(self._text)
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
        self.label.setText(f"{self._text} {stage} · {timing}")
