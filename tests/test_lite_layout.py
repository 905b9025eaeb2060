"""The lite engine's lines in layout mode (the default): each region's crop is read line by line, and
the lines come back in the crop's pixels; the pipeline puts them on the page and stores them as the
page's lines, with text and confidence, so the searchable PDF places the words where they are drawn.

The end-to-end test reads the drawn A4 page with the real PP-OCRv6 engine and the shipped CDLA
layout model; the geometry of putting crop lines on the page is checked on its own as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ocr_desktop.backends.lite import MODEL_NAME
from ocr_desktop.core.results import PageResult
from ocr_desktop.core.store import JobStore
from ocr_desktop.exporters import export_documents
from ocr_desktop.layout.plan import crop_region, crop_window, lines_on_page, page_lines_with
from ocr_desktop.settings import ExportSettings, Settings
from ocr_desktop.textlines import Box, TextLine
from tests.fixtures.layout import draw_page
from tests.test_lite import read_with_pipeline
from tests.test_searchable_pdf import bbox_words, document

Part = tuple[int, int, int, int]


def line(box: Box, text: str = "") -> TextLine:
    x1, y1, x2, y2 = box
    return TextLine(box, ((x1, y1), (x2, y1), (x2, y2), (x1, y2)), 1.0, text, 0.9 if text else None)


def grown(part: Part, by: float) -> Part:
    """``part`` widened by ``by`` pixels on each side (the detector's boxes hug the ink loosely)."""
    return (round(part[0] - by), round(part[1] - by), round(part[2] + by), round(part[3] + by))


def inside(box: tuple[float, float, float, float], part: Part) -> bool:
    return part[0] <= box[0] and part[1] <= box[1] and box[2] <= part[2] and box[3] <= part[3]


def test_crop_lines_are_put_back_on_the_page_and_a_line_in_the_padding_is_kept_by_its_region() -> None:
    # GIVEN a 2000 × 1000 page, a region at 0-1000 (200, 200)-(600, 600), and its crop as the
    # pipeline cuts it: padded, then scaled up to twice its size
    from PIL import Image

    page = Image.new("RGB", (2000, 1000), "white")
    box_1000 = (200, 200, 600, 600)
    left, top, right, bottom = crop_window(page.size, box_1000)
    assert (left, top, right, bottom) == (392, 192, 1208, 608)  # padding: 0.008 × 1000 = 8 px
    crop_size = (2 * (right - left), 2 * (bottom - top))
    assert crop_region(page, box_1000, None).size == (right - left, bottom - top)
    # WHEN the engine found a line in the region and one in the padding (a neighbour's line)
    found = [line((40, 100, 440, 140), "inside"), line((0, 0, 300, 14), "in the padding")]
    placed = lines_on_page(found, page.size, box_1000, crop_size)
    # THEN the region's line is on the page where it lies (crop pixels halved, moved to the crop's
    # place), and the padding's line is left to the region that holds it
    assert [(ln.text, ln.box) for ln in placed] == [("inside", (412, 242, 612, 262))]


def test_the_engine_lines_replace_the_detected_ones_in_the_regions_it_read_and_only_there() -> None:
    # GIVEN detected lines (no text) in two regions and in a figure, and two overlapping regions
    # read by a line engine that both saw the line in their overlap
    size = (1000, 1000)
    detected = [line((110, 110, 190, 120)), line((610, 110, 690, 120)), line((110, 810, 190, 820))]
    first = (100, 100, 400, 400)
    second = (300, 100, 700, 400)
    shared = line((320, 200, 380, 210), "both")
    engine = [
        (first, [line((110, 110, 190, 120), "a"), shared]),
        (second, [shared, line((610, 110, 690, 120), "b")]),
    ]
    # WHEN the page's lines are put together
    lines = page_lines_with(size, detected, engine)
    # THEN the regions read hold the engine's lines, the overlap's line once, and the figure keeps
    # the detected line, row by row as the detector gives them
    assert [(ln.text, ln.box) for ln in lines] == [
        ("a", (110, 110, 190, 120)),
        ("b", (610, 110, 690, 120)),
        ("both", (320, 200, 380, 210)),
        ("", (110, 810, 190, 820)),
    ]


@pytest.fixture(scope="module")
def lite_layout_page(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, JobStore, str, dict[str, Part]]]:
    """The drawn A4 page read by the real lite engine in layout mode (the default), once."""
    folder = tmp_path_factory.mktemp("lite-layout")
    image, parts = draw_page()
    path = folder / "paper.png"
    image.save(path)
    store = JobStore(folder / "jobs.db")
    job_id = read_with_pipeline(store, Settings().with_value("backend", "lite"), path, 300)
    yield path, store, job_id, parts
    store.close()


