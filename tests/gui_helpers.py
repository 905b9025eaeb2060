"""Helpers shared by the GUI tests: a main window on a scripted or real backend, simulated drops."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import Backend, MemoryEstimate
from ocr_desktop.backends.memory import available_memory_bytes
from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.settings_dialog import SettingsDialog
from ocr_desktop.settings import Settings
from ocr_desktop.telemetry.psutil_source import PsutilSource
from ocr_desktop.telemetry.sampler import Sampler
from tests.backends import ScriptedBackend

E = TypeVar("E")

WindowFactory = Callable[..., MainWindow]
GUI_TIMEOUT_MS = 20_000


def is_event(kind: type, **fields: object) -> Callable[[object], bool]:
    """``check_params_cb`` for the bridge's one signal: an event of ``kind`` with these fields."""

    def check(event: object) -> bool:
        return isinstance(event, kind) and all(getattr(event, k) == v for k, v in fields.items())

    return check


def on_event(kind: type[E], action: Callable[[E], object]) -> Callable[[object], None]:
    """A slot for the bridge's one signal that hands ``action`` the events of ``kind``."""

    def slot(event: object) -> None:
        if isinstance(event, kind):
            action(event)

    return slot


def drop_files(target: QWidget, files: list[Path]) -> None:
    """What the file manager does: drag enter, then drop, with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    centre = target.rect().center()
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:  # PySide6 6.12 takes a QPointF (its QPoint overload is deprecated); 6.11 only a QPoint
        enter = QDragEnterEvent(QPointF(centre), *args)
    except TypeError:
        enter = QDragEnterEvent(centre, *args)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted(), "the window refused the drag"
    drop = QDropEvent(QPointF(centre), *args)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted(), "the window refused the drop"


def window_factory(qtbot: QtBot) -> Iterator[WindowFactory]:
    """For a ``make_window`` fixture: build main windows, each on a fresh JobStore (default path:
    the test's temp data dir) unless given one; every window is shut down and its store closed
    after the test."""
    made: list[tuple[MainWindow, JobStore]] = []

    def make(
        backend: Backend | Callable[[Settings], Backend] | None = None,
        settings: Settings | None = None,
        model_check: Callable[[Settings], str | None] | None = None,
        memory_estimate: Callable[[Settings], MemoryEstimate | None] | None = None,
        store: JobStore | None = None,
        free_memory: Callable[[], int] = available_memory_bytes,
        lite_first_run: bool | None = None,
    ) -> MainWindow:
        store = store or JobStore()
        if backend is None:
            factory = None
        elif callable(backend) and not isinstance(backend, ScriptedBackend):
            factory = backend
        else:
            factory = lambda _settings, _backend=backend: _backend  # noqa: E731
        if settings is None:
            # Whole pages: these windows read scripted page texts; layout reading has its own
            # window test (test_gui_regions.py).
            settings = Settings().with_value("reading.mode", "page")
        # psutil only: jtop and NVML are absent here, and jtop's import warns on its own thread.
        sampler = Sampler(settings.telemetry, sources=[PsutilSource()])
        window = MainWindow(
            settings,
            store,
            backend_factory=factory,
            sampler=sampler,
            model_check=model_check,
            memory_estimate=memory_estimate,
            free_memory=free_memory,
            lite_first_run=lite_first_run,
        )
        qtbot.addWidget(window)
        window.show()
        made.append((window, store))
        # The queue is read back from the store off the GUI thread, as the user sees it at start.
        qtbot.waitUntil(lambda: not window.queue.restoring, timeout=GUI_TIMEOUT_MS)
        return window

    yield make
    for window, store in made:
        window.shutdown()
        store.close()


def show_document(qtbot: QtBot, window: MainWindow, job_id: str) -> None:
    """Select a document in the queue and wait until the reading view shows it (its stored pages
    are read off the GUI thread)."""
    window.queue_view.select_job(job_id)
    qtbot.waitUntil(lambda: window.reading_view.job_id == job_id, timeout=GUI_TIMEOUT_MS)


def export_all(qtbot: QtBot, window: MainWindow, out_dir: Path, formats: list[str]) -> list[Path]:
    """Export through the dialog (as a user would) and return the files written."""
    window.window_actions.export_action.trigger()
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=GUI_TIMEOUT_MS)  # documents listed
    dialog.editors["export.out_dir"].put(str(out_dir))
    dialog.editors["export.formats"].put(formats)
    with qtbot.waitSignal(dialog.exported, timeout=GUI_TIMEOUT_MS) as exported:
        dialog.accept()
    return list(exported.args[0].written)


def accept_settings(dialog: SettingsDialog) -> None:
    """Press OK in the settings dialog, and Save Anyway when it warns that the chosen backend is
    not available here (a scripted backend stands in for it)."""
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    if dialog.isVisible() and ok.text() == "Save Anyway":
        ok.click()
    assert not dialog.isVisible(), dialog.error_label.text()
