"""The exports laid over the page, searchable PDF and hOCR: each document's text layers computed
once per export run (both formats share them) and written as the format asks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters import hocr, pdf
from ocr_desktop.exporters.base import ExportError, ExportProgress
from ocr_desktop.exporters.textlayer import PageLayer, SaveLines, document_layers
from ocr_desktop.messages import Message

log = logging.getLogger(__name__)

__all__ = ["LayerCache", "render"]


@dataclass
class LayerCache:
    """Text layers by job id for one export run, and why pages have none; lines read for a page
    that had none stored are kept through ``save_lines``."""

    save_lines: SaveLines | None = None
    progress: ExportProgress = field(default_factory=ExportProgress)
    layers: dict[str, tuple[dict[int, PageLayer], dict[int, str]]] = field(default_factory=dict)

    def of(self, document: DocumentResult) -> tuple[dict[int, PageLayer], dict[int, str]]:
        if document.job_id not in self.layers:
            self.layers[document.job_id] = document_layers(document, self.save_lines, self.progress)
        return self.layers[document.job_id]


def render(document: DocumentResult, fmt: str, cache: LayerCache) -> bytes:
    """``document`` as ``fmt`` ("pdf" or "hocr"). Raises ExportError when no page of it can be
    laid over its original (the reason of the first page says why)."""
    layers, problems = cache.of(document)
    if not layers:
        reason = next(iter(problems.values()), "no page was read")
        raise ExportError(
            Message("{name} has no page with a text layer: {reason}", name=document.name, reason=reason)
        )
    notes = [problems[index] for index in sorted(problems)]
    for note in notes:
        log.info("%s: %s", document.name, note)
    if fmt == "pdf":
        return pdf.searchable_pdf(document, layers, cache.progress)
    return hocr.render(document, layers, notes).encode("utf-8")
