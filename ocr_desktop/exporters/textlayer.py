"""A page's text layer: the stored reading placed on the page's text lines, page → region → line
→ word with boxes, the tree the searchable PDF and the hOCR export both write (docs/searchable-pdf.md).

Nothing is read again: the text is what the store holds (a user's edit replaces the model's
reading, as in every export), the positions come from the page's text lines as the shared
PP-OCRv6 line reader found and recognised them — stored with the page when it was read by layout,
else read once here (``page_lines``) and stored — scaled onto a rendering of the page. Boxes are
in the pixels of that rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ocr_desktop.core import page_format
from ocr_desktop.core.formatter import RegionContent, assemble_regions
from ocr_desktop.core.page_format import formatter_label
from ocr_desktop.core.results import FLAG_EDITED, DocumentResult, PageLines, PageResult, RegionResult
from ocr_desktop.core.tables import parse_table, table_grid
from ocr_desktop.exporters.alignment import PlacedLine, lines_in_box, place_units, spread_units
from ocr_desktop.exporters.base import ExportError, ExportProgress
from ocr_desktop.messages import Message
from ocr_desktop.textlines import Box, TextLine, TextLineError, shared_reader

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["LayerRegion", "PageLayer", "document_layers", "page_layer", "page_lines", "stored_lines"]

#: Labels whose text is a formula: placed on the formula's box, not on detected lines.
_FORMULA_LABELS = {"formula", "display_formula", "inline_formula", "equation"}


@dataclass(frozen=True)
class LayerRegion:
    label: str  # the layout label; "page" for a page read whole or edited
    kind: str  # "text", "table", "formula"
    box: Box
    lines: tuple[PlacedLine, ...]


@dataclass(frozen=True)
class PageLayer:
    """The text layer of one page, in the pixels of a ``width`` × ``height`` rendering."""

    page_index: int
    width: int
    height: int
    regions: tuple[LayerRegion, ...]
    dpi: float | None = None  # of the rendering, when the page has a physical size (PDF pages)

    @property
    def lines(self) -> Iterator[PlacedLine]:
        for region in self.regions:
            yield from region.lines

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


#: Keeps a page's text lines in the store: (job id, page index, lines).
SaveLines = Callable[[str, int, PageLines], None]


def page_lines(image: Image.Image, detected: list[TextLine] | None = None) -> list[TextLine]:
    """The text lines of a page image with the recogniser's reading and character boxes (the
    alignment compares against them): ``detected`` (lines found on ``image`` before) recognised,
    or the page's lines found and recognised now. Raises ExportError when the reader fails."""
    try:
        if detected is not None:
            return shared_reader().recognise_lines(image, detected)
        return shared_reader().read(image, char_boxes=True)
    except TextLineError as exc:
        raise ExportError(exc.message) from exc


def recognised(lines: Sequence[TextLine]) -> bool:
    """Whether ``lines`` carry what the layer needs: the recogniser's reading with character
    boxes (lines kept by detection alone place words less well)."""
    return all(line.confidence is not None for line in lines) and (
        any(line.chars for line in lines) or not any(line.text for line in lines)
    )


def stored_lines(page: PageResult, image: Image.Image) -> tuple[list[TextLine] | None, bool]:
    """The page's stored lines scaled onto ``image`` (None when none were stored) and whether
    they are recognised already (``recognised``)."""
    stored = page.lines
    if stored is None or not stored.width or not stored.height:
        return None, False
    fx, fy = image.width / stored.width, image.height / stored.height
    lines = [line.scaled(fx, fy) for line in stored.lines]
    return lines, recognised(lines)


def lines_for(
    document: DocumentResult, page: PageResult, image: Image.Image, save_lines: SaveLines | None
) -> list[TextLine]:
    """The page's text lines on ``image``: those stored with the page (recognised when it was
    read in layout mode), or, once, the stored ones recognised or the page's lines read now,
    kept with the page through ``save_lines``."""
    stored, complete = stored_lines(page, image)
    if stored is not None and complete:
        return stored
    lines = page_lines(image, stored)
    if save_lines is not None:
        found = PageLines(image.width, image.height, tuple(lines), shared_reader().description)
        save_lines(document.job_id, page.page_index, found)
    return lines


