"""Where a page is formatted: once when it is committed, and again only when the user edits it.

"Format once, render many": the pipeline commits a page through :func:`committed`, which runs
the one formatter pass (``core/formatter.py``) and keeps the result with the page; the store
saves it beside what the model wrote, and the Markdown tab, the ``.txt``, the ``.md`` and the
JSON export all read it. An edit is formatted by :func:`edited` (the store formats the text it
is given the same way). A figure of a layout page is a placeholder link, ``ocr-figure:N`` (N the
region's 1-based reading order), which each export fills with the path of the crop it saves
(:func:`fill_figures`), so the formatted page does not depend on where it is exported, and a
figure stays linked through an edit unless the user deleted its line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from ocr_desktop.core.formatter import RegionContent, assemble_regions, format_page
from ocr_desktop.core.results import FLAG_EDITED, FormattedPage, PageResult, RegionResult

#: The URL scheme of a figure placeholder in a formatted layout page.
FIGURE_SCHEME = "ocr-figure:"
_PLACEHOLDER = re.compile(r"\]\(ocr-figure:(\d+)\)")

#: CDLA labels that the formatter (``formatter.assemble_regions``, which speaks the SDK's label
#: names) knows under another name; every other label is passed as it is.
_FORMATTER_LABELS = {
    "title": "paragraph_title",
    "equation": "formula",
    "figure": "image",
    # layout/plan.py's extra regions: lines layout missed, a "figure" that is text (read as text)
    "missed_text": "text",
    "figure_text": "text",
}


def formatter_label(label: str) -> str:
    """The SDK label name ``assemble_regions`` knows for a layout label (CDLA's "title" is a
    heading, its "equation" display math)."""
    return _FORMATTER_LABELS.get(label, label)


def figure_placeholder(region: RegionResult) -> str:
    """A figure's line in the page's Markdown before an export gives it a path."""
    return f"![{region.label} {region.order + 1}]({FIGURE_SCHEME}{region.order + 1})"


def regions_model_text(regions: Sequence[RegionResult]) -> str:
    """What the model wrote for a layout page: its read regions' outputs in reading order."""
    return "\n\n".join(region.text for region in regions if region.read)


def format_regions(regions: Sequence[RegionResult]) -> FormattedPage:
    """A layout page assembled from its regions in reading order, figures as placeholders."""
    parts = []
    for region in regions:
        if region.image_png:
            parts.append(RegionContent("text", figure_placeholder(region)))
        elif region.read:
            parts.append(RegionContent(formatter_label(region.label), region.text))
    return assemble_regions(parts)


def by_regions(page: PageResult) -> bool:
    """Whether the page was read region by region (a page read whole after all keeps the regions
    layout found, none of them read, to be shown)."""
    return any(region.read for region in page.regions)


def edit_task(page: PageResult) -> str:
    """The task an edit of ``page`` is formatted with: a layout page's text is Markdown of
    several regions, never one formula or table."""
    return "text" if by_regions(page) else page.task


def committed(result: PageResult) -> PageResult:
    """The page as the pipeline commits it, formatted (the one formatter pass of its life until
    an edit): a layout page's ``text`` becomes its assembled Markdown and ``model_text`` the
    regions' outputs; a whole page's ``model_text`` is its answer."""
    if by_regions(result):
        formatted = format_regions(result.regions)
        model_text = regions_model_text(result.regions)
        return dataclasses.replace(
            result, text=formatted.markdown, model_text=model_text, formatted=formatted
        )
    return dataclasses.replace(
        result, model_text=result.text, formatted=format_page(result.text, result.task)
    )


def edited(result: PageResult, text: str, original: str | None) -> PageResult:
    """The page after the user's edit to ``text`` (formatted again); an edit back to the
    ``original`` text is no edit."""
    if text == original:
        return committed(
            dataclasses.replace(result, text=result.model_text or text, flags=result.flags - {FLAG_EDITED})
        )
    formatted = format_page(text, edit_task(result))
    return dataclasses.replace(result, text=text, flags=result.flags | {FLAG_EDITED}, formatted=formatted)


def formatted(page: PageResult) -> FormattedPage:
    """The page's formatted result: the one it carries, or (a value built by hand) formatted now."""
    if page.formatted is not None:
        return page.formatted
    if by_regions(page) and FLAG_EDITED not in page.flags:
        return format_regions(page.regions)
    return format_page(page.text, edit_task(page) if FLAG_EDITED in page.flags else page.task)


def linked_figures(markdown: str) -> set[int]:
    """The reading orders (0-based) of the figures whose placeholder ``markdown`` holds."""
    return {int(match.group(1)) - 1 for match in _PLACEHOLDER.finditer(markdown)}


def fill_figures(markdown: str, link: Callable[[int], str | None]) -> str:
    """``markdown`` with each figure placeholder replaced by ``link(order)`` (0-based order);
    a placeholder ``link`` knows nothing of stays as it is."""

    def fill(match: re.Match[str]) -> str:
        target = link(int(match.group(1)) - 1)
        return match.group(0) if target is None else f"]({target})"

    return _PLACEHOLDER.sub(fill, markdown)
