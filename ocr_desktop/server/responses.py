"""A read document in the shapes GLM-OCR's clients read.

* The SDK server's ``POST /glmocr/parse``: ``json_result`` (a list of pages, each a list of
  regions ``index``, ``label``, ``content``, ``bbox_2d`` on the 0-1000 scale of the page) and
  ``markdown_result``, plus the MaaS-compatible fields that server adds (``layout_details``,
  ``md_results``, ``data_info``, ``usage``, ``model``, ``id``, ``created``).
* The cloud's ``layout_parsing`` as the SDK's ``MaaSClient`` reads it: ``md_results``,
  ``layout_details`` with ``bbox_2d`` in pixels of the page image and ``data_info.pages`` giving
  each page's size (the client divides by it to get the 0-1000 scale), figures in the Markdown as
  ``![](page=N,bbox=[x1, y1, x2, y2])``, which the client crops from its own copy.

The labels are the SDK's: ``text``, ``table``, ``formula``, ``image``. A page read whole (page
mode) is one ``text`` region covering the page.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from ocr_desktop.core.formatter import RegionContent, assemble_regions, format_page
from ocr_desktop.core.page_format import by_regions, formatter_label
from ocr_desktop.core.results import DocumentResult, PageResult, RegionResult

MODEL_NAME = "glm-ocr"
#: Region kinds (the label table's actions, ``layout/labels.py``) as the SDK's labels.
_SDK_LABELS = {"text": "text", "table": "table", "formula": "formula", "figure": "image", "furniture": "text"}

_Box = Callable[[PageResult, RegionResult | None], list[int]]


def _box_1000(page: PageResult, region: RegionResult | None) -> list[int]:
    return list(region.box_1000) if region is not None else [0, 0, 1000, 1000]


def _box_pixels(page: PageResult, region: RegionResult | None) -> list[int]:
    return list(region.box) if region is not None else [0, 0, page.width, page.height]


def _shown(region: RegionResult) -> bool:
    """Regions a client gets: those read, and figures; skipped furniture is left out."""
    return region.read or region.kind == "figure"


def _page_regions(page: PageResult, box: _Box) -> list[dict[str, Any]]:
    if not by_regions(page):  # read whole (its regions, if any, were not read)
        return [{"index": 0, "label": "text", "content": page.text.strip(), "bbox_2d": box(page, None)}]
    shown = [region for region in page.regions if _shown(region)]
    return [
        {
            "index": index,
            "label": _SDK_LABELS.get(region.kind, "text"),
            "content": "" if region.kind == "figure" else region.text.strip(),
            "bbox_2d": box(page, region),
        }
        for index, region in enumerate(shown)
    ]


def _page_markdown(page: PageResult, number: int, box: _Box) -> str:
    """The page's Markdown through the app's formatter (as the .md export), a figure as the
    SDK's ``![](page=N,bbox=[…])`` reference instead of a link to a saved crop."""
    if not by_regions(page):  # read whole (its regions, if any, were not read)
        return format_page(page.text, page.task).markdown
    parts = []
    for region in page.regions:
        if region.kind == "figure":
            parts.append(RegionContent("text", f"![](page={number},bbox={box(page, region)})"))
        elif region.read:
            parts.append(RegionContent(formatter_label(region.label), region.text))
    return assemble_regions(parts).markdown


def _markdown(document: DocumentResult, box: _Box) -> str:
    pages = [_page_markdown(page, number, box) for number, page in enumerate(document.pages)]
    return "\n\n".join(text for text in pages if text)


def _usage(document: DocumentResult) -> dict[str, int]:
    prompt = sum(
        p.stats.prompt_tokens + sum(r.stats.prompt_tokens for r in p.regions) for p in document.pages
    )
    completion = sum(
        p.stats.completion_tokens + sum(r.stats.completion_tokens for r in p.regions) for p in document.pages
    )
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _envelope(document: DocumentResult) -> dict[str, Any]:
    return {
        "model": MODEL_NAME,
        "id": f"ocr-desktop-{document.job_id}",
        "request_id": uuid.uuid4().hex,
        "created": int(time.time()),
        "usage": _usage(document),
    }


def sdk_parse_response(document: DocumentResult) -> dict[str, Any]:
    """``/glmocr/parse``'s answer: the SDK server's fields and its MaaS-compatible ones (which
    it fills with the same 0-1000 boxes and no page sizes, as it does)."""
    json_result = [_page_regions(page, _box_1000) for page in document.pages]
    markdown = _markdown(document, _box_1000)
    return {
        "json_result": json_result,
        "markdown_result": markdown,
        "layout_details": json_result,
        "md_results": markdown,
        "data_info": {"pages": []},
        **_envelope(document),
    }


def layout_parsing_response(document: DocumentResult) -> dict[str, Any]:
    """The cloud ``layout_parsing`` answer: pixel boxes and each page's size in ``data_info``."""
    return {
        "md_results": _markdown(document, _box_pixels),
        "layout_details": [_page_regions(page, _box_pixels) for page in document.pages],
        "data_info": {
            "num_pages": len(document.pages),
            "pages": [{"width": page.width, "height": page.height} for page in document.pages],
        },
        **_envelope(document),
    }
