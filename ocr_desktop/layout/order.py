"""Reading order for a layout model that has none of its own (CDLA; PP-DocLayoutV3 predicts one).

The page is cut into horizontal bands at every region that spans the columns (a title, a
full-width table); inside a band, regions are split into columns where a vertical gutter runs
between them, read left column first, each column top to bottom. Captions are taken out first and
put back next to the table or figure they belong to, so a centred caption never joins the columns
or ends up a column away from its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ocr_desktop.layout.base import Box, Region
from ocr_desktop.layout.labels import CAPTION_LABELS, Action

#: A region at least this share of the content width spans the columns.
WIDE_SHARE = 0.55


def reading_order(regions: Sequence[Region]) -> list[Region]:
    """``regions`` sorted into reading order, their ``order`` renumbered 0, 1, …"""
    captions = [r for r in regions if r.label in CAPTION_LABELS]
    body = [r for r in regions if r.label not in CAPTION_LABELS]
    ordered = _order_body(body)
    for caption in sorted(captions, key=lambda r: r.box[1]):
        ordered = _insert_caption(ordered, caption)
    return [replace(r, order=i) for i, r in enumerate(ordered)]


def _order_body(regions: list[Region]) -> list[Region]:
    if not regions:
        return []
    left = min(r.box[0] for r in regions)
    right = max(r.box[2] for r in regions)
    wide_min = WIDE_SHARE * (right - left)
    ordered: list[Region] = []
    band: list[Region] = []
    for region in sorted(regions, key=lambda r: (r.box[1], r.box[0])):
        if region.box[2] - region.box[0] >= wide_min:
            ordered += _order_band(band)
            ordered.append(region)
            band = []
        else:
            band.append(region)
    return ordered + _order_band(band)


def _order_band(regions: list[Region]) -> list[Region]:
    """Columns left to right (split at vertical gutters), each top to bottom."""
    columns: list[list[Region]] = []
    column_right = -1
    for region in sorted(regions, key=lambda r: r.box[0]):
        if columns and region.box[0] < column_right:
            columns[-1].append(region)
            column_right = max(column_right, region.box[2])
        else:
            columns.append([region])
            column_right = region.box[2]
    return [r for column in columns for r in sorted(column, key=lambda r: (r.box[1], r.box[0]))]


def _insert_caption(ordered: list[Region], caption: Region) -> list[Region]:
    """``caption`` placed just before the table/figure below it or just after the one above it
    (the nearest one it overlaps horizontally); with none, where its position puts it."""
    best: tuple[float, int, bool] | None = None  # distance, index, caption above the object
    for i, obj in enumerate(ordered):
        if obj.action not in (Action.TABLE, Action.FIGURE) or not _overlap_x(caption.box, obj.box):
            continue
        above = caption.box[3] <= (obj.box[1] + obj.box[3]) / 2
        gap = obj.box[1] - caption.box[3] if above else caption.box[1] - obj.box[3]
        distance = max(0.0, gap)
        if best is None or distance < best[0]:
            best = (distance, i, above)
    if best is None:
        position = next(
            (i for i, r in enumerate(ordered) if (r.box[1], r.box[0]) > (caption.box[1], caption.box[0])),
            len(ordered),
        )
    else:
        position = best[1] if best[2] else best[1] + 1
    return [*ordered[:position], caption, *ordered[position:]]


def _overlap_x(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0])
