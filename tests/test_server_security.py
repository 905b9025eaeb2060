"""Hostile requests against the real server (uvicorn on 127.0.0.1, the real pipeline and
document checks, the scripted backend reading): each is refused with a JSON error, nothing is
read or fetched that should not be, and ``/health`` keeps answering."""

from __future__ import annotations

import http.server
import json
import logging
import socket
import stat
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from ocr_desktop.core.store import JobStatus
from ocr_desktop.server import inputs
from ocr_desktop.server.jobs import upload_root
from ocr_desktop.server.runner import ServerConfig, ServerError, ServerThread
from ocr_desktop.server.security import TokenError, bind_refusal, ensure_token, is_loopback, read_token
from tests.backends import ScriptedBackend
from tests.fixtures.damaged import raw_pdf
from tests.server_rig import TIMEOUT, Served, bomb_png, data_uri, png_bytes, running_server

TOKEN = "s3cret-token-for-the-tests-0123456789"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with running_server(store_path=tmp_path / "jobs.sqlite3") as s:
        yield s


def error_of(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert "Traceback" not in response.text
    return body["error"]


# -- who may use it ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "ocr.example.org"])
def test_a_network_address_without_a_token_refuses_to_start(host: str, tmp_path: Path) -> None:
    # GIVEN a bind address other machines can reach, and no token
    # WHEN the server is made THEN it refuses before opening any socket, saying what to do
    with pytest.raises(ServerError, match="without an access token"):
        ServerThread(None, None, lambda: None, ServerConfig(host=host, token=None))  # type: ignore[arg-type]
    assert bind_refusal(host, TOKEN) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_token(host: str) -> None:
    assert is_loopback(host)
    assert bind_refusal(host, None) is None


def test_no_token_and_a_wrong_token_are_refused_when_a_token_is_set(tmp_path: Path) -> None:
    # GIVEN a server with a token (as every non-loopback bind must have)
    with running_server(store_path=tmp_path / "jobs.sqlite3", token=TOKEN) as served:
        page = data_uri(png_bytes())
        for token in ("", "wrong-token-of-the-same-length-0123456", TOKEN[:-1]):
            with served.client(token=token) as client:
                # WHEN a request comes without the token or with a wrong one
                response = client.post("/glmocr/parse", json={"images": [page]})
                # THEN it is refused with 401 and a JSON message, and nothing is queued
                assert response.status_code == 401
                assert response.headers["www-authenticate"] == "Bearer"
                assert error_of(response)["code"] == "unauthorized"
                assert client.get("/openapi.json").status_code == 401
        assert served.store.list_jobs() == []
        with served.client(token="") as client:
            assert client.get("/health").status_code == 200  # a monitor needs no token
        with served.client() as client:
            assert client.post("/glmocr/parse", json={"images": [page]}).status_code == 200


def test_a_wildcard_bind_with_a_token_refuses_requests_without_it(tmp_path: Path) -> None:
    # GIVEN the server listening on every interface (0.0.0.0) with a token; the requests below go
    # to this machine's loopback address only
    with running_server(store_path=tmp_path / "jobs.sqlite3", host="0.0.0.0", token=TOKEN) as served:
        port = served.server.address[1]
        url = f"http://127.0.0.1:{port}"
        for headers in ({}, {"Authorization": "Bearer wrong-token-of-the-same-length-01234567"},
                        {"Authorization": TOKEN}):  # fmt: skip
            response = httpx.post(
                f"{url}/glmocr/parse", json={"images": [data_uri(png_bytes())]}, headers=headers
            )
            assert response.status_code == 401
            assert error_of(response)["code"] == "unauthorized"
        assert httpx.get(f"{url}/v1/jobs/x", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        assert served.store.list_jobs() == []


def test_a_web_page_cannot_use_the_tokenless_loopback_server_through_the_browser(served: Served) -> None:
    # GIVEN the default server: loopback, no token
    page = data_uri(png_bytes())
    body = json.dumps({"images": [page]})
    with served.client() as client:
        # WHEN a page on another site posts to it from the user's browser: text/plain needs no
        # CORS pre-flight, and the browser adds the page's Origin
        cross_site = client.post(
            "/glmocr/parse",
            content=body,
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        )
        form = client.post(
            "/v1/jobs",
            files={"file": ("a.png", png_bytes(), "image/png")},
            headers={"Origin": "null"},
        )
        # WHEN a page whose name was made to resolve to 127.0.0.1 (DNS rebinding) asks for it as
        # its own origin: its name is in Host
        rebound = client.post("/glmocr/parse", json={"images": [page]}, headers={"Host": "evil.example:80"})
        spec = client.get("/openapi.json", headers={"Host": "evil.example"})
        # THEN each is refused before anything is queued
        assert cross_site.status_code == form.status_code == 403
        assert error_of(cross_site)["code"] == error_of(form)["code"] == "origin_refused"
        assert rebound.status_code == spec.status_code == 403
        assert error_of(rebound)["code"] == "host_refused"
        assert served.store.list_jobs() == []
        # AND clients that are not browsers, addressing loopback by any of its names, are served
        for host in ("localhost", f"[::1]:{served.server.address[1]}", "127.0.0.1"):
            assert client.get("/openapi.json", headers={"Host": host}).status_code == 200, host
        assert client.post("/glmocr/parse", json={"images": [page]}).status_code == 200
        # AND the API's description says so
        spec = client.get("/openapi.json").json()
        for path in ("/glmocr/parse", "/api/paas/v4/layout_parsing", "/v1/jobs"):
            assert "Origin" in spec["paths"][path]["post"]["responses"]["403"]["description"]


def test_an_origin_named_in_cors_origins_may_call_it(tmp_path: Path) -> None:
    origin = "https://intranet.example"
    with (
        running_server(store_path=tmp_path / "jobs.sqlite3", cors_origins=(origin,)) as served,
        served.client() as client,
    ):
        response = client.post(
            "/glmocr/parse", json={"images": [data_uri(png_bytes())]}, headers={"Origin": origin}
        )
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == origin
        other = client.get("/openapi.json", headers={"Origin": "https://evil.example"})
        assert other.status_code == 403


def test_a_server_with_a_token_answers_any_host_name(tmp_path: Path) -> None:
    # a network bind is reached by the machine's name or LAN address: the token guards it
    with (
        running_server(store_path=tmp_path / "jobs.sqlite3", token=TOKEN) as served,
        served.client() as client,
    ):
        assert client.get("/openapi.json", headers={"Host": "jetson.local:5002"}).status_code == 200


def test_the_token_file_is_made_0600_and_a_readable_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "server-token"
    token = ensure_token(path)
    assert len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_token(path) == token  # made once, then read
    path.chmod(0o644)
    with pytest.raises(TokenError, match="chmod 600"):
        read_token(path)


# -- what it will not read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "code"),
    [
        ("file:///etc/passwd", "scheme_refused"),
        ("FILE:///etc/hostname", "scheme_refused"),
        ("/etc/passwd", "path_refused"),
        ("../../../../etc/passwd", "path_refused"),
        ("~/.ssh/id_rsa", "path_refused"),
        ("C:\\Windows\\win.ini", "path_refused"),
        ("ftp://127.0.0.1/x.png", "scheme_refused"),
    ],
)
def test_paths_and_file_urls_are_refused(served: Served, image: str, code: str) -> None:
    with served.client() as client:
        response = client.post("/glmocr/parse", json={"images": [image]})
        assert response.status_code == 400
        assert error_of(response)["code"] == code
        response = client.post("/api/paas/v4/layout_parsing", json={"model": "glm-ocr", "file": image})
        assert response.status_code == 400
    assert served.store.list_jobs() == []


def test_a_dot_dot_file_name_in_an_upload_stays_in_the_upload_folder(served: Served, tmp_path: Path) -> None:
    # GIVEN a multipart upload whose file name climbs out of any folder
    hostile = "../../../../../tmp/evil.png"
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": (hostile, png_bytes(), "image/png")})
    # THEN the job is accepted under a name of the server's own, inside its upload folder
    assert response.status_code == 202, response.text
    record = served.store.job(response.json()["id"])
    assert record is not None
    source = Path(record.source)
    assert source.name == "evil.png"
    assert source.resolve().is_relative_to(upload_root().resolve())
    assert not Path("/tmp/evil.png").exists()
    assert served.pipeline.wait_idle(TIMEOUT)


@pytest.mark.parametrize("name", ["报告" * 60 + ".png", "é" * 300, "x" * 250 + ".scan-of-page"])
def test_a_file_name_too_long_for_the_disk_is_shortened_not_a_crash(served: Served, name: str) -> None:
    # GIVEN an upload whose name is over the 255 bytes a file system allows a name (in UTF-8)
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": (name, png_bytes(), "image/png")})
    # THEN it is accepted under a shortened name, its extension kept
    assert response.status_code == 202, response.text
    record = served.store.job(response.json()["id"])
    assert record is not None
    stored = Path(record.source).name
    assert len(stored.encode("utf-8")) <= 120
    assert name.startswith(stored.rsplit(".", 1)[0]) if "." in stored else name.startswith(stored)
    if name.endswith(".png"):
        assert stored.endswith(".png")
    assert served.pipeline.wait_idle(TIMEOUT)
    assert served.store.job(record.id).status.value == "done"  # type: ignore[union-attr]


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (one list per test: reset by the fixture)

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/internal.png")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = png_bytes("fetched")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_site() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that counts the requests it gets."""
    _Counting.hits = []
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=site.serve_forever, name="local-site")
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}/internal.png", _Counting.hits
    finally:
        site.shutdown()
        site.server_close()
        thread.join()


