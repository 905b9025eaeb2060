"""The HTTP API: a Starlette app over a :class:`JobBoard` (docs/server.md, ADR 7).

Endpoints: GLM-OCR's SDK server (``POST /glmocr/parse``, ``GET /health``), the cloud's
``POST /api/paas/v4/layout_parsing`` (so a client changes only the host of its ``api_url``),
jobs for long documents (``/v1/jobs``: upload, progress, results in every export format,
cancel) and ``GET /openapi.json``.

Every request passes :class:`Guard` first: a browser request from a web origin that is not in
``cors_origins`` is refused, and so is, without a token, a ``Host`` that is not loopback (a web
page must not use the server through the user's browser: cross-site requests, DNS rebinding);
a body larger than the limit is refused from its ``Content-Length`` before a byte is read, and
counted as it streams when it has none; with a token, every path but ``/health`` needs
``Authorization: Bearer <token>``. Errors are JSON
(``{"error": {"code", "message"}}``), never a traceback, and every refusal is logged with the
client's address, the path, the status and the reason, never the document.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ocr_desktop import __version__, exporters
from ocr_desktop.server import responses
from ocr_desktop.server.inputs import Refusal, document_bytes, safe_name
from ocr_desktop.server.jobs import JobBoard
from ocr_desktop.server.openapi import openapi_document
from ocr_desktop.server.security import bearer_token, host_header_is_loopback, token_matches

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message_]]
Send = Callable[[Message_], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths answered without a token: a monitor may ask whether the server is up.
OPEN_PATHS = frozenset({"/health"})
_MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "hocr": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class ApiOptions:
    token: str | None = None
    allow_urls: bool = False
    cors_origins: tuple[str, ...] = ()


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "?"


def refusal_response(scope: Scope, refusal: Refusal) -> JSONResponse:
    """The JSON answer to a refusal, logged (address, method, path, status, reason)."""
    log.warning(
        "refused %s %s from %s: %d %s (%s)",
        scope.get("method", "?"),
        scope.get("path", "?"),
        _client(scope),
        refusal.status,
        refusal.code,
        refusal.message,
    )
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else {}
    if refusal.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = {"error": {"code": refusal.code, "message": str(refusal.message)}}
    return JSONResponse(body, status_code=refusal.status, headers=headers)


class Guard:
    """Origin, host, token and body-size checks, before the app sees the request (pure ASGI, so
    the body is never buffered here)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body_bytes: int,
        cors_origins: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.cors_origins = frozenset(cors_origins)

    def _foreign(self, headers: dict[str, str]) -> Refusal | None:
        """A request a web page made the user's browser send. Browsers send ``Origin`` with every
        cross-site POST, and a POST of a form or of text/plain needs no CORS pre-flight: without
        this any page the user visits could queue documents (its answer unread, but the work
        done). Clients that are not browsers send no ``Origin``. Without a token (loopback only),
        a page could also rename itself to 127.0.0.1 by DNS rebinding and then read the answers
        as its own: its name stays in ``Host``, so only loopback names are accepted there."""
        origin = headers.get("origin")
        if origin is not None and origin not in self.cors_origins:
            return Refusal(
                403,
                "origin_refused",
                "requests from web pages are refused unless their origin is in server.cors_origins",
            )
        if self.token is None and not host_header_is_loopback(headers.get("host", "")):
            return Refusal(
                403,
                "host_refused",
                "this server answers only requests addressed to 127.0.0.1 or localhost "
                "(a token is required to serve any other name)",
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if (foreign := self._foreign(headers)) is not None:
            await refusal_response(scope, foreign)(scope, receive, send)
            return
        if self.token and scope["path"] not in OPEN_PATHS:
            given = bearer_token(headers.get("authorization", ""))
            if not given or not token_matches(given, self.token):
                reason = "no token given" if not given else "wrong token"
                refusal = Refusal(401, "unauthorized", f"{reason}: send Authorization: Bearer <token>")
                await refusal_response(scope, refusal)(scope, receive, send)
                return
        length = headers.get("content-length", "")
        if length:
            if not length.isdigit():
                await refusal_response(scope, Refusal(400, "bad_request", "bad Content-Length"))(
                    scope, receive, send
                )
                return
            if int(length) > self.max_body_bytes:
                await refusal_response(scope, self._too_large(int(length)))(scope, receive, send)
                return
        await self.app(scope, self._counting(receive), send)

    def _too_large(self, size: int) -> Refusal:
        return Refusal(
            413,
            "too_large",
            f"the request body is {size} bytes or more, over this server's limit of {self.max_body_bytes} "
            "bytes (server.max_upload_mb)",
        )

    def _counting(self, receive: Receive) -> Receive:
        """``receive`` that raises a 413 refusal once the body passes the limit (a chunked body
        announces no length)."""
        seen = 0

        async def counted() -> Message_:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise self._too_large(seen)
            return message

        return counted


class Api:
    """The endpoints, bound to one board and its options."""

    def __init__(self, board: JobBoard, options: ApiOptions) -> None:
        self.board = board
        self.options = options

    @property
    def _limit(self) -> int:
        return self.board.limits.max_body_bytes

    async def _json(self, request: Request) -> dict[str, Any]:
        return await asyncio.to_thread(parse_json, await request.body())

    async def _room(self) -> None:
        """429 before the body is read when the queue is full already."""
        await asyncio.to_thread(self.board.check_room)

    async def _bytes(self, value: object) -> bytes:
        """An upload's bytes as they are, a JSON string decoded (or fetched)."""
        if isinstance(value, bytes):
            return value
        return await asyncio.to_thread(
            document_bytes, value, allow_urls=self.options.allow_urls, limit=self._limit
        )

    async def _submit_all(self, documents: list[tuple[bytes, str]], pages: str = "") -> list[str]:
        """Queue the documents of one request, all or none: when one is refused (the queue
        filled up, a damaged file), those already queued are cancelled, so a refused request
        leaves no work behind that nobody waits for."""
        job_ids: list[str] = []
        try:
            for data, name in documents:
                job_ids.append(await asyncio.to_thread(self.board.submit, data, name, pages))
        except BaseException:
            for job_id in job_ids:
                await asyncio.to_thread(self.board.cancel, job_id)
            raise
        return job_ids

    async def _finished_result(self, job_id: str) -> Any:
        record = await self.board.wait(job_id)
        failure = self.board.failure(record)
        if failure is not None:
            raise failure
        return await asyncio.to_thread(self.board.result, job_id)

    # -- GLM-OCR's SDK server ------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def parse(self, request: Request) -> Response:
        """``/glmocr/parse``: ``images`` (a data URI, base64, or a list of them) or ``file``
        (what the MaaS client sends); one job per image, all decoded and queued (or none) before
        any is awaited."""
        await self._room()
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            sources = await self._uploads(request, "files")
        else:
            data = await self._json(request)
            images = data.get("images") or []
            if isinstance(images, str):
                images = [images]
            if not images and isinstance(data.get("file"), str) and data["file"]:
                images = [data["file"]]
            if not isinstance(images, list) or not images:
                raise Refusal(400, "no_images", 'no images given: send {"images": ["data:…"]}')
            sources = [(image, f"image-{n + 1}") for n, image in enumerate(images)]
        job_ids = await self._submit_all([(await self._bytes(value), name) for value, name in sources])
        documents = [await self._finished_result(job_id) for job_id in job_ids]
        answers = [await asyncio.to_thread(responses.sdk_parse_response, d) for d in documents]
        if len(answers) == 1:
            return JSONResponse(answers[0])
        merged = dict(answers[0])
        merged["json_result"] = merged["layout_details"] = [a["json_result"] for a in answers]
        merged["markdown_result"] = merged["md_results"] = "\n\n---\n\n".join(
            a["markdown_result"] for a in answers
        )
        return JSONResponse(merged)

    async def _uploads(self, request: Request, field: str) -> list[tuple[object, str]]:
        """Multipart files as (bytes, label); bytes pass ``document_bytes`` unchanged."""
        form = await request.form(max_files=16, max_fields=16)
        try:
            found: list[tuple[object, str]] = []
            for upload in form.getlist(field):
                if isinstance(upload, str):
                    raise Refusal(400, "not_a_file", f"the '{field}' field must be a file upload")
                found.append((await upload.read(), safe_name(upload.filename)))
        finally:
            await form.close()
        if not found:
            raise Refusal(400, "no_file", f"no file given: send it as the multipart field '{field}'")
        return found

    # -- the cloud's layout_parsing ------------------------------------------------------------

    async def layout_parsing(self, request: Request) -> Response:
        await self._room()
        data = await self._json(request)
        pages = _page_range(data.get("start_page_id"), data.get("end_page_id"))
        [job_id] = await self._submit_all([(await self._bytes(data.get("file")), "document")], pages)
        document = await self._finished_result(job_id)
        return JSONResponse(await asyncio.to_thread(responses.layout_parsing_response, document))

    # -- jobs ----------------------------------------------------------------------------------

    async def create_job(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise Refusal(415, "multipart_required", "send the document as multipart/form-data field 'file'")
        await self._room()
        form = await request.form(max_files=1, max_fields=8)
        try:
            upload = form.get("file")
            pages = form.get("pages") or ""
            if upload is None or isinstance(upload, str):
                raise Refusal(400, "no_file", "no file given: send it as the multipart field 'file'")
            if not isinstance(pages, str):
                raise Refusal(400, "bad_page_range", "'pages' must be text such as 1-3,7")
            # Copied from Starlette's spooled file (on disk past 1 MB) while the form is open:
            # read into memory whole, each upload would hold up to max_upload_mb there.
            await upload.seek(0)
            job_id = await asyncio.to_thread(
                self.board.submit, upload.file, safe_name(upload.filename), pages
            )
        finally:
            await form.close()
        record = await asyncio.to_thread(self.board.record, job_id)
        assert record is not None  # just submitted under the board's root
        body = await asyncio.to_thread(self.board.progress, record)
        body["links"] = _links(request, job_id)
        return JSONResponse(body, status_code=202, headers={"Location": body["links"]["self"]})

    async def _record(self, request: Request) -> Any:
        job_id = request.path_params["job_id"]
        record = await asyncio.to_thread(self.board.record, job_id)
        if record is None:
            raise Refusal(404, "no_such_job", "no API job with this id")
        return record

    async def job(self, request: Request) -> Response:
        record = await self._record(request)
        body = await asyncio.to_thread(self.board.progress, record)
        body["links"] = _links(request, record.id)
        return JSONResponse(body)

    async def cancel_job(self, request: Request) -> Response:
        record = await self._record(request)
        if not record.status.finished:
            await asyncio.to_thread(self.board.cancel, record.id)
            record = await self._record(request)
        return JSONResponse(await asyncio.to_thread(self.board.progress, record))

    async def job_result(self, request: Request) -> Response:
        record = await self._record(request)
        fmt = request.path_params["fmt"]
        if fmt not in exporters.FORMATS:
            raise Refusal(
                404,
                "no_such_format",
                f"no format '{fmt}': this server exports {', '.join(exporters.FORMATS)}",
            )
        if not record.status.finished:
            body = {"error": {"code": "not_finished", "message": "the job has not finished yet"}}
            body["progress"] = await asyncio.to_thread(self.board.progress, record)
            return JSONResponse(body, status_code=409, headers={"Retry-After": "2"})
        content = await asyncio.to_thread(self.board.export, record.id, fmt)
        return Response(content, media_type=_MEDIA_TYPES.get(fmt, "application/octet-stream"))

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document(exporters.FORMATS))


#: Most JSON values a request may hold. A request is a handful of fields and up to 16 images;
#: the size limit alone would let 200 MB of ``[{},{},…]`` become gigabytes of Python objects.
MAX_JSON_VALUES = 10_000


def parse_json(body: bytes) -> dict[str, Any]:
    """A request's JSON object (on a worker thread: a large body takes a while to parse). Its
    values are counted before it is parsed (every value but the first follows a ',' or opens a
    '[' or '{'; base64 has none of them), so a small body of many tiny values is refused
    instead of being blown up in memory."""
    if body.count(b",") + body.count(b"[") + body.count(b"{") > MAX_JSON_VALUES:
        raise Refusal(
            400, "json_too_complex", f"the JSON body holds over {MAX_JSON_VALUES} values; a request needs few"
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Refusal(400, "bad_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Refusal(400, "bad_json", "the body must be a JSON object")
    return data


def _links(request: Request, job_id: str) -> dict[str, Any]:
    base = f"/v1/jobs/{job_id}"
    return {"self": base, "results": {fmt: f"{base}/result.{fmt}" for fmt in exporters.FORMATS}}


def _page_range(start: object, end: object) -> str:
    """MaaS's 1-based ``start_page_id`` / ``end_page_id`` as the app's page range ("2-5")."""
    for value in (start, end):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise Refusal(400, "bad_page_range", "start_page_id and end_page_id are page numbers from 1")
    if start is None and end is None:
        return ""
    return f"{start or 1}-{end or ''}"


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    return refusal_response(request.scope, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    refusal = Refusal(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
    return refusal_response(request.scope, refusal)


async def _crashed(request: Request, exc: Exception) -> Response:
    """A bug: the traceback goes to the log, the client gets a JSON message without it."""
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    body = {
        "error": {"code": "internal_error", "message": "internal error — the server's log has the details"}
    }
    return JSONResponse(body, status_code=500)


def create_app(board: JobBoard, options: ApiOptions) -> Starlette:
    api = Api(board, options)
    routes = [
        Route("/health", api.health, methods=["GET"]),
        Route("/glmocr/parse", api.parse, methods=["POST"]),
        Route("/api/paas/v4/layout_parsing", api.layout_parsing, methods=["POST"]),
        Route("/v1/jobs", api.create_job, methods=["POST"]),
        Route("/v1/jobs/{job_id}", api.job, methods=["GET"]),
        Route("/v1/jobs/{job_id}", api.cancel_job, methods=["DELETE"]),
        Route("/v1/jobs/{job_id}/result.{fmt}", api.job_result, methods=["GET"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
    ]
    middleware = [
        Middleware(
            Guard,
            token=options.token,
            max_body_bytes=board.limits.max_body_bytes,
            cors_origins=options.cors_origins,
        )
    ]
    if options.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(options.cors_origins),
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        )
    handlers = {Refusal: _refused, HTTPException: _http_error, Exception: _crashed}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
