"""One window per user: a second launch hands its files to the running window and exits.

The running window listens on a local socket named after the data directory (so two users, or
two test runs with their own data directories, never meet). A new launch first tries to
connect: if a window answers, it sends the files as one JSON line, waits for ``ok`` and exits;
otherwise it becomes the running window itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ocr_desktop import APP_NAME, paths

log = logging.getLogger(__name__)

#: How long a new launch waits for a running window to answer.
HAND_OVER_TIMEOUT_MS = 3000
_OK = b"ok\n"


def server_name() -> str:
    """The socket's name: per user and per data directory (what the store lives in)."""
    digest = hashlib.sha1(str(paths.data_dir().resolve()).encode()).hexdigest()[:12]
    return f"{APP_NAME}-{digest}"


def hand_over(files: list[Path], timeout_ms: int = HAND_OVER_TIMEOUT_MS) -> bool:
    """Give ``files`` to a running window; False if none answers (then this launch is the one).

    Runs before the event loop, so it uses the socket's blocking waits."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    message = json.dumps({"files": [str(f.absolute()) for f in files]}) + "\n"
    socket.write(message.encode())
    if not socket.waitForBytesWritten(timeout_ms):
        return False
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(timeout_ms):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer == _OK


class InstanceServer(QObject):
    """The running window's end: emits ``files_received`` for each later launch."""

    files_received = Signal(list)  # list[Path]; empty when a launch came without files

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed window is removed first (hand_over
        found nobody answering on it)."""
        QLocalServer.removeServer(server_name())
        if not self._server.listen(server_name()):
            log.warning("no single-instance socket: %s", self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if not data.endswith(b"\n"):
            self._buffers[socket] = data
            return
        self._buffers[socket] = b""
        try:
            files = [Path(f) for f in json.loads(data)["files"]]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("a launch sent an unreadable message (%s): %r", exc, data[:200])
            socket.disconnectFromServer()
            return
        socket.write(_OK)
        socket.flush()
        log.info("a second launch handed over %d file(s)", len(files))
        self.files_received.emit(files)
