"""The first run: no model on this machine. The window says so and offers, in place, to download
the model (size, progress, cancel) or to choose files; a document added before that waits and is
read once the model is there; stale notices clear. The real download code runs against the
fake Hub of test_models.py; the backend is the scripted one behind the real model lookup (what
the llama.cpp backend does first when it loads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import BackendError, ProgressFn
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui.model_panel import missing_model
from ocr_desktop.gui.queue_view import Column
from ocr_desktop.models import catalog, hub
from ocr_desktop.models.catalog import CatalogEntry, ModelFile
from ocr_desktop.pipeline.events import JobFailed, JobFinished
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, is_event, window_factory
from tests.test_models import REPO, FakeHub, fake_hub  # noqa: F401 - the fixture

pytestmark = pytest.mark.gui


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


class CatalogBackend(ScriptedBackend):
    """Loads only when the settings' model files are on this machine, as llama.cpp does."""

    settings: Settings | None = None

    def load(self, progress: ProgressFn) -> None:
        assert self.settings is not None
        try:
            hub.resolve_llamacpp_files(self.settings)
        except hub.ModelError as exc:
            raise BackendError(exc.message) from None
        super().load(progress)


def catalog_backend(settings: Settings) -> CatalogBackend:
    backend = CatalogBackend()
    backend.settings = settings
    return backend


def test_first_run_offers_the_download_and_reads_the_waiting_document(
    qtbot: QtBot,
    make_window: WindowFactory,
    fake_hub: FakeHub,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    # GIVEN a first start: the catalog model (on the fake Hub) is not downloaded
    # (whole pages: this is about the model arriving, layout reading has tests of its own)
    settings = Settings().with_value("llamacpp.catalog_model", "test-q8").with_value("reading.mode", "page")
    window = make_window(catalog_backend, settings, model_check=missing_model)
    panel = window.model_panel

    # THEN the window says so and offers the download with its size, or files of one's own
    qtbot.waitUntil(panel.isVisible, timeout=GUI_TIMEOUT_MS)
    assert panel.title.text() == "No model is installed yet"
    assert "test-q8" in panel.detail.text()
    assert panel.download_button.text() == "Download (1 MB)"
    assert panel.choose_button.isVisible()

    # WHEN a document is dropped anyway
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "early.pdf", 1)])
    # THEN it waits as failed, and the notice points at the panel, not at a command line
    qtbot.waitUntil(lambda: "No model is installed" in window.notice.text(), timeout=GUI_TIMEOUT_MS)
    assert "ocr-desktop models" not in window.notice.text()
    assert window.queue_model.job(job_id).status is JobStatus.FAILED  # type: ignore[union-attr]
    # AND its row says it waits for the model, as the notice does, not "Failed: model file not found"
    status = window.queue_model.index(window.queue_model.row_of(job_id), Column.STATUS)
    qtbot.waitUntil(lambda: status.data() == "Waiting for the model", timeout=GUI_TIMEOUT_MS)

    # WHEN Download is clicked on a slow line, and then Cancel
    fake_hub.chunk_delay_s = 0.2
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isVisible() and not panel.download_button.isVisible()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=GUI_TIMEOUT_MS)
    assert " MB/s" in panel.progress.format() and "GLM-OCR-test.gguf" in panel.progress.format()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    # THEN the download stops and can be started again
    assert panel.title.text() == "Download cancelled"
    assert panel.download_button.isVisible()
    assert missing_model(settings) is not None

    # WHEN Download is clicked again on a fast line
    fake_hub.chunk_delay_s = 0.0
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ) as finished:
        qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)

    # THEN the model is there, the panel is gone, and the waiting document was read
    assert finished.args == [JobFinished(job_id, JobStatus.DONE)]
    assert not panel.isVisible()
    assert missing_model(settings) is None
    row = window.queue_model.job(job_id)
    assert row is not None and row.status is JobStatus.DONE and row.pages_done == {0}
    # THEN the stale "no model" notice is gone
    assert "No model is installed" not in window.notice.text() or not window.notice.isVisible()


def test_retry_works_on_a_document_that_failed_for_the_backend(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a backend that fails to load once, and a document that failed because of it
    loads: list[int] = []

    def flaky(_settings: Settings) -> ScriptedBackend:
        class Flaky(ScriptedBackend):
            def load(self, progress: ProgressFn) -> None:
                loads.append(1)
                if len(loads) == 1:
                    raise BackendError("the server did not start")
                super().load(progress)

        return Flaky()

    window = make_window(flaky)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    assert "the server did not start" in window.notice.text()
    assert "Retry" in window.notice.text()

    # WHEN it is selected and Retry / Resume pressed (Ctrl+R in the queue)
    window.queue_view.select_job(job_id)
    assert window.window_actions.retry_action.isEnabled()
    window.queue_view.setFocus()
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        qtbot.keyClick(window.queue_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)

    # THEN it is read, and the stale error notice is gone
    assert window.queue_model.job(job_id).status is JobStatus.DONE  # type: ignore[union-attr]
    assert not window.notice.isVisible()


def test_first_run_in_layout_mode_gets_the_layout_model_with_the_same_click(
    qtbot: QtBot,
    make_window: WindowFactory,
    fake_hub: FakeHub,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a first start in layout mode (auto: PP-DocLayoutV3 once it is there), with both the
    # GLM-OCR pair and PP-DocLayoutV3 on the fake Hub and neither downloaded
    layout_bytes = b"onnx graph of the layout model" * 1000
    fake_hub.files["PP-DocLayoutV3.onnx"] = layout_bytes
    layout = CatalogEntry(
        "pp-doclayout-v3",
        "layout",
        REPO,
        "layout model",
        files=(ModelFile("PP-DocLayoutV3.onnx", "model", len(layout_bytes)),),
        download_bytes=2_000_000,
    )
    monkeypatch.setattr(catalog, "CATALOG", (*catalog.CATALOG, layout))
    settings = Settings().with_value("llamacpp.catalog_model", "test-q8").with_value("reading.mode", "layout")
    window = make_window(catalog_backend, settings, model_check=missing_model)
    panel = window.model_panel
    qtbot.waitUntil(panel.isVisible, timeout=GUI_TIMEOUT_MS)
    # THEN the panel offers both, with their size together
    assert "PP-DocLayoutV3" in panel.detail.text() and "test-q8, pp-doclayout-v3" in panel.detail.text()
    assert panel.download_button.text() == "Download (3 MB)"
    # WHEN Download is clicked once
    qtbot.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=GUI_TIMEOUT_MS)
    # THEN both models are on this machine
    assert missing_model(settings) is None
    assert hub.model_paths("pp-doclayout-v3")["model"].read_bytes() == layout_bytes
