"""The searchable PDF and hOCR exports on the shared GLM-OCR examples, with their real text.

Each example's page is "read" by replaying the GLM-OCR SDK's own region outputs
(tests/data/glm-ocr-examples/NAME.json: label, 0-1000 box, content per region) as the store keeps
a layout page; the export then renders the original again, detects its lines with the real
PP-OCRv6 detector and writes the layer with OCRmyPDF's renderer. What is checked is what a person
gets: ``pdftotext`` finds every word of the .txt export; the page renders pixel-identical to the
original; and an independent position check — each word's box from ``pdftotext -bbox``, cropped
from a ``pdftoppm`` rendering of the PDF and read by the line recogniser, reads that word.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import unicodedata
from difflib import SequenceMatcher
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, PageResult, RegionResult
from ocr_desktop.exporters import FAILED, WRITTEN, export_documents
from ocr_desktop.settings import ExportSettings
from ocr_desktop.textlines import shared_reader
from tests.fixtures.files import qpdf

EXAMPLES = Path(__file__).parent / "data" / "glm-ocr-examples"
#: Label → (kind, task) as the pipeline stores a layout region.
KINDS = {"text": ("text", "text"), "table": ("table", "table"), "formula": ("formula", "formula")}
RENDER_DPI = 150


def sdk_regions(name: str, size: tuple[int, int]) -> tuple[RegionResult, ...]:
    """The SDK's regions of example ``name`` as a layout page of a ``size`` rendering holds them."""
    (page,) = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    width, height = size
    regions = []
    for order, region in enumerate(page):
        n1, m1, n2, m2 = region["bbox_2d"]
        kind, task = KINDS.get(region["label"], ("text", "text"))
        regions.append(
            RegionResult(
                order=order,
                label=region["label"],
                kind=kind,
                box=(n1 * width // 1000, m1 * height // 1000, n2 * width // 1000, m2 * height // 1000),
                box_1000=(n1, m1, n2, m2),
                task=task,
                text=region["content"],
            )
        )
    return tuple(regions)


def layout_page(index: int, name: str, size: tuple[int, int], **changes: object) -> PageResult:
    regions = sdk_regions(name, size)
    page = PageResult(
        page_index=index,
        text="\n\n".join(r.text for r in regions),
        task="text",
        backend="scripted",
        model="glm-ocr (SDK outputs replayed)",
        width=size[0],
        height=size[1],
        regions=regions,
        layout="pp-doclayout-v3",
    )
    return dataclasses.replace(page, **changes)  # type: ignore[arg-type]


def document(source: Path, pages: list[PageResult], **changes: object) -> DocumentResult:
    doc = DocumentResult(
        job_id=f"job-{source.stem}", source=str(source), name=source.name, page_count=len(pages), pages=tuple(pages)
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def export(doc: DocumentResult, out: Path, *formats: str) -> dict[str, Path]:
    report = export_documents([doc], ExportSettings(formats=formats, out_dir=str(out)))
    assert not report.failed, [o.message for o in report.failed]
    return {o.fmt: o.path for o in report.outcomes if o.path is not None}


# --- what a person checks with poppler --------------------------------------------------------


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def bbox_words(path: Path) -> list[tuple[tuple[float, float], list[tuple[str, tuple[float, float, float, float]]]]]:
    """``pdftotext -bbox``: each page's size and words with their boxes in points (top-left origin)."""
    pages = []
    for match in _PAGE.finditer(pdftotext(path, "-bbox")):
        words = [
            (unescape(w[4]), (float(w[0]), float(w[1]), float(w[2]), float(w[3])))
            for w in _WORD.findall(match.group(3))
        ]
        pages.append(((float(match.group(1)), float(match.group(2))), words))
    return pages


def rendered(path: Path, dpi: int = RENDER_DPI) -> list[Image.Image]:
    out = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path)], capture_output=True, check=False)
    # pdftoppm writes one PNG per page to stdout when no root is given: split them
    images, data = [], out.stdout
    for chunk in data.split(b"\x89PNG\r\n\x1a\n")[1:]:
        images.append(Image.open(io.BytesIO(b"\x89PNG\r\n\x1a\n" + chunk)).convert("RGB"))
    return images


def comparable(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in folded if c.isalnum())


def same_word(ours: str, read: str) -> bool:
    """Tolerant: letters and digits only, case and width folded, at least 3/4 alike (the
    recogniser misreads a character here and there; a word cropped in the wrong place reads as
    something else entirely)."""
    a, b = comparable(ours), comparable(read)
    return a == b or SequenceMatcher(None, a, b).ratio() >= 0.75


