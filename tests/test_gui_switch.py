"""Switching or reloading the backend from Settings: no question for a reload of the same
backend, loading shown with its stage and elapsed / expected time, the new backend's memory
checked before the old one is unloaded, and a server command known not to exist not saved
without a word."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendError, BackendState, MemoryEstimate, ProgressFn
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.main_window import window_state
from ocr_desktop.pipeline.events import BackendKept, BackendStateChanged, JobFinished
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import (
    GUI_TIMEOUT_MS,
    WindowFactory,
    accept_settings,
    is_event,
    on_event,
    window_factory,
)

pytestmark = pytest.mark.gui

GIB = 2**30


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


class SlowLoading(ScriptedBackend):
    """Loads in stages, like llama.cpp (checking files, the model, the projector)."""

    load_s: float = 0.0

    def load(self, progress: ProgressFn) -> None:
        for stage in ("checking the model files", "loading the model", "loading the vision projector"):
            progress(stage, -1.0)
            time.sleep(self.load_s / 3)
        super().load(progress)


class Backends:
    """A backend per settings, named after the backend chosen; remembers each one made."""

    def __init__(self, token_delay_s: float = 0.0, load_s: float = 0.0) -> None:
        self.made: list[ScriptedBackend] = []
        self.token_delay_s, self.load_s = token_delay_s, load_s

    def __call__(self, settings: Settings) -> ScriptedBackend:
        backend = SlowLoading(id=settings.backend, token_delay_s=self.token_delay_s, tokens_per_page=60)
        backend.load_s = self.load_s
        self.made.append(backend)
        return backend


def open_settings(window: object) -> object:
    window.window_actions.settings_action.trigger()  # type: ignore[attr-defined]
    return window.settings_dialog  # type: ignore[attr-defined]


def test_changing_only_the_thread_count_reloads_without_asking(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN llama.cpp reading a page, and room for a second llama.cpp beside it
    factory = Backends(token_delay_s=0.02)
    window = make_window(factory, free_memory=lambda: 64 * GIB)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
    asked: list[bool] = []
    monkeypatch.setattr(window, "ask_finish_page", lambda: asked.append(True))

    # WHEN only llama.cpp's thread count is changed in Settings
    dialog = open_settings(window)
    dialog.editors["llamacpp.n_threads"].put(3)  # type: ignore[attr-defined]
    with qtbot.waitSignals(
        [window.bridge.pipeline_event, window.bridge.pipeline_event],
        check_params_cbs=[is_event(JobFinished), is_event(BackendStateChanged, state=BackendState.READY)],
        timeout=GUI_TIMEOUT_MS,
    ):
        accept_settings(dialog)  # type: ignore[arg-type]

    # THEN nobody was asked to "switch backend"; the page finished, then llama.cpp was reloaded
    assert asked == []
    assert [p.backend for p in window.store.document_result(job_id).pages] == ["llamacpp"]
    assert [b.id for b in factory.made] == ["llamacpp", "llamacpp"]
    assert factory.made[1].loaded
    # AND the old one, kept loaded until the new one was READY, is unloaded after it
    qtbot.waitUntil(lambda: not factory.made[0].loaded, timeout=GUI_TIMEOUT_MS)
    assert window.backend_status.state is BackendState.READY
    assert settings_mod.load().llamacpp.n_threads == 3


def test_loading_shows_its_stage_and_the_time_the_last_load_took(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a backend that takes 1.5 s to load, loaded once for a first page
    factory = Backends(load_s=1.5)
    window = make_window(factory)
    stages: list[str] = []
    window.bridge.pipeline_event.connect(
        on_event(BackendStateChanged, lambda _e: stages.append(window.backend_status.label.text()))
    )
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])
        # A busy GUI thread: the LOADING events reach the window 1 s late (timed from their
        # arrival, this load looked like 0.5 s)
        time.sleep(1.0)
    # THEN while it loaded, the status bar named each stage; the first time has nothing to compare
    assert any("loading the model" in s and "first load" in s for s in stages), stages
    assert not window.backend_status.load_bar.isVisible()

    # WHEN it is loaded again (another thread count)
    dialog = open_settings(window)
    dialog.editors["llamacpp.n_threads"].put(2)  # type: ignore[attr-defined]
    accept_settings(dialog)  # type: ignore[arg-type]

    # THEN the status bar shows the elapsed time against the last load's (as the pipeline timed
    # it, however late the window heard of it), with a progress bar
    last = float(str(window_state().value("backend/load_seconds/llamacpp")))
    assert last >= 1.5
    qtbot.waitUntil(
        lambda: f"of about {last:.0f} s" in window.backend_status.label.text(), timeout=GUI_TIMEOUT_MS
    )
    assert window.backend_status.load_bar.isVisible() and window.backend_status.load_bar.maximum() == 1000
    qtbot.waitUntil(lambda: window.backend_status.state is BackendState.READY, timeout=GUI_TIMEOUT_MS)
    assert not window.backend_status.load_bar.isVisible()
    assert "ready" in window.backend_status.label.text()


def test_a_backend_that_would_not_fit_is_refused_before_anything_is_unloaded(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN llama.cpp loaded, and a vLLM that would need far more memory than this machine has
    factory = Backends()

    def estimate(settings: Settings) -> MemoryEstimate:
        if settings.backend == "vllm":
            return MemoryEstimate(4096 * GIB, "weights 2.5 GiB + KV cache 4093.5 GiB")
        return MemoryEstimate(GIB, "model 1 GiB")

    window = make_window(factory, memory_estimate=estimate)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])

    # WHEN vLLM is chosen (and a new DPI) in Settings
    dialog = open_settings(window)
    dialog.editors["backend"].put("vllm")  # type: ignore[attr-defined]
    dialog.editors["documents.dpi"].put(200)  # type: ignore[attr-defined]
    accept_settings(dialog)  # type: ignore[arg-type]

    # THEN the switch is refused with the numbers; llama.cpp was never unloaded; the DPI applies
    assert "Not switching to vLLM" in window.notice.text()
    assert "4.0 TiB" in window.notice.text()
    assert [b.id for b in factory.made] == ["llamacpp"] and factory.made[0].loaded
    saved = settings_mod.load()
    assert (saved.backend, saved.documents.dpi) == ("llamacpp", 200)


class VllmFails(Backends):
    """llama.cpp loads; vLLM's server cannot start here."""

    def __call__(self, settings: Settings) -> ScriptedBackend:
        if settings.backend != "vllm":
            return super().__call__(settings)
        backend = NoServer(id="vllm")
        self.made.append(backend)
        return backend


