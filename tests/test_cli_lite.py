"""The lite engine from the command line, as real subprocesses: ``--backend lite``, the first run
with no GLM-OCR model (read with the lite engine, a note in the summary) and ``doctor``."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.fixtures.layout import FONT, draw_page
from tests.test_cli import ocr_desktop

WORDS = ["Invoice number 4711", "Total amount due 129 EUR"]


def drawn_invoice(path: Path) -> Path:
    page = Image.new("RGB", (1000, 400), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 30)
    for i, text in enumerate(WORDS):
        draw.text((60, 60 + 140 * i), text, fill="black", font=font)
    page.save(path)
    return path


def test_first_run_without_a_model_reads_with_the_lite_engine_and_says_so(tmp_path: Path) -> None:
    # GIVEN an empty config (llama.cpp, its model never downloaded) and a drawn page of known words
    image = drawn_invoice(tmp_path / "invoice.png")
    out = tmp_path / "out"
    # WHEN the CLI reads it
    proc = ocr_desktop("ocr", str(image), "--mode", "page", "--format", "txt,json", "--out", str(out))
    # THEN it reads with the lite engine at once, and the summary says why and what to do
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no GLM-OCR model is installed" in proc.stderr and "reading with PP-OCRv6 (lite)" in proc.stderr
    summary = " ".join(proc.stdout.split())  # rich wraps long lines
    assert "1 page(s) read with PP-OCRv6 (lite), not GLM-OCR" in summary
    assert "ocr-desktop models pull glm-ocr-q8_0" in summary
    text = (out / "invoice.txt").read_text(encoding="utf-8")
    assert all(words in text for words in WORDS)
    assert "read with PP-OCRv6 (lite)" in text  # the export is labelled too
    page = json.loads((out / "invoice.json").read_text(encoding="utf-8"))["pages"][0]
    assert (page["backend"], page["model"]) == ("lite", "PP-OCRv6 (lite)")


def test_backend_lite_reads_a_layout_page_by_regions_and_flags_its_table(tmp_path: Path) -> None:
    # GIVEN the drawn layout page (two columns, a table, a formula, a figure)
    page, _parts = draw_page()
    image = tmp_path / "paper.png"
    page.save(image)
    out = tmp_path / "out"
    # WHEN it is read in layout mode with the lite engine, chosen by name
    proc = ocr_desktop(
        "ocr", str(image), "--backend", "lite", "--mode", "layout", "--format", "txt,json", "--out", str(out)
    )
    # THEN the regions are read, the table's kept as lines and flagged, and no first-run note appears
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no GLM-OCR model is installed" not in proc.stderr
    data = json.loads((out / "paper.json").read_text(encoding="utf-8"))["pages"][0]
    assert data["backend"] == "lite" and data["regions"]
    (table,) = [r for r in data["regions"] if r["kind"] == "table"]
    assert "lines_only" in table["flags"] and "cell 2.3" in table["text"]
    assert "lines_only" in data["flags"]
    text = (out / "paper.txt").read_text(encoding="utf-8")
    assert "Table 1. Regions found per page" in text and "without its structure" in text


def test_doctor_lists_the_lite_engine_and_says_it_reads_until_glm_ocr_is_installed() -> None:
    # GIVEN an empty config: llama.cpp, its model not downloaded
    proc = ocr_desktop("doctor")
    lines = proc.stdout.splitlines()
    # THEN the lite engine is listed as usable, and said to read until GLM-OCR is there
    assert any(line.startswith("ok  backend PP-OCRv6 (lite): PP-OCRv6 models ship inside") for line in lines)
    assert proc.returncode == 1 and "Until then, documents are read with PP-OCRv6 (lite)" in proc.stdout
