"""Compatibility proven with the real clients, against ``ocr-desktop serve`` in a real subprocess
reading with llama.cpp and the generated model: GLM-OCR's SDK from PyPI in MaaS mode (its own
venv, made by ``scripts/setup.sh test``), and ``curl`` running a multipart job whose ``.md`` must
equal the CLI's for the same file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.settings import Settings
from tests.fixtures.model import build_cache

pytestmark = pytest.mark.llamacpp

EXAMPLE = Path(__file__).parent / "data" / "glm-ocr-examples" / "source" / "page.png"
GLMOCR_PYTHON = build_cache() / "glmocr-venv" / "bin" / "python"

#: Run by the SDK's venv: parse one file through GlmOcr in MaaS mode, print what it got.
SDK_SCRIPT = """
import json, sys
from glmocr import GlmOcr
url, key, path = sys.argv[1:4]
with GlmOcr(mode="maas", api_key=key, api_url=url) as parser:
    result = parser.parse(path)
print(json.dumps({"markdown": result.markdown_result, "json": result.json_result,
                  "error": getattr(result, "_error", None)}))
"""


@dataclass
class Serving:
    url: str
    token: str
    process: subprocess.Popen[str]


@pytest.fixture
def fast_settings(llamacpp_settings: Settings) -> Settings:
    """The generated model, whole pages at 72 DPI and 24 tokens: the same for serve and the CLI."""
    settings = (
        llamacpp_settings.with_value("generation.max_tokens", 24)
        .with_value("reading.mode", "page")
        .with_value("documents.dpi", 72)
    )
    settings_mod.save(settings, paths.settings_file())
    return settings


@contextmanager
def serve(tmp_path: Path) -> Iterator[Serving]:
    """``ocr-desktop serve`` on a free port with a token file, reading with the settings file."""
    token_file = tmp_path / "token"
    process = subprocess.Popen(
        [sys.executable, "-m", "ocr_desktop", "serve", "--port", "0", "--token-file", str(token_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("serving GLM-OCR's API on http://127.0.0.1:"), line + process.stderr.read()
        yield Serving(line.split(" on ", 1)[1].strip(), token_file.read_text().strip(), process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


@pytest.fixture
def serving(fast_settings: Settings, tmp_path: Path) -> Iterator[Serving]:
    with serve(tmp_path) as serving:
        yield serving


def run_sdk(api_url: str, key: str, path: Path) -> dict[str, Any]:
    if not GLMOCR_PYTHON.exists():
        pytest.fail(f"GLM-OCR's SDK venv is missing at {GLMOCR_PYTHON}: run scripts/setup.sh test")
    result = subprocess.run(
        [str(GLMOCR_PYTHON), "-c", SDK_SCRIPT, api_url, key, str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_glmocr_sdk_in_maas_mode_reads_a_shared_example(serving: Serving) -> None:
    # GIVEN the SDK from PyPI with api_url pointed at the app (only the host changed) and an api_key
    # WHEN it parses a shared GLM-OCR example
    got = run_sdk(f"{serving.url}/api/paas/v4/layout_parsing", serving.token, EXAMPLE)
    # THEN it gets Markdown and regions back, the boxes normalised by the client from our page sizes
    assert got["error"] is None
    assert got["markdown"].strip()
    [[region]] = got["json"]
    assert region["label"] == "text"
    assert region["bbox_2d"] == [0, 0, 1000, 1000]
    assert region["content"].strip() and region["content"].strip() in got["markdown"]


def test_the_sdk_with_a_wrong_api_key_gets_nothing(serving: Serving) -> None:
    got = run_sdk(f"{serving.url}/api/paas/v4/layout_parsing", "not-the-token-0123456789", EXAMPLE)
    # the SDK reports the failure on the result (it logs and goes on, as for any MaaS error)
    assert "401" in got["error"]
    assert not got["markdown"]


def test_the_sdk_reads_a_layout_page_and_crops_its_figure_from_our_boxes(
    llamacpp_settings: Settings, tmp_path: Path
) -> None:
    from tests.fixtures.layout import draw_page

    # GIVEN the app reading in layout mode (CDLA) and a drawn page with a figure
    settings = (
        llamacpp_settings.with_value("reading.mode", "layout")
        .with_value("reading.layout_model", "cdla")
        .with_value("generation.max_tokens", 16)
        .with_value("documents.max_pixels", 50_176)
    )
    settings_mod.save(settings, paths.settings_file())
    page = tmp_path / "drawn.png"
    draw_page()[0].save(page)
    with serve(tmp_path) as serving:
        got = run_sdk(f"{serving.url}/api/paas/v4/layout_parsing", serving.token, page)
    # THEN the SDK gets the layout's regions, its boxes on 0-1000 from our pixels and page size
    assert got["error"] is None
    [regions] = got["json"]
    assert {"text", "table", "image"} <= {region["label"] for region in regions}
    for region in regions:
        x1, y1, x2, y2 = region["bbox_2d"]
        assert 0 <= x1 < x2 <= 1000 and 0 <= y1 < y2 <= 1000
    # AND it cropped the figure from its own copy of the page, where our reference said
    assert "![](page=" not in got["markdown"]
    assert "imgs/" in got["markdown"]


def _curl(*args: str) -> str:
    done = subprocess.run(
        ["curl", "-sS", "--fail-with-body", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_curl_multipart_job_gives_the_same_md_as_the_cli(
    serving: Serving, sample_pdf: Path, tmp_path: Path
) -> None:
    auth = f"Authorization: Bearer {serving.token}"
    # GIVEN a 3-page PDF sent as a multipart job with curl
    job = json.loads(_curl("-H", auth, "-F", f"file=@{sample_pdf}", f"{serving.url}/v1/jobs"))
    # WHEN it is polled to the end
    deadline = time.monotonic() + 300
    seen = []
    while (status := json.loads(_curl("-H", auth, f"{serving.url}/v1/jobs/{job['id']}")))["status"] != "done":
        assert status["status"] in ("queued", "running"), status
        seen.append(status["pages_done"])
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status["pages_done"] == status["pages_total"] == 3
    assert seen == sorted(seen)
    served_md = _curl("-H", auth, f"{serving.url}/v1/jobs/{job['id']}/result.md")
    # THEN its .md is the CLI's for the same file, byte for byte
    out = tmp_path / "cli-out"
    cli = subprocess.run(
        [sys.executable, "-m", "ocr_desktop", "ocr", str(sample_pdf), "--format", "md", "--out", str(out),
         "--no-resume"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert served_md == (out / "sample.md").read_text(encoding="utf-8")
    assert served_md.count("<!-- page ") == 3


def test_serve_refuses_a_network_address_without_a_token(fast_settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ocr_desktop", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "without an access token" in done.stderr
    assert "serving" not in done.stdout
