"""What a client may send as a document, and what is refused.

A document arrives as bytes: a multipart upload, a ``data:`` URI or bare base64 (GLM-OCR's SDK
and its MaaS client send both). The server never opens a file it is named: a path or a
``file://`` URL is refused (GLM-OCR's own server needed three fixes for path traversal, PRs
#216, #223, #230). An ``http(s)://`` URL is fetched only when ``server.allow_urls`` is on, and
then with a size cap and no redirects: otherwise any client could make this machine open a URL
on its own network (server-side request forgery). A client's file name is only ever a label:
uploads are stored under a name the server makes (:func:`safe_name`).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from ocr_desktop.messages import Message

_DATA_URI = re.compile(r"^data:([\w.+/-]*)((?:;[\w.+-]+=[^;,]*)*)(;base64)?,", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
#: GLM-OCR's SDK marks bare base64 this way in some payloads.
_BASE64_MARK = "<|base64|>"
_URL_TIMEOUT_S = 30.0


class Refusal(Exception):
    """A request the server will not carry out: its HTTP status, a short code and a message for
    the client (never a traceback, never the document's content), and for 429 the seconds to
    wait."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _too_large(size: int, limit: int) -> Refusal:
    return Refusal(
        413,
        "too_large",
        Message(
            "the document is {size} bytes, over this server's limit of {limit} bytes",
            size=size,
            limit=limit,
        ),
    )


def decode_base64(text: str, limit: int) -> bytes:
    """Strict base64 (white space and missing padding tolerated, as the SDK's client sends it)."""
    compact = "".join(text.split())
    if compact.startswith(_BASE64_MARK):
        compact = compact[len(_BASE64_MARK) :]
    if len(compact) * 3 // 4 > limit:
        raise _too_large(len(compact) * 3 // 4, limit)
    compact += "=" * (-len(compact) % 4)
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        # urlsafe alphabet ('-', '_') is the only other spelling a client is likely to send
        try:
            data = base64.urlsafe_b64decode(compact) if re.fullmatch(r"[\w=-]*", compact) else b""
        except (binascii.Error, ValueError):
            data = b""
        if not data:
            raise Refusal(400, "bad_base64", "the document is not valid base64 (nor a data: URI)") from None
    if not data:
        raise Refusal(400, "empty", "the document is empty (0 bytes)")
    return data


def document_bytes(value: object, *, allow_urls: bool, limit: int) -> bytes:
    """The bytes of one document given as a string in a JSON request (``images[]`` of
    ``/glmocr/parse``, ``file`` of ``layout_parsing``). Raises :class:`Refusal`."""
    if not isinstance(value, str) or not value.strip():
        raise Refusal(400, "no_document", "no document given: send a data: URI or base64")
    text = value.strip()
    if match := _DATA_URI.match(text):
        payload = text[match.end() :]
        if not match.group(3):  # data:,text — URL-encoded, never a document we can read
            raise Refusal(400, "bad_data_uri", "the data: URI is not base64 (add ;base64)")
        return decode_base64(payload, limit)
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() in ("http", "https"):
        if not allow_urls:
            raise Refusal(
                400,
                "url_refused",
                "this server does not fetch URLs (server.allow_urls is off): send the document "
                "itself as a data: URI, base64 or a multipart upload",
            )
        return fetch_url(text, limit)
    if scheme and len(scheme.group(1)) > 1:  # "C:\\…" is a Windows path, caught below
        raise Refusal(
            400,
            "scheme_refused",
            Message(
                "{scheme}: URLs are refused: this server reads no file or URL it is named — send the "
                "document itself",
                scheme=scheme.group(1).lower(),
            ),
        )
    if _looks_like_path(text):
        raise Refusal(
            400,
            "path_refused",
            "file paths are refused: this server reads no file it is named — send the document "
            "itself as a data: URI, base64 or a multipart upload",
        )
    return decode_base64(text, limit)


def _looks_like_path(text: str) -> bool:
    """A path or file name, not base64: base64 has no '.', '~' or '\\', and although a JPEG's
    base64 starts with '/' ("/9j/"), no document's base64 is shorter than 64 characters."""
    if re.match(r"^[A-Za-z]:[\\/]", text) or any(ch in text for ch in ".~\\"):
        return True
    return text.startswith("/") and len(text) < 64


def fetch_url(url: str, limit: int) -> bytes:
    """GET ``url`` (only when the user allowed it): no redirects (a redirect could point at
    this machine's network), at most ``limit`` bytes, read as a stream."""
    import httpx

    try:
        with httpx.stream("GET", url, timeout=_URL_TIMEOUT_S, follow_redirects=False) as response:
            if response.status_code != 200:
                raise Refusal(
                    400,
                    "url_failed",
                    Message("fetching the URL answered HTTP {status}", status=response.status_code),
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _too_large(size, limit)
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise Refusal(
            400, "url_failed", Message("the URL could not be fetched ({reason})", reason=type(exc).__name__)
        ) from None
    return b"".join(chunks)


def safe_name(filename: str | None, fallback: str = "document") -> str:
    """A label for an uploaded file: its last path part, without control characters, leading
    dots or separators, at most 120 characters. Only a label: the stored file's path is the
    server's own, so ``../../etc/passwd`` can at worst be called ``passwd``."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:120]
    return name or fallback
