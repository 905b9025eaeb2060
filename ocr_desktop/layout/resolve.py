"""Overlapping regions resolved before anything is read, as the GLM-OCR SDK does
(glmocr/utils/layout_postprocess_utils.py), so no text is read twice.

- A picture box (``image``) covering nearly the whole page is dropped when the page has other
  boxes: it would swallow the page's text (the SDK: more than 82 % of a landscape page's area,
  93 % of a portrait one's).
- The SDK's "large" merge: a box lying at least 80 % inside another is dropped, except pictures,
  seals and charts, which are kept whatever they lie in. Two boxes inside each other (the same
  lines seen as two classes, as CDLA does) keep one of them — the larger, then the more
  confident — where the SDK, which never meets them after its NMS, would drop both.

Boxes are compared on the 0-1000 scale, so regions of any detector and any rendering meet.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocr_desktop.layout.base import Box, Region

#: A box at least this share inside another is nested in it (the SDK's ``is_contained``).
NESTED = 0.8
#: Labels never dropped as nested (the SDK's ``preserve_labels``; CDLA's picture is "figure").
PROTECTED_LABELS = frozenset({"image", "seal", "chart", "figure"})
#: Picture labels whose page-sized boxes are dropped (the SDK filters ``image``).
PAGE_IMAGE_LABELS = frozenset({"image", "figure"})
#: A picture box above this share of the page area is page-sized: landscape, portrait page.
PAGE_IMAGE_SHARE = (0.82, 0.93)


def area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersection(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def inside_share(inner: Box, outer: Box) -> float:
    """The share of ``inner``'s area that lies inside ``outer`` (0 for an empty box)."""
    own = area(inner)
    return intersection(inner, outer) / own if own else 0.0


def drop_page_sized_images(regions: Sequence[Region], size: tuple[int, int]) -> list[Region]:
    """``regions`` without picture boxes that cover the page, unless the page has nothing else."""
    if len(regions) <= 1:
        return list(regions)
    width, height = size
    share = PAGE_IMAGE_SHARE[0] if width > height else PAGE_IMAGE_SHARE[1]
    return [r for r in regions if r.label not in PAGE_IMAGE_LABELS or area(r.box_1000) <= share * 1_000_000]


def drop_nested(regions: Sequence[Region]) -> tuple[list[Region], list[Region]]:
    """(kept, dropped): every region at least ``NESTED`` inside another one dropped, pictures,
    seals and charts excepted; ``kept`` keeps the given (reading) order."""
    # Larger boxes first, so of two boxes inside each other the larger (then the more confident)
    # is met first and kept.
    by_size = sorted(range(len(regions)), key=lambda i: (-area(regions[i].box_1000), -regions[i].score, i))
    dropped: set[int] = set()
    for rank, i in enumerate(by_size):
        region = regions[i]
        if region.label in PROTECTED_LABELS:
            continue
        for j in by_size[:rank] + by_size[rank + 1 :]:
            if j in dropped:
                continue
            other = regions[j]
            if inside_share(region.box_1000, other.box_1000) < NESTED:
                continue
            mutual = inside_share(other.box_1000, region.box_1000) >= NESTED
            # Inside each other: the one met first (larger, more confident) stays.
            if not mutual or by_size.index(j) < rank or other.label in PROTECTED_LABELS:
                dropped.add(i)
                break
    kept = [r for i, r in enumerate(regions) if i not in dropped]
    return kept, [r for i, r in enumerate(regions) if i in dropped]


def resolve_overlaps(regions: Sequence[Region], size: tuple[int, int]) -> tuple[list[Region], list[Region]]:
    """(kept, dropped) after both of the SDK's clean-ups, in the given order."""
    sized = drop_page_sized_images(regions, size)
    kept, nested = drop_nested(sized)
    removed = [r for r in regions if r not in sized] + nested
    return kept, removed
