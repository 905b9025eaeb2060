"""``ocrmypdf --plugin ocr_desktop.ocrmypdf_plugin``: the real ``ocrmypdf`` command reads a PDF
through the app's pipeline and the real llama.cpp backend (the generated test model), and the
store's results are reused by a second run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.core.store import JobStore
from ocr_desktop.settings import Settings
from tests.fixtures.files import make_pdf
from tests.test_searchable_pdf import comparable, pdftotext

pytestmark = pytest.mark.llamacpp

ROOT = Path(__file__).resolve().parents[1]


def ocrmypdf(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrmypdf", "--plugin", "ocr_desktop.ocrmypdf_plugin", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_ocrmypdf_reads_a_pdf_through_the_plugin(llamacpp_settings: Settings, tmp_path: Path) -> None:
    # GIVEN the app's settings naming the generated model (whole-page reading, short answers)
    settings = llamacpp_settings.with_value("generation.max_tokens", 24).with_value("reading.mode", "page")
    settings_mod.save(settings, paths.settings_file())
    source = make_pdf(tmp_path / "in.pdf", ["Invoice 1000 paid", "Second page total 42"])
    # WHEN ocrmypdf reads it with the plugin (no Ghostscript: plain PDF output; one worker)
    first = ocrmypdf("--output-type", "pdf", "-j", "1", source, tmp_path / "out.pdf")
    # THEN it succeeds, and the layer of each page holds what the model read for that page
    assert first.returncode == 0, first.stderr
    store = JobStore()
    try:
        jobs = store.list_jobs()
        assert len(jobs) == 2
        texts = [
            store.document_result(job.id).pages[0].text for job in sorted(jobs, key=lambda j: j.created_at)
        ]
    finally:
        store.close()
    assert all(texts)
    for number, text in enumerate(texts, 1):
        # -raw: the layer's own order (the model's), so the words read as the model wrote them
        layer = comparable(pdftotext(tmp_path / "out.pdf", "-raw", "-f", str(number), "-l", str(number)))
        assert comparable(text) in layer
    # AND a second run takes the pages from the store: no page is read again
    second = ocrmypdf("--output-type", "pdf", "-j", "1", source, tmp_path / "again.pdf")
    assert second.returncode == 0, second.stderr
    store = JobStore()
    try:
        assert len(store.list_jobs()) == 2
    finally:
        store.close()
    assert pdftotext(tmp_path / "again.pdf") == pdftotext(tmp_path / "out.pdf")
