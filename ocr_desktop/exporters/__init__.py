"""Exporting read documents as text, Markdown, JSON, a searchable PDF or hOCR, one file per
document or (the text formats) combined.

:func:`export_documents` is the one export used by the CLI and the Export dialog. Writes are
atomic (``files.write_atomic``), so a failed write leaves no partial file. Which existing
files it may replace:

* a file that already holds exactly what would be written is left alone (``unchanged``): a rerun
  rewrites nothing;
* a file this app wrote and nobody edited since (its SHA-256 is in the export record,
  ``exports.json`` in the data folder) is replaced: changed settings give fresh exports;
* any other file of that name is never touched: the document fails with a message, unless the
  options ask to ``overwrite`` it, or for ``numbered`` copies (``report (2).md``).
"""

from __future__ import annotations

import dataclasses
import errno
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters import json_export, layered, markdown, txt
from ocr_desktop.exporters.base import (
    LONGEST_SUFFIX,
    ExportCancelled,
    ExportError,
    ExportProgress,
    document_stem,
    figure_path,
    linked_figures,
)
from ocr_desktop.exporters.base import valid_text as _valid_text
from ocr_desktop.exporters.record import Claim, ExportRecord, export_owner, own_exports
from ocr_desktop.exporters.record import digest as _digest
from ocr_desktop.exporters.textlayer import SaveLines
from ocr_desktop.files import fit_name, name_max, write_atomic
from ocr_desktop.messages import Message
from ocr_desktop.settings import ExportSettings

__all__ = [
    "COMBINED_STEM",
    "FORMATS",
    "LAYERED_FORMATS",
    "TEXT_FORMATS",
    "ExportCancelled",
    "ExportError",
    "ExportOutcome",
    "ExportProgress",
    "ExportReport",
    "export_documents",
    "own_exports",
    "render",
    "render_combined",
]

#: Formats that are text, rendered in memory (``render``).
TEXT_FORMATS = ("txt", "md", "json")
#: Formats laid over the page (``layered.py``): one file per document, also when combined.
LAYERED_FORMATS = ("pdf", "hocr")
FORMATS = TEXT_FORMATS + LAYERED_FORMATS
#: Formats whose text names the figures' crop files.
_LINKS_FIGURES = ("md", "json")
#: File name (without extension) of a combined export.
COMBINED_STEM = "ocr-results"

_Renderer = Callable[..., str]
_RENDERERS: dict[str, tuple[_Renderer, _Renderer]] = {
    "txt": (txt.render, txt.render_combined),
    "md": (markdown.render, markdown.render_combined),
    "json": (json_export.render, json_export.render_combined),
}


def _renderers(fmt: str) -> tuple[_Renderer, _Renderer]:
    if fmt in LAYERED_FORMATS:
        return (_not_text, _not_text)
    try:
        return _RENDERERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format '{fmt}' — choose one of {', '.join(FORMATS)}") from None


def _not_text(*_args: object, **_kwargs: object) -> str:
    raise ExportError("the searchable PDF and hOCR are laid over the pages, not text: use export_documents")


def render(document: DocumentResult, fmt: str, *, page_separators: bool = True) -> str:
    """The text of ``document`` exported as ``fmt`` (one of FORMATS)."""
    return _valid_text(_renderers(fmt)[0](document, page_separators=page_separators))


def render_combined(documents: Sequence[DocumentResult], fmt: str, *, page_separators: bool = True) -> str:
    """Several documents in one text, each under its name."""
    return _valid_text(_renderers(fmt)[1](documents, page_separators=page_separators))


#: What an outcome's ``status`` can be.
WRITTEN, UNCHANGED, FAILED = "written", "unchanged", "failed"


@dataclass(frozen=True)
class ExportOutcome:
    """One file of an export: written, left as it was because it is up to date, or failed."""

    fmt: str
    job_ids: tuple[str, ...]  # the documents in the file (several when combined)
    path: Path | None  # None when no name could be chosen
    status: str  # WRITTEN, UNCHANGED or FAILED
    message: str = ""  # why it failed, and what to do
    note: str = ""  # why the name is not the document's own (numbered, shortened): the summary says it


