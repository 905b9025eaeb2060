"""Running the API: uvicorn on a socket the app binds itself (so "address in use" is the app's
own clear error, not uvicorn's exit), in the foreground (``ocr-desktop serve``) or on a thread
beside the window (:class:`ServerThread`)."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocr_desktop.core.store import JobStore
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.worker import Pipeline
from ocr_desktop.server.app import ApiOptions, create_app
from ocr_desktop.server.jobs import JobBoard, Limits
from ocr_desktop.server.security import bind_refusal, ensure_token, read_token
from ocr_desktop.settings import ServerSettings, Settings

log = logging.getLogger(__name__)

_START_TIMEOUT_S = 20.0


class ServerError(Exception):
    """The server cannot start (no token for a network address, the port taken, …); the
    message says what to do."""


#: Seconds a connection may take to send a request's headers (its first, or its next one).
HEADER_TIMEOUT_S = 10.0
#: Open connections at most; more are closed as soon as they are accepted.
MAX_CONNECTIONS = 256


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 5002
    token: str | None = None
    allow_urls: bool = False
    cors_origins: tuple[str, ...] = ()
    limits: Limits = dataclasses.field(default_factory=Limits)
    header_timeout_s: float = HEADER_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS

    @classmethod
    def from_settings(cls, server: ServerSettings, token: str | None, **changes: Any) -> ServerConfig:
        limits = Limits(
            max_body_bytes=server.max_upload_mb * 1024 * 1024,
            max_pages=server.max_pages,
            max_queued_jobs=server.max_queued_jobs,
        )
        origins = tuple(o.strip() for o in server.cors_origins.split(",") if o.strip())
        base = cls(server.host, server.port, token, server.allow_urls, origins, limits)
        return dataclasses.replace(base, **{k: v for k, v in changes.items() if v is not None})


def token_for(host: str, token_file: Path | None, *, generate: bool) -> str | None:
    """The token to require: read from ``token_file`` when given; else the app's own token file,
    made on first use when ``generate`` (the window does; ``serve`` on 127.0.0.1 needs none)."""
    if token_file is not None:
        return read_token(token_file)
    return ensure_token() if generate else None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket for ``host``:``port`` (port 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ServerError(
            Message(
                "cannot listen on {host}:{port} ({reason}) — is another server using the port? "
                "Choose another one (--port, or Settings → Server)",
                host=host,
                port=port,
                reason=exc.strerror or str(exc),
            )
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _guarded_protocol(header_timeout_s: float, max_connections: int) -> type[Any]:
    """uvicorn's h11 protocol, closing connections that hold a socket without asking anything.

    uvicorn times out a connection only between two requests, and only until its next byte: a
    client (no token needed, nothing of it is read by the app yet) could open connections and
    send nothing, or a byte of headers now and then, until the process runs out of file
    descriptors and stops answering anyone (slowloris). So a connection that has not sent a
    whole request's headers ``header_timeout_s`` after it opened, or after its last answer, is
    closed, and beyond ``max_connections`` a new one is closed at once."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                log.warning("refused a connection from %s: %d open", _peer(self.client), max_connections)
                transport.close()
                return
            self._await_headers()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._await_headers()

        def _await_headers(self) -> None:
            # A new request replaces ``cycle``: the same one after the delay means none came.
            waiting_for = self.cycle
            self.loop.call_later(header_timeout_s, self._headers_overdue, waiting_for)

        def _headers_overdue(self, waiting_for: Any) -> None:
            if self.cycle is waiting_for and not self.transport.is_closing():
                log.warning(
                    "closed a connection from %s: no request within %.0f s",
                    _peer(self.client),
                    header_timeout_s,
                )
                self.transport.close()

    return GuardedH11Protocol


def _peer(client: Any) -> str:
    return f"{client[0]}:{client[1]}" if client else "?"


class ServerThread:
    """The API on its own thread: started, it answers until :meth:`stop`."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: JobStore,
        settings: Callable[[], Settings],
        config: ServerConfig,
    ) -> None:
        refusal = bind_refusal(config.host, config.token)
        if refusal is not None:
            raise ServerError(refusal)
        self.config = config
        self.board = JobBoard(pipeline, store, settings, config.limits)
        self.board.sweep()
        options = ApiOptions(config.token, config.allow_urls, config.cors_origins)
        self._app = create_app(self.board, options)
        self._socket: socket.socket | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self._socket is not None, "not started"
        host, port = self._socket.getsockname()[:2]
        return host, port

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def _uvicorn(self) -> Any:
        import uvicorn

        config = uvicorn.Config(
            self._app,
            # h11: pure Python, the same on a Jetson as here, no compiled parser needed
            http=_guarded_protocol(self.config.header_timeout_s, self.config.max_connections),
            loop="asyncio",
            lifespan="off",
            log_config=None,  # the app's own logging (rotating file, log view)
            access_log=False,
            server_header=False,
            proxy_headers=False,  # never trust X-Forwarded-For: the client is the socket's peer
            timeout_keep_alive=5,
            # A request waiting for its document would hold a stop for as long as the document
            # takes: after 5 s its connection is closed (the job stays queued in the store).
            timeout_graceful_shutdown=5,
        )
        return uvicorn.Server(config)

    def start(self) -> None:
        self._socket = bind(self.config.host, self.config.port)
        self._server = self._uvicorn()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="ocr-api-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerError("the API server did not start — see the log")
            time.sleep(0.02)
        log.info(
            "API server listening on %s (token %s)", self.url, "required" if self.config.token else "off"
        )

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        log.info("API server stopped")

    def serve_forever(self, announce: Callable[[str], None] = lambda url: None) -> None:
        """Run in the calling (main) thread until SIGINT/SIGTERM: uvicorn's own signal handling
        finishes the requests under way first. ``announce`` gets the URL once listening."""
        self._socket = bind(self.config.host, self.config.port)
        self._server = self._uvicorn()
        try:
            log.info("API server listening on %s", self.url)
            announce(self.url)
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self._socket = None
