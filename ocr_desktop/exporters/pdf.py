"""The searchable PDF: the original pages untouched, with an invisible text layer under each read
page, drawn by OCRmyPDF's own text-layer renderer (docs/searchable-pdf.md, docs/adr/0008-searchable-pdf.md).

The layer of each page (``textlayer.PageLayer``) becomes an OCRmyPDF ``OcrElement`` tree (page →
paragraph per region → line → word); ``Fpdf2MultiPageRenderer`` (fpdf2 with HarfBuzz: CJK and
right-to-left text stay searchable) draws all layers into one PDF, and each layer page is put
under its original page as a form XObject with pikepdf, scaled and rotated onto the page's crop
box, as OCRmyPDF grafts its own layers. A PDF's pages keep their content, annotations and sizes;
images become one page each at their own resolution (img2pdf, lossless for PNG and JPEG).

``ocrmypdf``, ``pikepdf`` and ``img2pdf`` are imported when a PDF is made (STYLE.md §3).
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters.base import ExportError, ExportProgress
from ocr_desktop.exporters.textlayer import PageLayer
from ocr_desktop.messages import Message

if TYPE_CHECKING:
    from ocrmypdf.models.ocr_element import OcrElement

log = logging.getLogger(__name__)

__all__ = ["layer_tree", "render_layers", "searchable_pdf"]

#: The text layer is drawn at one pixel per point; the graft scales it onto the page.
LAYER_DPI = 72.0


def _missing(package: str) -> ExportError:
    return ExportError(
        Message(
            "the searchable PDF needs the {package} package, which is not installed — run "
            "`make run` (or `pip install ocrmypdf`) in the app's environment",
            package=package,
        )
    )


def layer_tree(layer: PageLayer, dpi: float = LAYER_DPI) -> OcrElement:
    """``layer`` as OCRmyPDF's data model: page → paragraph (one per region) → line → word, its
    pixels at ``dpi``."""
    from ocrmypdf.models.ocr_element import BoundingBox, OcrClass, OcrElement

    def bbox(box: tuple[int, int, int, int]) -> BoundingBox:
        return BoundingBox(left=box[0], top=box[1], right=max(box[0], box[2]), bottom=max(box[1], box[3]))

    paragraphs = []
    for region in layer.regions:
        lines = []
        for line in region.lines:
            words = [OcrElement(ocr_class=OcrClass.WORD, bbox=bbox(w.box), text=w.text) for w in line.words]
            lines.append(OcrElement(ocr_class=OcrClass.LINE, bbox=bbox(line.box), children=words))
        paragraphs.append(OcrElement(ocr_class=OcrClass.PARAGRAPH, bbox=bbox(region.box), children=lines))
    return OcrElement(
        ocr_class=OcrClass.PAGE,
        bbox=BoundingBox(left=0, top=0, right=layer.width, bottom=layer.height),
        dpi=dpi,
        page_number=layer.page_index,
        children=paragraphs,
    )


class _Pages(list[tuple[int, "OcrElement", float]]):
    """The renderer's pages, each a step of ``progress`` as the renderer takes it: one
    ``Fpdf2MultiPageRenderer`` draws the whole document (its fonts found and embedded once),
    and a long document still shows how far it is and stops when cancelled."""

    def __init__(self, pages: list[tuple[int, OcrElement, float]], progress: ExportProgress) -> None:
        super().__init__(pages)
        self._progress = progress

    def __iter__(self) -> Iterator[tuple[int, OcrElement, float]]:
        first = True
        for page in super().__iter__():
            if not first:
                self._progress.step()
            first = False
            self._progress.check()
            yield page
        if not first:
            self._progress.step()


def render_layers(layers: list[PageLayer], progress: ExportProgress | None = None) -> bytes:
    """A PDF with one invisible-text page per layer, ``width`` × ``height`` points each; each page
    drawn is a step of ``progress`` (raises ExportCancelled when it is cancelled)."""
    try:
        import ocrmypdf
        from ocrmypdf.font import MultiFontManager
        from ocrmypdf.fpdf_renderer import Fpdf2MultiPageRenderer
    except ImportError as exc:
        raise _missing("ocrmypdf") from exc
    fonts = MultiFontManager(Path(ocrmypdf.__file__).parent / "data")
    pages = _Pages(
        [(layer.page_index, layer_tree(layer), LAYER_DPI) for layer in layers], progress or ExportProgress()
    )
    with tempfile.TemporaryDirectory(prefix="ocr-desktop-layer-") as folder:
        out = Path(folder) / "layer.pdf"
        Fpdf2MultiPageRenderer(pages_data=pages, multi_font_manager=fonts, invisible_text=True).render(out)
        return out.read_bytes()


def _placement(width: float, height: float, box: list[float], rotate: int) -> list[float]:
    """The ``cm`` matrix that puts a ``width`` × ``height`` layer (drawn upright, as the page is
    shown) onto a page whose crop ``box`` is shown turned by ``rotate`` degrees clockwise."""
    x0, y0, x1, y1 = box
    cw, ch = x1 - x0, y1 - y0
    match rotate % 360:
        case 90:
            return [0, ch / width, -cw / height, 0, x0 + cw, y0]
        case 180:
            return [-cw / width, 0, 0, -ch / height, x0 + cw, y0 + ch]
        case 270:
            return [0, -ch / width, cw / height, 0, x0, y0 + ch]
        case _:
            return [cw / width, 0, 0, ch / height, x0, y0]


def _graft(pdf: Any, page_index: int, layer_pdf: Any, layer_index: int) -> None:
    """Put page ``layer_index`` of ``layer_pdf`` under page ``page_index`` of ``pdf``."""
    import pikepdf

    page = pdf.pages[page_index]
    text_page = layer_pdf.pages[layer_index]
    width = float(text_page.mediabox[2]) - float(text_page.mediabox[0])
    height = float(text_page.mediabox[3]) - float(text_page.mediabox[1])
    box = [float(v) for v in page.cropbox]
    form = pdf.make_stream(text_page.Contents.read_bytes())
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.FormType = 1
    form.BBox = [0, 0, width, height]
    if pikepdf.Name.Resources in text_page.obj:
        form.Resources = pdf.copy_foreign(text_page.obj.Resources)
    # A fixed name (not add_resource's random one): the same layers give the same bytes
    existing = page.obj.get("/Resources", {}).get("/XObject", {})
    name = next(
        f"/OcrDesktopText{n or ''}"
        for n in range(len(existing) + 1)
        if f"/OcrDesktopText{n or ''}" not in existing
    )
    page.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(name))
    matrix = " ".join(f"{v:.6f}" for v in _placement(width, height, box, int(page.obj.get("/Rotate", 0))))
    draw = pikepdf.Stream(pdf, f"q {matrix} cm {name} Do Q\n".encode())
    page.contents_add(draw, prepend=True)  # under the page's own content: the scan stays on top


def _base_pdf(document: DocumentResult, kind: str) -> Any:
    """The document's pages as a pikepdf PDF: the original PDF, or its images one per page."""
    import pikepdf

    source = Path(document.source)
    try:
        if kind == "pdf":
            return pikepdf.open(source)
        import img2pdf

        return pikepdf.open(io.BytesIO(img2pdf.convert(_image_bytes(source, kind))))
    except pikepdf.PasswordError:
        raise ExportError(
            Message(
                "{name} is password-protected now — the searchable PDF is made over the original; "
                "remove the password and export again",
                name=document.name,
            )
        ) from None
    except (pikepdf.PdfError, OSError, ValueError, Exception) as exc:  # img2pdf raises its own types
        raise ExportError(
            Message(
                "the original of {name} could not be opened to make the searchable PDF: {reason}",
                name=document.name,
                reason=str(exc) or type(exc).__name__,
            )
        ) from None


