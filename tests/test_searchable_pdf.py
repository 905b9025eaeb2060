"""The searchable PDF and hOCR exports on the shared GLM-OCR examples, with their real text.

Each example's page is "read" by replaying the GLM-OCR SDK's own region outputs
(tests/data/glm-ocr-examples/NAME.json: label, 0-1000 box, content per region) as the store keeps
a layout page; the export then renders the original again, detects its lines with the real
PP-OCRv6 detector and writes the layer with OCRmyPDF's renderer. What is checked is what a person
gets: ``pdftotext`` finds every word of the .txt export; the page renders pixel-identical to the
original; and an independent position check — each word's box from ``pdftotext -bbox``, cropped
from a ``pdftoppm`` rendering of the PDF and read by the line recogniser, reads that word; a
formula's words (LaTeX, which no recogniser reads back from the drawn glyphs) are counted apart
and must lie on a line the detector finds on that rendering (``PositionCheck``).
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

from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, PageLines, PageResult, RegionResult
from ocr_desktop.exporters import WRITTEN, export_documents
from ocr_desktop.settings import ExportSettings
from ocr_desktop.textlines import LineReader, shared_reader
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
        job_id=f"job-{source.stem}",
        source=str(source),
        name=source.name,
        page_count=len(pages),
        pages=tuple(pages),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def export(doc: DocumentResult, out: Path, *formats: str) -> dict[str, Path]:
    report = export_documents([doc], ExportSettings(formats=formats, out_dir=str(out)))
    assert not report.failed, [o.message for o in report.failed]
    return {o.fmt: o.path for o in report.outcomes if o.path is not None}


# --- what a person checks with poppler --------------------------------------------------------


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def bbox_words(
    path: Path,
) -> list[tuple[tuple[float, float], list[tuple[str, tuple[float, float, float, float]]]]]:
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


#: LaTeX made plain in running text: a command, a power, a short subscript (``t_1``, ``σ_(w``),
#: not an identifier of code (``comp_fi1``).
_LATEX = re.compile(r"[\\^]|_(?:\(|\w{1,2}\b)")


def is_math(
    text: str, centre: tuple[float, float], formulas: list[tuple[float, float, float, float]]
) -> bool:
    """A word of a formula: inside a formula region, or LaTeX made plain (``t_1``, ``mm^2``). Its
    text is no reading of the ink (a fraction is drawn, ``(q l)/(2 t_1)`` is written; a subscript
    is too small for the recogniser), so the recogniser cannot confirm it: it is checked by where
    it lies instead (``PositionCheck``)."""
    x, y = centre
    inside = any(x1 <= x <= x2 and y1 <= y <= y2 for x1, y1, x2, y2 in formulas)
    return inside or _LATEX.search(text) is not None


@dataclasses.dataclass(frozen=True)
class PositionCheck:
    """The independent position check of a searchable PDF's layer, on a ``pdftoppm`` rendering.

    Text words: the word's box cropped from the rendering reads the same word with the line
    recogniser (``same_word``). Math words (``is_math``): the word's centre lies on a text line
    that the line detector finds on the rendering — on drawn ink, not on blank paper or the
    line above; the recogniser cannot read LaTeX back from the glyphs, so they are counted
    apart, never dropped."""

    text_hits: int
    text_words: int
    math_hits: int
    math_words: int

    @property
    def text_share(self) -> float:
        return self.text_hits / self.text_words if self.text_words else 0.0

    @property
    def math_share(self) -> float:
        return self.math_hits / self.math_words if self.math_words else 1.0

    def __str__(self) -> str:
        return (
            f"{self.text_share:.1%} of {self.text_words} words read the same at their box; "
            f"{self.math_hits} of {self.math_words} formula words on a detected line"
        )


def position_check(path: Path, formulas_1000: tuple[tuple[int, int, int, int], ...] = ()) -> PositionCheck:
    """Check every word of the layer with a letter or digit (``PositionCheck``); ``formulas_1000``
    are the formula regions' boxes on the 0-1000 scale of the page."""
    reader = shared_reader()
    text_hits = text_words = math_hits = math_words = 0
    scale = RENDER_DPI / 72
    for ((width, height), words), image in zip(bbox_words(path), rendered(path), strict=True):
        formulas = [
            (a * width / 1000, b * height / 1000, c * width / 1000, d * height / 1000)
            for a, b, c, d in formulas_1000
        ]
        ink: list[tuple[float, ...]] | None = None  # the rendering's lines, in points; found once
        for text, (x1, y1, x2, y2) in words:
            centre = ((x1 + x2) / 2, (y1 + y2) / 2)
            if not comparable(text):
                continue
            if is_math(text, centre, formulas):
                if ink is None:
                    ink = [tuple(v / scale for v in line.box) for line in reader.detect(image)]
                math_words += 1
                math_hits += any(a <= centre[0] <= c and b <= centre[1] <= d for a, b, c, d in ink)
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
            text_words += 1
            text_hits += same_word(text, read)
    return PositionCheck(text_hits, text_words, math_hits, math_words)


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


