"""The shared text-line reader (PP-OCRv6 from the rapidocr wheel) on real and drawn pages."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from ocr_desktop.textlines import TextLine, reading_sorted, shared_reader
from tests.fixtures.layout import EXAMPLES, FONT


def drawn_lines() -> tuple[Image.Image, list[tuple[str, tuple[int, int]]]]:
    page = Image.new("RGB", (900, 400), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 28)
    rows = [
        ("Invoice number 4711", (60, 60)),
        ("Total amount due 129 EUR", (60, 160)),
        ("Thank you", (500, 300)),
    ]
    for text, xy in rows:
        draw.text(xy, text, fill="black", font=font)
    return page, rows


def test_detect_finds_each_drawn_line_where_it_was_drawn() -> None:
    # GIVEN a page with three lines of text at known places
    page, rows = drawn_lines()
    # WHEN the shared reader detects lines
    lines = shared_reader().detect(page)
    # THEN each drawn line has one detected box around its origin, in reading order, without text
    assert len(lines) == len(rows)
    for line, (_, (x, y)) in zip(lines, rows, strict=True):
        assert line.box[0] <= x + 6 and line.box[1] <= y + 10 and line.box[3] > y + 15
        assert line.text == "" and line.confidence is None and 0 < line.score <= 1


def test_read_recognises_the_drawn_words() -> None:
    page, rows = drawn_lines()
    lines = shared_reader().read(page)
    assert [line.text for line in lines] == [text for text, _ in rows]
    assert all(line.confidence is not None and line.confidence > 0.8 for line in lines)
    # and one line crop read on its own gives the same text
    assert shared_reader().recognize(page.crop(lines[1].box))[0] == rows[1][0]


def test_detected_lines_recognised_later_are_what_read_gives() -> None:
    # GIVEN the lines detected on a page (as the layout stage keeps them), and a blank "line"
    page, rows = drawn_lines()
    reader = shared_reader()
    detected = reader.detect(page)
    blank = TextLine((700, 40, 860, 80), ((700, 40), (860, 40), (860, 80), (700, 80)), 0.6)
    # WHEN they are recognised on their own, without detecting the page again
    recognised = reader.recognise_lines(page, [*detected, blank])

    # THEN each is what read() gives for the page: the same boxes, text and character boxes; the
    # blank one is kept, with no text (a page's stored lines stay the lines the layout planned with)
    def reading(lines: list[TextLine]) -> list[tuple[object, ...]]:
        return [(ln.box, ln.quad, ln.text, round(ln.confidence or 0, 4), ln.chars) for ln in lines]

    assert reading(recognised[:-1]) == reading(reader.read(page, char_boxes=True))
    assert [line.text for line in recognised[:-1]] == [text for text, _ in rows]
    assert all(line.chars for line in recognised[:-1])
    assert [line.score for line in recognised[:-1]] == [line.score for line in detected]  # the detector's
    assert recognised[-1].box == blank.box and recognised[-1].text == "" and recognised[-1].chars == ()
    assert recognised[-1].confidence is not None
    assert reader.recognise_lines(page, []) == []


def test_real_scan_chinese_lines_are_read() -> None:
    page = Image.open(EXAMPLES / "source" / "page.png")
    lines = shared_reader().read(page)
    assert len(lines) > 40
    assert any("胶缝" in line.text for line in lines)


def test_json_round_trip_and_reading_order() -> None:
    a = TextLine(box=(100, 10, 200, 30), quad=((100, 10), (200, 10), (200, 30), (100, 30)), score=0.9)
    b = TextLine(
        box=(10, 12, 90, 31),
        quad=((10, 12), (90, 12), (90, 31), (10, 31)),
        score=0.8,
        text="x",
        confidence=0.7,
    )
    c = TextLine(box=(10, 50, 90, 70), quad=((10, 50), (90, 50), (90, 70), (10, 70)), score=0.8)
    assert reading_sorted([c, a, b]) == [b, a, c]
    assert [TextLine.from_json(line.to_json()) for line in (a, b)] == [a, b]
    assert a.scaled(2, 2).box == (200, 20, 400, 60)
