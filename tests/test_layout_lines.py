"""Layout never loses text, measured on text lines (PP-OCRv6 from the rapidocr wheel), and never
reads a line twice: the SDK's own boxes on its four example pages, the shipped CDLA model on the
same pages, pages drawn to break an ink rule, and the SDK's overlap resolution."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_desktop.core.results import PageLines
from ocr_desktop.core.tasks import Task
from ocr_desktop.layout.base import Box, Region, make_region
from ocr_desktop.layout.cdla import CdlaDetector
from ocr_desktop.layout.labels import Action
from ocr_desktop.layout.plan import MISSED_LABEL, PagePlan, detect_lines, plan_page
from ocr_desktop.layout.resolve import drop_nested, drop_page_sized_images, resolve_overlaps
from tests.fixtures.layout import FONT, LOREM, PAGES, example, sdk_regions


@pytest.fixture(scope="module")
def lines() -> dict[str, PageLines]:
    return {name: detect_lines(example(name)) for name in PAGES}


@pytest.fixture(scope="module")
def cdla() -> CdlaDetector:
    return CdlaDetector()


def assert_nothing_lost(plan: PagePlan) -> None:
    assert not plan.whole_page, plan.reason
    assert plan.lines_read + plan.lines_skipped == plan.lines, plan
    assert plan.lines_read_twice == 0


# -- the SDK's own boxes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_sdk_boxes_read_every_example_by_regions_and_lose_no_line(
    name: str, lines: dict[str, PageLines]
) -> None:
    # GIVEN an SDK example page and the regions PP-DocLayoutV3 gave the SDK (furniture included)
    page = example(name)
    regions = sdk_regions(name, page.size)
    # WHEN it is planned on its text lines
    plan = plan_page(page, regions, (), lines[name])
    # THEN it is read by regions, every line is read by one region or inside real furniture, and
    # the SDK's regions needed no extra region
    assert_nothing_lost(plan)
    assert plan.extra == ()
    assert len(plan.read) == len([r for r in regions if r.action.task is not None])


# -- the shipped CDLA model on the same pages ---------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_cdla_reads_every_example_by_regions_and_no_line_twice(
    name: str, lines: dict[str, PageLines], cdla: CdlaDetector
) -> None:
    page = example(name)
    regions = cdla.detect(page)
    plan = plan_page(page, regions, (), lines[name])
    print(
        f"{name}: {len(regions)} CDLA regions, {len(plan.read) - len(plan.extra)} read, "
        f"{len(plan.extra)} extra from {plan.lines} lines, {len(plan.dropped)} dropped as overlaps, "
        f"{len(plan.figures)} figures, {len(plan.skipped)} skipped, whole={plan.whole_page}"
    )
    assert_nothing_lost(plan)


def test_cdla_classes_on_the_same_lines_are_read_once() -> None:
    # GIVEN CDLA's habit: the same lines as text, as equation and as reference, boxes not nested
    # by area (the reference box reaches further down)
    size = (1000, 1000)
    text = make_region("cdla", "text", box=(100, 100, 900, 300), score=0.9, order=0, size=size)
    equation = make_region("cdla", "equation", box=(110, 105, 890, 290), score=0.6, order=1, size=size)
    reference = make_region("cdla", "reference", box=(100, 100, 900, 420), score=0.5, order=2, size=size)
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 24)
    for row in range(5):
        draw.text((120, 120 + row * 36), f"line {row} of the paragraph read once", fill="black", font=font)
    plan = plan_page(page, [text, equation, reference], ())
    # THEN one region reads the lines; the equation (nested) and the reference (same lines) are dropped
    assert plan.lines == 5
    assert len(plan.read) == 1
    assert plan.lines_read == 5 and plan.lines_read_twice == 0
    assert {r.label for r in plan.dropped} == {"equation", "text"} or {r.label for r in plan.dropped} == {
        "equation",
        "reference",
    }


# -- pages drawn to break the old ink rule --------------------------------------------------------------


def _text_block(
    draw: ImageDraw.ImageDraw, x: int, y: int, width: int, rows: int
) -> tuple[int, int, int, int]:
    font = ImageFont.truetype(FONT, 22)
    words, line, top = (LOREM * 3).split(), "", y
    count = 0
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > width and line:
            draw.text((x, y), line, fill="black", font=font)
            y += 34
            line, count = word, count + 1
            if count == rows:
                break
        else:
            line = candidate
    return (x, top, x + width, y)


def _hostile(kind: str) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A page drawn with dark non-text ink around its text; returns it and its text blocks (px)."""
    if kind == "dark_desk":
        page = Image.new("RGB", (1400, 1800), (45, 35, 30))  # a wooden desk
        draw = ImageDraw.Draw(page)
        for x in range(0, 1400, 23):  # wood grain
            draw.line((x, 0, x + 60, 1800), fill=(70, 52, 40), width=3)
        draw.polygon([(150, 120), (1260, 150), (1240, 1680), (130, 1650)], fill=(235, 232, 225))
        blocks = [_text_block(draw, 260, 300, 850, 8), _text_block(draw, 260, 700, 850, 8)]
    elif kind == "gutter":
        page = Image.new("RGB", (1800, 1200), "white")
        draw = ImageDraw.Draw(page)
        draw.rectangle((0, 0, 1799, 1199), outline="black", width=40)  # scanner border
        draw.rectangle((860, 0, 940, 1199), fill=(15, 15, 15))  # the book's gutter
        blocks = [_text_block(draw, 120, 150, 650, 16), _text_block(draw, 1030, 150, 650, 16)]
    elif kind == "header_rule":
        page = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(page)
        draw.rectangle((80, 120, 1160, 132), fill="black")  # a heavy header rule
        draw.rectangle((80, 1620, 1160, 1630), fill="black")  # and a footer rule
        blocks = [_text_block(draw, 100, 200, 1000, 12), _text_block(draw, 100, 700, 1000, 12)]
    else:  # heavy_table
        page = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(page)
        font = ImageFont.truetype(FONT, 24)
        top, cell_w, cell_h = 300, 260, 70
        for r in range(6):
            for c in range(4):
                box = (100 + c * cell_w, top + r * cell_h, 100 + (c + 1) * cell_w, top + (r + 1) * cell_h)
                draw.rectangle(box, outline="black", width=8, fill=(210, 210, 210) if r == 0 else "white")
                draw.text((box[0] + 24, box[1] + 20), f"item {r}.{c}", fill="black", font=font)
        blocks = [(100, top, 100 + 4 * cell_w, top + 6 * cell_h), _text_block(draw, 100, 850, 1000, 10)]
    return page, blocks


