"""The window on the real runtimes: llama.cpp in-process on the generated GLM-OCR test model, and a
real vLLM server (tiny checkpoint) as a remote backend. Pages are kept small (a low pixel budget)
so each one takes about a second on two CPU cores."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ocr_desktop.backends.base import BackendState
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.pipeline.events import BackendStateChanged, JobFinished, PageFailed
from ocr_desktop.settings import Settings
from tests.fixtures.files import make_pdf
from tests.fixtures.vllm import RunningVllm
from tests.gui_helpers import WindowFactory, accept_settings, drop_files, is_event, on_event, window_factory

pytestmark = pytest.mark.gui

#: First pages on 2 shared cores include loading the model; a vLLM page waits for the server.
TIMEOUT_MS = 180_000
#: ~128 image tokens per page: fits the vLLM test server's 2048-token context and reads fast.
SMALL_PAGE_PIXELS = 28 * 28 * 128
SMALL_PAGE_PT = (300, 200)


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def small_pages(settings: Settings, max_tokens: int = 48) -> Settings:
    return settings.with_value("documents.max_pixels", SMALL_PAGE_PIXELS).with_value(
        "generation.max_tokens", max_tokens
    )


@pytest.mark.llamacpp
def test_drop_pdf_streams_with_llamacpp_and_exports(
    qtbot: QtBot, make_window: WindowFactory, llamacpp_settings: Settings, tmp_path: Path
) -> None:
    # GIVEN the window on the real llama.cpp backend and the generated model
    window = make_window(settings=small_pages(llamacpp_settings))
    pdf = make_pdf(tmp_path / "two pages.pdf", 2, page_size_pt=SMALL_PAGE_PT)
    streamed: list[str] = []
    shown_while_streaming: list[str] = []

    def on_delta(frame: TextFrame) -> None:
        streamed.append(frame.text)
        shown_while_streaming.append(window.reading_view.text_edit.toPlainText())

    window.bridge.pipeline_event.connect(on_event(TextFrame, on_delta))

    # WHEN the PDF is dropped on the window
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as finished:
        drop_files(window, [pdf])

    # THEN the pages streamed into the reading view and were read by llama.cpp
    job_id = finished.args[0].job_id
    assert streamed, "no text streamed"
    assert any(shown_while_streaming), "the reading view showed no text while the page was read"
    result = window.store.document_result(job_id)
    assert [p.page_index for p in result.pages] == [0, 1]
    assert {p.backend for p in result.pages} == {"llamacpp"}
    assert all(p.stats.completion_tokens > 0 for p in result.pages)
    row = window.queue_model.job(job_id)
    assert row is not None and row.pages_done == {0, 1} and row.backend == "llamacpp"
    assert window.backend_status.state is BackendState.READY and window.backend_status.model_label.text()

    # WHEN it is exported as txt, md and json
    window.window_actions.export_action.trigger()
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled)  # documents listed
    out = tmp_path / "export"
    dialog.editors["export.out_dir"].put(str(out))
    dialog.editors["export.formats"].put(["txt", "md", "json"])
    with qtbot.waitSignal(dialog.exported, timeout=30_000) as exported:
        dialog.accept()

    # THEN the files hold what the model read
    assert sorted(p.name for p in exported.args[0].written) == [
        "two pages.json",
        "two pages.md",
        "two pages.txt",
    ]
    data = json.loads((out / "two pages.json").read_text(encoding="utf-8"))
    assert json.dumps(data, ensure_ascii=False).count(result.pages[0].text.strip()[:20]) >= 1
    assert "Saved 3 files to" in window.notice.text()


@pytest.mark.llamacpp
def test_cancel_mid_page_with_llamacpp(
    qtbot: QtBot, make_window: WindowFactory, llamacpp_settings: Settings, tmp_path: Path
) -> None:
    # GIVEN llama.cpp reading a page with a long token budget
    window = make_window(settings=small_pages(llamacpp_settings, max_tokens=4000))
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "one.pdf", 1, page_size_pt=SMALL_PAGE_PT)])

    # WHEN the page is cancelled while tokens stream
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(PageFailed), timeout=TIMEOUT_MS
    ) as failed:
        window.window_actions.cancel_page_action.trigger()

    # THEN the page ends as cancelled and the document is not blocked
    assert failed.args[0].job_id == job_id and "cancel" in failed.args[0].message
    qtbot.waitUntil(lambda: window.queue_model.job(job_id).status.finished, timeout=TIMEOUT_MS)
    assert window.queue_model.job(job_id).failed.keys() == {0}


def switch_backend(qtbot: QtBot, window: object, backend: str) -> None:
    """Pick another backend in the settings dialog and wait until it is loaded."""
    window.window_actions.settings_action.trigger()  # type: ignore[attr-defined]
    dialog = window.settings_dialog  # type: ignore[attr-defined]
    dialog.editors["backend"].put(backend)
    with qtbot.waitSignal(
        window.bridge.pipeline_event,  # type: ignore[attr-defined]
        check_params_cb=lambda event: (
            isinstance(event, BackendStateChanged) and event.state in (BackendState.READY, BackendState.ERROR)
        ),
        timeout=TIMEOUT_MS,
    ) as loaded:
        accept_settings(dialog)
    assert loaded.args[0].state is BackendState.READY, loaded.args[0].message


def read_one(qtbot: QtBot, window: object, path: Path) -> list[str]:
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as finished:  # type: ignore[attr-defined]
        window.add_paths([path])  # type: ignore[attr-defined]
    result = window.store.document_result(finished.args[0].job_id)  # type: ignore[attr-defined]
    return [p.backend for p in result.pages]


@pytest.mark.llamacpp
@pytest.mark.vllm
@pytest.mark.slow
def test_switch_llamacpp_to_vllm_and_back_while_idle_and_while_running(
    qtbot: QtBot,
    make_window: WindowFactory,
    llamacpp_settings: Settings,
    vllm_server: RunningVllm,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN the window on llama.cpp, with the vLLM test server configured as a remote server
    settings = dataclasses.replace(small_pages(llamacpp_settings), vllm=vllm_server.remote())
    window = make_window(settings=settings)
    page = make_pdf(tmp_path / "page.pdf", 1, page_size_pt=SMALL_PAGE_PT)
    assert read_one(qtbot, window, page) == ["llamacpp"]

    # WHEN vLLM is chosen while idle; THEN llama.cpp is unloaded, vLLM loads and reads the next page
    switch_backend(qtbot, window, "vllm")
    assert "vLLM" in window.backend_status.label.text() and "ready" in window.backend_status.label.text()
    assert read_one(qtbot, window, page) == ["vllm"]

    # WHEN llama.cpp is chosen while vLLM is reading a page, answering "cancel the page" (the tiny
    # model reads a page in well under a second, so the page is held open after its first delta
    # until it is cancelled: otherwise it could finish before the switch and prove nothing)
    from ocr_desktop.backends.vllm import VllmBackend

    read_page = VllmBackend.recognize

    def held_open(self, page, task, options, cancel):  # type: ignore[no-untyped-def]
        stream = read_page(self, page, task, options, cancel)
        yield next(stream)
        cancel.wait(TIMEOUT_MS / 1000)
        return (yield from stream)

    monkeypatch.setattr(VllmBackend, "recognize", held_open)
    monkeypatch.setattr(window, "ask_finish_page", lambda: False)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
    ):
        [job_id] = window.add_paths([page])
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        switch_backend(qtbot, window, "llamacpp")

    # THEN the page was read again, by llama.cpp
    assert [p.backend for p in window.store.document_result(job_id).pages] == ["llamacpp"]
    assert "llama.cpp" in window.backend_status.label.text()
