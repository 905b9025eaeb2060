"""From regions to what is read: the furniture setting, the never-lose-text rule, region crops.

The rule that layout never loses text (docs/layout.md): a region is only left unread when it is a
real picture or real page furniture. Everything else that carries ink must be covered by regions
that are read; when they cover less than ``MIN_INK_COVERAGE`` of that ink, the page is read whole
instead (``PagePlan.whole_page``) and the reason is recorded. Concretely, on a page's ink (dark
pixels):

- ink inside a figure counts as a picture's only if the figure does not look like text (text has
  many separate lines of thin ink; a photo, chart or drawing does not) — CDLA calls code blocks
  "figure";
- ink inside skipped furniture counts as furniture's only if the region sits in the page's top or
  bottom margin band or is small — a large "header" in mid-page is a mislabelled paragraph;
- all other ink must be inside a region that is read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.pages import GLM_MIN_PIXELS, fit_to_budget
from ocr_desktop.layout.base import Box, Region
from ocr_desktop.layout.labels import Action
from ocr_desktop.messages import Message

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

#: Read regions must cover this share of the page's must-read ink, else the page is read whole.
MIN_INK_COVERAGE = 0.99
#: Furniture inside the top or bottom band of this share of the page height is taken at its word.
MARGIN_BAND = 0.15
#: … and so is furniture smaller than this share of the page.
SMALL_FURNITURE = 0.02
#: Each region gets its own token budget, as the GLM-OCR SDK gives each region (8,192).
REGION_MAX_TOKENS = 8192
#: Padding around a region's box when it is cropped, as a share of the page's shorter side.
CROP_PADDING = 0.008
#: The ink mask is measured on the page shrunk to at most this many pixels on its long side.
_INK_SIDE = 1000
#: A pixel is ink when it is this many grey levels darker than the lightest pixel within
#: ``_STROKE_WINDOW`` px (wider than a body-text stroke at ``_INK_SIDE``).
_INK_CONTRAST = 60
_STROKE_WINDOW = 9


@dataclass(frozen=True)
class PagePlan:
    """What happens to one page: its regions with their tasks, or the whole page at once."""

    regions: tuple[Region, ...]  # every region found, in reading order
    read: tuple[tuple[Region, Task], ...]  # the regions read, in reading order, with their prompt
    figures: tuple[Region, ...]  # cropped and saved, not read
    skipped: tuple[Region, ...]  # furniture not kept
    whole_page: bool  # True: read the page as one image with Text Recognition:
    reason: str  # why the page is read whole; "" when it is read by regions
    ink_coverage: float  # share of the must-read ink inside read regions (1.0 on a blank page)
    text_like_figures: tuple[Region, ...] = field(default=())  # figures whose ink looks like text


def plan_page(page: Image.Image, regions: Sequence[Region], keep_furniture: Collection[str]) -> PagePlan:
    """The plan for a page whose regions were detected on an image of the same proportions as
    ``page`` (any mode, any resolution: boxes are used on the 0-1000 scale)."""
    import numpy as np

    read: list[tuple[Region, Task]] = []
    figures: list[Region] = []
    skipped: list[Region] = []
    for region in regions:
        if region.action is Action.FURNITURE:
            if region.furniture in keep_furniture:
                read.append((region, Task.TEXT))
            else:
                skipped.append(region)
        elif region.action is Action.FIGURE:
            figures.append(region)
        else:
            task = region.action.task
            assert task is not None
            read.append((region, task))
    if not read:
        reason = Message("layout found nothing to read" if not regions else "layout found no region to read")
        return _whole_page_plan(regions, figures, skipped, reason=reason, coverage=0.0)

    ink = _ink_mask(page)
    height, width = ink.shape
    must_read = ink.copy()
    text_like: list[Region] = []
    for region in figures:
        sub = _slice(ink, region.box_1000)
        if _looks_like_text(sub):
            text_like.append(region)
        else:
            must_read[_slices(region.box_1000, width, height)] = False
    for region in skipped:
        if _is_real_furniture(region):
            must_read[_slices(region.box_1000, width, height)] = False
    covered = np.zeros_like(ink)
    for region, _task in read:
        covered[_slices(region.box_1000, width, height)] = True
    total = int(must_read.sum())
    coverage = 1.0 if total == 0 else float((must_read & covered).sum()) / total
    if coverage < MIN_INK_COVERAGE:
        why = Message(
            "the regions read cover {coverage:.0%} of the page's text ink (< {minimum:.0%})",
            coverage=coverage,
            minimum=MIN_INK_COVERAGE,
        )
        if text_like:
            why = Message(
                "{why}; {count} region(s) labelled as pictures look like text", why=why, count=len(text_like)
            )
        return _whole_page_plan(
            regions, figures, skipped, reason=why, coverage=coverage, text_like=tuple(text_like)
        )
    return PagePlan(
        regions=tuple(regions),
        read=tuple(read),
        figures=tuple(figures),
        skipped=tuple(skipped),
        whole_page=False,
        reason="",
        ink_coverage=coverage,
        text_like_figures=tuple(text_like),
    )


def _whole_page_plan(
    regions: Sequence[Region],
    figures: list[Region],
    skipped: list[Region],
    *,
    reason: str,
    coverage: float,
    text_like: tuple[Region, ...] = (),
) -> PagePlan:
    return PagePlan(
        regions=tuple(regions),
        read=(),
        figures=tuple(f for f in figures if f not in text_like),
        skipped=tuple(skipped),
        whole_page=True,
        reason=reason,
        ink_coverage=coverage,
        text_like_figures=text_like,
    )


def _ink_mask(page: Image.Image) -> np.ndarray:
    """Strokes of the page, on a copy shrunk to ``_INK_SIDE``: pixels clearly darker than the
    lightest pixel around them. A photographed page's dark surroundings and shadows are not ink:
    there the surrounding pixels are as dark."""
    import numpy as np

    gray = page.convert("L")
    scale = _INK_SIDE / max(gray.size)
    if scale < 1:
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))))
    pixels = np.asarray(gray, dtype=np.int16)
    # Separable maximum over the window, rows then columns (edge pixels repeated outwards).
    half = _STROKE_WINDOW // 2
    background = pixels
    for axis in (0, 1):
        pad = [(half, half) if a == axis else (0, 0) for a in (0, 1)]
        padded = np.pad(background, pad, mode="edge")
        length = background.shape[axis]
        background = np.max(
            [np.take(padded, range(k, k + length), axis=axis) for k in range(_STROKE_WINDOW)], axis=0
        )
    return (background - pixels) > _INK_CONTRAST


def _slices(box_1000: Box, width: int, height: int) -> tuple[slice, slice]:
    x1, y1, x2, y2 = box_1000
    return slice(y1 * height // 1000, -(-y2 * height // 1000)), slice(
        x1 * width // 1000, -(-x2 * width // 1000)
    )


def _slice(mask: np.ndarray, box_1000: Box) -> np.ndarray:
    return mask[_slices(box_1000, mask.shape[1], mask.shape[0])]


def _looks_like_text(sub: np.ndarray) -> bool:
    """Several separate lines of thin ink: text (code, prose), not a picture."""
    import numpy as np

    if sub.size == 0:
        return False
    rows = sub.mean(axis=1)
    inked = rows > 0.005
    if not inked.any():
        return False
    lines = int(np.count_nonzero(inked[1:] & ~inked[:-1])) + int(inked[0])
    return lines >= 3 and float(rows[inked].mean()) < 0.35


def _is_real_furniture(region: Region) -> bool:
    x1, y1, x2, y2 = region.box_1000
    in_margin = y2 <= MARGIN_BAND * 1000 or y1 >= (1 - MARGIN_BAND) * 1000
    small = (x2 - x1) * (y2 - y1) <= SMALL_FURNITURE * 1_000_000
    return in_margin or small


def crop_region(page: Image.Image, box_1000: Box, max_pixels: int | None) -> Image.Image:
    """The region ``box_1000`` cut from ``page`` (the page rendered at the document's DPI, not the downscaled
    whole-page image), padded by ``CROP_PADDING`` of the page's shorter side, then fitted to
    GLM-OCR's pixel budget (sides multiples of 28, at least 112×112 worth of pixels); with
    ``max_pixels`` None (a figure saved as a picture) it is not resized."""
    from PIL import Image

    width, height = page.size
    pad = round(CROP_PADDING * min(width, height))
    x1, y1, x2, y2 = box_1000
    left = max(0, x1 * width // 1000 - pad)
    top = max(0, y1 * height // 1000 - pad)
    right = min(width, -(-x2 * width // 1000) + pad)
    bottom = min(height, -(-y2 * height // 1000) + pad)
    crop = page.crop((left, top, max(right, left + 1), max(bottom, top + 1))).convert("RGB")
    if max_pixels is None:
        return crop
    size = fit_to_budget(crop.width, crop.height, min_pixels=GLM_MIN_PIXELS, max_pixels=max_pixels)
    if size != crop.size:
        crop = crop.resize(size, Image.Resampling.BICUBIC)
    return crop