@pytest.mark.parametrize("kind", ["dark_desk", "gutter", "header_rule", "heavy_table"])
def test_dark_non_text_ink_is_not_text_and_every_line_is_read(kind: str, cdla: CdlaDetector) -> None:
    # GIVEN a page whose non-text ink (desk, gutter, border, rules, heavy cell borders) an ink mask
    # counts as text
    page, blocks = _hostile(kind)
    lines = detect_lines(page)
    # THEN the text lines found are only the drawn text: none on the dark parts
    for line in lines.lines:
        cx, cy = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
        assert any(b[0] - 30 <= cx <= b[2] + 30 and b[1] - 30 <= cy <= b[3] + 30 for b in blocks), (
            kind,
            line,
        )
    # AND the page, planned on CDLA's regions, is read by regions with every line read
    plan = plan_page(page, cdla.detect(page), (), lines)
    assert_nothing_lost(plan)


# -- the SDK's overlap resolution ------------------------------------------------------------------------


def v3(label: str, box: Box, score: float = 0.9, size: tuple[int, int] = (1000, 1000)) -> Region:
    return make_region("pp-doclayout-v3", label, box=box, score=score, order=0, size=size)


def test_nesting_is_at_80_percent_as_in_the_sdk() -> None:
    outer = v3("text", (100, 100, 900, 500))
    half_out = v3("text", (100, 440, 900, 540))  # 60 of its 100 rows inside: kept
    mostly_in = v3("paragraph_title", (100, 80, 900, 280))  # 180 of 200 rows inside: dropped
    kept, dropped = drop_nested([outer, half_out, mostly_in])
    assert kept == [outer, half_out] and dropped == [mostly_in]
    # 0.8 is the line (the old 0.9 read a region 80-90 % inside another twice)
    edge_81 = v3("text", (100, 419, 900, 519))  # 81 of 100 rows inside: dropped
    edge_85 = v3("text", (100, 415, 900, 515))  # 85 of 100: dropped
    edge_79 = v3("text", (100, 421, 900, 521))  # 79 of 100 rows inside: kept
    assert drop_nested([outer, edge_81])[1] == [edge_81]
    assert drop_nested([outer, edge_85])[1] == [edge_85]
    assert drop_nested([outer, edge_79])[1] == []


