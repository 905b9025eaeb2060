"""One page ready for the model, page ranges, and GLM-OCR's pixel budget."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ocr_desktop.documents.errors import DocumentError, PageRangeError
from ocr_desktop.messages import Message

#: GLM-OCR's preprocessor limits (preprocessor_config.json ``size``): pixel budgets, not edges.
GLM_MIN_PIXELS = 12_544  # 112²
GLM_MAX_PIXELS = 9_633_792  # 28² × 12 288
#: Side lengths are multiples of this: patch 14 × spatial merge 2. One image token = 28×28 px.
PATCH_FACTOR = 28
#: Default budget: 3072 image tokens. An A4 page at 150 DPI (1240×1754) fits without shrinking,
#: and it stays under llama.cpp's 4096-token image cap (docs/documents.md). Same as settings.
DEFAULT_MAX_PIXELS = 2_408_448
DEFAULT_DPI = 150
#: Qwen/GLM smart-resize refuses more extreme aspect ratios; such a "page" is a strip, not a page.
MAX_ASPECT_RATIO = 200


@dataclass(frozen=True)
class PageImage:
    """One page, ready for the model: RGB, fitted to the pixel budget, sides multiples of 28."""

    image: Image.Image
    index: int  # 0-based page index within the document
    source: Path
    original_size: tuple[int, int]  # (width, height) before fitting


_RANGE_PART = re.compile(r"^(\d*)\s*(-?)\s*(\d*)$")


def parse_page_range(spec: str, page_count: int) -> list[int]:
    """Turn ``"1-3,7,10-"`` (1-based, inclusive; ``-5`` = up to 5, ``10-`` = 10 to the end) into
    sorted 0-based page indices of a ``page_count``-page document. An empty spec means every page.

    Parts beyond the end of the document are dropped, so one range can be applied to a batch of
    documents of different lengths; a spec that selects no page at all is an error.
    """
    if not spec.strip():
        return list(range(page_count))
    selected: set[int] = set()
    for raw in spec.split(","):
        part = raw.strip()
        match = _RANGE_PART.match(part)
        if not part or match is None or not (match.group(1) or match.group(3)):
            raise PageRangeError(
                f"page range '{spec}': '{part}' is not a page or a range — use numbers such as 1-3,7,10-"
            )
        first_s, dash, last_s = match.groups()
        first = int(first_s) if first_s else 1
        last = int(last_s) if last_s else (page_count if dash else first)
        if first < 1 or last < 1:
            raise PageRangeError(f"page range '{spec}': pages are numbered from 1")
        if last_s and last < first:
            raise PageRangeError(f"page range '{spec}': '{part}' goes backwards — write {last}-{first}")
        selected.update(range(first - 1, min(last, page_count)))
    if not selected:
        raise PageRangeError(f"page range '{spec}' selects no page of this {page_count}-page document")
    return sorted(selected)


def fit_to_budget(
    width: int,
    height: int,
    *,
    min_pixels: int = GLM_MIN_PIXELS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    factor: int = PATCH_FACTOR,
) -> tuple[int, int]:
    """The size a ``width``×``height`` page is resized to before the model sees it.

    Qwen-VL / GLM-OCR "smart resize": each side rounded to a multiple of ``factor``; if the
    area then exceeds ``max_pixels`` both sides shrink by the same ratio (rounded down), if it
    falls below ``min_pixels`` they grow (rounded up). The aspect ratio is kept to within one
    ``factor`` step per side. The maximum wins over the minimum: a budget close to ``min_pixels``
    can round a page to slightly fewer pixels (the model's processor then grows it).
    Raises ValueError for empty sizes and aspect ratios over 200:1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size {width}×{height} is empty")
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise ValueError(f"image size {width}×{height} has an aspect ratio over {MAX_ASPECT_RATIO}:1")
    if max_pixels < min_pixels:
        raise ValueError(f"pixel budget {max_pixels} is below the minimum {min_pixels}")
    w = max(factor, round(width / factor) * factor)
    h = max(factor, round(height / factor) * factor)
    if w * h > max_pixels:
        beta = math.sqrt(width * height / max_pixels)
        w = max(factor, math.floor(width / beta / factor) * factor)
        h = max(factor, math.floor(height / beta / factor) * factor)
        # A narrow strip's short side cannot go below one tile; the long side pays for it.
        if w * h > max_pixels:
            if w > h:
                w = max_pixels // (h * factor) * factor
            else:
                h = max_pixels // (w * factor) * factor
    elif w * h < min_pixels:
        beta = math.sqrt(min_pixels / (width * height))
        w = math.ceil(width * beta / factor) * factor
        h = math.ceil(height * beta / factor) * factor
    return w, h


def fit_page(page: PageImage, max_pixels: int) -> PageImage:
    """``page`` (rendered at the document's DPI for layout reading) fitted to the model's budget."""
    size = fit_to_budget(*page.image.size, max_pixels=max_pixels)
    if size == page.image.size:
        return page
    return dataclasses.replace(page, image=page.image.resize(size, Image.Resampling.LANCZOS))


def fit_or_refuse(where: str, index: int, size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    try:
        return fit_to_budget(*size, max_pixels=max_pixels)
    except ValueError as exc:
        raise DocumentError(
            f"{where} cannot be read as a page: {exc} — crop or split it into normal pages",
            page_index=index,
        ) from None


def refuse_blank(image: Image.Image, where: str, index: int) -> None:
    """A page of one single colour has no text; the model would still "read" something into it
    (a tiny model invents a page), so it is a page error instead of a silent result."""
    extrema = image.getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    if all(low == high for low, high in bands):
        raise DocumentError(
            Message(
                "{where} is blank (every pixel is the same colour): there is no text to read — if it "
                "should have some, the file is damaged; scan or export it again",
                where=where,
            ),
            page_index=index,
        )
