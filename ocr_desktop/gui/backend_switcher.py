"""Applying new settings to the running window: save them, and switch the backend when its
options changed — unless the new one cannot fit in memory or the user keeps the old one — or
go back to the old one's settings when the new one failed to load while the old kept reading.

The switcher is handed the pipeline and the memory checks; the window hands in how to ask the
user about a page being read, and hears back through ``notice`` and ``switching``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendError, MemoryEstimate
from ocr_desktop.backends.memory import (
    GENERIC_SUGGESTIONS,
    LITE_SUGGESTION,
    MemoryBudgetError,
    check_fits,
)
from ocr_desktop.backends.registry import GLM_OCR_BACKENDS
from ocr_desktop.gui.errors import Severity, translated
from ocr_desktop.gui.settings_dialog import backend_changed, backend_label
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.settings import Settings


class BackendSwitcher(QObject):
    """``apply`` a settings change; ``keep`` the old backend after a failed switch."""

    notice = Signal(str, object)  # what the user should know, Severity
    switching = Signal(str)  # a backend switch started: the stage to show

    def __init__(
        self,
        pipeline: Pipeline,
        memory_estimate: Callable[[Settings], MemoryEstimate | None] | None,
        free_memory: Callable[[], int],
        *,
        offer_lite: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        """``offer_lite``: offer the lite engine (a GLM-OCR backend that does not fit)."""
        super().__init__(parent)
        self._offer_lite = offer_lite
        self._pipeline = pipeline
        self._memory_estimate = memory_estimate
        self._free_memory = free_memory
        self._switched_from: Settings | None = None  # the settings before the last backend switch

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
        running = self._pipeline.backend
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

    def apply(self, current: Settings, new: Settings, ask_finish_page: Callable[[], bool | None]) -> Settings:
        """Save ``new`` and hand it to the pipeline; return the settings now in force (the old
        backend's when it is kept). ``ask_finish_page``: while a page is read, finish it (True),
        cancel it (False) or keep the old backend (None)."""
        switch = backend_changed(current, new)
        other_backend = new.backend != current.backend
        finish_page = True  # a reload of the same backend (e.g. its thread count) asks nothing
        refused = self.memory_refusal(new) if switch and other_backend else None
        if refused is not None:
            self.notice.emit(refused, Severity.ERROR)
            if new.backend in GLM_OCR_BACKENDS:
                self._offer_lite()
        answer = ask_finish_page() if refused is None and switch and other_backend else True
        if refused is not None or answer is None:
            # Keep the running backend; the other changes still apply.
            new = dataclasses.replace(
                new, backend=current.backend, llamacpp=current.llamacpp, vllm=current.vllm
            )
            switch = False
        else:
            finish_page = answer
        self.save(new)
        if current.language != new.language:
            self.notice.emit(
                self.tr("The new language applies the next time OCR Desktop starts."), Severity.INFO
            )
        if switch:
            self._switched_from = current  # what a failed switch goes back to (keep)
            self.switching.emit(self.tr("switching backend"))
            self._pipeline.switch_backend(new, finish_page)
        else:
            self._pipeline.update_settings(new)
        return new

    def keep(self, current: Settings, backend_id: str, message: str) -> Settings:
        """The switch's new backend failed while the old one was still loaded: it keeps reading,
        so the settings name it again (saved: the next start loads what works)."""
        failed = backend_label(current.backend)
        before = self._switched_from or current
        kept = dataclasses.replace(current, backend=backend_id, llamacpp=before.llamacpp, vllm=before.vllm)
        self.save(kept)
        self.notice.emit(
            self.tr("{failed} could not be loaded, so {kept} keeps reading: {message}").format(
                failed=failed, kept=backend_label(backend_id), message=message
            ),
            Severity.ERROR,
        )
        return kept

    def ask_finish_page(self, parent: QWidget) -> bool | None:
        """Ask, while a page is being read: finish it first (True), cancel it (False), or keep
        the old backend (None)."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Switch backend"))
        box.setText(self.tr("A page is being read. Finish it with the current backend before switching?"))
        finish = box.addButton(self.tr("Finish the Page First"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel the Page"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return True if clicked is finish else False if clicked is cancel else None

    def save(self, new: Settings) -> None:
        try:
            settings_mod.save(new)
        except (OSError, settings_mod.SettingsError) as exc:
            self.notice.emit(
                self.tr("The settings could not be saved: {error}. They apply until you quit.").format(
                    error=exc
                ),
                Severity.ERROR,
            )