@dataclass
class ExportReport:
    """Everything :func:`export_documents` did, in the order it did it."""

    outcomes: list[ExportOutcome] = field(default_factory=list)
    cancelled: bool = False  # stopped by the user: the files listed were done before, the rest never started

    def _with(self, status: str) -> list[ExportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def written(self) -> list[Path]:
        return [o.path for o in self._with(WRITTEN) if o.path is not None]

    @property
    def unchanged(self) -> list[Path]:
        return [o.path for o in self._with(UNCHANGED) if o.path is not None]

    @property
    def failed(self) -> list[ExportOutcome]:
        return self._with(FAILED)

    def for_job(self, job_id: str) -> list[ExportOutcome]:
        return [o for o in self.outcomes if job_id in o.job_ids]


_ADVICE = {
    errno.ENOSPC: "free space or choose another folder",
    errno.EDQUOT: "free space or choose another folder",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "the disk is read-only; choose another folder",
    errno.ENAMETOOLONG: "choose a folder with a shorter path",
}


def _write(path: Path, payload: bytes, existed: bool) -> None:
    try:
        write_atomic(path, payload)
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or 0) or str(exc)
        advice = _ADVICE.get(exc.errno or 0, "check the folder and try again")
        raise ExportError(
            Message(
                "could not write {path}: {reason} — {advice} (the earlier file of that name is unchanged)"
                if existed
                else "could not write {path}: {reason} — {advice} (no file was left behind)",
                path=_valid_text(str(path)),
                reason=reason,
                advice=advice,
            )
        ) from exc


@dataclass(frozen=True)
class _File:
    """One file an export of a document (or a combined group) writes under a chosen stem."""

    fmt: str  # a format, or "png" for a figure's crop
    path: Path
    payload: bytes
    error: str = ""  # why this file cannot be made (a searchable PDF whose original is gone): not written
    job_id: str = ""  # the one document of a file laid over its pages, in a combined export


def _files(
    group: Sequence[DocumentResult],
    options: ExportSettings,
    folder: Path,
    stem: str,
    layers: layered.LayerCache,
) -> list[_File]:
    """Every file of one export under ``stem``: the figures its Markdown and JSON link, then
    each format (the figure links name the stem, so the texts are rendered for it). The formats
    laid over the pages are one file per document, also in a combined export."""
    files = []
    # The crops an export links: those its Markdown (``.md``, the JSON's ``text``) links, and
    # with JSON every figure region (its ``image``).
    if any(fmt in _LINKS_FIGURES for fmt in options.formats):
        for document in group:
            for page in document.pages:
                figures = page.regions if "json" in options.formats else linked_figures(page)
                for region in figures:
                    if region.image_png:
                        path = folder / figure_path(document, page.page_index, region)
                        files.append(_File("png", path, region.image_png))
    for fmt in options.formats:
        if fmt in LAYERED_FORMATS:
            files.extend(_layered_files(group, options, folder, stem, fmt=fmt, layers=layers))
            continue
        if options.combined:
            text = render_combined(group, fmt, page_separators=options.page_separators)
        else:
            text = render(group[0], fmt, page_separators=options.page_separators)
        files.append(_File(fmt, folder / f"{stem}.{fmt}", text.encode("utf-8")))
    return files


def _layered_files(
    group: Sequence[DocumentResult],
    options: ExportSettings,
    folder: Path,
    stem: str,
    *,
    fmt: str,
    layers: layered.LayerCache,
) -> list[_File]:
    files = []
    for document in group:
        name = document_stem(document.name) if options.combined else stem
        path = folder / f"{name}.{fmt}"
        job_id = document.job_id if options.combined else ""
        try:
            files.append(_File(fmt, path, layered.render(document, fmt, layers), job_id=job_id))
        except ExportError as exc:  # this file alone fails: the text formats are still written
            files.append(_File(fmt, path, b"", error=exc.message, job_id=job_id))
    return files


