"""Markdown: each page through the result formatter (core/formatter.py, docs/formatting.md); a
layout page assembled from its regions, figures linked to their crops saved beside the export."""

from __future__ import annotations

from collections.abc import Sequence

from ocr_desktop.core import page_format
from ocr_desktop.core.results import DocumentResult, PageResult
from ocr_desktop.exporters.base import export_stem, fill_figure_links, flag_notes, page_entries


def page_markdown(name: str, page: PageResult, notes: Sequence[str] | None = None, *, stem: str = "") -> str:
    """A read page of the document ``name`` as the ``.md`` holds it: its formatted Markdown with
    the figures linked, then a note for each flag (``notes``: the flags' notes, translated by
    the window; by default in English as in the file). The Markdown tab shows the same.
    ``stem``: the export's file name when the exporter chose one (``export_stem``)."""
    parts = []
    text = fill_figure_links(name, page, page_format.formatted(page).markdown, stem=stem)
    if text:
        parts.append(text)
    parts.extend(f"> **Note:** {note}." for note in (flag_notes(page) if notes is None else notes))
    return "\n\n".join(parts)


def render(document: DocumentResult, *, page_separators: bool = True) -> str:
    blocks: list[str] = []
    for entry in page_entries(document):
        # An HTML comment marks the page without showing; the rule shows where pages meet.
        parts = [f"<!-- page {entry.number} -->"] if page_separators else []
        if entry.result is None:
            parts.append(f"> **Page {entry.number} could not be read:** {entry.error}")
        else:
            text = page_markdown(document.name, entry.result, stem=export_stem(document))
            if text:
                parts.append(text)
        blocks.append("\n\n".join(parts))
    return ("\n\n---\n\n" if page_separators else "\n\n").join(blocks) + "\n"


def render_combined(documents: Sequence[DocumentResult], *, page_separators: bool = True) -> str:
    return "\n".join(
        f"# {document.name}\n\n{render(document, page_separators=page_separators)}" for document in documents
    )
