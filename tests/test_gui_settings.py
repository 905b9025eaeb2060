"""The settings dialog built from the schema, persisting settings, and switching backends while idle
and while a page is being read (scripted backends: the real runtimes are in test_gui_backends.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.settings_dialog import SettingsDialog
from ocr_desktop.models import hub
from ocr_desktop.pipeline.events import BackendStateChanged, JobFailed, JobFinished
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import WindowFactory, accept_settings, is_event, on_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_dialog_has_an_editor_for_every_setting_with_its_limits_and_help(qtbot: QtBot) -> None:
    # GIVEN the dialog on default settings
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)

    # THEN every leaf of the schema has an editor of the right kind, with help and limits
    for info, value in settings_mod.iter_fields(Settings()):
        editor = dialog.editors[info.key]
        assert editor.get() == value, info.key
        assert editor.widget.toolTip() == info.help and editor.widget.accessibleName() == info.label
        widget = editor.widget
        if info.type is bool:
            assert isinstance(widget, QCheckBox)
        elif info.choices and info.type is not tuple:
            assert isinstance(widget, QComboBox)
        elif info.type is int and info.key != "llamacpp.catalog_model":
            assert isinstance(widget, QSpinBox)
            if info.minimum is not None:
                assert widget.minimum() == info.minimum and widget.maximum() == info.maximum
        elif info.type is float:
            assert isinstance(widget, QDoubleSpinBox)
    assert isinstance(dialog.editors["llamacpp.model_path"].widget.findChild(QLineEdit), QLineEdit)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles[:6] == ["General", "Documents", "Generation", "llama.cpp", "vLLM", "Export"]


def test_vllm_url_is_editable_only_in_remote_mode(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.editors["vllm.url"].widget.isEnabled()
    dialog.editors["vllm.mode"].put("remote")
    assert dialog.editors["vllm.url"].widget.isEnabled()
    assert not dialog.editors["vllm.command"].widget.isEnabled()


def test_ok_hands_over_the_edited_settings_and_leaves_the_original_alone(qtbot: QtBot) -> None:
    # GIVEN the dialog with edits in three kinds of editor
    original = Settings()
    dialog = SettingsDialog(original)
    qtbot.addWidget(dialog)
    accepted: list[Settings] = []
    dialog.settings_accepted.connect(accepted.append)
    dialog.editors["export.formats"].put(["txt", "json"])
    dialog.editors["documents.pages"].put("1-3")
    dialog.editors["generation.max_tokens"].put(512)
    # WHEN OK is pressed
    dialog.accept()
    # THEN the new settings carry the edits, the original is untouched
    [new] = accepted
    assert (new.export.formats, new.documents.pages, new.generation.max_tokens) == (
        ("txt", "json"),
        "1-3",
        512,
    )
    assert original == Settings()


def test_settings_persist_and_restore_defaults(qtbot: QtBot, make_window: WindowFactory) -> None:
    # GIVEN a window and its settings dialog
    window = make_window(ScriptedBackend())
    window.window_actions.settings_action.trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)

    # WHEN the DPI and the default task change and OK is pressed
    dialog.editors["documents.dpi"].put(200)
    dialog.editors["generation.task"].put("table")
    dialog.accept()

    # THEN they are saved to the settings file and used for the next document
    saved = settings_mod.load()
    assert saved.documents.dpi == 200 and saved.generation.task == "table"
    assert window.settings.documents.dpi == 200

    # WHEN the dialog is opened again and "Restore Defaults" is pressed
    window.window_actions.settings_action.trigger()
    window.settings_dialog.restore_defaults()
    window.settings_dialog.accept()
    assert settings_mod.load().documents.dpi == Settings().documents.dpi


class TwoBackends:
    """A factory handing out scripted backends under the id the settings name, recording loads."""

    def __init__(self, token_delay_s: float = 0.0, tokens_per_page: int = 8) -> None:
        self.made: list[ScriptedBackend] = []
        self.token_delay_s, self.tokens_per_page = token_delay_s, tokens_per_page

    def __call__(self, settings: Settings) -> ScriptedBackend:
        backend = ScriptedBackend(
            id=settings.backend, token_delay_s=self.token_delay_s, tokens_per_page=self.tokens_per_page
        )
        self.made.append(backend)
        return backend


def switch_to(window: object, backend: str) -> None:
    window.window_actions.settings_action.trigger()  # type: ignore[attr-defined]
    dialog = window.settings_dialog  # type: ignore[attr-defined]
    dialog.editors["backend"].put(backend)
    accept_settings(dialog)


def test_switch_backend_while_idle_unloads_and_loads_with_visible_state(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a window that read a page with "llamacpp"
    factory = TwoBackends()
    window = make_window(factory)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    assert window.backend_status.state is BackendState.READY
    states: list[BackendState] = []
    window.bridge.pipeline_event.connect(on_event(BackendStateChanged, lambda e: states.append(e.state)))

    # WHEN vLLM is chosen in the settings while idle
    with qtbot.waitSignal(
        window.bridge.pipeline_event,
        check_params_cb=is_event(BackendStateChanged, state=BackendState.READY),
        timeout=TIMEOUT_MS,
    ):
        switch_to(window, "vllm")

    # THEN the new one was loaded while the old one stayed (both fit in memory: docs/gui.md,
    # "Switching or reloading the backend"), the old one was unloaded once the new one was
    # ready, and the status bar says so
    assert states[0] is BackendState.LOADING and BackendState.UNLOADED not in states
    assert [b.id for b in factory.made] == ["llamacpp", "vllm"]
    qtbot.waitUntil(lambda: not factory.made[0].loaded, timeout=TIMEOUT_MS)
    assert factory.made[1].loaded
    assert "vLLM" in window.backend_status.label.text() and "ready" in window.backend_status.label.text()

    # THEN the next document is read by the new backend
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as done:
        window.add_paths([make_pdf(tmp_path / "b.pdf", 1)])
    assert window.queue_model.job(done.args[0].job_id).backend == "vllm"


@pytest.mark.parametrize("finish_page", [True, False])
def test_switch_backend_while_a_page_runs_asks_to_finish_or_cancel_it(
    qtbot: QtBot,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    finish_page: bool,
) -> None:
    # GIVEN a page being read by a slow "llamacpp" backend
    factory = TwoBackends(token_delay_s=0.02, tokens_per_page=60)
    window = make_window(factory)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    asked: list[bool] = []

    def answer() -> bool:
        asked.append(True)
        return finish_page

    monkeypatch.setattr(window, "ask_finish_page", answer)

    # WHEN vLLM is chosen and the user answers "finish the page first" / "cancel the page"
    # (finishing first ends the job *before* the switch, so wait for both, in either order)
    with qtbot.waitSignals(
        [window.bridge.pipeline_event, window.bridge.pipeline_event],
        check_params_cbs=[is_event(JobFinished), is_event(BackendStateChanged, state=BackendState.READY)],
        timeout=TIMEOUT_MS,
    ):
        switch_to(window, "vllm")

    # THEN the user was asked; the page was finished by the old backend, or read again by the new one
    assert asked == [True]
    result = window.store.document_result(job_id)
    assert [p.backend for p in result.pages] == ["llamacpp" if finish_page else "vllm"]
    assert [b.id for b in factory.made] == ["llamacpp", "vllm"]
    assert not factory.made[0].loaded


def test_backend_load_error_is_shown_with_its_message(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a backend whose loading fails with a message a person can act on
    class Broken(ScriptedBackend):
        def load(self, progress: object) -> None:
            from ocr_desktop.backends.base import BackendError

            raise BackendError("model file not found: /x.gguf — download it from Settings → llama.cpp")

    window = make_window(lambda _settings: Broken())

    # WHEN a document is added
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])

    # THEN the status bar shows the error state and the notice says what to do
    assert window.backend_status.state is BackendState.ERROR
    assert "error" in window.backend_status.label.text()
    assert "model file not found" in window.notice.text() and "Settings" in window.notice.text()


def test_model_download_shows_progress_and_the_result(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN a catalog model that is not downloaded, and a hub that delivers it in chunks
    # (the real download code is tested against a fake hub in test_models.py)
    downloaded: dict[str, Path] = {}
    progress_seen: list[int] = []

    def model_paths(name: str) -> dict[str, Path]:
        if not downloaded:
            raise hub.ModelNotFoundError(f"model '{name}' is not downloaded")
        return downloaded

    def pull(name: str, progress: Callable[[hub.DownloadProgress], None]) -> dict[str, Path]:
        total = 10 * 2**20
        for done in range(0, total + 1, 2**20):
            progress(hub.DownloadProgress("GLM-OCR-Q8_0.gguf", done, total, 1e6))
        downloaded.update(model=tmp_path / "m.gguf", mmproj=tmp_path / "p.gguf")
        return downloaded

    monkeypatch.setattr(hub, "model_paths", model_paths)
    monkeypatch.setattr(hub, "pull", pull)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.download_bar.valueChanged.connect(progress_seen.append)
    assert dialog.model_status.text() == "Not downloaded." and dialog.download_button.isEnabled()

    # WHEN Download is pressed
    with qtbot.waitSignal(dialog._download_done, timeout=10_000):
        dialog.download_button.click()
        assert not dialog.download_button.isEnabled()

    # THEN the progress bar moved to the end and the status shows where the files are
    assert progress_seen and progress_seen[-1] == 10 * 1024
    assert dialog.model_status.text() == f"Downloaded: {tmp_path}"
    assert not dialog.download_button.isEnabled() and dialog.download_bar.isHidden()


def test_model_download_failure_says_why(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    def pull(name: str, progress: object) -> dict[str, Path]:
        raise hub.HubUnreachableError("the Hub cannot be reached — check the network or set HF_ENDPOINT")

    monkeypatch.setattr(hub, "model_paths", lambda name: (_ for _ in ()).throw(hub.ModelNotFoundError("no")))
    monkeypatch.setattr(hub, "pull", pull)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog._download_done, timeout=10_000):
        dialog.download_button.click()
    assert dialog.model_status.text().startswith("Download failed: the Hub cannot be reached")
    assert dialog.download_button.isEnabled()


def test_keeping_the_backend_while_a_page_runs_still_applies_other_changes(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a page being read
    factory = TwoBackends(token_delay_s=0.02, tokens_per_page=40)
    window = make_window(factory)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    monkeypatch.setattr(window, "ask_finish_page", lambda: None)  # the user presses Cancel

    # WHEN vLLM and a new DPI are chosen, and the switch is called off
    window.window_actions.settings_action.trigger()
    window.settings_dialog.editors["backend"].put("vllm")
    window.settings_dialog.editors["documents.dpi"].put(220)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        accept_settings(window.settings_dialog)

    # THEN the backend stayed, the DPI changed, and what was saved says the same
    assert [b.id for b in factory.made] == ["llamacpp"]
    saved = settings_mod.load()
    assert (saved.backend, saved.documents.dpi) == ("llamacpp", 220)
    assert (window.settings.backend, window.settings.documents.dpi) == ("llamacpp", 220)


def test_the_catalog_models_are_shown_whole(qtbot: QtBot) -> None:
    # GIVEN the settings dialog at its size, on the llama.cpp tab
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    combo = dialog.catalog_combo
    assert combo.count() > 0
    metrics = combo.fontMetrics()
    # WHEN its list opens THEN every description fits in it whole (the combo clipped them)
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    for index in range(combo.count()):
        text = combo.itemText(index)
        assert metrics.horizontalAdvance(text) <= view.viewport().width(), text
        # AND each has its whole text as a tooltip
        assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == text
    combo.hidePopup()
