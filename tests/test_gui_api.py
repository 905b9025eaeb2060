"""The window's API switch, driven through the real Settings dialog: documents sent over the API
appear in the window's queue and are read by the window's backend; the status bar shows the
server while it is on; a port already taken is reported, not fatal."""

from __future__ import annotations

import socket
import stat

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from ocr_desktop.server.security import token_file
from tests.backends import ScriptedBackend
from tests.gui_helpers import GUI_TIMEOUT_MS, WindowFactory, accept_settings, window_factory
from tests.server_rig import png_bytes

pytestmark = pytest.mark.gui
make_window = pytest.fixture(window_factory)


def turn_on(qtbot: QtBot, window: object, port: int) -> None:
    window.window_actions.settings_action.trigger()  # type: ignore[attr-defined]
    dialog = window.settings_dialog  # type: ignore[attr-defined]
    dialog.show_section("server")
    switch = dialog.editors["server.enabled"].widget
    qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
    assert switch.isChecked()
    dialog.editors["server.port"].put(port)
    accept_settings(dialog)


def test_documents_sent_to_the_api_appear_in_the_queue_and_are_read(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # GIVEN a window, its API off by default
    backend = ScriptedBackend()
    window = make_window(backend)
    assert not window.settings.server.enabled and window.api.server is None
    assert not window.api.indicator.isVisible()
    # WHEN the user opens Settings → Server: the token is there, made private
    window.window_actions.settings_action.trigger()
    token = window.settings_dialog.findChild(QLineEdit, "apiToken")
    assert token is not None and len(token.text()) >= 40
    assert stat.S_IMODE(token_file().stat().st_mode) == 0o600
    window.settings_dialog.reject()
    # AND turns the API on (any free port)
    turn_on(qtbot, window, 0)
    server = window.api.server
    assert server is not None
    host, port = server.address
    # THEN the status bar says where it listens
    assert window.api.indicator.isVisible()
    assert window.api.indicator.text() == f"API: 127.0.0.1:{port}"
    # WHEN a client sends a document
    with httpx.Client(base_url=server.url, timeout=30) as client:
        job = client.post("/v1/jobs", files={"file": ("sent.png", png_bytes(), "image/png")}).json()
    # THEN it shows in the window's queue like a dropped one and is read by the window's backend
    qtbot.waitUntil(lambda: window.queue_model.job(job["id"]) is not None, timeout=GUI_TIMEOUT_MS)
    assert window.queue_model.job(job["id"]).name == "sent.png"
    qtbot.waitUntil(lambda: window.queue_model.job(job["id"]).status.finished, timeout=GUI_TIMEOUT_MS)
    assert backend.calls == [0]
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get(f"/v1/jobs/{job['id']}").json()["status"] == "done"
    # WHEN the switch is turned off THEN the server stops and the indicator goes
    window.window_actions.settings_action.trigger()
    dialog = window.settings_dialog
    dialog.show_section("server")
    qtbot.mouseClick(dialog.editors["server.enabled"].widget, Qt.MouseButton.LeftButton)
    accept_settings(dialog)
    assert window.api.server is None and not window.api.indicator.isVisible()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://{host}:{port}/health", timeout=5)


def test_a_port_already_taken_is_reported_in_the_window(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(ScriptedBackend())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        turn_on(qtbot, window, taken.getsockname()[1])
        assert window.api.server is None
        assert not window.api.indicator.isVisible()
        assert "cannot listen on 127.0.0.1" in window.notice.text()
