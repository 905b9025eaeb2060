"""Plain text: each page through the result formatter (core/formatter.py): no markup, every
table as aligned columns, LaTeX made readable, code as it was."""

from __future__ import annotations

from collections.abc import Sequence

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.core.tables import display_width
from ocr_desktop.exporters.base import flag_notes, page_entries, page_formatted


def render(document: DocumentResult, *, page_separators: bool = True) -> str:
    blocks: list[str] = []
    for entry in page_entries(document):
        parts = [f"--- Page {entry.number} ---"] if page_separators else []
        if entry.result is None:
            parts.append(f"[Page {entry.number} could not be read: {entry.error}]")
        else:
            text = page_formatted(document, entry.result).text
            if text:
                parts.append(text)
            parts.extend(f"[Page {entry.number}: {note}]" for note in flag_notes(entry.result))
        blocks.append("\n\n".join(parts))
    return "\n\n".join(blocks) + "\n"


def render_combined(documents: Sequence[DocumentResult], *, page_separators: bool = True) -> str:
    sections = []
    for document in documents:
        title = f"{document.name}\n{'=' * display_width(document.name)}"
        sections.append(f"{title}\n\n{render(document, page_separators=page_separators)}")
    return "\n\n".join(sections)
