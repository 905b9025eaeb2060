"""The model manager against a fake Hugging Face Hub on loopback: the real huggingface_hub download,
resume, metadata and cache code runs; only the server is ours.

The fake hub answers the requests huggingface_hub makes: ``HEAD``/``GET
/{repo}/resolve/{revision}/{file}`` (with ``X-Repo-Commit``, ``ETag`` = the file's sha256 as for an
LFS file, ``Content-Length`` and ``Range`` support), ``GET /api/models/{repo}/revision/{revision}``
(``?blobs=true`` adds sizes and LFS sha256s) and, for a whole-repository download,
``GET /api/models/{repo}/tree/{commit}``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ocr_desktop import cli
from ocr_desktop.models import catalog, hub
from ocr_desktop.models.catalog import CatalogEntry, ModelFile
from ocr_desktop.models.gguf import GgufError, read_gguf_header
from ocr_desktop.settings import Settings
from tests.fixtures.model import TestModel

REPO = "test-org/GLM-OCR-test-GGUF"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
MODEL_BYTES = bytes(range(256)) * 3000  # 768,000 B: several download chunks
MMPROJ_BYTES = b"mmproj" * 20_000
BIG_BYTES = bytes(range(256)) * 80_000  # 20.5 MB: more than one 10 MB download chunk


@dataclass
class FakeHub:
    url: str
    files: dict[str, bytes]
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, Range header)
    drop_after: dict[str, int] = field(default_factory=dict)  # file -> bytes sent before the line drops
    chunk_delay_s: float = 0.0  # a slow line: this long between 64 KiB chunks


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _handler(hub_state: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep the test output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, *, body: bool) -> None:
            hub_state.requests.append((self.command, self.path, self.headers.get("Range", "")))
            path = self.path.split("?", 1)[0]
            if path == f"/api/models/{REPO}/revision/main":
                self._model_info(blobs="blobs=true" in self.path)
                return
            if path == f"/api/models/{REPO}/tree/{COMMIT}":
                self._json([{"type": "file", "path": name, "size": len(data), "oid": "b" * 40,
                             "lfs": {"size": len(data), "oid": _sha256(data), "pointerSize": 134}}
                            for name, data in hub_state.files.items()])  # fmt: skip
                return
            name = None
            for revision in ("main", COMMIT):  # snapshot downloads ask by commit
                prefix = f"/{REPO}/resolve/{revision}/"
                if path.startswith(prefix):
                    name = path[len(prefix) :]
            if name not in hub_state.files:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.end_headers()
                return
            data = hub_state.files[name]
            start = 0
            if self.headers.get("Range", "").startswith("bytes="):
                start = int(self.headers["Range"][6:].split("-")[0])
            self.send_response(206 if start else 200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{_sha256(data)}"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(data) - start))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if body and name in hub_state.drop_after:
                # The connection breaks mid-file (once): the client must ask for the rest.
                self.wfile.write(data[: hub_state.drop_after.pop(name)])
                self.wfile.flush()
                self.close_connection = True
            elif body and hub_state.chunk_delay_s:
                for offset in range(start, len(data), 1 << 16):
                    time.sleep(hub_state.chunk_delay_s)
                    self.wfile.write(data[offset : offset + (1 << 16)])
                    self.wfile.flush()
            elif body:
                self.wfile.write(data[start:])

        def _model_info(self, *, blobs: bool) -> None:
            siblings = []
            for name, data in hub_state.files.items():
                sibling: dict[str, object] = {"rfilename": name}
                if blobs:
                    sibling |= {"size": len(data), "blobId": "b" * 40}
                    sibling["lfs"] = {"size": len(data), "sha256": _sha256(data), "pointerSize": 134}
                siblings.append(sibling)
            self._json({"id": REPO, "sha": COMMIT, "siblings": siblings})

        def _json(self, data: object) -> None:
            payload = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A fake Hub serving a GGUF pair, the catalog pointed at it, HF_ENDPOINT set to it."""
    files = {
        "GLM-OCR-test.gguf": MODEL_BYTES,
        "mmproj-GLM-OCR-test.gguf": MMPROJ_BYTES,
        "big.gguf": BIG_BYTES,
    }
    state = FakeHub("", files)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-hub", daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", state.url)
    entries = (
        CatalogEntry(
            "test-q8",
            "llamacpp",
            REPO,
            "test GGUF pair",
            files=(
                ModelFile("GLM-OCR-test.gguf", "model", len(MODEL_BYTES)),
                ModelFile("mmproj-GLM-OCR-test.gguf", "mmproj", sha256=_sha256(MMPROJ_BYTES)[:8] + "…"),
            ),
            download_bytes=len(MODEL_BYTES) + len(MMPROJ_BYTES),
        ),
        # Shares the repository with test-q8, as glm-ocr-f16 does with glm-ocr-q8_0.
        CatalogEntry("test-mmproj-only", "llamacpp", REPO, "shares the repo", files=(ModelFile(
            "mmproj-GLM-OCR-test.gguf", "mmproj"),)),
        CatalogEntry("test-big", "llamacpp", REPO, "a big file", files=(ModelFile("big.gguf", "model"),)),
        CatalogEntry("test-vllm", "vllm", REPO, "the whole repository"),
    )  # fmt: skip
    monkeypatch.setattr(catalog, "CATALOG", entries)
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def test_pull_downloads_into_the_hub_cache_with_progress(fake_hub: FakeHub, isolated_user_dirs: Path) -> None:
    # WHEN the model is pulled
    seen: list[hub.DownloadProgress] = []
    paths = hub.pull("test-q8", progress=seen.append)
    # THEN both files are in huggingface_hub's standard cache under HF_HOME, byte for byte
    assert paths["model"].read_bytes() == MODEL_BYTES
    assert paths["mmproj"].read_bytes() == MMPROJ_BYTES
    assert paths["model"].is_relative_to(isolated_user_dirs / "hf" / "hub")
    assert "models--test-org--GLM-OCR-test-GGUF/snapshots" in str(paths["model"])
    # AND progress was reported per file with the size, growing to the end, with a speed
    model_reports = [p for p in seen if p.done_bytes and p.total_bytes == len(MODEL_BYTES)]
    assert model_reports, seen
    assert [p.done_bytes for p in model_reports] == sorted(p.done_bytes for p in model_reports)
    assert model_reports[-1].done_bytes == len(MODEL_BYTES)
    assert model_reports[-1].bytes_per_s > 0
    assert hub.model_paths("test-q8") == paths


