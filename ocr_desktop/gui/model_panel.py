"""The first run: while the chosen backend has no model on this machine, a panel above the queue
says so and offers, in place, to download the catalog model (its size, then progress and speed,
with Cancel) or to choose model files in Settings. In layout mode the same click also gets the
GLM-OCR SDK's layout model, PP-DocLayoutV3 (docs/layout.md), unless another layout model is set.

Only llama.cpp's model is checked: vLLM may be a server elsewhere, which the panel cannot see.
"""

from __future__ import annotations

import contextlib
import logging
import time

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ocr_desktop.backends.first_run import missing_glm_ocr
from ocr_desktop.gui.errors import translated
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner
from ocr_desktop.models import catalog, hub
from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)

MB = 1_000_000


#: Why the settings' llama.cpp model cannot be used, or None (touches the disk: call it off the
#: GUI thread). One function for the window and the CLI's first run.
missing_model = missing_glm_ocr


#: Download progress reaches the GUI at most this often (seconds).
PROGRESS_INTERVAL_S = 0.1


class DownloadCancelledError(hub.ModelError):
    """Raised from the progress callback to stop huggingface_hub mid-file (the partial file is
    kept, so a later download resumes it)."""


def first_run_models(settings: Settings) -> list[catalog.CatalogEntry]:
    """What the first run's one click downloads: the settings' GLM-OCR build, and PP-DocLayoutV3
    when pages are read by layout with it (``auto`` uses it once it is there)."""
    entries = [catalog.get_entry(settings.llamacpp.catalog_model)]
    reading = settings.reading
    if reading.mode == "layout" and reading.layout_model in ("auto", LAYOUT_MODEL):
        with contextlib.suppress(catalog.UnknownModelError):  # a catalog without it (the tests' fake Hub)
            entries.append(catalog.get_entry(LAYOUT_MODEL))
    return entries


#: The catalog entry of the SDK's layout model (layout/registry.py reads it from the same place).
LAYOUT_MODEL = "pp-doclayout-v3"


def pull_models(names: list[str], task: BackgroundTask[object]) -> object:
    """On a worker: download the catalog models ``names`` one after the other (files already
    complete are skipped), reporting progress like :func:`pull_model`."""
    return [pull_model(name, task) for name in names]


def pull_model(name: str, task: BackgroundTask[object]) -> object:
    """On a worker: download catalog model ``name``, reporting progress to ``task`` at most
    every 0.1 s; stops at the next chunk once the task is cancelled."""
    last = 0.0

    def progress(p: hub.DownloadProgress) -> None:
        nonlocal last
        if task.cancelled:
            raise DownloadCancelledError("download cancelled")
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL_S or p.done_bytes == p.total_bytes:
            last = now
            task.report(p)

    return hub.pull(name, progress)


