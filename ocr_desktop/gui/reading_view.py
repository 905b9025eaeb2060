"""The reading view: the page image beside its text, which streams in as the model reads.

Left: the page (zoom, fit width, previous/next page). Right: tabs with the rendered Markdown
(tables drawn with borders, display formulas set apart as LaTeX) and the raw text, which the
user can edit once the page is finished; edits are reported through ``page_edited`` (debounced,
and at once on any page or document change, export or close) and kept with the result by the
main window. Ctrl+Z undoes typing; "Revert page" puts the model's text back (itself undoable).
Under the tabs: the page's time, tok/s and flags.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QKeyEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ocr_desktop.core import page_format
from ocr_desktop.core.formatter import format_page
from ocr_desktop.core.results import (
    FLAG_EDITED,
    FLAG_LINES_ONLY,
    FLAG_REPETITION_LOOP,
    FLAG_RETRIED,
    FLAG_TRUNCATED,
    PageResult,
    RegionResult,
)
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.errors import translated
from ocr_desktop.gui.job_states import DocumentState, JobStates
from ocr_desktop.gui.markdown_preview import TextIndex, finished_page_markdown, locate, show_markdown
from ocr_desktop.gui.page_renderer import PageKey, PageRenderer
from ocr_desktop.gui.page_view import REGION_COLOURS, PageView
from ocr_desktop.pipeline.events import (
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

__all__ = ["EDIT_DEBOUNCE_MS", "MARKDOWN_REFRESH_MS", "REGION_COLOURS", "PageView", "ReadingView"]

#: Edits are saved this long after the last keystroke.
EDIT_DEBOUNCE_MS = 800
#: While text streams in, the Markdown tab is re-rendered at most this often.
MARKDOWN_REFRESH_MS = 300


def _flag_names() -> dict[str, str]:
    return {
        FLAG_REPETITION_LOOP: QCoreApplication.translate("ReadingView", "repetition loop stopped"),
        FLAG_TRUNCATED: QCoreApplication.translate("ReadingView", "cut off at the token limit"),
        FLAG_RETRIED: QCoreApplication.translate("ReadingView", "read twice (loop retry)"),
        FLAG_EDITED: QCoreApplication.translate("ReadingView", "edited"),
        FLAG_LINES_ONLY: QCoreApplication.translate("ReadingView", "table or formula kept as plain lines"),
    }


def _flag_notes(result: PageResult) -> list[str]:
    """The notes the .md export writes under a flagged page (exporters/base.py FLAG_NOTES)."""
    notes = {
        FLAG_REPETITION_LOOP: QCoreApplication.translate(
            "ReadingView", "the model began repeating itself; the text is cut where the loop started"
        ),
        FLAG_TRUNCATED: QCoreApplication.translate(
            "ReadingView", "the text reached the token limit and may be incomplete"
        ),
        FLAG_LINES_ONLY: QCoreApplication.translate(
            "ReadingView", "a table or formula on this page is given as its text lines, without its structure"
        ),
    }
    lite = [
        QCoreApplication.translate(
            "ReadingView", "read with PP-OCRv6 (lite), the engine that ships with the app, not with GLM-OCR"
        )
    ]
    return (lite if result.backend == "lite" else []) + [n for f, n in notes.items() if f in result.flags]


def _tool_button(parent: QWidget, text: str, name: str, slot: object, shortcut: str = "") -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(f"{name} ({shortcut})" if shortcut else name)
    button.setAccessibleName(name)
    button.clicked.connect(slot)
    return button


class ReadingView(QWidget):
    """Page image, page navigation, text tabs and per-page statistics for one document."""

    page_edited = Signal(str, int, str)  # job_id, page_index, edited text

    def __init__(self, renderer: PageRenderer, states: JobStates, parent: QWidget | None = None) -> None:
        """``states``: the window's job states; the view shows one of their documents and
        follows what the events change in it."""
        super().__init__(parent)
        self._renderer = renderer
        self._states = states
        #: The page whose edit has not been reported yet (the debounce timer may still run, or
        #: have fired: the flag, not the timer, says whether an edit is owed).
        self._pending_edit: int | None = None
        #: The document shown: its pages (texts, results, regions, the model's text of edited
        #: pages) as the job states keep them; the pages being read and failed are its row's.
        self._doc: DocumentState | None = None
        self._page = 0
        self._follow = True  # jump to the page that starts streaming until the user navigates
        self._markdown_dirty = False

        self.page_view = PageView(self)
        self._placeholder = QLabel(self.tr("Select a document in the queue to see its pages."), self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)

        self.prev_button = _tool_button(self, "◀", self.tr("Previous page"), self.previous_page, "Page Up")
        self.next_button = _tool_button(self, "▶", self.tr("Next page"), self.next_page, "Page Down")
        self.page_spin = QSpinBox(self)
        self.page_spin.setAccessibleName(self.tr("Page number"))
        self.page_spin.setToolTip(self.tr("Page shown"))
        self.page_spin.setMinimum(1)
        self.page_spin.valueChanged.connect(self._on_spin)
        self.page_total = QLabel(self)
        self.zoom_out_button = _tool_button(self, "−", self.tr("Zoom out"), self.zoom_out, "Ctrl+-")
        self.zoom_in_button = _tool_button(self, "+", self.tr("Zoom in"), self.zoom_in, "Ctrl++")
        self.fit_button = _tool_button(
            self, self.tr("Fit width"), self.tr("Fit the page to the width"), self.fit_width, "Ctrl+0"
        )
        self.zoom_label = QLabel(self)
        self.page_view.zoom_changed.connect(lambda f: self.zoom_label.setText(f"{f * 100:.0f} %"))
        self.page_view.region_clicked.connect(self.scroll_to_region)

        self.markdown_view = QTextBrowser(self)
        self.markdown_view.setAccessibleName(self.tr("Rendered Markdown"))
        self.markdown_view.setOpenExternalLinks(False)
        self.markdown_view.setOpenLinks(False)
        self.markdown_view.setToolTip(
            self.tr("The page as the .md export holds it. Edit it in the Text tab.")
        )
        self.markdown_view.installEventFilter(self)
        # Shown when the user types into the Markdown tab, which is a preview: typing there is
        # otherwise ignored without a word (a click on the link opens the Text tab).
        self.edit_hint = QLabel(self)
        self.edit_hint.setText(
            self.tr('The Markdown tab is a preview: <a href="text">edit the page in the Text tab</a>.')
        )
        self.edit_hint.setWordWrap(True)
        self.edit_hint.hide()
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setAccessibleName(self.tr("Recognised text"))
        self.text_edit.setToolTip(
            self.tr("The recognised text. Edit it once the page is finished; edits are kept.")
        )
        self.text_edit.setReadOnly(True)
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.text_edit.cursorPositionChanged.connect(self._show_region_at_cursor)
        self.markdown_view.cursorPositionChanged.connect(self._show_region_at_cursor)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Text views"))
        self.tabs.addTab(self.markdown_view, self.tr("Markdown"))
        self.tabs.addTab(self.text_edit, self.tr("Text"))
        self.tabs.currentChanged.connect(self._refresh_markdown_if_visible)
        self.tabs.currentChanged.connect(self.edit_hint.hide)
        self.edit_hint.linkActivated.connect(lambda _link: self.tabs.setCurrentWidget(self.text_edit))

        self.copy_page_button = _tool_button(
            self, self.tr("Copy page"), self.tr("Copy this page's text"), self.copy_page, "Ctrl+Shift+C"
        )
        self.copy_document_button = _tool_button(
            self,
            self.tr("Copy document"),
            self.tr("Copy the whole document's text"),
            self.copy_document,
            "Ctrl+Alt+C",
        )
        self.revert_button = _tool_button(
            self, self.tr("Revert page"), self.tr("Put the model's text of this page back"), self.revert_page
        )
        self.revert_button.setEnabled(False)
        self.stats_label = QLabel(self)
        self.stats_label.setAccessibleName(self.tr("Page statistics"))
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stats_label.setWordWrap(True)

        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DEBOUNCE_MS)
        self._edit_timer.timeout.connect(self.commit_edit)
        self._markdown_timer = QTimer(self)
        self._markdown_timer.setSingleShot(True)
        self._markdown_timer.setInterval(MARKDOWN_REFRESH_MS)
        self._markdown_timer.timeout.connect(self._refresh_markdown_if_visible)
        states.updated.connect(self._on_update)
        renderer.rendered.connect(self._on_rendered)
        renderer.failed.connect(self._on_render_failed)
        self._layout()
        self.show_job(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A key that would type into the read-only Markdown tab shows where edits go."""
        if (
            watched is self.markdown_view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and (event.text().strip() or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete))
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.edit_hint.show()
        return super().eventFilter(watched, event)

    def _layout(self) -> None:
        nav = QHBoxLayout()
        for w in (self.prev_button, self.page_spin, self.page_total, self.next_button):
            nav.addWidget(w)
        nav.addStretch(1)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            nav.addWidget(w)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(nav)
        left_layout.addWidget(self.page_view, 1)
        left_layout.addWidget(self._placeholder, 1)

        actions = QHBoxLayout()
        actions.addWidget(self.stats_label, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.copy_page_button)
        actions.addWidget(self.copy_document_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.edit_hint)
        right_layout.addLayout(actions)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("readingSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setTabOrder(self.prev_button, self.page_spin)
        self.setTabOrder(self.page_spin, self.next_button)
        self.setTabOrder(self.next_button, self.zoom_out_button)
        self.setTabOrder(self.zoom_out_button, self.zoom_in_button)
        self.setTabOrder(self.zoom_in_button, self.fit_button)
        self.setTabOrder(self.fit_button, self.page_view)
        self.setTabOrder(self.page_view, self.tabs)
        self.setTabOrder(self.tabs, self.markdown_view)
        self.setTabOrder(self.markdown_view, self.text_edit)
        self.setTabOrder(self.text_edit, self.revert_button)
        self.setTabOrder(self.revert_button, self.copy_page_button)
        self.setTabOrder(self.copy_page_button, self.copy_document_button)

    # -- what is shown ----------------------------------------------------------------------------

    @property
    def job_id(self) -> str | None:
        return self._doc.job_id if self._doc else None

    @property
    def document(self) -> DocumentState | None:
        """The document shown, as the job states keep it."""
        return self._doc

    @property
    def _page_count(self) -> int:
        return max(1, self._doc.page_count) if self._doc else 1

    @property
    def page_index(self) -> int:
        return self._page

    def page_text(self, page_index: int | None = None) -> str:
        if self._doc is None:
            return ""
        return self._doc.text(self._page if page_index is None else page_index)

    def document_text(self) -> str:
        doc = self._doc
        return "" if doc is None else "\n\n".join(doc.text(i) for i in sorted(doc.known()))

    def _result(self, page_index: int) -> PageResult | None:
        return self._doc.results.get(page_index) if self._doc else None

    def _regions(self, page_index: int) -> tuple[RegionResult, ...]:
        """The page's layout regions (read ones with their text)."""
        return self._doc.regions.get(page_index, ()) if self._doc else ()

    def _live(self) -> set[int]:
        """The pages streaming right now (vLLM reads several at once)."""
        return self._doc.live if self._doc else set()

    def show_job(self, document: DocumentState | None) -> None:
        """Show a document of the job states (filled with its stored pages): its pages, and the
        pages streaming now with their text so far."""
        self.commit_edit()
        self._follow = True
        self._doc = document
        if document is None:
            self.page_view.hide()
            self._placeholder.show()
            self._set_enabled(False)
            self._show_text("")
            self.stats_label.clear()
            self.page_total.clear()
            return
        self._placeholder.hide()
        self.page_view.show()
        self._set_enabled(True)
        with QSignalBlocker(self.page_spin):
            self.page_spin.setMaximum(self._page_count)
        self.page_total.setText(self.tr("of {n}").format(n=self._page_count))
        live, known = document.live, document.known()
        first = min(live) if live else (min(known) if known else 0)
        self._go_to(first, follow=True)

    def _show_page_count(self) -> None:
        self.page_spin.setMaximum(self._page_count)
        self.page_total.setText(self.tr("of {n}").format(n=self._page_count))

    def _set_enabled(self, enabled: bool) -> None:
        for w in (
            self.prev_button,
            self.next_button,
            self.page_spin,
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_button,
            self.copy_page_button,
            self.copy_document_button,
        ):
            w.setEnabled(enabled)

    # -- navigation -----------------------------------------------------------------------------

    @Slot()
    def next_page(self) -> None:
        self._go_to(self._page + 1)

    @Slot()
    def previous_page(self) -> None:
        self._go_to(self._page - 1)

    @Slot(int)
    def _on_spin(self, value: int) -> None:
        self._go_to(value - 1)

    def go_to_page(self, page_index: int) -> None:
        self._go_to(page_index)

    def _go_to(self, page_index: int, *, follow: bool = False) -> None:
        doc = self._doc
        if doc is None:
            return
        page_index = max(0, min(page_index, self._page_count - 1))
        if page_index != self._page:
            self.commit_edit()
        self._follow = follow or page_index in doc.row.live
        self._page = page_index
        with QSignalBlocker(self.page_spin):
            self.page_spin.setValue(page_index + 1)
        self.prev_button.setEnabled(page_index > 0)
        self.next_button.setEnabled(page_index < self._page_count - 1)
        self._show_text(doc.text(page_index))
        self.page_view.set_regions(doc.regions.get(page_index, ()), doc.reading.get(page_index))
        self._update_stats()
        self._renderer.request(PageKey(doc.source, page_index, doc.dpi, doc.max_pixels))

    @Slot()
    def zoom_in(self) -> None:
        self.page_view.zoom_by(1.25)

    @Slot()
    def zoom_out(self) -> None:
        self.page_view.zoom_by(1 / 1.25)

    @Slot()
    def fit_width(self) -> None:
        self.page_view.fit_to_width()

    @Slot(object, QImage)
    def _on_rendered(self, key: PageKey, image: QImage) -> None:
        if self._doc and key.source == self._doc.source and key.page_index == self._page:
            self.page_view.set_image(image)

    @Slot(object, str)
    def _on_render_failed(self, key: PageKey, message: str) -> None:
        if self._doc and key.source == self._doc.source and key.page_index == self._page:
            self.page_view.set_image(None)
            self.stats_label.setText(
                self.tr("The page image cannot be shown: {message}").format(message=message)
            )

    # -- live events: the job states hold what they say; the view presents the change ----------

    @Slot(object)
    def _on_update(self, event: object) -> None:
        doc = self._doc
        if doc is None or getattr(event, "job_id", None) != doc.job_id:
            return
        match event:
            case JobStarted(_job_id, _count, _indices, pending):
                self._show_page_count()
                if self._page in pending:  # to be read again: no longer finished (not editable)
                    self._go_to(self._page, follow=self._follow)
            case PageStarted(_job_id, page_index):
                if self._follow or page_index == self._page:
                    self._go_to(page_index, follow=True)
            case JobFinished() | JobFailed():
                # No page of it is being read any more, so none may still say "reading…" (a
                # cancelled page said "reading region ? of 0" for good).
                self.page_view.highlight(None)
                self._update_stats()
            case PagePlanned(_job_id, page_index):
                # Layout mode: the page's regions, before they are read, are drawn.
                if page_index == self._page:
                    self.page_view.set_regions(doc.regions[page_index], doc.reading.get(page_index))
            case RegionStarted(_job_id, page_index, order):
                # The region being read is highlighted (several at once on vLLM: the latest).
                if page_index == self._page:
                    self.page_view.highlight(order)
                    self._update_stats()
            case TextFrame(_job_id, page_index, text):
                self._on_text_frame(page_index, text)
            case PageFinished(_job_id, result):
                self._on_page_finished(result)
            case PageRequeued(_job_id, page_index):
                # Pending again (the backend reloads): no region of it is being read any more.
                if page_index == self._page:
                    self.page_view.highlight(None)
                    self._update_stats()
                    self.text_edit.setReadOnly(True)
            case PageFailed(_job_id, page_index):
                if page_index == self._page:
                    self._update_stats()
                    self.text_edit.setReadOnly(True)
            # RegionFinished: the page's regions hold its text from now on (a click on its box
            # scrolls to it while the page is still being read); nothing changes on screen.
            case RegionFinished():
                pass

    @Slot(int)
    def scroll_to_region(self, order: int) -> None:
        """Scroll the text tab shown to where the region's text begins, and mark the region."""
        region = next((r for r in self._regions(self._page) if r.order == order), None)
        if region is None:
            return
        self.page_view.highlight(order)
        view = self.text_edit if self.tabs.currentWidget() is self.text_edit else self.markdown_view
        document = view.document()
        position = locate(document.toPlainText(), region.text)
        if position is None:
            return
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        with QSignalBlocker(view):
            view.setTextCursor(cursor)
        view.ensureCursorVisible()
        # The region's first line at the top of the view, not just somewhere on screen.
        scroll = view.verticalScrollBar()
        scroll.setValue(scroll.maximum())
        view.ensureCursorVisible()

    @Slot()
    def _show_region_at_cursor(self) -> None:
        """Selecting (or clicking into) text marks the box of the region it came from."""
        regions = [r for r in self._regions(self._page) if r.read]
        if not regions:
            return
        view = self.text_edit if self.sender() is self.text_edit else self.markdown_view
        index = TextIndex(view.document().toPlainText())
        position = view.textCursor().selectionStart()
        starts = sorted(
            (start, region.order) for region in regions if (start := index.find(region.text)) is not None
        )
        found = [order for start, order in starts if start <= position]
        if found:
            self.page_view.highlight(found[-1])

    def _on_text_frame(self, page_index: int, text: str) -> None:
        if page_index != self._page or page_index not in self._live():
            return
        # Append at the end without moving the user's cursor or selection.
        cursor = QTextCursor(self.text_edit.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        with QSignalBlocker(self.text_edit):
            cursor.insertText(text)
        self._markdown_dirty = True
        if not self._markdown_timer.isActive():
            self._markdown_timer.start()
        self._update_stats()

    def _on_page_finished(self, result: PageResult) -> None:
        if result.page_index != self._page:
            return
        self.page_view.set_regions(result.regions)
        # The final text may differ from the streamed deltas (a loop cut off, a retry); when it
        # does not, the view already shows it and only becomes editable.
        if result.text != self.text_edit.toPlainText():
            self._show_text(result.text)
        else:
            self.text_edit.setReadOnly(False)
            self._markdown_dirty = True
            self._refresh_markdown_if_visible()
            self._update_revert()
        self._update_stats()

    # -- text -------------------------------------------------------------------------------------

    def _show_text(self, text: str) -> None:
        with QSignalBlocker(self.text_edit):
            self.text_edit.setPlainText(text)
        self.text_edit.setReadOnly(self._result(self._page) is None)
        self._update_revert()
        self._markdown_dirty = True
        self._refresh_markdown_if_visible()

    @Slot()
    def _refresh_markdown_if_visible(self) -> None:
        if not self._markdown_dirty or self.tabs.currentWidget() is not self.markdown_view:
            return
        self._markdown_dirty = False
        scroll = self.markdown_view.verticalScrollBar()
        at_end = scroll.value() >= scroll.maximum() - 4
        started = time.perf_counter()
        # What the user reviews is what the .md export will hold: a finished page as formatted
        # when it was committed (or edited), with its figures and notes; text streaming in or
        # being typed is formatted as it is shown.
        result = self._result(self._page)
        figures: dict[str, bytes] = {}
        if result is not None and self._doc is not None and result.text == self.page_text():
            markdown, figures = finished_page_markdown(self._doc.name, result, _flag_notes(result))
        else:
            task = page_format.edit_task(result) if result is not None else "text"
            markdown = format_page(self.page_text(), task).markdown
        # Blocked: the cursor moving with the new text is no user pointing at a region (it would
        # move the "being read" highlight).
        with QSignalBlocker(self.markdown_view):
            show_markdown(self.markdown_view, markdown, figures)
        # Rendering grows with the page; while it streams, spend at most ~10 % of the GUI
        # thread on it (a long page refreshes less often instead of stalling the window).
        spent_ms = (time.perf_counter() - started) * 1000
        self._markdown_timer.setInterval(max(MARKDOWN_REFRESH_MS, int(spent_ms * 10)))
        if at_end:
            scroll.setValue(scroll.maximum())

    @Slot()
    def _on_text_changed(self) -> None:
        if self._doc is None or self.text_edit.isReadOnly():
            return
        self._doc.texts[self._page] = self.text_edit.toPlainText()
        self._pending_edit = self._page
        self._markdown_dirty = True
        self._edit_timer.start()

    @Slot()
    def commit_edit(self) -> None:
        """Report a pending edit: when the debounce timer fires, and at once on page or document
        change, before export and on close."""
        page, self._pending_edit = self._pending_edit, None
        self._edit_timer.stop()
        doc = self._doc
        if page is None or doc is None:
            return
        text = doc.text(page)
        result = doc.results.get(page)
        if result is not None and text != result.text:
            doc.results[page] = page_format.edited(result, text, doc.originals.get(page))
            self._markdown_dirty = True
            self._refresh_markdown_if_visible()
        self._update_stats()
        self._update_revert()
        self.page_edited.emit(doc.job_id, page, text)

    @Slot()
    def revert_page(self) -> None:
        """Replace the page's text with the model's, as one edit (Ctrl+Z brings the edit back)."""
        if self._doc is None or self.text_edit.isReadOnly():
            return
        original = self._doc.originals.get(self._page)
        if original is None or original == self.text_edit.toPlainText():
            return
        cursor = QTextCursor(self.text_edit.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(original)  # through the document's undo stack, unlike setPlainText
        self.commit_edit()

    def _update_revert(self) -> None:
        result = self._result(self._page)
        self.revert_button.setEnabled(
            result is not None and FLAG_EDITED in result.flags and not self.text_edit.isReadOnly()
        )

    @Slot()
    def copy_page(self) -> None:
        QGuiApplication.clipboard().setText(self.page_text())

    @Slot()
    def copy_document(self) -> None:
        QGuiApplication.clipboard().setText(self.document_text())

    # -- statistics -------------------------------------------------------------------------------

    def stats_text(self) -> str:
        return self.stats_label.text()

    def _update_stats(self) -> None:
        page = self._page
        failed = self._doc.failed if self._doc else {}
        result = self._result(page)
        live = self._live()
        reading = self._doc.reading if self._doc else {}
        if page in failed:
            text = self.tr("Page {n} failed: {message}").format(n=page + 1, message=translated(failed[page]))
        elif result is not None:
            s = result.stats
            parts = [self.tr("Page {n}: {seconds:.1f} s").format(n=page + 1, seconds=s.total_s)]
            if result.backend == "lite":  # no tokens; and a first reading, not GLM-OCR's
                parts.append(self.tr("read with PP-OCRv6 (lite), not GLM-OCR"))
            else:
                parts.append(self.tr("{rate:.1f} tok/s").format(rate=s.decode_tokens_per_s))
                parts.append(self.tr("{tokens} tokens").format(tokens=s.completion_tokens))
            names = _flag_names()
            flags = [names.get(f, f) for f in sorted(result.flags)]
            if flags:
                parts.append(self.tr("⚠ {flags}").format(flags=", ".join(flags)))
            if result.regions:
                parts.append(
                    self.tr("{count} regions, layout model {model}").format(
                        count=len(result.regions), model=result.layout
                    )
                )
            if result.layout_note:
                parts.append(self.tr("read whole: {reason}").format(reason=translated(result.layout_note)))
            text = " · ".join(parts)
        elif page in live and page in reading:
            read = [r.order for r in self._regions(page) if r.read]
            order = reading[page]
            text = self.tr("Page {n}: reading region {k} of {total}…").format(
                n=page + 1, k=read.index(order) + 1 if order in read else "?", total=len(read)
            )
        elif page in live:
            text = self.tr("Page {n}: reading…").format(n=page + 1)
        else:
            text = self.tr("Page {n}: not read yet").format(n=page + 1)
        self.stats_label.setText(text)
