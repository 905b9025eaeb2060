"""Exporting read documents as text, Markdown or JSON, one file per document or combined.

Writes are atomic (``files.write_atomic``) and never replace an existing file unless asked:
``report.md`` taken means ``report (2).md``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters import json_export, markdown, txt
from ocr_desktop.exporters.base import ExportError
from ocr_desktop.files import write_atomic

__all__ = ["COMBINED_STEM", "FORMATS", "ExportError", "export", "render", "render_combined"]

FORMATS = ("txt", "md", "json")
#: File name (without extension) of a combined export.
COMBINED_STEM = "ocr-results"

_Renderer = Callable[..., str]
_RENDERERS: dict[str, tuple[_Renderer, _Renderer]] = {
    "txt": (txt.render, txt.render_combined),
    "md": (markdown.render, markdown.render_combined),
    "json": (json_export.render, json_export.render_combined),
}


def _renderers(fmt: str) -> tuple[_Renderer, _Renderer]:
    try:
        return _RENDERERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format '{fmt}' — choose one of {', '.join(FORMATS)}") from None


def _valid_text(text: str) -> str:
    """Names and paths from non-UTF-8 file names hold surrogate escapes, which cannot be written
    as UTF-8; they become U+FFFD, as in the app's display names."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def render(document: DocumentResult, fmt: str, *, page_separators: bool = True) -> str:
    """The text of ``document`` exported as ``fmt`` (one of FORMATS)."""
    return _valid_text(_renderers(fmt)[0](document, page_separators=page_separators))


def render_combined(documents: Sequence[DocumentResult], fmt: str, *, page_separators: bool = True) -> str:
    """Several documents in one text, each under its name."""
    return _valid_text(_renderers(fmt)[1](documents, page_separators=page_separators))


def _stem(name: str) -> str:
    stem = Path(_valid_text(name).replace("/", "_").replace("\0", "_")).stem.strip()
    return stem if stem and not stem.startswith(".") else f"document{stem}"


def _free_path(folder: Path, stem: str, fmt: str, overwrite: bool) -> Path:
    path = folder / f"{stem}.{fmt}"
    number = 2
    while not overwrite and path.exists():
        path = folder / f"{stem} ({number}).{fmt}"
        number += 1
    return path


_ADVICE = {
    errno.ENOSPC: "free space or choose another folder",
    errno.EDQUOT: "free space or choose another folder",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "the disk is read-only; choose another folder",
    errno.ENAMETOOLONG: "rename the document to a shorter name",
}


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or 0) or str(exc)
        advice = _ADVICE.get(exc.errno or 0, "check the folder and try again")
        raise ExportError(
            f"could not write {_valid_text(str(path))}: {reason} — {advice} (an earlier file of that "
            "name is unchanged)"
        ) from exc


def export(
    documents: Sequence[DocumentResult],
    fmt: str,
    out_dir: Path | None,
    *,
    combined: bool = False,
    page_separators: bool = True,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``documents`` as ``fmt`` into ``out_dir`` (None: beside each document's source) and
    return the files written: one per document, or one ``ocr-results.<fmt>`` when ``combined``."""
    _renderers(fmt)
    if not documents:
        return []
    if combined:
        folder = out_dir or Path(documents[0].source).parent
        path = _free_path(folder, COMBINED_STEM, fmt, overwrite)
        _write(path, render_combined(documents, fmt, page_separators=page_separators))
        return [path]
    written = []
    for document in documents:
        folder = out_dir or Path(document.source).parent
        path = _free_path(folder, _stem(document.name), fmt, overwrite)
        _write(path, render(document, fmt, page_separators=page_separators))
        written.append(path)
    return written
