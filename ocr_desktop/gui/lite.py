"""The lite engine in the window (docs/lite.md).

- **First run**: while GLM-OCR's catalog model is not downloaded, the pipeline reads with
  PP-OCRv6 (lite), which ships with the app, so a dropped page shows words at once; the model
  panel says so beside its download offer. The saved settings still name llama.cpp.
- **When GLM-OCR arrives**: the pipeline goes back to the settings' backend, and a notice
  offers to read every page the lite engine read again with GLM-OCR, in one click.
- **A memory refusal offers it**: a GLM-OCR backend that does not fit says so with a button that
  chooses the lite engine (saved like any other choice in Settings). Nothing switches silently.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from ocr_desktop.backends.first_run import lite_instead
from ocr_desktop.core.store import JobStore
from ocr_desktop.gui.errors import NoticeBar, Severity
from ocr_desktop.gui.model_panel import ModelPanel
from ocr_desktop.gui.tasks import TaskRunner
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)

LITE = "lite"


class LiteReading(QObject):
    """Decides when the window reads with the lite engine, and offers it (see the module)."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        store: JobStore,
        notice: NoticeBar,
        panel: ModelPanel,
        tasks: TaskRunner,
        settings: Callable[[], Settings],
        apply_settings: Callable[[Settings], None],
        bring_back: Callable[[list[str], Callable[[], object]], None],
        commit_edits: Callable[[], None] = lambda: None,
        first_run: bool = True,
        parent: QObject | None = None,
    ) -> None:
        """``settings``: the window's settings of now; ``apply_settings``: what choosing a
        backend in Settings does; ``commit_edits``: save the edit being typed now (on ``tasks``);
        ``bring_back``: put jobs cleared from the queue back on it from the store, then go on.
        ``first_run`` False leaves the first run to the backend the settings name (windows of
        tests that bring their own backends)."""
        super().__init__(parent)
        self._pipeline = pipeline
        self._store = store
        self._notice = notice
        self._panel = panel
        self._tasks = tasks
        self._settings = settings
        self._apply_settings = apply_settings
        self._commit_edits = commit_edits
        self._bring_back = bring_back
        self._first_run = first_run
        #: True while the pipeline reads with the lite engine because GLM-OCR is missing.
        self.active = False
        panel.model_ready.connect(self.on_model_ready)

    def reading_backend(self, backend_id: str) -> str:
        """The backend that reads the pages when the settings name ``backend_id``."""
        return LITE if self.active else backend_id

    def on_model_missing(self, settings: Settings, *, failed: bool = False) -> bool:
        """The settings' model is missing: read with the lite engine meanwhile, if this is a
        first run (the catalog model not downloaded). ``failed``: a load of the settings'
        backend has just failed (a settings change tried it). True if the lite engine reads."""
        if not self._first_run:
            return False
        lite, reason = lite_instead(settings)
        if reason is None:
            return False
        if self.active and not failed:
            self._pipeline.update_settings(lite)  # other changes apply; the lite engine stays
            return True
        log.info("no GLM-OCR model (%s): reading with the lite engine until it is installed", reason)
        self.active = True
        self._panel.show_lite_note(True)
        self._pipeline.switch_backend(lite, finish_page=True)
        return True

    @Slot()
    def on_model_ready(self) -> None:
        """GLM-OCR was downloaded: read with it from now on, and offer to read the lite pages again."""
        if not self.active:
            return
        self.active = False
        self._panel.show_lite_note(False)
        self._pipeline.switch_backend(self._settings(), finish_page=True)
        self._tasks.run(lambda _task: self._lite_pages(), on_result=self._offer_reread)

    def _lite_pages(self) -> dict[str, int]:
        """Job id → pages the lite engine read (off the GUI thread: it reads the store)."""
        return self._store.pages_read_by(LITE)

    def _offer_reread(self, counts: dict[str, int]) -> None:
        if not counts:
            return
        self._notice.show_message(
            self.tr(
                "GLM-OCR is installed. {pages} page(s) were read with PP-OCRv6 (lite), which reads plain "
                "lines only."
            ).format(pages=sum(counts.values())),
            Severity.INFO,
            action=(self.tr("Read Them Again with GLM-OCR"), lambda: self.reread(list(counts))),
        )

    def reread(self, job_ids: list[str]) -> None:
        """Read the lite engine's pages of ``job_ids`` again with the backend that reads now
        (pages the user edited keep their text)."""
        self._notice.hide()
        # An edit typed a moment ago is saved first (the same one worker, in order), so the page
        # counts as edited and keeps the user's text instead of being read again over it.
        self._commit_edits()
        pipeline = self._pipeline
        # A job cleared from the queue comes back with its row as the store has it (its edited
        # and failed pages), before the pipeline's events for it arrive.
        self._bring_back(
            job_ids,
            lambda: self._tasks.run(
                lambda _task: [pipeline.reread_pages_read_by(job_id, LITE) for job_id in job_ids]
            ),
        )

    def offer_lite(self) -> None:
        """A GLM-OCR backend was refused for memory (the notice shows why): offer the lite engine."""
        self._notice.show_message(
            self._notice.text(),
            Severity.ERROR,
            action=(self.tr("Read with PP-OCRv6 (lite)"), self.choose_lite),
        )

    def choose_lite(self) -> None:
        """The user chose the lite engine (from a memory refusal): as if chosen in Settings."""
        self._notice.hide()
        self._apply_settings(dataclasses.replace(self._settings(), backend=LITE))