def _image_bytes(path: Path, kind: str) -> bytes:
    """The image as img2pdf takes it: PNG, JPEG and TIFF as they are (lossless), others as PNG."""
    if kind in ("png", "jpeg", "tiff"):
        return path.read_bytes()
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    return out.getvalue()


def searchable_pdf(
    document: DocumentResult, layers: Mapping[int, PageLayer], progress: ExportProgress | None = None
) -> bytes:
    """``document``'s original pages with the text ``layers`` (by page index) under them; each
    layer drawn is a step of ``progress``."""
    from ocr_desktop.documents.sniff import sniff

    try:
        import pikepdf
    except ImportError as exc:
        raise _missing("pikepdf") from exc
    kind = sniff(Path(document.source))
    if kind is None:
        raise ExportError(
            Message(
                "the original of {name} is gone or no longer a document ({path}) — the searchable PDF "
                "is made over the original pages; put it back and export again",
                name=document.name,
                path=document.source,
            )
        )
    base = _base_pdf(document, kind)
    with base:
        ordered = [layers[index] for index in sorted(layers) if index < len(base.pages)]
        if ordered:
            with pikepdf.open(io.BytesIO(render_layers(ordered, progress))) as layer_pdf:
                for position, layer in enumerate(ordered):
                    _graft(base, layer.page_index, layer_pdf, position)
        out = io.BytesIO()
        # Deterministic: the same layers give the same bytes, so a rerun leaves the file alone.
        base.save(out, deterministic_id=True)
        return out.getvalue()
