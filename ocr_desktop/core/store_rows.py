"""Conversions between the job store's rows and result values (store.py's SQL stays apart)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ocr_desktop.core.results import GenerationStats, PageLines, RegionResult


def stats_values(stats: GenerationStats) -> tuple[int, int, int, float, float, str]:
    return (
        stats.prompt_tokens,
        stats.image_tokens,
        stats.completion_tokens,
        stats.time_to_first_token_s,
        stats.total_s,
        stats.finish_reason,
    )


def stats_from(values: Sequence[Any]) -> GenerationStats:
    pt, it, ct, ttft, total, fin = values
    return GenerationStats(
        prompt_tokens=int(pt),
        image_tokens=int(it),
        completion_tokens=int(ct),
        time_to_first_token_s=float(ttft),
        total_s=float(total),
        finish_reason=str(fin),
    )


def box_from(text: str) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (int(v) for v in json.loads(text))
    return x1, y1, x2, y2


def region_result(row: Sequence[Any]) -> RegionResult:
    order, label, kind, box, box_1000, score, task, text, *stats, flags, image = row
    return RegionResult(
        order=int(order),
        label=str(label),
        kind=str(kind),
        box=box_from(str(box)),
        box_1000=box_from(str(box_1000)),
        score=float(score),
        task=str(task),
        text=str(text),
        stats=stats_from(stats),
        flags=frozenset(json.loads(str(flags))),
        image_png=bytes(image) if image is not None else b"",
    )


def lines_json(lines: PageLines | None) -> str | None:
    """A page's text lines as stored (``pages.text_lines``); None: never detected."""
    return None if lines is None else json.dumps(lines.to_json(), separators=(",", ":"))


def lines_from(text: str | None) -> PageLines | None:
    return None if text is None else PageLines.from_json(json.loads(text))