def stored_page(store: JobStore, job_id: str) -> PageResult:
    (page,) = store.document_result(job_id).pages
    return page


def test_a_layout_page_keeps_the_lite_engines_lines_on_the_page_with_text_and_confidence(
    lite_layout_page: tuple[Path, JobStore, str, dict[str, Part]],
) -> None:
    # GIVEN the drawn page read by regions with the lite engine
    _path, store, job_id, parts = lite_layout_page
    page = stored_page(store, job_id)
    assert page.backend == "lite" and page.layout and page.regions
    # THEN its stored lines are the engine's, in the pixels of the page the layout saw
    lines = page.lines
    assert lines is not None and lines.detector.startswith(MODEL_NAME)
    assert (lines.width, lines.height) == (page.width, page.height)
    sx, sy = page.width / 1240, page.height / 1754  # the drawing's pixels → the page's
    read = [ln for ln in lines.lines if ln.text]
    assert len(read) >= 30
    assert all(ln.confidence is not None and 0 < ln.confidence <= 1 for ln in read)

    # each line's box lies on the words drawn there: the title, the caption, a table cell
    def where(text: str) -> TextLine:
        (found,) = [ln for ln in read if ln.text.strip() == text]  # once: no line stored twice
        return found

    table_top = parts["table"][1]
    expected = {
        "Reading": parts["title"],
        "Table": parts["caption"],
        "cell 2.3": (112 + 3 * 260, table_top + 12 + 2 * 50, 112 + 4 * 260, table_top + 12 + 3 * 50),
    }
    for text, part in expected.items():
        found = where(text)
        box = found.box
        on_drawing = (box[0] / sx, box[1] / sy, box[2] / sx, box[3] / sy)
        assert inside(on_drawing, grown(part, 12)), (text, on_drawing, part)
        assert found.confidence is not None and found.confidence > 0.9
    columns = [ln for ln in read if ln.text.startswith("Layout analysis splits")]
    assert len(columns) == 6  # three paragraphs a column, each line once
    lefts = sorted(ln.box[0] / sx for ln in columns)
    assert all(abs(x - 100) < 12 for x in lefts[:3]) and all(abs(x - 660) < 12 for x in lefts[3:])

    # and the lines inside the regions it read are what the regions' text was made of (those
    # elsewhere, furniture and the figure, are the layout stage's, recognised beside the reads)
    def in_read_region(line: TextLine) -> bool:
        x, y = line.centre
        return any(r.read and r.box[0] <= x <= r.box[2] and r.box[1] <= y <= r.box[3] for r in page.regions)

    engine = [ln for ln in read if in_read_region(ln)]
    assert len(engine) >= 30
    assert all(ln.text.strip() in page.text for ln in engine)


def test_the_searchable_pdf_of_a_lite_layout_page_places_the_words_where_they_were_drawn(
    lite_layout_page: tuple[Path, JobStore, str, dict[str, Part]], tmp_path: Path
) -> None:
    # GIVEN the drawn page read by regions with the lite engine
    path, store, job_id, parts = lite_layout_page
    page = stored_page(store, job_id)
    # WHEN it is exported as a searchable PDF
    read_again: list[int] = []
    report = export_documents(
        [document(path, [page], job_id=job_id)],
        ExportSettings(formats=("pdf",), out_dir=str(tmp_path)),
        save_lines=lambda _job, index, _lines: read_again.append(index),
    )
    assert not report.failed, [o.message for o in report.failed]
    (pdf,) = [o.path for o in report.outcomes if o.fmt == "pdf" and o.path is not None]
    # THEN pdftotext finds the drawn words at the places they were drawn (points → drawing pixels)
    ((width, height), words) = bbox_words(pdf)[0]
    px, py = 1240 / width, 1754 / height
    boxes: dict[str, list[tuple[float, float, float, float]]] = {}
    for text, (x1, y1, x2, y2) in words:
        boxes.setdefault(text, []).append((x1 * px, y1 * py, x2 * px, y2 * py))

    def centred(box: tuple[float, float, float, float], part: Part) -> bool:
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return part[0] <= x <= part[2] and part[1] <= y <= part[3]

    for word, part in (("Reading", parts["title"]), ("Regions", parts["title"]), ("Table", parts["caption"])):
        assert any(centred(box, part) for box in boxes.get(word, [])), (word, boxes.get(word))
    analysis = boxes.get("analysis", [])
    assert sum(centred(b, parts["left"]) for b in analysis) == 3
    assert sum(centred(b, parts["right"]) for b in analysis) == 3
    # and it placed them on the engine's stored lines: it read no line again
    assert read_again == []
