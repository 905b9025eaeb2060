"""hOCR: the text layer as XHTML, page → region (``ocr_carea`` / ``ocr_par``) → line
(``ocr_line``) → word (``ocrx_word``), each with its ``bbox`` in the pixels of the page rendering
the positions were found on (``scan_res`` gives its resolution). The same tree as the searchable
PDF's layer (``textlayer.PageLayer``); the format gImageReader, hocr-tools and OCRmyPDF's
``HocrParser`` read (docs/searchable-pdf.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from ocr_desktop import __version__
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters.base import valid_text
from ocr_desktop.exporters.textlayer import PageLayer

__all__ = ["render"]

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<title>{title}</title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="OCR Desktop {version} (GLM-OCR text, PP-OCRv6 line positions)"/>
<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word"/>
</head>
<body>
"""


def _bbox(box: tuple[int, int, int, int]) -> str:
    return f"bbox {box[0]} {box[1]} {max(box[0], box[2])} {max(box[1], box[3])}"


def _page(layer: PageLayer) -> list[str]:
    number = layer.page_index + 1
    resolution = f"; scan_res {round(layer.dpi)} {round(layer.dpi)}" if layer.dpi else ""
    out = [
        f"<div class='ocr_page' id='page_{number}' "
        f"title='{_bbox((0, 0, layer.width, layer.height))}; ppageno {layer.page_index}{resolution}'>"
    ]
    for r, region in enumerate(layer.regions, 1):
        ident = f"{number}_{r}"
        out.append(f"<div class='ocr_carea' id='block_{ident}' title='{_bbox(region.box)}'>")
        out.append(
            f"<p class='ocr_par' id='par_{ident}' title='{_bbox(region.box)}' "
            f"data-label='{escape(region.label)}'>"
        )
        for n, line in enumerate(region.lines, 1):
            out.append(f"<span class='ocr_line' id='line_{ident}_{n}' title='{_bbox(line.box)}'>")
            words = (
                f"<span class='ocrx_word' id='word_{ident}_{n}_{w}' title='{_bbox(word.box)}'>"
                f"{escape(valid_text(word.text), quote=False)}</span>"
                for w, word in enumerate(line.words, 1)
            )
            out.append(" ".join(words))
            out.append("</span>")
        out.append("</p>")
        out.append("</div>")
    out.append("</div>")
    return out


def render(document: DocumentResult, layers: Mapping[int, PageLayer], notes: Sequence[str] = ()) -> str:
    """The hOCR of ``document``: one ``ocr_page`` per page with a layer, in page order; pages with
    none (failed, or no text) are named in an HTML comment so a reader sees why they are missing."""
    parts = [_HEAD.format(title=escape(valid_text(document.name)), version=__version__)]
    parts.extend(f"<!-- {escape(note).replace('--', '—')} -->\n" for note in notes)
    for index in sorted(layers):
        parts.append("\n".join(_page(layers[index])) + "\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