class ModelPanel(QFrame):
    """No model yet: download it (size, progress, cancel) or choose files."""

    choose_files = Signal()  # open Settings where the model files are chosen
    model_ready = Signal()  # the download finished and verified

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPanel")
        self.setAccessibleName(self.tr("Model setup"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#modelPanel { background: palette(alternate-base); border-radius: 6px; }")
        self._tasks = tasks
        self._download: BackgroundTask[object] | None = None
        self._entry: catalog.CatalogEntry | None = None
        self._entries: list[catalog.CatalogEntry] = []  # the entry and what comes with it

        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton(self)
        self.download_button.clicked.connect(self.start_download)
        self.choose_button = QPushButton(self.tr("Choose Model Files…"), self)
        self.choose_button.setToolTip(self.tr("Use GGUF files you already have (Settings → llama.cpp)"))
        self.choose_button.clicked.connect(self.choose_files)
        self.cancel_button = QPushButton(self.tr("Cancel Download"), self)
        self.cancel_button.clicked.connect(self.cancel_download)
        #: While GLM-OCR is missing, the lite engine reads (gui/lite.py): said here, beside the offer.
        self.lite_note = QLabel(
            self.tr(
                "Meanwhile, documents are read with PP-OCRv6 (lite), which comes with the app: plain text "
                "lines, no tables or formulas. Every page it read says so."
            ),
            self,
        )
        self.lite_note.setWordWrap(True)
        self.lite_note.hide()
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Download progress"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.lite_note)
        layout.addLayout(buttons)
        self._set_downloading(False)
        self.hide()

    @property
    def downloading(self) -> bool:
        return self._download is not None

    def show_missing(self, settings: Settings, reason: str) -> None:
        """The model of ``settings`` is missing (``reason`` from :func:`missing_model`)."""
        self._entries = first_run_models(settings)
        self._entry = self._entries[0]
        size = sum(entry.download_bytes for entry in self._entries) / MB
        self.title.setText(self.tr("No model is installed yet"))
        if len(self._entries) > 1:
            detail = self.tr(
                "OCR Desktop reads documents with the GLM-OCR model and finds their layout with "
                "PP-DocLayoutV3, which are not on this computer. Download both ({names}, {size:,.0f} MB) "
                "or choose model files you already have."
            ).format(names=", ".join(entry.name for entry in self._entries), size=size)
        else:
            detail = self.tr(
                "OCR Desktop reads documents with the GLM-OCR model, which is not on this computer. "
                "Download it ({name}, {size:,.0f} MB) or choose model files you already have."
            ).format(name=self._entry.name, size=size)
        self.detail.setText(detail)
        self.detail.setToolTip(translated(reason))
        self.download_button.setText(self.tr("Download ({size:,.0f} MB)").format(size=size))
        if not self.downloading:
            self._set_downloading(False)
        self.show()

    def show_lite_note(self, shown: bool) -> None:
        """Say (or stop saying) that the lite engine reads until the model is there."""
        self.lite_note.setVisible(shown)

    def _set_downloading(self, downloading: bool) -> None:
        self.download_button.setVisible(not downloading)
        self.choose_button.setVisible(not downloading)
        self.progress.setVisible(downloading)
        self.cancel_button.setVisible(downloading)

    @Slot()
    def start_download(self) -> None:
        entry = self._entry
        if entry is None or self.downloading:
            return
        self.progress.setRange(0, 0)  # until the first bytes arrive
        self.progress.setFormat(self.tr("Connecting…"))
        self._set_downloading(True)
        names = [e.name for e in self._entries] or [entry.name]
        self.title.setText(self.tr("Downloading {name}…").format(name=", ".join(names)))

        log.info("downloading model(s) %s", ", ".join(names))
        self._download = self._tasks.run(
            lambda task: pull_models(names, task),
            on_result=self._on_done,
            on_error=self._on_failed,
            on_progress=self._on_progress,
        )

    @Slot()
    def cancel_download(self) -> None:
        if self._download is None:
            return
        self._download.cancel()  # the worker stops at its next chunk; its callbacks are dropped
        self._download = None
        log.info("model download cancelled")
        self._set_downloading(False)
        self.title.setText(self.tr("Download cancelled"))
        self.detail.setText(
            self.tr("What was downloaded is kept; Download continues from there.")
            if self._entry is not None
            else ""
        )

    def _on_progress(self, p: hub.DownloadProgress) -> None:
        total = p.total_bytes or 0
        self.progress.setRange(0, max(1, total // 1024))
        self.progress.setValue(p.done_bytes // 1024)
        self.progress.setFormat(
            self.tr("{file}: {done:,.1f} of {total:,.1f} MB · {speed:,.1f} MB/s").format(
                # huggingface_hub's description is a shortened URL: show the file's name
                file=p.filename.rpartition("/")[2],
                done=p.done_bytes / MB,
                total=total / MB,
                speed=p.bytes_per_s / MB,
            )
        )

    def _on_done(self, _paths: object) -> None:
        self._download = None
        self._set_downloading(False)
        self.hide()
        self.model_ready.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._download = None
        self._set_downloading(False)
        message = translated(exc.message) if isinstance(exc, hub.ModelError) else str(exc)
        self.title.setText(self.tr("The download failed"))
        self.detail.setText(message)