@pytest.mark.parametrize(
    ("name", "least"), [("page", 0.9), ("table", 0.9), ("code", 0.9), ("handwritten", 0.0)]
)
def test_each_word_lies_where_the_page_shows_it(
    name: str, least: float, example_exports: dict[str, dict[str, Path]]
) -> None:
    formulas = tuple(r.box_1000 for r in sdk_regions(name, (1000, 1000)) if r.kind == "formula")
    check = position_check(example_exports[name]["pdf"], formulas)
    print(f"{name}: {check}")
    assert check.text_words >= 10
    assert check.text_share >= least
    # every formula word is checked too, by where it lies: page.png has its formulas and inline
    # LaTeX (t_1, mm^2), the others none
    assert check.math_words >= (30 if name == "page" else 0)
    assert check.math_share >= (0.9 if least else 0.0)


def test_chinese_is_found_by_a_search(example_exports: dict[str, dict[str, Path]]) -> None:
    page = pdftotext(example_exports["page"]["pdf"])
    table = pdftotext(example_exports["table"]["pdf"])
    assert "胶缝" in page
    assert "点支承玻璃幕墙结构设计" in "".join(page.split())
    assert "非流动性资产处置损益" in "".join(table.split())


def test_an_image_becomes_one_page_at_its_own_resolution(example_exports: dict[str, dict[str, Path]]) -> None:
    info = subprocess.run(
        ["pdfimages", "-list", str(example_exports["code"]["pdf"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    (image,) = info
    assert image.split()[3:5] == ["540", "666"]  # the PNG's own pixels, not resampled


# --- a PDF input: the original pages untouched ----------------------------------------------------


def scan_pdf(path: Path, image: Path, *, rotated_second_page: bool = True) -> Path:
    """A two-page PDF like a scanner's with extras: each page shows ``image`` full page with a line
    of vector text and a note annotation; the second page is stored turned and shown upright
    through ``/Rotate 90`` (as scanners and "rotate page" in viewers write it)."""
    import pikepdf
    from fpdf import FPDF

    with Image.open(image) as opened:
        upright = opened.convert("RGB")
    width, height = upright.size[0] * 72 / 96, upright.size[1] * 72 / 96
    turned = upright.rotate(90, expand=True)  # stored a quarter turn anticlockwise, shown clockwise
    turned_file = path.with_suffix(".turned.png")
    turned.save(turned_file)
    pdf = FPDF(unit="pt")
    pdf.set_font("helvetica", size=6)
    for number, (picture, size) in enumerate(((image, (width, height)), (turned_file, (height, width))), 1):
        pdf.add_page(format=size)
        pdf.image(str(picture), x=0, y=0, w=size[0], h=size[1])
        pdf.text(4, 8, f"Vector note {number}")
        pdf.text_annotation(10, 20, f"Reviewer comment {number}")
    pdf.output(str(path))
    if rotated_second_page:
        with pikepdf.open(path, allow_overwriting_input=True) as doc:
            doc.pages[1].obj.Rotate = 90
            doc.save(path)
    return path


def difference(a: Image.Image, b: Image.Image) -> int:
    """How many pixels differ."""
    import numpy as np

    assert a.size == b.size
    return int(np.count_nonzero(np.asarray(a).astype(int) - np.asarray(b).astype(int)))


@pytest.fixture(scope="module")
def pdf_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("pdf-input")
    source = scan_pdf(folder / "scan.pdf", EXAMPLES / "source" / "code.png")
    # the layout saw each page shown upright (what pdftoppm renders); boxes on the 0-1000 scale
    pages = [layout_page(i, "code", (1000, 1000), width=0, height=0) for i in (0, 1)]
    return source, export(document(source, pages), folder / "out", "txt", "pdf", "hocr")


def test_a_pdf_keeps_its_pages_pixel_for_pixel(pdf_export: tuple[Path, dict[str, Path]]) -> None:
    import pikepdf

    source, files = pdf_export
    before, after = rendered(source, 72), rendered(files["pdf"], 72)
    assert len(before) == len(after) == 2
    assert [difference(a, b) for a, b in zip(before, after, strict=True)] == [0, 0]
    with pikepdf.open(source) as original, pikepdf.open(files["pdf"]) as searchable:
        for old, new in zip(original.pages, searchable.pages, strict=True):
            assert list(new.mediabox) == list(old.mediabox)
            assert new.obj.get("/Rotate", 0) == old.obj.get("/Rotate", 0)
            assert len(new.obj.Annots) == len(old.obj.Annots) == 1
    text = pdftotext(files["pdf"])
    assert "Vector note 1" in text and "Vector note 2" in text  # the page's own text is still there


def test_words_lie_where_they_are_on_a_pdf_page_and_on_a_turned_one(
    pdf_export: tuple[Path, dict[str, Path]],
) -> None:
    _source, files = pdf_export
    check = position_check(files["pdf"])
    print(f"scan.pdf (upright and /Rotate 90 pages): {check}")
    assert check.text_words > 200
    assert check.text_share >= 0.9 and check.math_share >= 0.9


def test_hocr_parses_and_its_boxes_are_the_pdf_layers(pdf_export: tuple[Path, dict[str, Path]]) -> None:
    from ocrmypdf.hocrtransform import HocrParser

    _source, files = pdf_export
    page = HocrParser(files["hocr"]).parse()
    assert page.bbox is not None and page.dpi
    words = page.words
    assert len(words) > 100
    # the first page of the PDF layer, in points; hOCR boxes are pixels at scan_res
    (_size, layer), _second = bbox_words(files["pdf"])
    scale = 72 / page.dpi
    matched = 0
    for word in words:
        assert word.bbox is not None
        x, y = (word.bbox.left + word.bbox.right) / 2 * scale, (word.bbox.top + word.bbox.bottom) / 2 * scale
        if any(
            text == word.text and abs((x1 + x2) / 2 - x) < 2 and abs((y1 + y2) / 2 - y) < 2
            for text, (x1, y1, x2, y2) in layer
        ):
            matched += 1
    assert matched / len(words) >= 0.95


# --- bad input: each a clear outcome, the rest exported ---------------------------------------------


def page_formatted_text(page: PageResult) -> str:
    from ocr_desktop.exporters.base import page_formatted

    return page_formatted(document(Path("x.pdf"), [page]), page).markdown


def one_page_scan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return scan_pdf(folder / "scan.pdf", EXAMPLES / "source" / "code.png", rotated_second_page=False)


def test_a_failed_page_an_empty_page_and_a_page_read_whole(tmp_path: Path) -> None:
    # GIVEN a two-page scan whose first page was read whole (no regions) and its second failed,
    # and an image whose only page has no text at all
    source = one_page_scan(tmp_path)
    whole = (EXAMPLES / "code.expected.md").read_text(encoding="utf-8")
    read_whole = PageResult(0, whole, "text", "scripted", "m")
    doc = document(source, [read_whole], page_count=2, failed={1: "the model returned an empty code fence"})
    blank = document(EXAMPLES / "source" / "page.png", [PageResult(0, "", "text", "scripted", "m")])
    # WHEN both are exported
    report = export_documents(
        [doc, blank], ExportSettings(formats=("pdf", "hocr"), out_dir=str(tmp_path / "out"))
    )
    # THEN the scan is written whole: the read page searchable, the failed page as it was
    outcomes = {(o.job_ids[0], o.fmt): o for o in report.outcomes}
    pdf = outcomes[(doc.job_id, "pdf")]
    assert pdf.status == WRITTEN and pdf.path is not None
    first, second = (pdftotext(pdf.path, "-f", str(n), "-l", str(n)) for n in (1, 2))
    assert "weblogic-rdbms-bean" in first and "automatic-key-generation" in first
    assert second.split() == ["Vector", "note", "2"]  # only the page's own text
    hocr = outcomes[(doc.job_id, "hocr")]
    assert hocr.path is not None
    assert "page 2 could not be read: the model returned an empty code fence" in hocr.path.read_text("utf-8")
    # AND the page with no text is an outcome that says so, not an empty file
    (failed,) = [o for o in report.failed if o.job_ids == (blank.job_id,) and o.fmt == "pdf"]
    assert "has no page with a text layer" in failed.message


def test_an_edit_is_what_the_layer_holds(tmp_path: Path) -> None:
    # GIVEN a layout page the user corrected (the model read the bean's name as "AddressJEJ")
    source = one_page_scan(tmp_path)
    page = layout_page(0, "code", (1000, 1000), width=0, height=0)
    corrected = page_formatted_text(page).replace("AddressJEJ", "AddressEJB")
    edited = dataclasses.replace(page, text=corrected, flags=frozenset({FLAG_EDITED}))
    # WHEN it is exported
    files = export(document(source, [edited], page_count=2), tmp_path / "out", "pdf")
    # THEN the layer holds the correction, on the line where the name is
    text = pdftotext(files["pdf"], "-f", "1", "-l", "1")
    assert "AddressEJB" in text
    assert "AddressJEJ" not in text
    assert position_check(files["pdf"]).text_share >= 0.9


@pytest.mark.parametrize("damage", ["encrypted", "truncated", "gone"])
def test_an_original_that_changed_since_it_was_read_fails_alone(tmp_path: Path, damage: str) -> None:
    # GIVEN two read documents, one of whose original is then encrypted, damaged or removed
    good = one_page_scan(tmp_path / "good")
    bad = one_page_scan(tmp_path / "bad")
    pages = [layout_page(0, "code", (1000, 1000), width=0, height=0)]
    docs = [
        document(bad, pages, page_count=2, job_id="bad"),
        document(good, pages, page_count=2, job_id="good"),
    ]
    if damage == "encrypted":
        qpdf("--encrypt", "user", "owner", "256", "--", bad, tmp_path / "locked.pdf")
        (tmp_path / "locked.pdf").replace(bad)
    elif damage == "truncated":
        bad.write_bytes(bad.read_bytes()[:400])
    else:
        bad.unlink()
    # WHEN both are exported
    report = export_documents(docs, ExportSettings(formats=("pdf",), out_dir=str(tmp_path / "out")))
    # THEN the damaged one fails with what happened, and the other is written
    (failed,) = report.failed
    assert failed.job_ids == ("bad",)
    expected = {"encrypted": "password", "truncated": "damaged", "gone": "not found"}[damage]
    assert expected in failed.message.lower(), failed.message
    assert len(report.written) == 1  # the good one ("scan (2).pdf": both originals are named scan.pdf)


def test_lines_read_once_are_kept_with_the_page_and_used_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a read page with no text lines stored (read whole, or before lines were kept)
    source = one_page_scan(tmp_path)
    page = layout_page(0, "code", (1000, 1000), width=0, height=0)
    saved: dict[tuple[str, int], PageLines] = {}
    options = ExportSettings(formats=("pdf",), out_dir=str(tmp_path / "out"))
    # WHEN it is exported
    first = export_documents(
        [document(source, [page], page_count=2)],
        options,
        save_lines=lambda job, index, lines: saved.setdefault((job, index), lines),
    )
    # THEN the lines read for it are handed to the store, with the recogniser's characters
    ((key, lines),) = saved.items()
    assert key == ("job-scan", 0) and len(lines.lines) > 20 and all(line.chars for line in lines.lines)
    # AND an export of the page with those lines stored reads no line again, and writes the same
    monkeypatch.setattr(LineReader, "_run", lambda *_args, **_kwargs: pytest.fail("lines read again"))
    stored = dataclasses.replace(page, lines=lines)
    second = export_documents([document(source, [stored], page_count=2)], options)
    assert first.written and second.unchanged == first.written
