"""Who may use the server: the bind address rule and the access token.

Secure by default (docs/server.md): the server listens on 127.0.0.1 unless told otherwise, and
any other address requires a token, without which it refuses to start. The token is generated
once (256 bits from :mod:`secrets`), kept in a file of mode 0600 beside the settings, shown in
Settings → Server, and compared in constant time (:func:`hmac.compare_digest`), so the time an
answer takes says nothing about how much of a guess was right.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import stat
from pathlib import Path

from ocr_desktop import paths
from ocr_desktop.messages import Message

#: Names that resolve to this machine only. Any other name may resolve to a network address.
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class TokenError(Exception):
    """The token file cannot be read or written, or is readable by others; the message says how
    to fix it."""


def token_file() -> Path:
    return paths.config_dir() / "server-token"


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``: 127.0.0.0/8, ::1 or a loopback name.
    0.0.0.0 and :: (every interface) are not loopback."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def read_token(path: Path) -> str:
    """The token in ``path`` (surrounding white space dropped). A file that others may read is
    refused: anyone on the machine could then use the server as its owner."""
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise TokenError(Message("the token file {path} does not exist", path=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError(
            Message("the token file {path} cannot be read ({reason})", path=str(path), reason=str(exc))
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenError(
            Message(
                "the token file {path} can be read by other users (mode {mode}) — run chmod 600 on it",
                path=str(path),
                mode=f"{stat.S_IMODE(info.st_mode):o}",
            )
        )
    if len(text) < 16:
        raise TokenError(
            Message(
                "the token in {path} is shorter than 16 characters — use a long random one "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')",
                path=str(path),
            )
        )
    return text


def ensure_token(path: Path | None = None) -> str:
    """The server's token, generated and written (mode 0600 from the start, never wider) on
    first use."""
    path = path or token_file()
    if path.exists():
        return read_token(path)
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once cannot both write (and one read half a token).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_token(path)
    except OSError as exc:
        raise TokenError(
            Message("the token file {path} cannot be written ({reason})", path=str(path), reason=str(exc))
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    return token


def bind_refusal(host: str, token: str | None) -> str | None:
    """Why the server must not start on ``host`` with ``token``, or None when it may."""
    if token or is_loopback(host):
        return None
    return Message(
        "refusing to listen on {host} without an access token: every machine that can reach it "
        "could read documents with it — give --token-file (or turn the server on in Settings → "
        "Server, which makes one), or listen on 127.0.0.1",
        host=host,
    )


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (bytes: compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def host_header_is_loopback(host: str) -> bool:
    """Whether a request's ``Host`` header names this machine's loopback ("127.0.0.1:5002",
    "localhost", "[::1]:5002"). A web page whose own name an attacker made resolve to 127.0.0.1
    (DNS rebinding) sends its own name here: the tokenless loopback server refuses it."""
    name = host.strip()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else ""
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return bool(name) and is_loopback(name)


def bearer_token(authorization: str) -> str:
    """The token of an ``Authorization: Bearer …`` header ("" when there is none)."""
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
