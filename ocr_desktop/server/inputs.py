"""What a client may send as a document, and what is refused.

A document arrives as bytes: a multipart upload, a ``data:`` URI or bare base64 (GLM-OCR's SDK
and its MaaS client send both). The server never opens a file it is named: a path or a
``file://`` URL is refused (GLM-OCR's own server needed three fixes for path traversal, PRs
#216, #223, #230). An ``http(s)://`` URL is fetched only when ``server.allow_urls`` is on, and
then only from a public address (checked when the name is resolved, and the connection made to
that address), with a size cap, a time limit and no redirects: otherwise any client could make
this machine open a URL on itself or its own network (server-side request forgery). A client's
file name is only ever a label: uploads are stored under a name the server makes
(:func:`safe_name`).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
import time
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


def public_address(address: str) -> bool:
    """Whether ``address`` is on the public internet: not this machine (loopback, 0.0.0.0), not
    its networks (private, link-local such as the 169.254.169.254 of cloud metadata, CGNAT),
    not multicast or reserved. Only such an address is fetched, even with ``allow_urls``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _pinned_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: resolved once, refused unless every address it
    resolves to is public. The connection then goes to this address, not to the name, so a name
    that resolves to a public address for this check and to 127.0.0.1 for the connection (DNS
    rebinding) cannot reach this machine."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refusal(
            400, "url_failed", Message("the URL's host {host} cannot be resolved", host=host)
        ) from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses or not all(public_address(a) for a in addresses):
        raise Refusal(
            400,
            "url_refused",
            Message(
                "the URL's host {host} is this machine or on its local network: this server fetches "
                "only public addresses — send the document itself",
                host=host,
            ),
        )
    return addresses[0]


def fetch_url(url: str, limit: int) -> bytes:
    """GET ``url`` (only when the user allowed it): only from a public address, pinned when the
    name is resolved (:func:`_pinned_address`); no redirects (a redirect could point at this
    machine's network); at most ``limit`` bytes, read as a stream within ``_URL_TIMEOUT_S``."""
    import httpx

    try:
        target = httpx.URL(url)
        host, port = target.host, target.port or (443 if target.scheme == "https" else 80)
    except (httpx.InvalidURL, ValueError):
        raise Refusal(400, "bad_url", "the URL is not valid") from None
    if not host:
        raise Refusal(400, "bad_url", "the URL has no host")
    address = _pinned_address(host, port)
    # The name stays in Host and, for https, in the TLS server name and certificate check.
    headers = {"Host": target.netloc.decode("ascii").rpartition("@")[2]}
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    pinned = target.copy_with(host=address)
    deadline = time.monotonic() + _URL_TIMEOUT_S
    try:
        with (
            httpx.Client(timeout=_URL_TIMEOUT_S, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", pinned, headers=headers, extensions=extensions) as response,
        ):
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
                if time.monotonic() > deadline:
                    raise Refusal(
                        400, "url_failed", Message("the URL took over {s} s", s=int(_URL_TIMEOUT_S))
                    )
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise Refusal(
            400, "url_failed", Message("the URL could not be fetched ({reason})", reason=type(exc).__name__)
        ) from None
    return b"".join(chunks)


#: The longest upload name kept, in UTF-8 bytes: file systems allow 255 bytes a name, and 120
#: CJK characters are already 360.
_NAME_BYTES = 120


def _cut(text: str, size: int) -> str:
    """``text``'s longest prefix of at most ``size`` UTF-8 bytes (never half a character)."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def safe_name(filename: str | None, fallback: str = "document") -> str:
    """A label for an uploaded file: its last path part, without control characters, leading
    dots or separators, at most 120 bytes in UTF-8, its extension kept. Only a label: the stored
    file's path is the server's own, so ``../../etc/passwd`` can at worst be called ``passwd``."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name.encode("utf-8")) > _NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 8:
            name = _cut(stem, _NAME_BYTES - len(ext.encode("utf-8")) - 1).strip() + dot + ext
        else:
            name = _cut(name, _NAME_BYTES)
    return name or fallback
