"""The window's API switch (Settings → Server, docs/server.md): the HTTP API on the window's own
pipeline and store, so documents sent to it appear in the queue and history like dropped ones
and the window's backend, memory policy and reading mode apply to them.

:class:`ApiSwitch` starts, restarts or stops the server whenever the settings change, shows
*API: host:port* in the status bar while it is on, and reports a refusal to start (no token for
a network address, the port taken) in the notice bar. :func:`token_row` is the token line of the
Server tab: the token is generated (mode 0600) the first time the tab is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ocr_desktop.core.store import JobStore
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.server.runner import ServerConfig, ServerError, ServerThread
from ocr_desktop.server.security import TokenError, ensure_token, is_loopback
from ocr_desktop.settings import ServerSettings, Settings

log = logging.getLogger(__name__)


class ApiSwitch(QObject):
    """Runs the API while ``settings.server.enabled``; :meth:`apply` after every settings change."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: JobStore,
        settings: Callable[[], Settings],
        report: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pipeline = pipeline
        self._store = store
        self._settings = settings
        self._report = report  # shows why the server could not start (the notice bar)
        self._server: ServerThread | None = None
        self._running_with: ServerSettings | None = None
        self.indicator = QLabel()
        self.indicator.setObjectName("apiIndicator")
        self.indicator.setAccessibleName(self.tr("API server"))
        self.indicator.hide()

    @property
    def server(self) -> ServerThread | None:
        return self._server

    def apply(self, settings: Settings) -> None:
        wanted = settings.server if settings.server.enabled else None
        if wanted == self._running_with:
            return
        self.stop()
        if wanted is not None:
            self._start(wanted)

    def _start(self, wanted: ServerSettings) -> None:
        try:
            # The window makes its token on first use; it is required on any non-loopback address.
            token = None if is_loopback(wanted.host) else ensure_token()
            server = ServerThread(
                self._pipeline, self._store, self._settings, ServerConfig.from_settings(wanted, token)
            )
            server.start()
        except (ServerError, TokenError) as exc:
            log.warning("the API server did not start: %s", exc)
            self._report(self.tr("The API server did not start: {reason}").format(reason=exc))
            return
        self._server = server
        self._running_with = wanted
        host, port = server.address
        self.indicator.setText(self.tr("API: {host}:{port}").format(host=host, port=port))
        self.indicator.setToolTip(
            self.tr("Serving GLM-OCR's API at {url} (Settings → Server)").format(url=server.url)
        )
        self.indicator.show()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None
        self._running_with = None
        self.indicator.hide()


def token_row(parent: QWidget) -> QWidget:
    """The access token, read-only and hidden until focused, with a Copy button."""
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    line = QLineEdit(holder)
    line.setObjectName("apiToken")
    line.setReadOnly(True)
    line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
    line.setAccessibleName(QCoreApplication.translate("ApiSwitch", "Access token"))
    copy = QPushButton(QCoreApplication.translate("ApiSwitch", "Copy"), holder)
    copy.setAccessibleName(QCoreApplication.translate("ApiSwitch", "Copy the access token"))
    try:
        line.setText(ensure_token())
        line.setToolTip(
            QCoreApplication.translate(
                "ApiSwitch",
                "Clients send it as 'Authorization: Bearer TOKEN' (GLM-OCR's SDK: api_key). Required on "
                "any address but 127.0.0.1.",
            )
        )
    except TokenError as exc:
        line.setPlaceholderText(str(exc))
        copy.setEnabled(False)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(line.text()))
    row.addWidget(line, 1)
    row.addWidget(copy)
    return holder
