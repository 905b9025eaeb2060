"""The Markdown tab's content: a page's formatted Markdown as the ``.md`` export holds it.

A finished page is shown from its formatted result (format once, ``core/page_format.py``: no
formatter pass here) with what the ``.md`` adds: each figure linked under the path the export
gives it, drawn from the crop the store keeps, and the notes of a flagged page (token limit,
loop). Text still streaming in, or being typed, is formatted as it is shown.

Also here: finding a region's text in the page as shown (letters and digits only, whatever
markup the formatter put around it), used by the reading view to link boxes and text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument, QTextFrame, QTextTable
from PySide6.QtWidgets import QTextBrowser

from ocr_desktop.core import page_format
from ocr_desktop.core.results import PageResult
from ocr_desktop.exporters.base import figure_file
from ocr_desktop.exporters.markdown import page_markdown

_DISPLAY_FORMULA = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)

#: How much of a region's text locates it in the page's text (letters and digits only).
_REGION_KEY_CHARS = 24
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")


class TextIndex:
    """The page's text as shown, reduced to its case-folded letters and digits once, so each
    region's text can be found in it whatever markup the formatter put around it (headings,
    tables, $$)."""

    def __init__(self, text: str) -> None:
        self._positions: list[int] = []  # for each folded character, where it stands in the text
        parts: list[str] = []
        for match in _WORD.finditer(text):
            for offset, char in enumerate(match.group()):
                folded = char.casefold()  # may be longer: ß → ss
                parts.append(folded)
                self._positions.extend([match.start() + offset] * len(folded))
        self._flat = "".join(parts)

    def find(self, region_text: str) -> int | None:
        """Where ``region_text`` begins in the text; None if absent."""
        key = _NOT_WORD.sub("", region_text).casefold()[:_REGION_KEY_CHARS]
        if not key:
            return None
        found = self._flat.find(key)
        return self._positions[found] if found >= 0 else None


def locate(text: str, region_text: str) -> int | None:
    """Where ``region_text`` begins in ``text``, comparing letters and digits only."""
    return TextIndex(text).find(region_text)


def markdown_for_display(text: str) -> str:
    """GLM-OCR's Markdown, adjusted for QTextDocument: display formulas (``$$…$$``) become LaTeX
    code blocks so they keep their line breaks and read as formulas, not as run-on prose."""
    return _DISPLAY_FORMULA.sub(lambda m: f"\n```latex\n{m.group(1).strip()}\n```\n", text)


def _outline_tables(document: QTextDocument) -> None:
    """Markdown and GLM-OCR's HTML tables come without borders; draw them so cells can be read."""
    frames: list[QTextFrame] = [document.rootFrame()]
    while frames:
        frame = frames.pop()
        frames.extend(frame.childFrames())
        if isinstance(frame, QTextTable):
            fmt = frame.format()
            fmt.setBorder(1)
            fmt.setBorderCollapse(True)
            fmt.setCellPadding(4)
            fmt.setCellSpacing(0)
            frame.setFormat(fmt)


def finished_page_markdown(name: str, page: PageResult, notes: list[str]) -> tuple[str, dict[str, bytes]]:
    """A finished page's Markdown as the ``.md`` export of the document ``name`` holds it (its
    figure links, the flagged page's ``notes``), and the crop of each figure by its link."""
    markdown = page_markdown(name, page, notes)
    linked = page_format.linked_figures(page_format.formatted(page).markdown)
    figures = {
        figure_file(name, page.page_index, region.order): region.image_png
        for region in page.regions
        if region.image_png and region.order in linked
    }
    return markdown, figures


def show_markdown(view: QTextBrowser, markdown: str, figures: Mapping[str, bytes] | None = None) -> None:
    """Render ``markdown`` in ``view``: tables outlined, display math set apart, each figure
    (its link → PNG bytes) drawn from memory where the export would save it."""
    document = view.document()
    document.setMarkdown(markdown_for_display(markdown), QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    for link, png in (figures or {}).items():
        # The link as the Markdown writes it (URL-encoded), so the image resource is found
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(link), QImage.fromData(png))
    if figures:
        document.markContentsDirty(0, document.characterCount())
    _outline_tables(document)