def test_pull_resumes_a_download_whose_connection_drops(fake_hub: FakeHub) -> None:
    from huggingface_hub.constants import DOWNLOAD_CHUNK_SIZE

    # GIVEN a connection that breaks after 15 MB of a 20 MB file
    fake_hub.drop_after["big.gguf"] = 15_000_000
    # WHEN the model is pulled
    paths = hub.pull("test-big")
    # THEN the rest was asked for from the last chunk written (huggingface_hub writes 10 MB chunks)
    ranges = [r for method, path, r in fake_hub.requests if method == "GET" and path.endswith("/big.gguf")]
    assert ranges == ["", f"bytes={DOWNLOAD_CHUNK_SIZE}-"]
    assert paths["model"].read_bytes() == BIG_BYTES


def test_pull_a_whole_repository_for_vllm(fake_hub: FakeHub) -> None:
    fake_hub.files["config.json"] = b'{"model_type": "glm_ocr"}'
    paths = hub.pull("test-vllm")
    snapshot = paths["snapshot"]
    assert sorted(p.name for p in snapshot.iterdir()) == sorted(fake_hub.files)
    assert (snapshot / "config.json").read_bytes() == fake_hub.files["config.json"]
    assert all(c.ok for c in hub.verify("test-vllm"))
    assert hub.remove("test-vllm") >= sum(len(data) for data in fake_hub.files.values())  # + refs, listing
    with pytest.raises(hub.ModelNotFoundError):
        hub.model_paths("test-vllm")


def test_pull_again_skips_complete_files(fake_hub: FakeHub) -> None:
    hub.pull("test-q8")
    fake_hub.requests.clear()
    hub.pull("test-q8")
    assert [r for r in fake_hub.requests if r[0] == "GET" and "/resolve/" in r[1]] == []


