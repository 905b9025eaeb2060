"""End to end: ``python -m ocr_desktop ocr sample.pdf --backend llamacpp --format md,txt,json`` in a
real subprocess, with the real llama.cpp runtime and the generated model chosen in the settings file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.model import CliRead

pytestmark = pytest.mark.llamacpp


def test_ocr_a_pdf_to_md_txt_json_with_llama_cpp(
    sample_pdf: Path, cli_read_with_llamacpp: CliRead, tmp_path: Path
) -> None:
    # GIVEN a 3-page PDF and a settings file (in the test's XDG config dir) naming the generated model
    out = tmp_path / "out"
    # WHEN the CLI reads it with llama.cpp, whole pages (layout mode: tests/test_cli_layout.py)
    result = cli_read_with_llamacpp(sample_pdf, "md,txt,json", out, 300)
    # THEN it succeeds and writes the three files
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["sample.json", "sample.md", "sample.txt"]
    # AND each has one section per page, in order, with the model's text
    data = json.loads((out / "sample.json").read_text(encoding="utf-8"))
    pages = data["pages"]
    assert [p["number"] for p in pages] == [1, 2, 3]
    for page in pages:
        assert page["backend"] == "llamacpp"
        assert page["model"] == "glm-ocr-test-f16.gguf"
        assert page["text"].strip()
        assert page["finish_reason"] == "length"
        assert page["tokens"]["completion"] == 24
        assert page["tokens"]["prompt"] == page["tokens"]["image"] + 11
        assert page["tokens"]["image"] == (page["image"]["width"] // 28) * (page["image"]["height"] // 28)
    markdown = (out / "sample.md").read_text(encoding="utf-8")
    starts = [markdown.index(f"<!-- page {n} -->") for n in (1, 2, 3)]
    assert starts == sorted(starts)
    assert markdown.count("<!-- page ") == 3
    text = (out / "sample.txt").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("--- Page")] == [
        "--- Page 1 ---",
        "--- Page 2 ---",
        "--- Page 3 ---",
    ]
    assert pages[0]["text"] in text and pages[0]["text"] in markdown
