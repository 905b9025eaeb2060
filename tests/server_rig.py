"""A running API server for the server tests: the real pipeline (real poppler and Pillow opening
what is sent) and a real uvicorn on 127.0.0.1 with a free port, reading with the scripted backend
(tests about the server's own behaviour) or any backend the test gives."""

from __future__ import annotations

import base64
import dataclasses
import io
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ocr_desktop.backends.base import Backend
from ocr_desktop.core.store import JobStore
from ocr_desktop.pipeline.worker import Pipeline
from ocr_desktop.server.jobs import Limits
from ocr_desktop.server.runner import ServerConfig, ServerThread
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import draw_page

TIMEOUT = 60.0


@dataclass
class Served:
    server: ServerThread
    pipeline: Pipeline
    store: JobStore
    backend: Any
    token: str | None

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        token = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=TIMEOUT, **kwargs)


@contextmanager
def running_server(
    settings: Settings | None = None,
    *,
    backend: Backend | ScriptedBackend | None = None,
    store_path: Path,
    **config: Any,
) -> Iterator[Served]:
    settings = settings or Settings().with_value("reading.mode", "page")
    backend = backend or ScriptedBackend()
    store = JobStore(store_path)
    factory: Callable[[Settings], Any] = lambda _settings: backend  # noqa: E731
    pipeline = Pipeline(store, settings, backend_factory=factory)
    pipeline.start()
    limit_names = {f.name for f in dataclasses.fields(Limits)}
    limits = Limits(**{k: config.pop(k) for k in list(config) if k in limit_names})
    server = ServerThread(pipeline, store, lambda: settings, ServerConfig(port=0, limits=limits, **config))
    try:
        server.start()
        yield Served(server, pipeline, store, backend, config.get("token"))
    finally:
        server.stop()
        assert pipeline.shutdown(TIMEOUT)
        store.close()


def png_bytes(text: str = "Hello", size: tuple[int, int] = (400, 300)) -> bytes:
    buf = io.BytesIO()
    draw_page(size, text).save(buf, "PNG")
    return buf.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def bomb_png(side: int = 20_000) -> bytes:
    """A valid PNG of side×side 1-bit pixels, all white: ~60 kB that decode to side² pixels
    (20,000² = 400 megapixels, over Pillow's decompression-bomb limit). Written chunk by chunk:
    Pillow would first allocate the whole image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte 0, then the row's packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