def test_verify_passes_then_detects_corruption(fake_hub: FakeHub) -> None:
    paths = hub.pull("test-q8")
    checks = hub.verify("test-q8")
    assert [(c.filename, c.ok) for c in checks] == [
        ("GLM-OCR-test.gguf", True),
        ("mmproj-GLM-OCR-test.gguf", True),
    ]
    assert all(c.detail == "size and sha256 match the Hub" for c in checks)
    # WHEN one byte of the model changes (same size)
    blob = paths["model"].resolve()
    data = bytearray(blob.read_bytes())
    data[1000] ^= 0xFF
    blob.write_bytes(bytes(data))
    # THEN verify names the file and the hash mismatch
    bad = [c for c in hub.verify("test-q8") if not c.ok]
    assert [c.filename for c in bad] == ["GLM-OCR-test.gguf"]
    assert "sha256" in bad[0].detail and "does not match" in bad[0].detail
    # AND a truncated file is caught by its size
    blob.write_bytes(MODEL_BYTES[:1000])
    bad = [c for c in hub.verify("test-q8") if not c.ok]
    assert bad[0].detail == f"size 1,000 B, expected {len(MODEL_BYTES):,} B"


def test_verify_without_the_hub_uses_the_download_record(
    fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = hub.pull("test-q8")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    assert all(c.ok for c in hub.verify("test-q8"))
    blob = paths["mmproj"].resolve()
    blob.write_bytes(b"X" + MMPROJ_BYTES[1:])
    bad = [c for c in hub.verify("test-q8") if not c.ok]
    assert [c.filename for c in bad] == ["mmproj-GLM-OCR-test.gguf"]


def test_rm_removes_only_that_models_files(fake_hub: FakeHub) -> None:
    # GIVEN two catalog entries from one repository, both downloaded
    hub.pull("test-q8")
    hub.pull("test-mmproj-only")
    # WHEN one of them is removed
    freed = hub.remove("test-q8")
    # THEN its files are gone, and the shared file of the other entry is kept
    assert freed == len(MODEL_BYTES) + len(MMPROJ_BYTES)
    with pytest.raises(hub.ModelNotFoundError, match="models pull test-q8"):
        hub.model_paths("test-q8")
    with pytest.raises(hub.ModelNotFoundError):
        hub.remove("test-q8")


def test_offline_gives_a_clear_error(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(hub.HubUnreachableError) as caught:
        hub.pull("test-q8")
    message = caught.value.message
    assert message.startswith("cannot reach the Hugging Face Hub at http://127.0.0.1:9 to download 'test-q8'")
    assert "check the network connection" in message
    assert "files already downloaded are kept" in message


def test_offline_mode_is_named(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(hub.HubUnreachableError, match=r"offline mode is on \(HF_HUB_OFFLINE\)"):
        hub.pull("test-q8")


def test_unknown_file_on_the_hub(fake_hub: FakeHub) -> None:
    del fake_hub.files["mmproj-GLM-OCR-test.gguf"]
    with pytest.raises(hub.ModelError, match="the Hub refused the download of 'test-q8'"):
        hub.pull("test-q8")


def test_catalog_model_resolves_for_llama_cpp_after_pull(fake_hub: FakeHub) -> None:
    settings = Settings().with_value("llamacpp.catalog_model", "test-q8")
    with pytest.raises(hub.ModelNotFoundError, match=r"ocr-desktop models pull test-q8"):
        hub.resolve_llamacpp_files(settings)
    paths = hub.pull("test-q8")
    assert hub.resolve_llamacpp_files(settings) == (paths["model"], paths["mmproj"])


def test_user_files_from_any_path(tmp_path: Path) -> None:
    settings = (
        Settings()
        .with_value("llamacpp.model_path", str(tmp_path / "mine" / "glm.gguf"))
        .with_value("llamacpp.mmproj_path", str(tmp_path / "elsewhere" / "proj.gguf"))
    )
    for path in (settings.llamacpp.model_path, settings.llamacpp.mmproj_path):
        Path(path).parent.mkdir()
        Path(path).write_bytes(b"GGUF")
    assert hub.resolve_llamacpp_files(settings) == (
        tmp_path / "mine" / "glm.gguf",
        tmp_path / "elsewhere" / "proj.gguf",
    )


def test_hash_matching_accepts_abbreviated_hashes() -> None:
    full = _sha256(b"x")
    assert catalog.hash_matches(full, full)
    assert catalog.hash_matches(f"{full[:8]}…{full[-4:]}", full)
    assert not catalog.hash_matches(f"{full[:8]}…0000", full)
    assert not catalog.hash_matches("0" * 64, full)


# --- the CLI -------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(["models", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_pull_path_verify_list_rm(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "pull", "test-q8")
    assert status == 0, err
    assert "downloading test-q8 from test-org/GLM-OCR-test-GGUF" in err
    assert "is downloaded and verified" in err
    model_path = hub.model_paths("test-q8")["model"]
    assert f"model: {model_path}" in out

    status, out, _ = run_cli(capsys, "path", "test-q8")
    assert (status, out.splitlines()[0]) == (0, str(model_path))

    status, out, _ = run_cli(capsys, "verify", "test-q8")
    assert status == 0
    assert out.count("ok  ") == 2

    status, out, _ = run_cli(capsys, "list")
    assert status == 0
    line = next(line for line in out.splitlines() if line.startswith("test-q8 "))
    assert "downloaded" in line

    status, out, _ = run_cli(capsys, "rm", "test-q8")
    assert (status, out.strip()) == (0, "removed test-q8 (867 KiB freed)")  # 888,000 B
    status, _, err = run_cli(capsys, "path", "test-q8")
    assert status == 1
    assert "ocr-desktop models pull test-q8" in err


def test_cli_verify_fails_on_a_damaged_file(fake_hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    paths = hub.pull("test-q8")
    paths["model"].resolve().write_bytes(MODEL_BYTES[:10])
    status, out, err = run_cli(capsys, "verify", "test-q8")
    assert status == 1
    assert "FAILED  GLM-OCR-test.gguf: size 10 B" in out
    assert "run `ocr-desktop models rm test-q8` and pull it again" in err


def test_cli_unknown_name_and_offline(
    fake_hub: FakeHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = run_cli(capsys, "pull", "nope")
    assert status == 2
    assert "unknown model 'nope' — the catalog has: test-q8, test-mmproj-only, test-big, test-vllm" in err
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    status, _, err = run_cli(capsys, "pull", "test-q8")
    assert status == 1
    assert "cannot reach the Hugging Face Hub" in err


# --- GGUF headers ----------------------------------------------------------------------------------


def test_gguf_header_of_the_generated_pair(test_model: TestModel) -> None:
    text = read_gguf_header(test_model.gguf)
    assert (text.architecture, text.is_projector) == ("glm4", False)
    assert text.arch_value("block_count") == 3  # 2 layers + the NextN/MTP layer
    assert text.arch_value("attention.head_count_kv") == 2
    assert "tokenizer.ggml.tokens" not in text.metadata  # the 59,392-entry vocabulary is skipped over
    projector = read_gguf_header(test_model.mmproj)
    assert projector.is_projector
    assert projector.metadata["clip.projector_type"] == "glm4v"
    assert projector.metadata["clip.vision.projection_dim"] == text.arch_value("embedding_length") == 64


def test_gguf_header_errors(tmp_path: Path) -> None:
    html = tmp_path / "error-page.gguf"
    html.write_bytes(b"<!DOCTYPE html><html>rate limited</html>")
    with pytest.raises(GgufError, match="is not a GGUF file"):
        read_gguf_header(html)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 10, 5) + struct.pack("<Q", 20) + b"general.arch")
    with pytest.raises(GgufError, match=r"damaged GGUF header .* download it again"):
        read_gguf_header(cut)
    future = tmp_path / "v9.gguf"
    future.write_bytes(b"GGUF" + struct.pack("<IQQ", 9, 0, 0))
    with pytest.raises(GgufError, match="GGUF version 9, which is not supported"):
        read_gguf_header(future)