def _region_box(region: RegionResult, page: PageResult, size: tuple[int, int]) -> Box:
    """``region``'s box on a ``size`` rendering of the page."""
    width, height = size
    if page.width and page.height:
        sx, sy = width / page.width, height / page.height
        x1, y1, x2, y2 = region.box
        return (round(x1 * sx), round(y1 * sy), round(x2 * sx), round(y2 * sy))
    n1, m1, n2, m2 = region.box_1000
    return (n1 * width // 1000, m1 * height // 1000, n2 * width // 1000, m2 * height // 1000)


def _units(region: RegionResult) -> tuple[str, list[str]]:
    """A region's kind and the pieces of its text placed line by line: the lines of its plain
    text, or a table's cells (each goes to the lines inside its cell)."""
    label = formatter_label(region.label)
    if region.kind == "table" and "<t" in region.text:
        cells = [cell for row in table_grid(parse_table(region.text)) for cell in row if cell.strip()]
        if cells:
            return "table", cells
    text = assemble_regions([RegionContent(label, region.text)]).text
    kind = "formula" if label in _FORMULA_LABELS or region.kind == "formula" else "text"
    return kind, text.splitlines()


def page_layer(
    page: PageResult, image: Image.Image, lines: Sequence[TextLine], dpi: float | None = None
) -> PageLayer:
    """The text layer of ``page`` on ``image`` (a rendering of it), with ``lines`` detected there.

    A layout page places each read region's text on the lines inside the region (a formula on its
    box, a region with no line found spread over its box); a page read whole, or edited by the
    user, places the whole text on all of the page's lines."""
    size = image.size
    regions: list[LayerRegion] = []
    if page.regions and FLAG_EDITED not in page.flags:
        read = [r for r in page.regions if r.read and r.text.strip() and not r.image_png]
        boxes = [_region_box(r, page, size) for r in read]
        grouped = lines_in_box(lines, boxes)
        for region, box, inside in zip(read, boxes, grouped, strict=True):
            kind, units = _units(region)
            if kind == "formula" or not inside:
                placed = spread_units([" ".join(units)] if kind == "formula" else units, box)
            else:
                placed = place_units(units, inside, image)
            if placed:
                regions.append(LayerRegion(region.label, kind, box, tuple(placed)))
    else:
        text = page_format.formatted(page).text  # an edit as formatted when it was made
        box = (0, 0, *size)
        placed = (
            place_units(text.splitlines(), list(lines), image)
            if lines
            else spread_units(text.splitlines(), box)
        )
        if placed:
            regions.append(LayerRegion("page", "text", box, tuple(placed)))
    return PageLayer(page.page_index, size[0], size[1], tuple(regions), dpi)


def render_pages(
    document: DocumentResult,
) -> Iterator[tuple[PageResult, tuple[Image.Image, float | None] | ExportError]]:
    """Each finished page of ``document`` rendered again from its source (no reading) with the
    rendering's resolution (PDF pages), or why it cannot be: the source is gone, changed, or no
    longer opens."""
    from ocr_desktop.documents.document import open_document
    from ocr_desktop.documents.errors import DocumentError

    try:
        source = open_document(Path(document.source))
    except DocumentError as exc:
        error = ExportError(
            Message(
                "the original of {name} cannot be opened any more ({reason}) — the searchable PDF and "
                "hOCR are made over the original pages; put it back at {path}",
                name=document.name,
                reason=str(exc.message),
                path=document.source,
            )
        )
        for page in document.pages:
            yield page, error
        return
    try:
        for page in sorted(document.pages, key=lambda p: p.page_index):
            if page.page_index >= source.page_count:
                yield (
                    page,
                    ExportError(
                        Message(
                            "page {page} of {name} is no longer in the original (it has {count} pages now)",
                            page=page.page_index + 1,
                            name=document.name,
                            count=source.page_count,
                        )
                    ),
                )
                continue
            try:
                rendered = source.render_page(page.page_index)
            except DocumentError as exc:
                yield page, ExportError(exc.message)
                continue
            dpi = (
                source.dpi * rendered.image.width / rendered.original_size[0]
                if source.kind == "pdf"
                else None
            )
            yield page, (rendered.image, dpi)
    finally:
        source.close()


def document_layers(
    document: DocumentResult, save_lines: SaveLines | None = None, progress: ExportProgress | None = None
) -> tuple[dict[int, PageLayer], dict[int, str]]:
    """The text layer of every finished page of ``document`` (by page index), and why each page
    that has none has none (a failed page, a page that cannot be rendered again). Lines read
    here are kept with their page through ``save_lines``; each page is a step of ``progress``
    (raises ExportCancelled when it is cancelled)."""
    progress = progress or ExportProgress()
    layers: dict[int, PageLayer] = {}
    problems: dict[int, str] = {
        index: str(Message("page {page} could not be read: {reason}", page=index + 1, reason=message))
        for index, message in document.failed.items()
    }
    progress.check()
    for page, rendered in render_pages(document):
        progress.check()
        if isinstance(rendered, ExportError):
            problems[page.page_index] = str(rendered.message)
        else:
            image, dpi = rendered
            layer = page_layer(page, image, lines_for(document, page, image, save_lines), dpi)
            if layer.regions:
                layers[page.page_index] = layer
            else:
                problems[page.page_index] = str(Message("page {page} has no text", page=page.page_index + 1))
        progress.step()
    return layers, problems