def is_math(text: str, centre: tuple[float, float], formulas: list[tuple[float, float, float, float]]) -> bool:
    """A word of a formula: inside a formula region, or LaTeX made plain (``t_1``, ``mm^2``). Its
    text is no reading of the ink (a fraction is drawn, ``(q l)/(2 t_1)`` is written), so the
    recogniser cannot confirm it; formulas are placed on their boxes and checked as such."""
    x, y = centre
    inside = any(x1 <= x <= x2 and y1 <= y <= y2 for x1, y1, x2, y2 in formulas)
    return inside or any(mark in text for mark in "_^\\")


def position_share(path: Path, formulas_1000: tuple[tuple[int, int, int, int], ...] = ()) -> tuple[float, int]:
    """The share of the layer's words whose crop of the rendered page reads that word, and the
    number of words checked (words of no letter or digit, and formulas, are skipped)."""
    reader = shared_reader()
    hits = total = 0
    for ((width, height), words), image in zip(bbox_words(path), rendered(path), strict=True):
        scale = RENDER_DPI / 72
        formulas = [(a * width / 1000, b * height / 1000, c * width / 1000, d * height / 1000) for a, b, c, d in formulas_1000]
        for text, (x1, y1, x2, y2) in words:
            if not comparable(text) or is_math(text, ((x1 + x2) / 2, (y1 + y2) / 2), formulas):
                continue
            pad = (y2 - y1) * 0.15
            crop = image.crop(
                (
                    max(0, round((x1 - pad) * scale)),
                    max(0, round((y1 - pad) * scale)),
                    round((x2 + pad) * scale),
                    round((y2 + pad) * scale),
                )
            )
            read, _confidence = reader.recognize(crop)
            total += 1
            hits += same_word(text, read)
    return (hits / total if total else 0.0), total


def txt_words(path: Path) -> list[str]:
    """Words of the .txt export to look for: separators and markup-free runs of letters/digits."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^--- Page \d+ ---$", "", text, flags=re.M)
    return [comparable(w) for w in text.split() if comparable(w)]


# --- the examples -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each example page exported once as .txt, .pdf and .hocr (line detection takes seconds)."""
    out: dict[str, dict[str, Path]] = {}
    folder = tmp_path_factory.mktemp("examples")
    for name in ("page", "table", "code", "handwritten"):
        source = EXAMPLES / "source" / f"{name}.png"
        with Image.open(source) as image:
            size = image.size
        doc = document(source, [layout_page(0, name, size)])
        out[name] = export(doc, folder / name, "txt", "pdf", "hocr")
    return out


@pytest.mark.parametrize("name", ["page", "table", "code", "handwritten"])
def test_the_layer_holds_every_word_of_the_txt_export(
    name: str, example_exports: dict[str, dict[str, Path]]
) -> None:
    files = example_exports[name]
    layer = comparable(pdftotext(files["pdf"], "-raw"))  # content order: the layer's reading order
    missing = [word for word in txt_words(files["txt"]) if word not in layer]
    assert missing == []


@pytest.mark.parametrize(("name", "least"), [("page", 0.9), ("table", 0.9), ("code", 0.9), ("handwritten", 0.0)])
def test_each_word_lies_where_the_page_shows_it(
    name: str, least: float, example_exports: dict[str, dict[str, Path]]
) -> None:
    formulas = tuple(r.box_1000 for r in sdk_regions(name, (1000, 1000)) if r.kind == "formula")
    share, words = position_share(example_exports[name]["pdf"], formulas)
    print(f"{name}: {share:.1%} of {words} words read the same at their box in the layer")
    assert words >= 10
    assert share >= least


def test_chinese_is_found_by_a_search(example_exports: dict[str, dict[str, Path]]) -> None:
    page = pdftotext(example_exports["page"]["pdf"])
    table = pdftotext(example_exports["table"]["pdf"])
    assert "胶缝" in page
    assert "点支承玻璃幕墙结构设计" in "".join(page.split())
    assert "非流动性资产处置损益" in "".join(table.split())


def test_an_image_becomes_one_page_at_its_own_resolution(example_exports: dict[str, dict[str, Path]]) -> None:
    info = subprocess.run(
        ["pdfimages", "-list", str(example_exports["code"]["pdf"])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    (image,) = info
    assert image.split()[3:5] == ["540", "666"]  # the PNG's own pixels, not resampled
