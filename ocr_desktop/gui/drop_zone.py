"""Accepting documents: the big drop zone shown while the queue is empty, and the helpers that
turn dropped or pasted data into paths.

Folders are walked, pasted images written to a PNG and the documents found submitted (in one
store transaction) on a worker thread, so a drop of a big folder never freezes the window; the
answer comes back as ``queued`` on the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from ocr_desktop import paths
from ocr_desktop.documents.folders import iter_document_paths
from ocr_desktop.gui.tasks import BackgroundTask, TaskRunner

log = logging.getLogger(__name__)


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in dropped or pasted data (URLs, or text with one path a line)."""
    if mime.hasUrls():
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    if mime.hasText():
        lines = [line.strip() for line in mime.text().splitlines() if line.strip()]
        candidates = [Path(line.removeprefix("file://")) for line in lines]
        return [p for p in candidates if p.is_absolute()]
    return []


#: What File → Open lists.
DOCUMENT_FILTER = "*.pdf *.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff"


def accepts(mime: QMimeData) -> bool:
    return bool(local_paths(mime)) or mime.hasImage()


class DocumentIntake(QObject):
    """Turns drops, pastes and File → Open choices into queued documents, off the GUI thread."""

    queued = Signal(list, list)  # list[tuple[str, Path]]: (job id, document); list[str]: messages
    refused = Signal(str)  # why nothing was taken (an empty clipboard)

    def __init__(
        self, tasks: TaskRunner, submit: Callable[[list[Path]], list[str]], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks  # one worker keeps successive drops in order
        self._submit = submit  # queues documents in one transaction; safe on any thread

    def add_paths(self, given: list[Path]) -> None:
        self._run(given, None)

    def choose_files(self, parent: QWidget) -> None:
        """File → Open: the documents the user picks."""
        files, _ = QFileDialog.getOpenFileNames(
            parent,
            self.tr("Open Documents"),
            "",
            self.tr("Documents ({patterns});;All files (*)").format(patterns=DOCUMENT_FILTER),
        )
        if files:
            self.add_paths([Path(f) for f in files])

    def choose_folder(self, parent: QWidget) -> None:
        """File → Open Folder: every document in the folder the user picks."""
        folder = QFileDialog.getExistingDirectory(parent, self.tr("Open Folder"))
        if folder:
            self.add_paths([Path(folder)])

    def paste(self) -> None:
        """Edit → Paste: the image or files on the clipboard (``refused`` when it holds none)."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.add_mime(mime):
            self.refused.emit(
                self.tr("The clipboard holds no image or file. Copy an image (or files) first, then paste.")
            )

    def add_image(self, image: QImage) -> None:
        self._run([], image)

    def _run(self, given: list[Path], image: QImage | None) -> None:
        def collect(
            task: BackgroundTask[tuple[list[tuple[str, Path]], list[str]]],
        ) -> tuple[list[tuple[str, Path]], list[str]]:
            found, errors = self._collect(given, image)
            if not found or task.cancelled:
                return [], errors
            return list(zip(self._submit(found), found, strict=True)), errors

        self._tasks.run(collect, on_result=lambda result: self.queued.emit(*result))

    def _collect(self, given: list[Path], image: QImage | None) -> tuple[list[Path], list[str]]:
        """On the worker thread: save a pasted image, walk folders."""
        found: list[Path] = []
        errors: list[str] = []
        if image is not None:
            target = paths.data_dir() / "pasted" / time.strftime("Pasted image %Y-%m-%d %H.%M.%S.png")
            target.parent.mkdir(parents=True, exist_ok=True)
            if image.save(str(target)):  # PNG, from the suffix
                found.append(target)
            else:
                errors.append(f"the pasted image could not be saved to {target}; is the disk full?")
        try:
            # Files given explicitly are kept even if unsupported: the queue then shows why.
            found.extend(iter_document_paths(given))
        except OSError as exc:
            errors.append(f"{exc.filename or exc}: {exc.strerror or exc}")
        return found, errors

    def add_mime(self, mime: QMimeData) -> bool:
        """Add what a drop or paste carries; False if it carries nothing usable."""
        given = local_paths(mime)
        if given:
            self.add_paths(given)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.add_image(image)
                return True
        return False


class DropZone(QFrame):
    """The empty queue: a big target that says what to do."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAccessibleName(self.tr("Drop documents here"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#dropZone { border: 2px dashed palette(mid); border-radius: 12px; }"
            '#dropZone[dragging="true"] { border-color: palette(highlight); '
            "background: palette(alternate-base); }"
        )
        title = QLabel(self.tr("Drop PDFs, images or folders here"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            self.tr("or paste an image with Ctrl+V. Every page is read by GLM-OCR on this machine."), self
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Open Files…"), self)
        self.open_button.setToolTip(self.tr("Choose documents to read (Ctrl+O)"))
        self.open_button.setAccessibleName(self.tr("Open files"))
        self.open_button.clicked.connect(self.open_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addSpacing(12)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def set_dragging(self, dragging: bool) -> None:
        self.setProperty("dragging", dragging)
        self.style().unpolish(self)
        self.style().polish(self)


class WindowDrops(QObject):
    """Makes a whole window a drop target (an event filter on it): what it accepts lights the
    drop zone up while dragged over, and is handed to the intake when dropped."""

    def __init__(self, window: QWidget, intake: DocumentIntake, zone: DropZone) -> None:
        super().__init__(window)
        self._intake = intake
        self._zone = zone
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(event, QDragMoveEvent):
            if accepts(event.mimeData()):
                event.acceptProposedAction()
                self._zone.set_dragging(True)
            else:
                event.ignore()
            return True
        if kind is QEvent.Type.DragLeave:
            self._zone.set_dragging(False)
            return True
        if kind is QEvent.Type.Drop and isinstance(event, QDropEvent):
            self._zone.set_dragging(False)
            if self._intake.add_mime(event.mimeData()):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        return super().eventFilter(watched, event)
