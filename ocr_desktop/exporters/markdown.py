"""Markdown: each page through the result formatter (core/formatter.py, docs/formatting.md); a
layout page assembled from its regions, figures linked to their crops saved beside the export."""

from __future__ import annotations

from collections.abc import Sequence

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters.base import flag_notes, page_entries, page_formatted


def render(document: DocumentResult, *, page_separators: bool = True) -> str:
    blocks: list[str] = []
    for entry in page_entries(document):
        # An HTML comment marks the page without showing; the rule shows where pages meet.
        parts = [f"<!-- page {entry.number} -->"] if page_separators else []
        if entry.result is None:
            parts.append(f"> **Page {entry.number} could not be read:** {entry.error}")
        else:
            text = page_formatted(document, entry.result).markdown
            if text:
                parts.append(text)
            parts.extend(f"> **Note:** {note}." for note in flag_notes(entry.result))
        blocks.append("\n\n".join(parts))
    return ("\n\n---\n\n" if page_separators else "\n\n").join(blocks) + "\n"


def render_combined(documents: Sequence[DocumentResult], *, page_separators: bool = True) -> str:
    return "\n".join(
        f"# {document.name}\n\n{render(document, page_separators=page_separators)}" for document in documents
    )