class NoServer(ScriptedBackend):
    def load(self, progress: ProgressFn) -> None:
        progress("starting the vLLM server", -1.0)
        raise BackendError("the vLLM server exited: no CUDA device")


def test_a_switch_whose_new_backend_fails_keeps_the_old_one_reading(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN llama.cpp loaded, room for vLLM beside it, and a vLLM that cannot start
    factory = VllmFails()
    window = make_window(factory, free_memory=lambda: 64 * GIB)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "a.pdf", 1)])

    # WHEN vLLM is chosen in Settings
    dialog = open_settings(window)
    dialog.editors["backend"].put("vllm")  # type: ignore[attr-defined]
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(BackendKept), timeout=GUI_TIMEOUT_MS
    ):
        accept_settings(dialog)  # type: ignore[arg-type]

    # THEN the user is told, llama.cpp was never unloaded and is ready, and the settings say so
    qtbot.waitUntil(lambda: window.backend_status.state is BackendState.READY, timeout=GUI_TIMEOUT_MS)
    assert "no CUDA device" in window.notice.text() and window.notice.isVisible()
    assert [b.id for b in factory.made] == ["llamacpp", "vllm"] and factory.made[0].loaded
    assert "llama.cpp" in window.backend_status.label.text()
    assert window.settings.backend == "llamacpp" == settings_mod.load().backend
    # AND the next document is read by llama.cpp, without loading it again
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "b.pdf", 1)])
    assert [p.backend for p in window.store.document_result(job_id).pages] == ["llamacpp"]
    assert len(factory.made) == 2


def test_settings_say_so_before_saving_a_server_command_that_does_not_exist(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # GIVEN the settings dialog
    window = make_window(Backends())
    dialog = open_settings(window)
    settings_file = paths.settings_file()
    before = settings_file.read_bytes() if settings_file.exists() else None

    # WHEN vLLM with a server command that is not installed is chosen and OK pressed
    dialog.editors["backend"].put("vllm")  # type: ignore[attr-defined]
    dialog.editors["vllm.mode"].put("managed")  # type: ignore[attr-defined]
    dialog.editors["vllm.command"].put("no-such-vllm-server serve")  # type: ignore[attr-defined]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[attr-defined]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    # THEN the dialog stays open and says why; nothing was saved or switched
    assert dialog.isVisible()  # type: ignore[attr-defined]
    assert "no-such-vllm-server" in dialog.error_label.text()  # type: ignore[attr-defined]
    assert ok.text() == "Save Anyway"
    assert (settings_file.read_bytes() if settings_file.exists() else None) == before
    assert window.settings.backend == "llamacpp"

    # WHEN Save Anyway is pressed
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    # THEN the user's choice is kept
    assert not dialog.isVisible()  # type: ignore[attr-defined]
    assert settings_mod.load().vllm.command == "no-such-vllm-server serve"
