"""From regions to what is read: overlaps resolved, the furniture setting, the never-lose-text
rule on text lines, region crops.

The rule that layout never loses text (docs/layout.md), measured on text: the page's text lines
(PP-OCRv6 detection, ``ocr_desktop.textlines``) must each be read by a region, or lie inside a
real picture or real page furniture, which are left unread on purpose. Concretely:

- overlapping regions are resolved first, as the SDK does (``resolve.py``: page-sized pictures
  dropped, boxes 80 % inside another dropped), and then a read region whose lines are (almost)
  all read by another read region is dropped, so no line is read twice;
- a line belongs to a region when at least half of it lies inside the region's padded box;
- a figure whose lines cover much of it is text (CDLA calls code blocks "figure"): it is read as
  text (``TEXT_FIGURE_LABEL``); the few labels of a real chart or photo are not read;
- skipped furniture is real only in the page's top or bottom margin band or when small; a large
  "header" in mid-page is a mislabelled paragraph and is read as text;
- every other line not read by a region is *missed*: neighbouring missed lines are grouped into
  blocks, each read as an extra text region (``MISSED_LABEL``), placed in reading order.

A page is read whole only when layout found nothing to read and no missed line made a region.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.pages import GLM_MIN_PIXELS, fit_to_budget
from ocr_desktop.layout.base import Box, Region
from ocr_desktop.layout.labels import Action
from ocr_desktop.layout.resolve import inside_share, resolve_overlaps
from ocr_desktop.messages import Message

if TYPE_CHECKING:
    from PIL import Image

    from ocr_desktop.core.results import PageLines
    from ocr_desktop.textlines import TextLine

#: Furniture inside the top or bottom band of this share of the page height is taken at its word.
MARGIN_BAND = 0.15
#: … and so is furniture smaller than this share of the page.
SMALL_FURNITURE = 0.02
#: PDFs are rendered for layout reading at this DPI at least (the SDK's ``pdf_dpi``): a region
#: crop then carries the SDK's pixels (at 150 DPI it had 56 % of them).
LAYOUT_DPI = 200
#: Each region gets its own token budget, as the GLM-OCR SDK gives each region (8,192).
REGION_MAX_TOKENS = 8192
#: Padding around a region's box when it is cropped, as a share of the page's shorter side.
CROP_PADDING = 0.008
#: Text lines are detected on the page shrunk to at most this many pixels on its long side: an
#: A4 page at 200 DPI (2339 px) takes about half the time and keeps its lines (61 → 60 on the
#: drawn page; 6-point text is still ~11 px high).
LINE_SIDE = 1600
#: A line belongs to a region when at least this share of its box lies inside the region.
LINE_INSIDE = 0.5
#: A figure is text when its lines cover at least this share of its area and it has at least
#: ``TEXT_FIGURE_LINES`` of them (a chart's axis labels cover a few percent).
TEXT_FIGURE_SHARE = 0.2
TEXT_FIGURE_LINES = 3
#: … counting only boxes at least this many times as wide as high (a line of text, not a blob).
TEXT_LINE_SHAPE = 2
#: A read region is a duplicate when this share of its lines is read by another read region.
DUPLICATE_LINES = 0.8
#: How far (0-1000 scale) a region may overlap the one it follows down the page.
BETWEEN_SLACK = 10
#: Label of an extra region made from missed lines, and of a figure read as text.
MISSED_LABEL = "missed_text"
TEXT_FIGURE_LABEL = "figure_text"
#: Missed lines join a block when the gap to the next line is at most this many line heights.
BLOCK_GAP = 1.2


@dataclass(frozen=True)
class PagePlan:
    """What happens to one page: its regions with their tasks, or the whole page at once."""

    regions: tuple[Region, ...]  # every region kept, extra regions included, in reading order
    read: tuple[tuple[Region, Task], ...]  # the regions read, in reading order, with their prompt
    figures: tuple[Region, ...]  # cropped and saved, not read
    skipped: tuple[Region, ...]  # furniture not kept
    whole_page: bool  # True: read the page as one image with Text Recognition:
    reason: str  # why the page is read whole; "" when it is read by regions
    extra: tuple[Region, ...] = ()  # regions made from lines layout missed (also in ``regions``)
    text_like_figures: tuple[Region, ...] = ()  # figures read as text (also in ``read``)
    dropped: tuple[Region, ...] = ()  # regions dropped as overlaps (nested, page-sized, duplicates)
    lines: int = 0  # text lines on the page
    lines_read: int = 0  # lines inside a read region (extra regions included)
    lines_skipped: int = 0  # lines inside a real picture or real furniture, left unread on purpose
    lines_read_twice: int = 0  # lines inside two or more read regions


def plan_page(
    page: Image.Image,
    regions: Sequence[Region],
    keep_furniture: Collection[str],
    lines: PageLines | None = None,
) -> PagePlan:
    """The plan for a page whose regions were detected on an image of the same proportions as
    ``page`` (boxes are used on the 0-1000 scale). ``lines`` are the page's text lines (detected
    on ``page`` by the shared line reader when not given)."""
    if lines is None:
        lines = detect_lines(page)
    if not regions:
        return _whole(regions, (), Message("layout found nothing to read"), lines)
    kept, dropped = resolve_overlaps(regions, page.size)
    boxes = [_line_box_1000(line, lines.width, lines.height) for line in lines.lines]
    read: list[Region] = []
    figures: list[Region] = []
    skipped: list[Region] = []
    text_figures: list[Region] = []
    for region in kept:
        if region.action is Action.FURNITURE:
            # Kept furniture is read as text, and so is a large "header" mid-page: a paragraph.
            if region.furniture not in keep_furniture and _is_real_furniture(region):
                skipped.append(region)
            else:
                read.append(region)
        elif region.action is Action.FIGURE:
            if _is_text(region, boxes, lines.width / lines.height):
                text_figure = replace(region, label=TEXT_FIGURE_LABEL, action=Action.TEXT)
                text_figures.append(text_figure)
                read.append(text_figure)
            else:
                figures.append(region)
        else:
            read.append(region)
    read, duplicates = _drop_duplicates(read, boxes)
    dropped = [*dropped, *duplicates]
    unread = [r.box_1000 for r in (*figures, *skipped)]
    missed = [
        i
        for i, box in enumerate(boxes)
        if not _owned(box, [r.box_1000 for r in read]) and not _owned(box, unread)
    ]
    extra = _blocks([boxes[i] for i in missed], page.size)
    if not read and not extra:
        return _whole(kept, dropped, Message("layout found no region to read"), lines)
    ordered = _in_reading_order([*read, *figures, *skipped], extra)
    numbered = [replace(r, order=i) for i, r in enumerate(ordered)]
    by_id = {id(r): n for r, n in zip(ordered, numbered, strict=True)}
    read_ids = {id(r) for r in (*read, *extra)}
    read_boxes = [r.box_1000 for r in (*read, *extra)]
    owners = [sum(inside_share(box, r) >= LINE_INSIDE for r in _padded(read_boxes)) for box in boxes]
    return PagePlan(
        regions=tuple(numbered),
        read=tuple((n, _task(n)) for r, n in zip(ordered, numbered, strict=True) if id(r) in read_ids),
        figures=tuple(by_id[id(r)] for r in ordered if r in figures and id(r) not in read_ids),
        skipped=tuple(by_id[id(r)] for r in ordered if r in skipped and id(r) not in read_ids),
        whole_page=False,
        reason="",
        extra=tuple(by_id[id(r)] for r in extra),
        text_like_figures=tuple(by_id[id(r)] for r in text_figures),
        dropped=tuple(dropped),
        lines=len(boxes),
        lines_read=sum(1 for n in owners if n),
        lines_skipped=sum(1 for box, n in zip(boxes, owners, strict=True) if not n and _owned(box, unread)),
        lines_read_twice=sum(1 for n in owners if n > 1),
    )


def detect_lines(page: Image.Image) -> PageLines:
    """The page's text lines in ``page``'s pixels, found by the app's one line reader (PP-OCRv6)
    on a copy at most ``LINE_SIDE`` px long (docs/layout.md: the time it saves, the lines kept)."""
    from PIL import Image

    from ocr_desktop.core.results import PageLines
    from ocr_desktop.textlines import shared_reader

    reader = shared_reader()
    scale = min(1.0, LINE_SIDE / max(page.size))
    image = page
    if scale < 1.0:
        size = (max(1, round(page.width * scale)), max(1, round(page.height * scale)))
        image = page.resize(size, Image.Resampling.BILINEAR)
    found = reader.detect(image)
    if image is not page:
        found = [line.scaled(page.width / image.width, page.height / image.height) for line in found]
    return PageLines(page.width, page.height, tuple(found), reader.description)


def _whole(regions: Sequence[Region], dropped: Sequence[Region], reason: str, lines: PageLines) -> PagePlan:
    return PagePlan(
        regions=tuple(regions),
        read=(),
        figures=tuple(r for r in regions if r.action is Action.FIGURE),
        skipped=tuple(r for r in regions if r.action is Action.FURNITURE),
        whole_page=True,
        reason=reason,
        dropped=tuple(dropped),
        lines=len(lines.lines),
        lines_read=len(lines.lines),
    )


def _task(region: Region) -> Task:
    """The prompt a read region is read with (furniture read is read as text)."""
    task = Task.TEXT if region.action is Action.FURNITURE else region.action.task
    assert task is not None
    return task


def _line_box_1000(line: TextLine, width: int, height: int) -> Box:
    x1, y1, x2, y2 = line.box
    return (x1 * 1000 // width, y1 * 1000 // height, -(-x2 * 1000 // width), -(-y2 * 1000 // height))


def _padded(boxes: Sequence[Box]) -> list[Box]:
    """Boxes grown by the crop padding (on the 0-1000 scale: about the share of each side)."""
    pad = round(CROP_PADDING * 1000)
    return [(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) for b in boxes]


def _owned(line: Box, boxes: Sequence[Box]) -> bool:
    return any(inside_share(line, box) >= LINE_INSIDE for box in _padded(boxes))


def _is_text(figure: Region, lines: Sequence[Box], aspect: float) -> bool:
    """Lines of text covering much of the figure: code or prose drawn as a picture, not a photo or
    chart. The detector also boxes blobs of a drawing (a disc, a triangle); a line of text is a
    long, low box (in pixels: ``aspect`` is the page's width / height)."""
    inside = [
        box
        for box in lines
        if inside_share(box, figure.box_1000) >= LINE_INSIDE
        and (box[2] - box[0]) * aspect >= TEXT_LINE_SHAPE * (box[3] - box[1])
    ]
    area = max(1, (figure.box_1000[2] - figure.box_1000[0]) * (figure.box_1000[3] - figure.box_1000[1]))
    covered = sum((b[2] - b[0]) * (b[3] - b[1]) for b in inside) / area
    return len(inside) >= TEXT_FIGURE_LINES and covered >= TEXT_FIGURE_SHARE


def _drop_duplicates(read: list[Region], lines: Sequence[Box]) -> tuple[list[Region], list[Region]]:
    """Read regions without those whose lines another read region reads already (CDLA's text,
    equation and reference boxes on the same lines that are not nested by area)."""
    members = [{i for i, box in enumerate(lines) if _owned(box, [r.box_1000])} for r in read]
    dropped: set[int] = set()
    # Fewest lines first: the smaller of two overlapping regions is the one that repeats the other.
    for a in sorted(range(len(read)), key=lambda i: (len(members[i]), read[i].score)):
        if not members[a]:
            continue
        others = set().union(*(members[b] for b in range(len(read)) if b != a and b not in dropped))
        if len(members[a] & others) >= DUPLICATE_LINES * len(members[a]):
            dropped.add(a)
    return [r for i, r in enumerate(read) if i not in dropped], [
        r for i, r in enumerate(read) if i in dropped
    ]


def _blocks(lines: Sequence[Box], size: tuple[int, int]) -> list[Region]:
    """Missed lines grouped into blocks of neighbours (one after the other in a column, or side by
    side on a row), each an extra text region."""
    groups: list[list[Box]] = []
    for line in sorted(lines, key=lambda b: (b[1], b[0])):
        for group in groups:
            if any(_neighbours(line, other) for other in group):
                group.append(line)
                break
        else:
            groups.append([line])
    # Merging by first match may leave two groups that touch, or one inside the other's box (a
    # formula number beside a block's lines): join them until none do, so no line is in two blocks.
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if _overlap(_union(groups[i]), _union(groups[j])) or any(
                    _neighbours(a, b) for a in groups[i] for b in groups[j]
                ):
                    groups[i] += groups.pop(j)
                    merged = True
                    break
            if merged:
                break
    width, height = size
    blocks = []
    for group in groups:
        # Grown by half a line height on each side: a line's detected box is tight, and a crop that
        # cuts a descender or the first letter loses it.
        box = _union(group)
        grow = min(b[3] - b[1] for b in group) // 2
        box = (
            max(0, box[0] - grow),
            max(0, box[1] - grow),
            min(1000, box[2] + grow),
            min(1000, box[3] + grow),
        )
        pixels = (
            box[0] * width // 1000,
            box[1] * height // 1000,
            -(-box[2] * width // 1000),
            -(-box[3] * height // 1000),
        )
        blocks.append(
            Region(
                label=MISSED_LABEL,
                action=Action.TEXT,
                furniture="",
                box=pixels,
                box_1000=box,
                score=0.0,
                order=0,
            )
        )
    return blocks


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _overlap(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _neighbours(a: Box, b: Box) -> bool:
    height = min(a[3] - a[1], b[3] - b[1]) or 1
    overlap_x = min(a[2], b[2]) - max(a[0], b[0])
    gap_y = max(a[1], b[1]) - min(a[3], b[3])
    if overlap_x > 0 and gap_y <= BLOCK_GAP * height:
        return True  # one line under the other
    overlap_y = min(a[3], b[3]) - max(a[1], b[1])
    gap_x = max(a[0], b[0]) - min(a[2], b[2])
    return overlap_y > 0.5 * height and gap_x <= 2 * height  # words of one row


def _in_reading_order(regions: list[Region], extra: list[Region]) -> list[Region]:
    """``regions`` (already in reading order) with each extra region put after the last region
    above it in its column — or, with none, before the first region below it in its column, else
    by its position on the page. It then moves past the regions that run on down the page between
    that neighbour and it (or up, before a region below it), whatever their column: a short
    caption under a wide figure, whatever the layout model calls it, stays with its figure."""
    ordered = sorted(regions, key=lambda r: r.order)
    for block in sorted(extra, key=lambda r: (r.box_1000[1], r.box_1000[0])):
        above = [
            i
            for i, r in enumerate(ordered)
            if _same_column(r.box_1000, block.box_1000) and r.box_1000[1] <= block.box_1000[1]
        ]
        if above:
            position = max(above, key=lambda i: (ordered[i].box_1000[3], i)) + 1
            while position < len(ordered) and _between(ordered[position - 1], ordered[position], block):
                position += 1
            ordered.insert(position, block)
            continue
        below = [
            i
            for i, r in enumerate(ordered)
            if _same_column(r.box_1000, block.box_1000) and r.box_1000[1] > block.box_1000[1]
        ]
        position = (
            min(below)
            if below
            else next(
                (
                    i
                    for i, r in enumerate(ordered)
                    if (r.box_1000[1], r.box_1000[0]) > (block.box_1000[1], block.box_1000[0])
                ),
                len(ordered),
            )
        )
        while 0 < position < len(ordered) and _between(block, ordered[position - 1], ordered[position]):
            position -= 1
        ordered.insert(position, block)
    return ordered


def _between(upper: Region, middle: Region, lower: Region) -> bool:
    """Whether ``middle`` lies down the page between ``upper`` and ``lower`` (starts where
    ``upper`` ends, ends where ``lower`` starts, give or take ``BETWEEN_SLACK``)."""
    return (
        middle.box_1000[1] >= upper.box_1000[3] - BETWEEN_SLACK
        and middle.box_1000[3] <= lower.box_1000[1] + BETWEEN_SLACK
    )


def _same_column(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0


def _is_real_furniture(region: Region) -> bool:
    """Furniture taken at its word: in the top or bottom margin band; a small footnote or side
    note anywhere. A header, footer or page number outside the bands is text the model mislabelled
    (CDLA calls a short first line of a page "header")."""
    x1, y1, x2, y2 = region.box_1000
    in_margin = y2 <= MARGIN_BAND * 1000 or y1 >= (1 - MARGIN_BAND) * 1000
    small = (x2 - x1) * (y2 - y1) <= SMALL_FURNITURE * 1_000_000
    return in_margin or (small and region.furniture in ("footnote", "aside"))


def crop_window(size: tuple[int, int], box_1000: Box, *, padded: bool = True) -> Box:
    """The pixels of a page of ``size`` that :func:`crop_region` cuts for ``box_1000``: the box
    (outwards to whole pixels), padded by ``CROP_PADDING`` of the page's shorter side within the
    page; with ``padded`` False the region's own box."""
    width, height = size
    pad = round(CROP_PADDING * min(width, height)) if padded else 0
    x1, y1, x2, y2 = box_1000
    left = max(0, x1 * width // 1000 - pad)
    top = max(0, y1 * height // 1000 - pad)
    right = min(width, -(-x2 * width // 1000) + pad)
    bottom = min(height, -(-y2 * height // 1000) + pad)
    return left, top, max(right, left + 1), max(bottom, top + 1)


def crop_region(page: Image.Image, box_1000: Box, max_pixels: int | None) -> Image.Image:
    """The region ``box_1000`` cut from ``page`` (the page rendered at the document's DPI, not the downscaled
    whole-page image), padded (:func:`crop_window`), then fitted to GLM-OCR's pixel budget (sides
    multiples of 28, at least 112×112 worth of pixels); with ``max_pixels`` None (a figure saved
    as a picture) it is not resized."""
    from PIL import Image

    crop = page.crop(crop_window(page.size, box_1000)).convert("RGB")
    if max_pixels is None:
        return crop
    size = fit_to_budget(crop.width, crop.height, min_pixels=GLM_MIN_PIXELS, max_pixels=max_pixels)
    if size != crop.size:
        crop = crop.resize(size, Image.Resampling.BICUBIC)
    return crop


def lines_on_page(
    lines: Sequence[TextLine], size: tuple[int, int], box_1000: Box, crop_size: tuple[int, int]
) -> tuple[TextLine, ...]:
    """``lines`` read on :func:`crop_region`'s crop of ``box_1000`` (``crop_size`` pixels, as
    fitted to the budget) placed on the page of ``size`` they were cut from: scaled back, moved to
    the crop's place. Only the lines whose centre lies inside the region itself are kept: a line
    in the padding belongs to the neighbouring region whose box holds it, and is kept there once."""
    left, top, right, bottom = crop_window(size, box_1000)
    x1, y1, x2, y2 = crop_window(size, box_1000, padded=False)
    fx, fy = (right - left) / crop_size[0], (bottom - top) / crop_size[1]
    placed = (line.scaled(fx, fy).shifted(left, top) for line in lines)
    return tuple(line for line in placed if x1 <= line.centre[0] <= x2 and y1 <= line.centre[1] <= y2)


def page_lines_with(
    size: tuple[int, int], detected: Sequence[TextLine], read: Sequence[tuple[Box, Sequence[TextLine]]]
) -> tuple[TextLine, ...]:
    """The lines of a page of ``size`` when a line engine read some of its regions (``read``: each
    region's ``box_1000`` and the engine's lines there, from :func:`lines_on_page`): inside those
    regions the engine's own lines, which carry text and confidence; elsewhere (figures, skipped
    furniture, regions read without lines) the ``detected`` ones. A line that two overlapping
    regions both read is kept once, from the first region in reading order."""
    from ocr_desktop.textlines import reading_sorted

    kept: list[TextLine] = []
    for _box, lines in read:
        earlier = tuple(kept)  # within one region the engine's lines stand as it found them
        kept.extend(line for line in lines if not any(_holds(other.box, line.centre) for other in earlier))
    boxes = [crop_window(size, box, padded=False) for box, _lines in read]
    rest = [line for line in detected if not any(_holds(box, line.centre) for box in boxes)]
    return tuple(reading_sorted([*kept, *rest]))  # as the detector gives them: by rows


def _holds(box: Box, point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]