def test_an_http_url_to_this_machine_is_not_fetched_by_default(
    served: Served, local_site: tuple[str, list[str]]
) -> None:
    url, hits = local_site
    with served.client() as client:
        response = client.post("/glmocr/parse", json={"images": [url]})
        assert response.status_code == 400
        assert error_of(response)["code"] == "url_refused"
        response = client.post("/api/paas/v4/layout_parsing", json={"file": url})
        assert response.status_code == 400
    assert hits == []  # never fetched


def test_an_allowed_url_to_this_machine_is_still_not_fetched(
    tmp_path: Path, local_site: tuple[str, list[str]]
) -> None:
    # GIVEN a server that fetches URLs (allow_urls), and a site on this machine's loopback
    url, hits = local_site
    port = url.split(":")[2].split("/")[0]
    spellings = [
        url,
        f"http://localhost:{port}/internal.png",
        f"http://2130706433:{port}/internal.png",  # 127.0.0.1 as one number
        f"http://[::ffff:127.0.0.1]:{port}/internal.png",
        f"http://0.0.0.0:{port}/internal.png",
    ]
    with (
        running_server(store_path=tmp_path / "jobs.sqlite3", allow_urls=True) as served,
        served.client() as client,
    ):
        for spelling in spellings:
            # WHEN a client names it, however spelt
            response = client.post("/glmocr/parse", json={"images": [spelling]})
            # THEN it is refused: only public addresses are fetched
            assert response.status_code == 400, spelling
            assert error_of(response)["code"] == "url_refused", spelling
        assert client.post("/api/paas/v4/layout_parsing", json={"file": url}).status_code == 400
        assert served.store.list_jobs() == []
    assert hits == []  # never fetched


