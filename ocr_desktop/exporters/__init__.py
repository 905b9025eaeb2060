"""Exporting read documents as text, Markdown or JSON, one file per document or combined.

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

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ocr_desktop import paths
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.exporters import json_export, markdown, txt
from ocr_desktop.exporters.base import ExportError, document_stem, figure_path, linked_figures
from ocr_desktop.exporters.base import valid_text as _valid_text
from ocr_desktop.files import write_atomic
from ocr_desktop.messages import Message
from ocr_desktop.settings import ExportSettings

__all__ = [
    "COMBINED_STEM",
    "FORMATS",
    "ExportError",
    "ExportOutcome",
    "ExportReport",
    "export_documents",
    "own_exports",
    "render",
    "render_combined",
]

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


@dataclass
class ExportReport:
    """Everything :func:`export_documents` did, in the order it did it."""

    outcomes: list[ExportOutcome] = field(default_factory=list)

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
    errno.ENAMETOOLONG: "rename the document to a shorter name",
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


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


class _Record:
    """The export record: SHA-256 of each file this app wrote, by absolute path, so that a later
    export knows which existing files are its own (and unedited) and may be replaced."""

    def __init__(self) -> None:
        self.path = paths.data_dir() / "exports.json"
        self.entries = self._read()
        self.changed: dict[str, str] = {}

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: no file counts as ours, so none is replaced unasked
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @staticmethod
    def key(path: Path) -> str:
        return str(path.absolute())  # surrogate escapes of odd names survive JSON's \u escapes

    def ours(self, path: Path, current: str | None) -> bool:
        return current is not None and self.entries.get(self.key(path)) == current

    def remember(self, path: Path, digest: str) -> None:
        self.changed[self.key(path)] = digest

    def save(self) -> None:
        """Merge this export's files into the record under a lock (the window and a CLI run may
        export at the same time); entries of files that are gone are dropped."""
        if not self.changed:
            return
        with contextlib.suppress(OSError), self._locked():
            merged = {**self._read(), **self.changed}
            kept = {k: v for k, v in merged.items() if Path(k).exists()}
            write_atomic(self.path, json.dumps(kept, indent=0), mode=0o600)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def own_exports(candidates: Iterable[Path]) -> set[Path]:
    """The ``candidates`` that are files this app exported (by the export record), so that a
    folder walk can say so instead of calling them just "not a document"."""
    entries = _Record().entries
    return {path for path in candidates if _Record.key(path) in entries}


def _numbered(folder: Path, stem: str, fmt: str) -> Iterator[Path]:
    yield folder / f"{stem}.{fmt}"
    number = 2
    while True:
        yield folder / f"{stem} ({number}).{fmt}"
        number += 1


def _place(
    record: _Record, names: Iterator[Path], payload: bytes, options: ExportSettings
) -> tuple[Path, str]:
    """Write one file by the rules in the module doc; return its path and WRITTEN or UNCHANGED."""
    digest = _digest(payload)
    for path in names:
        current = _file_digest(path) if path.exists() else None
        existed = path.exists() or path.is_symlink()
        if current == digest and not options.overwrite:
            record.remember(path, digest)
            return path, UNCHANGED
        if not existed or options.overwrite or (not options.numbered and record.ours(path, current)):
            _write(path, payload, existed)
            record.remember(path, digest)
            return path, WRITTEN
        if not options.numbered:
            raise ExportError(
                Message(
                    "{path} already exists and was not written by OCR Desktop (or was edited since); it is "
                    "left as it is — choose Overwrite existing (--overwrite) to replace it, or Numbered "
                    "copies (--numbered) to write the export beside it",
                    path=_valid_text(str(path)),
                )
            )
    raise AssertionError("unreachable: the numbered names never run out")


def _save_figures(documents: Sequence[DocumentResult], folder: Path, formats: Sequence[str]) -> None:
    """Save the figure crops of layout pages that an export of ``formats`` links, beside it
    (``<stem>_figures/``): those the Markdown (``.md``, the JSON's ``text``) links, and with JSON
    every figure region (its ``image``); a file that holds a crop already is left alone."""
    if not {"md", "json"} & set(formats):
        return
    for document in documents:
        for page in document.pages:
            figures = page.regions if "json" in formats else linked_figures(page)
            for region in figures:
                if not region.image_png:
                    continue
                path = folder / figure_path(document, page.page_index, region)
                if _file_digest(path) != _digest(region.image_png):
                    _write(path, region.image_png, path.exists())  # write_atomic makes the folders


def _distinct_names(documents: Sequence[DocumentResult], out_dir: Path | None) -> list[DocumentResult]:
    """Documents whose exports would share a name in one folder (``a.pdf`` and ``a.png``, or two
    ``a.pdf`` from different folders with one output folder) are named ``a (2)`` and on, so one
    export never replaces another's file or figures in the same run."""
    taken: set[tuple[Path, str]] = set()
    named = []
    for document in documents:
        folder = out_dir or Path(document.source).parent
        stem = candidate = document_stem(document.name)
        number = 2
        while (folder, candidate) in taken:
            candidate, number = f"{stem} ({number})", number + 1
        taken.add((folder, candidate))
        suffix = Path(document.name).suffix
        named.append(
            document if candidate == stem else dataclasses.replace(document, name=candidate + suffix)
        )
    return named


def export_documents(documents: Sequence[DocumentResult], options: ExportSettings) -> ExportReport:
    """Write ``documents`` in every format of ``options`` and report each file.

    One file per document and format (into ``options.out_dir``, or beside each document's source
    when it is empty), or one ``ocr-results.<fmt>`` per format when ``options.combined``. One file
    that cannot be written costs only that file: the report lists it with the reason, and every
    other file is still written. Documents with no finished page are skipped."""
    report = ExportReport()
    documents = [d for d in documents if d.pages]
    if not documents:
        return report
    for fmt in options.formats:
        _renderers(fmt)
    out_dir = Path(options.out_dir) if options.out_dir else None
    documents = _distinct_names(documents, out_dir)
    record = _Record()
    groups = [documents] if options.combined else [[d] for d in documents]
    for group in groups:
        folder = out_dir or Path(group[0].source).parent
        try:
            _save_figures(group, folder, options.formats)
        except ExportError as exc:
            job_ids = tuple(d.job_id for d in group)
            report.outcomes.append(ExportOutcome("png", job_ids, folder, FAILED, exc.message))
    try:
        for fmt in options.formats:
            for group in groups:
                job_ids = tuple(d.job_id for d in group)
                folder = out_dir or Path(group[0].source).parent
                if options.combined:
                    stem = COMBINED_STEM
                    text = render_combined(group, fmt, page_separators=options.page_separators)
                else:
                    stem = document_stem(group[0].name)
                    text = render(group[0], fmt, page_separators=options.page_separators)
                try:
                    path, status = _place(record, _numbered(folder, stem, fmt), text.encode("utf-8"), options)
                except ExportError as exc:
                    report.outcomes.append(
                        ExportOutcome(fmt, job_ids, folder / f"{stem}.{fmt}", FAILED, exc.message)
                    )
                else:
                    report.outcomes.append(ExportOutcome(fmt, job_ids, path, status))
    finally:
        record.save()
    return report