def test_pictures_seals_and_charts_are_never_dropped_as_nested() -> None:
    outer = v3("text", (0, 0, 1000, 1000))
    for label in ("image", "seal", "chart"):
        inner = v3(label, (100, 100, 300, 300))
        assert drop_nested([outer, inner]) == ([outer, inner], [])
    # while a text box inside a picture is (the SDK's "large" merge)
    picture = v3("image", (100, 100, 600, 600))
    label = v3("text", (200, 200, 300, 230))
    assert drop_nested([picture, label]) == ([picture], [label])


def test_a_page_sized_image_box_is_dropped_when_the_page_has_more() -> None:
    portrait = (800, 1000)
    page_image = v3("image", (10, 10, 790, 990), size=portrait)  # 0.95 of the page
    text = v3("text", (100, 100, 700, 200), size=portrait)
    assert drop_page_sized_images([page_image, text], portrait) == [text]
    assert drop_page_sized_images([page_image], portrait) == [page_image]  # alone, it stays
    big = v3("image", (40, 40, 760, 960), size=portrait)  # 0.83: under portrait's 0.93
    assert drop_page_sized_images([big, text], portrait) == [big, text]
    landscape = (1000, 800)
    wide = v3("image", (40, 40, 960, 760), size=landscape)  # 0.83: over landscape's 0.82
    assert resolve_overlaps([wide, v3("text", (100, 100, 700, 200), size=landscape)], landscape)[1] == [wide]


def test_a_missed_formula_is_found_and_read_where_it_was() -> None:
    # GIVEN the SDK's regions of page.png without one of its formulas (a layout model that missed it)
    page = example("page")
    regions = sdk_regions("page", page.size)
    formula = next(r for r in regions if r.label == "display_formula")
    plan = plan_page(page, [r for r in regions if r is not formula], ())
    # THEN the formula's lines become one extra region, read as text between its neighbours
    assert_nothing_lost(plan)
    [extra] = plan.extra
    assert extra.label == MISSED_LABEL and (extra, Task.TEXT) in plan.read
    fx1, fy1, fx2, fy2 = formula.box_1000
    assert fx1 - 20 <= extra.box_1000[0] and extra.box_1000[2] <= fx2 + 20
    assert fy1 - 20 <= extra.box_1000[1] and extra.box_1000[3] <= fy2 + 20
    before = next(r for r, _t in plan.read if r.order == extra.order - 1)
    assert before.box_1000[3] <= extra.box_1000[1] + 20  # the text just above it (the block is grown)
    assert plan.read[-1][0].action is not Action.FIGURE


@pytest.mark.parametrize("caption_label", ["figure_caption", "text"])  # CDLA reads the screenshot's as text
def test_a_missed_line_below_a_figure_comes_after_the_figures_caption(caption_label: str) -> None:
    # GIVEN a wide figure with a short caption under it (outside the column the page number is in)
    # and a page number below both that no layout box covers, as on the window's screenshot page
    size = (1240, 1754)
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 26)
    draw.rectangle((300, 200, 940, 460), fill=(70, 110, 170))
    draw.text((300, 480), "Figure 1. A picture", fill="black", font=font)
    draw.text((600, 1690), "- 1 -", fill="black", font=font)
    figure = make_region("cdla", "figure", box=(300, 200, 940, 460), score=0.9, order=0, size=size)
    caption = make_region("cdla", caption_label, box=(296, 476, 560, 512), score=0.9, order=1, size=size)
    plan = plan_page(page, [figure, caption], ())
    # THEN the page number is read as an extra region after the caption, which stays with its figure
    assert_nothing_lost(plan)
    [extra] = plan.extra
    assert [r.label for r in plan.regions] == ["figure", caption_label, MISSED_LABEL]
    assert plan.regions[-1].order == extra.order