@pytest.fixture
def loopback_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.1 taken for a public address: no public web site can be reached from the tests."""
    real = inputs.public_address
    monkeypatch.setattr(inputs, "public_address", lambda address: address == "127.0.0.1" or real(address))


@pytest.mark.usefixtures("loopback_as_public")
def test_urls_are_fetched_only_when_the_user_allows_it(
    tmp_path: Path, local_site: tuple[str, list[str]]
) -> None:
    url, hits = local_site
    with (
        running_server(store_path=tmp_path / "jobs.sqlite3", allow_urls=True) as served,
        served.client() as client,
    ):
        response = client.post("/glmocr/parse", json={"images": [url]})
        # a redirect is not followed: it could point anywhere, this machine included
        redirected = client.post(
            "/glmocr/parse", json={"images": [url.replace("/internal.png", "/redirect")]}
        )
    assert response.status_code == 200, response.text
    assert response.json()["markdown_result"].startswith("page 1")
    assert redirected.status_code == 400
    assert "HTTP 302" in error_of(redirected)["message"]
    assert hits == ["/internal.png", "/redirect"]


def test_broken_base64_is_refused(served: Served) -> None:
    with served.client() as client:
        for image in ("data:image/png;base64,iVBORw0KGgo!!!!", "QUJD$$$$" * 20, "data:image/png,plain"):
            response = client.post("/glmocr/parse", json={"images": [image]})
            assert response.status_code == 400, image
            assert error_of(response)["code"] in ("bad_base64", "bad_data_uri")
        response = client.post(
            "/glmocr/parse", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert error_of(response)["code"] == "bad_json"


def test_a_small_json_body_of_many_tiny_values_is_refused_before_it_is_parsed(served: Served) -> None:
    # GIVEN 20 MB of JSON (well within the size limit) that parses to 6.7 million objects, and
    # JSON nested deeper than Python's recursion limit
    many = b'{"images": ["x"], "pad": [' + b"{}," * (20 * 1024 * 1024 // 3) + b"{}]}"
    deep = b'{"images": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    rss_before = psutil.Process().memory_info().rss
    with served.client() as client:
        for body, code in ((many, "json_too_complex"), (deep, "bad_json")):
            response = client.post(
                "/glmocr/parse", content=body, headers={"content-type": "application/json"}
            )
            # THEN each is refused with a JSON message (no 500), memory never holding the objects
            assert response.status_code == 400, response.text[:200]
            assert error_of(response)["code"] == code
        assert client.get("/health").status_code == 200
    assert psutil.Process().memory_info().rss - rss_before < 150 * 1024 * 1024
    assert served.store.list_jobs() == []


def test_valid_base64_of_something_that_is_not_a_document_is_refused(served: Served) -> None:
    with served.client() as client:
        response = client.post("/glmocr/parse", json={"images": [data_uri(b"just some text, no image" * 8)]})
    assert response.status_code == 422
    assert "not a supported document" in error_of(response)["message"]


def test_a_decompression_bomb_png_is_refused_before_it_is_decoded(served: Served) -> None:
    # GIVEN a 76 kB PNG that decodes to 400 megapixels
    bomb = bomb_png()
    rss_before = psutil.Process().memory_info().rss
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": ("scan.png", bomb, "image/png")})
        also = client.post("/glmocr/parse", json={"images": [data_uri(bomb)]})
    # THEN it is refused with the reason, without decoding it (memory did not grow by its size)
    assert response.status_code == 422
    assert "decompression bombs" in error_of(response)["message"]
    assert also.status_code == 422
    assert psutil.Process().memory_info().rss - rss_before < 200 * 1024 * 1024
    assert served.store.list_jobs() == []


def test_a_zip_file_disguised_as_png_is_refused(served: Served, tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * (50 * 1024 * 1024))
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": ("photo.png", archive.read_bytes(), "image/png")})
    assert response.status_code == 422
    assert "ZIP" in error_of(response)["message"] or "zip" in error_of(response)["message"]


def test_a_pdf_with_10000_pages_is_refused(served: Served, tmp_path: Path) -> None:
    pdf = raw_pdf(tmp_path / "huge.pdf", [(0, 0, 595, 842)] * 10_000)
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": ("huge.pdf", pdf.read_bytes(), "application/pdf")})
        assert response.status_code == 413
        error = error_of(response)
        assert error["code"] == "too_many_pages"
        assert "10000 pages" in error["message"]
        # a range within the limit is accepted
        ok = client.post("/v1/jobs", files={"file": ("huge.pdf", pdf.read_bytes())}, data={"pages": "1-2"})
        assert ok.status_code == 202, ok.text
    assert served.pipeline.wait_idle(TIMEOUT)


def test_a_2_gb_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with running_server(store_path=tmp_path / "jobs.sqlite3") as served:
        host, port = served.server.address
        rss_before = psutil.Process().memory_info().rss
        started = time.monotonic()
        # WHEN a client announces 2 GB and starts sending
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=b\r\n"
                b"Content-Length: 2147483648\r\n\r\n" + b"x" * 65536
            )
            answer = ""
            while "too_large" not in answer and (chunk := sock.recv(65536)):
                answer += chunk.decode("latin-1")
        # THEN it gets 413 at once, from the announced length, having read none of it
        assert answer.startswith("HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 5
        assert "too_large" in answer
        assert psutil.Process().memory_info().rss - rss_before < 100 * 1024 * 1024
        with served.client() as client:
            assert client.get("/health").status_code == 200


def test_a_chunked_body_over_the_limit_is_cut_off(tmp_path: Path) -> None:
    # GIVEN a limit of 1 MB and a body without Content-Length (chunked), 8 MB long
    with running_server(store_path=tmp_path / "jobs.sqlite3", max_body_bytes=1024 * 1024) as served:
        sent = 0

        def body() -> Iterator[bytes]:
            nonlocal sent
            for _ in range(128):
                sent += 65536
                yield b'{"images": ["' if sent == 65536 else b"A" * 65536

        with served.client() as client:
            try:
                response = client.post(
                    "/glmocr/parse", content=body(), headers={"content-type": "application/json"}
                )
            except httpx.WriteError:  # the server may close before the client has sent it all
                response = None
            if response is not None:
                assert response.status_code == 413
                assert error_of(response)["code"] == "too_large"
            assert client.get("/health").status_code == 200
        assert served.store.list_jobs() == []


def _closed_by_server(sock: socket.socket, within_s: float) -> bool:
    """Whether the server closes ``sock`` within ``within_s`` (after any answer it sends)."""
    deadline = time.monotonic() + within_s
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if sock.recv(65536) == b"":
                return True
    except TimeoutError:
        pass
    return False


def test_connections_that_send_no_request_are_closed(tmp_path: Path) -> None:
    # GIVEN a server that gives a connection 1 s to send its request's headers
    with running_server(store_path=tmp_path / "jobs.sqlite3", header_timeout_s=1.0) as served:
        address = served.server.address
        # WHEN clients (no token needed for this) open connections and send nothing, half a
        # request line, or a request and then nothing more
        idle = [socket.create_connection(address) for _ in range(4)]
        for sock in idle[1:]:
            sock.sendall(b"GET /heal")
        idle[3].sendall(b"th HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # answered, then kept alive
        try:
            # THEN the server closes each of them, instead of keeping a socket open for ever
            assert all(_closed_by_server(sock, 4.0) for sock in idle)
        finally:
            for sock in idle:
                sock.close()
        with served.client() as client:
            assert client.get("/health").status_code == 200


def test_connections_over_the_limit_are_closed_at_once(tmp_path: Path) -> None:
    with running_server(store_path=tmp_path / "jobs.sqlite3", max_connections=5) as served:
        address = served.server.address
        # WHEN 12 connections are opened and held
        held = [socket.create_connection(address) for _ in range(12)]
        try:
            closed = [_closed_by_server(sock, 1.0) for sock in held]
        finally:
            for sock in held:
                sock.close()
        # THEN the first 5 stay open and the 7 others are closed as soon as they are accepted
        assert closed == [False] * 5 + [True] * 7
        with served.client() as client:
            assert client.get("/health").status_code == 200


# -- load: a bounded queue -----------------------------------------------------------------------


def test_100_concurrent_requests_meet_a_bounded_queue_and_nothing_is_lost(tmp_path: Path) -> None:
    # GIVEN a queue of at most 8 API documents, and a backend that takes a while per page
    backend = ScriptedBackend(token_delay_s=0.01, tokens_per_page=10)
    with running_server(store_path=tmp_path / "jobs.sqlite3", backend=backend, max_queued_jobs=8) as served:
        page = png_bytes()
        health: list[float] = []
        stop = threading.Event()

        monitor = served.client()
        senders = served.client(limits=httpx.Limits(max_connections=100))  # 100 connections at once

        def watch_health() -> None:
            while not stop.is_set():
                started = time.monotonic()
                assert monitor.get("/health").status_code == 200
                health.append(time.monotonic() - started)
                time.sleep(0.05)

        def send(n: int) -> httpx.Response:
            return senders.post("/v1/jobs", files={"file": (f"p{n}.png", page, "image/png")})

        watcher = threading.Thread(target=watch_health, name="health-watcher")
        watcher.start()
        try:
            # WHEN 100 clients send a document at once
            with ThreadPoolExecutor(max_workers=100) as pool:
                answers = list(pool.map(send, range(100)))
            accepted = [a.json()["id"] for a in answers if a.status_code == 202]
            refused = [a for a in answers if a.status_code == 429]
            # THEN each gets 202 or 429 (nothing else: no error, no lost request)
            assert len(accepted) + len(refused) == 100, [a.status_code for a in answers]
            assert 8 <= len(accepted) < 100
            for answer in refused:
                assert int(answer.headers["retry-after"]) >= 1
                assert error_of(answer)["code"] == "queue_full"
            # AND every accepted job finishes with its page read
            with served.client() as client:
                deadline = time.monotonic() + TIMEOUT
                for job_id in accepted:
                    while (status := client.get(f"/v1/jobs/{job_id}").json())["status"] != "done":
                        assert time.monotonic() < deadline, status
                        time.sleep(0.1)
                    assert status["pages_done"] == 1
                # AND a refused client that comes back later is accepted
                again = client.post("/v1/jobs", files={"file": ("late.png", page, "image/png")})
                assert again.status_code == 202
        finally:
            stop.set()
            watcher.join()
            monitor.close()
            senders.close()
        assert served.pipeline.wait_idle(TIMEOUT)
        # AND /health answered throughout
        assert health and max(health) < 2.0
        assert len(served.store.list_jobs()) == len(accepted) + 1


def _slow_backend() -> ScriptedBackend:
    return ScriptedBackend(token_delay_s=0.05, tokens_per_page=400)  # about 20 s a page


def test_an_upload_is_copied_to_disk_not_held_in_memory_whole(served: Served, tmp_path: Path) -> None:
    # GIVEN a 40 MB upload (a valid PNG, padded after its end, as some scanners write them),
    # sent from a file in pieces
    big = tmp_path / "scan.png"
    big.write_bytes(png_bytes() + b"\0" * (40 * 1024 * 1024))
    tracemalloc.start()
    try:
        with served.client() as client, big.open("rb") as upload:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            response = client.post("/v1/jobs", files={"file": ("scan.png", upload, "image/png")})
            peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    # THEN the server stored it whole, without ever holding it in memory
    assert response.status_code == 202, response.text
    record = served.store.job(response.json()["id"])
    assert record is not None
    assert Path(record.source).read_bytes() == big.read_bytes()
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MB allocated at the peak"
    assert served.pipeline.wait_idle(TIMEOUT)
    # AND an empty upload is refused, leaving no folder behind
    folders = set(upload_root().iterdir())
    with served.client() as client:
        empty = client.post("/v1/jobs", files={"file": ("empty.png", b"", "image/png")})
    assert empty.status_code == 400
    assert error_of(empty)["code"] == "empty"
    assert set(upload_root().iterdir()) == folders


def test_a_full_queue_refuses_a_request_before_reading_its_body(tmp_path: Path) -> None:
    # GIVEN a queue of one document, full
    with running_server(
        store_path=tmp_path / "jobs.sqlite3", backend=_slow_backend(), max_queued_jobs=1
    ) as served:
        with served.client() as client:
            first = client.post("/v1/jobs", files={"file": ("a.png", png_bytes(), "image/png")})
            assert first.status_code == 202
        host, port = served.server.address
        requests = [
            ("/v1/jobs", "multipart/form-data; boundary=b"),
            ("/glmocr/parse", "application/json"),
            ("/api/paas/v4/layout_parsing", "application/json"),
        ]
        for path, content_type in requests:
            # WHEN a client announces 100 MB (within the size limit) and sends the first 64 kB
            with socket.create_connection((host, port), timeout=5) as sock:
                sock.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
                    + b"x" * 65536
                )
                answer = ""
                while "\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
                    answer += chunk.decode("latin-1")
            # THEN it gets 429 at once, without the server waiting for (and holding) the rest
            assert answer.startswith("HTTP/1.1 429"), (path, answer[:200])
            assert "retry-after: " in answer.lower()
        with served.client() as client:
            assert client.delete(f"/v1/jobs/{first.json()['id']}").status_code == 200
        assert served.pipeline.wait_idle(TIMEOUT)


def test_a_refused_image_of_a_parse_request_leaves_no_job_behind(tmp_path: Path) -> None:
    with (
        running_server(
            store_path=tmp_path / "jobs.sqlite3", backend=_slow_backend(), max_queued_jobs=2
        ) as served,
        served.client() as client,
    ):
        page = data_uri(png_bytes())
        # WHEN the second image of a request is broken THEN the first is not queued either
        broken = client.post("/glmocr/parse", json={"images": [page, "QUJD$$$$" * 20]})
        assert broken.status_code == 400
        assert served.store.list_jobs() == []
        # WHEN the third image finds the queue full THEN the two queued before it are cancelled:
        # nobody waits for them
        too_many = client.post("/glmocr/parse", json={"images": [page, page, page]})
        assert too_many.status_code == 429
        assert served.pipeline.wait_idle(TIMEOUT)
        jobs = served.store.list_jobs()
        assert len(jobs) == 2
        assert {job.status for job in jobs} == {JobStatus.CANCELLED}


# -- what a refusal looks like -----------------------------------------------------------------


def test_errors_are_json_without_a_traceback_and_refusals_are_logged_without_content(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    secret = data_uri(png_bytes("confidential")).replace("data:image/png;base64,", "")[:200] + "!!"
    with caplog.at_level(logging.WARNING, logger="ocr_desktop.server"), served.client() as client:
        bad = client.post("/glmocr/parse", json={"images": [secret]})
        missing = client.get("/v1/jobs/nope")
        wrong_method = client.get("/glmocr/parse")
        # a bug in the server: the client gets a JSON 500, the log the traceback
        served.server.board.progress = lambda record: 1 / 0  # type: ignore[method-assign]
        job = client.post("/v1/jobs", files={"file": ("a.png", png_bytes(), "image/png")})
    assert error_of(bad)["code"] == "bad_base64"
    assert missing.status_code == 404 and error_of(missing)["code"] == "no_such_job"
    assert wrong_method.status_code == 405 and error_of(wrong_method)["code"] == "method_not_allowed"
    assert job.status_code == 500
    assert error_of(job)["code"] == "internal_error"
    assert "ZeroDivisionError" not in job.text
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert len(refusals) == 3
    assert all("127.0.0.1" in line for line in refusals)
    assert not any(secret[:40] in r.getMessage() for r in caplog.records)
    assert served.pipeline.wait_idle(TIMEOUT)


def test_no_cors_unless_configured(served: Served, tmp_path: Path) -> None:
    origin = {"Origin": "https://evil.example"}
    with served.client() as client:
        assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    with (
        running_server(
            store_path=tmp_path / "j2.sqlite3", cors_origins=("https://intranet.example",)
        ) as other,
        other.client() as client,
    ):
        allowed = client.get("/health", headers={"Origin": "https://intranet.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://intranet.example"
        assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers


def test_the_upload_folder_and_files_are_private(served: Served) -> None:
    with served.client() as client:
        response = client.post("/v1/jobs", files={"file": ("a.png", png_bytes(), "image/png")})
    record = served.store.job(response.json()["id"])
    assert record is not None
    source = Path(record.source)
    assert stat.S_IMODE(source.stat().st_mode) == 0o600
    assert stat.S_IMODE(source.parent.stat().st_mode) == 0o700
    assert served.pipeline.wait_idle(TIMEOUT)
