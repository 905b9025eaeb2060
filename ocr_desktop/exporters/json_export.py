"""JSON: every page with its text, timings, tokens, backend, model, flags, and its layout regions.

The schema is documented in docs/json-schema.md; ``SCHEMA_VERSION`` changes whenever a field is
removed or changes meaning (adding a field does not change it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ocr_desktop.core.results import DocumentResult, GenerationStats, PageResult, RegionResult
from ocr_desktop.exporters.base import figure_path, page_formatted

SCHEMA_VERSION = 2


def _timestamp(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tokens(stats: GenerationStats) -> dict[str, Any]:
    return {"prompt": stats.prompt_tokens, "image": stats.image_tokens, "completion": stats.completion_tokens}


def _timings(stats: GenerationStats) -> dict[str, Any]:
    return {
        "time_to_first_token_s": round(stats.time_to_first_token_s, 3),
        "total_s": round(stats.total_s, 3),
        "decode_tokens_per_s": round(stats.decode_tokens_per_s, 2),
    }


def _region(document: DocumentResult, page: PageResult, region: RegionResult) -> dict[str, Any]:
    x1, y1, x2, y2 = region.box
    n1, m1, n2, m2 = region.box_1000
    return {
        "order": region.order,
        "label": region.label,
        "kind": region.kind,
        "task": region.task or None,
        "box": {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
        "box_1000": [n1, m1, n2, m2],
        "score": round(region.score, 3),
        "text": region.text if region.read else None,
        "image": figure_path(document, page.page_index, region) if region.image_png else None,
        "flags": sorted(region.flags),
        "tokens": _tokens(region.stats),
        "timings": _timings(region.stats),
        "finish_reason": region.stats.finish_reason,
    }


def _page(document: DocumentResult, page: PageResult) -> dict[str, Any]:
    stats = page.stats
    return {
        "index": page.page_index,
        "number": page.page_index + 1,
        "text": page_formatted(document, page).markdown,
        "raw_text": page.raw_text,
        "task": page.task,
        "backend": page.backend,
        "model": page.model,
        "flags": sorted(page.flags),
        "image": {"width": page.width, "height": page.height},
        "tokens": _tokens(stats),
        "timings": _timings(stats),
        "finish_reason": stats.finish_reason,
        "layout": {"model": page.layout, "note": page.layout_note}
        if page.layout or page.layout_note
        else None,
        "regions": [_region(document, page, region) for region in page.regions],
        # The text lines found on the page (docs/json-schema.md); null when none were detected.
        "lines": page.lines.to_json() if page.lines is not None else None,
    }


def document_object(document: DocumentResult) -> dict[str, Any]:
    pages = [_page(document, page) for page in sorted(document.pages, key=lambda p: p.page_index)]
    return {
        "document": {
            "job_id": document.job_id,
            "name": document.name,
            "source": document.source,
            "page_count": document.page_count,
            "created_at": _timestamp(document.created_at),
            "finished_at": _timestamp(document.finished_at),
        },
        # The pages' formatted Markdown joined (docs/json-schema.md); each page is formatted once.
        "text": "\n\n".join(page["text"] for page in pages),
        "pages": pages,
        "failed": [
            {"index": index, "number": index + 1, "message": message}
            for index, message in sorted(document.failed.items())
        ],
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(document: DocumentResult, *, page_separators: bool = True) -> str:
    """One document; ``page_separators`` has no meaning here (pages are separate objects)."""
    return _dump({"schema_version": SCHEMA_VERSION, **document_object(document)})


def render_combined(documents: Sequence[DocumentResult], *, page_separators: bool = True) -> str:
    return _dump({"schema_version": SCHEMA_VERSION, "documents": [document_object(d) for d in documents]})
