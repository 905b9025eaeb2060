"""A page row of the job store as a value, with its formatted result (format once,
``core/page_format.py``): read as stored while it is of the current ``FORMAT_VERSION``,
formatted again otherwise (the caller keeps the new result)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ocr_desktop import messages
from ocr_desktop.core import page_format
from ocr_desktop.core.formatter import FORMAT_VERSION, format_page
from ocr_desktop.core.results import FLAG_EDITED, FormattedPage, PageResult, RegionResult
from ocr_desktop.core.store_rows import lines_from, region_result, stats_from
from ocr_desktop.core.store_schema import REGION_COLUMNS

PAGE_COLUMNS = (
    "page_index, status, text, edited_text, task, backend, model, width, height, prompt_tokens, "
    "image_tokens, completion_tokens, time_to_first_token_s, total_s, finish_reason, flags, error, "
    "error_message, layout, layout_note, layout_note_message, markdown, plain, edited_markdown, "
    "edited_plain, format_version, text_lines"
)


def page_result(row: Sequence[Any], regions: tuple[RegionResult, ...]) -> tuple[PageResult, bool]:
    """A finished page row as a value, and whether its stored formatted result was current (if
    not, the page is formatted now)."""
    (index, _status, text, edited, task, backend, model, w, h, *stats) = row[:15]
    flags, _err, _err_message, layout, note, note_message = row[15:21]
    markdown, plain, edited_markdown, edited_plain, version, text_lines = row[21:27]
    flag_set = frozenset(json.loads(str(flags)))
    page = PageResult(
        page_index=int(index),
        text=str(text),
        task=str(task),
        backend=str(backend),
        model=str(model),
        stats=stats_from(stats),
        flags=flag_set,
        width=int(w),
        height=int(h),
        # a page read whole after all keeps the regions layout found (none read), to be shown
        regions=regions,
        layout=str(layout),
        layout_note=messages.loads(str(note), str(note_message)),
        lines=lines_from(text_lines),
        model_text=str(text),
    )
    fresh = version == FORMAT_VERSION and markdown is not None
    if edited is not None:
        if fresh and edited_markdown is not None:
            edit = FormattedPage(str(edited_markdown), str(edited_plain))
        else:
            fresh, edit = False, format_page(str(edited), page_format.edit_task(page))
        return dataclasses.replace(
            page, text=str(edited), flags=flag_set | {FLAG_EDITED}, formatted=edit
        ), fresh
    if not fresh:
        return page_format.committed(page), False
    formatted = FormattedPage(str(markdown), str(plain))
    return dataclasses.replace(
        page, text=formatted.markdown if page_format.by_regions(page) else page.text, formatted=formatted
    ), True


def original(db: sqlite3.Connection, job_id: str, page_index: int) -> tuple[str, FormattedPage, str] | None:
    """A finished page's original text (the model's answer, or a layout page's assembled
    Markdown), its formatted result (formatted again and kept if stale) and the task an edit of
    it is formatted with; None when the page has no result."""
    rows = db.execute(
        f"SELECT {PAGE_COLUMNS} FROM pages WHERE job_id = ? AND page_index = ? AND status = 'done'",
        (job_id, page_index),
    ).fetchall()
    if not rows:
        return None
    regions = tuple(
        region_result(r[1:])
        for r in db.execute(
            f"SELECT {REGION_COLUMNS} FROM regions WHERE job_id = ? AND page_index = ? ORDER BY region_order",
            (job_id, page_index),
        )
    )
    row = list(rows[0])
    row[3] = None  # the page as the model wrote it
    page, fresh = page_result(row, regions)
    assert page.formatted is not None
    if not fresh:
        # an edit's stored result is of the old version too: formatted again when next read
        db.execute(
            "UPDATE pages SET markdown = ?, plain = ?, edited_markdown = NULL, edited_plain = NULL, "
            "format_version = ? WHERE job_id = ? AND page_index = ?",
            (page.formatted.markdown, page.formatted.text, FORMAT_VERSION, job_id, page_index),
        )
    return page.text, page.formatted, page_format.edit_task(page)
