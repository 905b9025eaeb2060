"""The window's actions and menus, built over the slots the window hands in.

Every command of the window is a ``QAction`` here (text, shortcut, tooltip), connected to a slot
of :class:`ActionSlots`; the window hands in its own slots and those of its controllers, so this
module imports none of them and calls nothing back. The window wires which actions are enabled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

Slot = Callable[[], object]


@dataclass(frozen=True)
class ActionSlots:
    """What each action does, and the widgets whose focus scopes a shortcut."""

    open_files: Slot
    open_folder: Slot
    paste: Slot
    export: Slot
    show_history: Slot
    quit: Slot
    copy_page: Slot
    copy_document: Slot
    open_settings: Slot
    toggle_pause: Slot
    cancel_page: Slot
    cancel_selected: Slot
    retry_selected: Slot
    remove_selected: Slot
    clear_finished: Slot
    move_up: Slot
    move_down: Slot
    zoom_in: Slot
    zoom_out: Slot
    fit_width: Slot
    next_page: Slot
    previous_page: Slot
    compare_backends: Slot
    about: Slot
    open_log_folder: Slot
    queue_view: QWidget
    reading_view: QWidget


class WindowActions(QObject):
    """The window's actions (``open_action``, ``pause_action``…) and its menu bar."""

    def __init__(self, window: QMainWindow, slots: ActionSlots) -> None:
        super().__init__(window)
        self._window = window
        self._build(slots)
        self._build_menus(slots.queue_view)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self._window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            hint = (
                f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                if shortcut
                else tip
            )
            action.setToolTip(hint)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self._window.addAction(action)  # shortcuts work while the menu bar is hidden, too
        return action

    def _build(self, slots: ActionSlots) -> None:
        self.open_action = self._action(
            self.tr("&Open Files…"),
            slots.open_files,
            QKeySequence.StandardKey.Open,
            self.tr("Add documents to the queue"),
        )
        self.open_folder_action = self._action(
            self.tr("Open &Folder…"),
            slots.open_folder,
            "Ctrl+Shift+O",
            self.tr("Add every document in a folder"),
        )
        self.paste_action = self._action(
            self.tr("&Paste Image"),
            slots.paste,
            QKeySequence.StandardKey.Paste,
            self.tr("Read the image on the clipboard"),
        )
        self.export_action = self._action(
            self.tr("&Export…"),
            slots.export,
            "Ctrl+E",
            self.tr("Export the selected documents (or all) as txt, md or json"),
        )
        self.history_action = self._action(
            self.tr("&History…"), slots.show_history, "Ctrl+H", self.tr("Reopen documents read earlier")
        )
        self.quit_action = self._action(self.tr("&Quit"), slots.quit, "Ctrl+Q", self.tr("Quit"))
        self.copy_page_action = self._action(
            self.tr("Copy &Page Text"),
            slots.copy_page,
            "Ctrl+Shift+C",
            self.tr("Copy the shown page's text"),
        )
        self.copy_document_action = self._action(
            self.tr("Copy &Document Text"),
            slots.copy_document,
            "Ctrl+Alt+C",
            self.tr("Copy the shown document's text"),
        )
        self.settings_action = self._action(
            self.tr("&Settings…"),
            slots.open_settings,
            "Ctrl+,",
            self.tr("Backend, model, task and export options"),
        )
        self.pause_action = self._action(
            self.tr("&Pause"),
            slots.toggle_pause,
            "Ctrl+P",
            self.tr("Start no new page; the page being read finishes"),
            checkable=True,
        )
        self.cancel_page_action = self._action(
            self.tr("Cancel &Page"),
            slots.cancel_page,
            "Esc",
            self.tr("Stop reading the page of the document shown or selected (retry it later)"),
        )
        self.cancel_job_action = self._action(
            self.tr("&Cancel Document"),
            slots.cancel_selected,
            "Shift+Esc",
            self.tr("Stop reading the selected documents"),
        )
        self.retry_action = self._action(
            self.tr("&Retry / Resume"),
            slots.retry_selected,
            "Ctrl+R",
            self.tr("Read failed pages again, or resume a cancelled or failed document"),
        )
        self.remove_action = self._action(
            self.tr("Re&move"),
            slots.remove_selected,
            QKeySequence.StandardKey.Delete,
            self.tr("Remove the selected documents and their results"),
        )
        # Delete belongs to the text editor while it has focus.
        self._scope(self.remove_action, slots.queue_view)
        # Esc belongs to whatever has focus (a dialog, the log); it cancels a page only where that
        # page is: the queue (selected documents) or the reading view (the document shown).
        self._scope(self.cancel_page_action, slots.queue_view, slots.reading_view)
        self._scope(self.cancel_job_action, slots.queue_view)
        self.clear_action = self._action(
            self.tr("C&lear Finished"),
            slots.clear_finished,
            "Ctrl+Shift+L",
            self.tr("Take finished documents off the queue (they stay in the history)"),
        )
        self.move_up_action = self._action(
            self.tr("Move &Up"),
            slots.move_up,
            "Ctrl+Up",
            self.tr("Read this document earlier"),
        )
        self.move_down_action = self._action(
            self.tr("Move &Down"),
            slots.move_down,
            "Ctrl+Down",
            self.tr("Read this document later"),
        )
        self.zoom_in_action = self._action(
            self.tr("Zoom &In"), slots.zoom_in, QKeySequence.StandardKey.ZoomIn, self.tr("Zoom in")
        )
        self.zoom_out_action = self._action(
            self.tr("Zoom &Out"), slots.zoom_out, QKeySequence.StandardKey.ZoomOut, self.tr("Zoom out")
        )
        self.fit_width_action = self._action(
            self.tr("&Fit Width"), slots.fit_width, "Ctrl+0", self.tr("Fit the page to the width")
        )
        self.next_page_action = self._action(
            self.tr("&Next Page"), slots.next_page, "Ctrl+PgDown", self.tr("Show the next page")
        )
        self.previous_page_action = self._action(
            self.tr("P&revious Page"), slots.previous_page, "Ctrl+PgUp", self.tr("Show the previous page")
        )
        self.compare_action = self._action(
            self.tr("&Compare Backends…"),
            slots.compare_backends,
            "Ctrl+Shift+B",
            self.tr("Measure llama.cpp and vLLM on this device and get a recommendation"),
        )
        self.about_action = self._action(self.tr("&About"), slots.about, None, self.tr("About OCR Desktop"))
        self.log_folder_action = self._action(
            self.tr("Open &Log Folder"),
            slots.open_log_folder,
            None,
            self.tr("Show the folder with the log file"),
        )

    def _scope(self, action: QAction, *widgets: QWidget) -> None:
        """Let the action's shortcut work only while focus is in one of ``widgets`` (the menu
        entry works everywhere)."""
        self._window.removeAction(action)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for widget in widgets:
            widget.addAction(action)

    def _build_menus(self, queue_view: QWidget) -> None:
        bar = self._window.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for action in (
            self.open_action,
            self.open_folder_action,
            self.paste_action,
            None,
            self.export_action,
            self.history_action,
            None,
            self.quit_action,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        for action in (self.copy_page_action, self.copy_document_action, None, self.settings_action):
            edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
        queue_menu = bar.addMenu(self.tr("&Queue"))
        for action in (
            self.pause_action,
            self.cancel_page_action,
            self.cancel_job_action,
            self.retry_action,
            None,
            self.move_up_action,
            self.move_down_action,
            None,
            self.remove_action,
            self.clear_action,
        ):
            queue_menu.addSeparator() if action is None else queue_menu.addAction(action)
        self.view_menu = bar.addMenu(self.tr("&View"))
        for action in (
            self.zoom_in_action,
            self.zoom_out_action,
            self.fit_width_action,
            None,
            self.next_page_action,
            self.previous_page_action,
            None,
        ):
            self.view_menu.addSeparator() if action is None else self.view_menu.addAction(action)
        tools_menu = bar.addMenu(self.tr("&Tools"))
        tools_menu.addAction(self.compare_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.log_folder_action)
        help_menu.addAction(self.about_action)
        queue_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (
            self.cancel_job_action,
            self.retry_action,
            self.move_up_action,
            self.move_down_action,
            self.export_action,
        ):
            queue_view.addAction(action)