def _candidates(base: str, folder: Path) -> Iterator[tuple[int, str]]:
    """``base``, ``base (2)``, ``base (3)`` ... each shortened (``…``) so that the longest name
    written under it (``<stem>_figures``) fits the folder's file system."""
    room = name_max(_existing(folder)) - len(LONGEST_SUFFIX.encode())
    for number in itertools.count(1):
        tail = "" if number == 1 else f" ({number})"
        yield number, fit_name(base, room - len(tail.encode())) + tail


def _existing(folder: Path) -> Path:
    """The nearest folder that exists (``folder`` may be created by the export)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _named(document: DocumentResult, stem: str) -> DocumentResult:
    return (
        document if stem == document_stem(document.name) else dataclasses.replace(document, export_stem=stem)
    )


def _choose(
    group: Sequence[DocumentResult],
    options: ExportSettings,
    folder: Path,
    record: ExportRecord,
    taken: set[tuple[Path, str]],
    *,
    layers: layered.LayerCache,
) -> tuple[list[DocumentResult], str, list[_File], dict[Path, Claim], str]:
    """The stem this export is written under: the first whose files are free, up to date, or
    this document's own unedited exports. One held by another document's export (this run's or
    an earlier one's) is passed over, as is one held by a file the app did not write when
    numbered copies are asked for; ``--overwrite`` takes the first. Returns the documents (with
    the stem), the stem, its files, their claims and a note for the summary ("" if none)."""
    owner = export_owner(group)
    base = COMBINED_STEM if options.combined else document_stem(group[0].name)
    passed_over = ""
    for number, stem in _candidates(base, folder):
        if (folder, stem) in taken:
            passed_over = passed_over or "this_run"
            continue
        documents = list(group) if options.combined else [_named(group[0], stem)]
        files = _files(documents, options, folder, stem, layers)
        claims = {f.path: record.claim(f.path, f.payload, owner) for f in files if not f.error}
        if not options.overwrite:
            if any(c is Claim.OTHER_DOCUMENT for c in claims.values()):
                passed_over = passed_over or "other"
                continue
            stale_own = options.numbered and any(c is Claim.OWN_STALE for c in claims.values())
            if options.numbered and (stale_own or any(c is Claim.FOREIGN for c in claims.values())):
                passed_over = passed_over or "foreign"
                continue
        return documents, stem, files, claims, _note(base, stem, number, passed_over)
    raise AssertionError("unreachable: the numbered names never run out")


def _note(base: str, stem: str, number: int, passed_over: str) -> str:
    """What the CLI's summary says about a name that is not the document's own (English only:
    the window's notice counts files, it does not list names)."""
    notes = []
    if number > 1:
        first = fit_name(base, len(stem.encode()))
        notes.append(
            f"numbered: another document of this export is also named {first}"
            if passed_over == "this_run"
            else f"numbered: {first} holds another document's export (--overwrite replaces it)"
            if passed_over == "other"
            else f"numbered: {first} exists and is not this export's"
        )
    if "…" in stem and "…" not in base:
        notes.append("name shortened to fit the file system (the full name is in the JSON)")
    return "; ".join(notes)


def _place(
    files: list[_File], claims: dict[Path, Claim], owner: str, record: ExportRecord, options: ExportSettings
) -> Iterator[tuple[_File, str, str]]:
    """Write the chosen files by the rules in the module doc: (file, status, failure message)."""
    for file in files:
        if file.error:
            yield file, FAILED, file.error
            continue
        claim = claims[file.path]
        if claim is Claim.SAME and not options.overwrite:
            record.remember(file.path, _digest(file.payload), owner, keep_owner=True)
            yield file, UNCHANGED, ""
        elif claim is Claim.FOREIGN and not options.overwrite:
            yield (
                file,
                FAILED,
                Message(
                    "{path} already exists and was not written by OCR Desktop (or was edited since); it is "
                    "left as it is — choose Overwrite existing (--overwrite) to replace it, or Numbered "
                    "copies (--numbered) to write the export beside it",
                    path=_valid_text(str(file.path)),
                ),
            )
        else:
            try:
                _write(file.path, file.payload, claim is not Claim.FREE)
            except ExportError as exc:
                yield file, FAILED, exc.message
            else:
                record.remember(file.path, _digest(file.payload), owner)
                yield file, WRITTEN, ""


def _distinct_within_run(documents: Sequence[DocumentResult], out_dir: Path | None) -> list[DocumentResult]:
    """For a combined export: documents whose figures would share a folder name (``a.pdf`` and
    ``a.png``) get ``a (2)`` and on, so one never replaces the other's figures."""
    taken: set[tuple[Path, str]] = set()
    named = []
    for document in documents:
        folder = out_dir or Path(document.source).parent
        for _number, stem in _candidates(document_stem(document.name), folder):
            if (folder, stem) not in taken:
                break
        taken.add((folder, stem))
        named.append(_named(document, stem))
    return named


def export_documents(
    documents: Sequence[DocumentResult],
    options: ExportSettings,
    *,
    save_lines: SaveLines | None = None,
    progress: ExportProgress | None = None,
) -> ExportReport:
    """Write ``documents`` in every format of ``options`` and report each file.

    One file per document and format (into ``options.out_dir``, or beside each document's source
    when it is empty), or one ``ocr-results.<fmt>`` per format when ``options.combined``. One file
    that cannot be written costs only that file: the report lists it with the reason, and every
    other file is still written. Documents with no finished page are skipped. The searchable PDF
    and hOCR keep the text lines they read for a page that had none through ``save_lines``
    (``JobStore.save_page_lines``), so a later export reads none again. ``progress`` hears of
    each page laid and drawn (``ExportProgress``); once it is cancelled the export stops before
    its next file and the report says ``cancelled`` (the files done before are kept)."""
    report = ExportReport()
    documents = [d for d in documents if d.pages]
    if not documents:
        return report
    for fmt in options.formats:
        _renderers(fmt)
    out_dir = Path(options.out_dir) if options.out_dir else None
    if options.combined:
        documents = _distinct_within_run(documents, out_dir)
    record = ExportRecord()
    progress = progress or ExportProgress()
    layered_formats = [fmt for fmt in options.formats if fmt in LAYERED_FORMATS]
    if layered_formats:  # a page laid, and a page drawn for the PDF
        progress.total = sum(len(d.pages) for d in documents) * (1 + ("pdf" in layered_formats))
    # each document's text layers, made once for pdf and hocr
    layers = layered.LayerCache(save_lines, progress)
    taken: set[tuple[Path, str]] = set()
    groups = [documents] if options.combined else [[d] for d in documents]
    try:
        for group in groups:
            if progress.cancelled():
                report.cancelled = True
                break
            job_ids = tuple(d.job_id for d in group)
            folder = out_dir or Path(group[0].source).parent
            try:
                _group, stem, files, claims, note = _choose(
                    group, options, folder, record, taken, layers=layers
                )
            except ExportCancelled:
                report.cancelled = True
                break
            except (OSError, ExportError) as exc:  # a folder that cannot even be looked at
                message = exc.message if isinstance(exc, ExportError) else str(exc)
                report.outcomes.extend(
                    ExportOutcome(f, job_ids, None, FAILED, message) for f in options.formats
                )
                continue
            taken.add((folder, stem))
            figures_failed = False
            for file, status, message in _place(files, claims, export_owner(group), record, options):
                if file.fmt == "png":  # figures are reported only when one could not be saved
                    if status == FAILED and not figures_failed:
                        figures_failed = True
                        report.outcomes.append(ExportOutcome("png", job_ids, folder, FAILED, message))
                    continue
                owners = (file.job_id,) if file.job_id else job_ids
                report.outcomes.append(ExportOutcome(file.fmt, owners, file.path, status, message, note))
    finally:
        record.save()
    return report
