"""``ocr-desktop ocr --format pdf,hocr``: a real subprocess reads a PDF with the real llama.cpp
runtime (the generated test model) and writes the searchable PDF and the hOCR beside the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_desktop.core.store import JobStore
from tests.fixtures.model import CliRead
from tests.test_searchable_pdf import comparable, pdftotext

pytestmark = pytest.mark.llamacpp


def test_ocr_writes_a_searchable_pdf_and_hocr(
    sample_pdf: Path, cli_read_with_llamacpp: CliRead, tmp_path: Path
) -> None:
    # GIVEN a 3-page scan and the settings naming the generated model
    out = tmp_path / "out"
    # WHEN the CLI reads it whole-page and exports txt, pdf and hocr
    result = cli_read_with_llamacpp(sample_pdf, "txt,pdf,hocr", out, 600)
    # THEN the three files are written, and each page's layer holds what the model read for it
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["sample.hocr", "sample.pdf", "sample.txt"]
    store = JobStore()
    try:
        (job,) = store.list_jobs()
        pages = store.document_result(job.id).pages
        # AND the lines read for the layer are kept with each page
        assert all(page.lines is not None and page.lines.lines for page in pages)
    finally:
        store.close()
    for page in pages:
        number = str(page.page_index + 1)
        layer = comparable(pdftotext(out / "sample.pdf", "-raw", "-f", number, "-l", number))
        assert comparable(page.text) in layer
    assert (out / "sample.hocr").read_text(encoding="utf-8").count("class='ocr_page'") == 3
