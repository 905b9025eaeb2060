"""What the user gave (files and folders) turned into documents to read, each skipped entry
with the reason."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ocr_desktop.documents.sniff import (
    describe_unsupported,
    display_name,
    display_path,
    read_head,
    sniff_bytes,
)


def _natural_key(path: Path) -> list[tuple[int, int | str]]:
    """Sort ``scan 2`` before ``scan 10``."""
    text = os.fsencode(path).decode("utf-8", "replace").casefold()
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part]


@dataclass(frozen=True)
class FoundPath:
    """A path given or found in a folder: a document to read (``skipped`` empty) or why not."""

    path: Path
    skipped: str = ""
    label: str = ""  # how a summary names it: a given file by its name, a found one relative to its folder


def _skip_reason(path: Path) -> str:
    """Why a file found in a folder is not read; empty when it is a document."""
    try:
        info = path.stat()
    except FileNotFoundError:
        target = display_path(path.readlink()) if path.is_symlink() else "?"
        return f"dangling link (points to {target})"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if info.st_size == 0:
        return "empty (0 bytes)"
    try:
        head = read_head(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if sniff_bytes(head) is None:
        return f"not a document ({describe_unsupported(head)})"
    return ""


def scan_paths(paths: Iterable[Path | str]) -> list[FoundPath]:
    """Every path given, and every entry of the folders given (walked recursively, in natural
    order), each either a document to read or skipped with the reason: hidden, not a document,
    empty, a dangling link, a link to a folder (not followed), a duplicate of an earlier path, a
    folder with nothing in it. Files given by name are always read (their errors are the reader's
    to report), unless they are duplicates."""
    result: list[FoundPath] = []
    seen: dict[tuple[int, int] | str, Path] = {}

    def add(path: Path, skipped: str = "", label: str = "") -> None:
        if not skipped:
            try:
                info = path.stat()
                key: tuple[int, int] | str = (info.st_dev, info.st_ino)
            except OSError:
                key = os.fsencode(path.absolute()).decode("utf-8", "surrogateescape")
            if key in seen:
                skipped = f"duplicate of {display_path(seen[key])}"
            else:
                seen[key] = path
        result.append(FoundPath(path, skipped, label or display_name(path)))

    for given in paths:
        path = Path(given)
        if not path.is_dir():
            add(path)
            continue
        reasons: dict[Path, str] = {}
        for root, dirs, files in os.walk(path):
            for name in list(dirs):
                folder = Path(root, name)
                if name.startswith("."):
                    reasons[folder] = "hidden folder (not searched)"
                elif folder.is_symlink():
                    reasons[folder] = "link to a folder (not followed)"
            if Path(root) != path and not dirs and not files:
                reasons[Path(root)] = "empty folder"  # a subfolder with nothing in it has its row too
            dirs[:] = [d for d in dirs if not d.startswith(".") and not Path(root, d).is_symlink()]
            for name in files:
                candidate = Path(root, name)
                reasons[candidate] = "hidden file" if name.startswith(".") else _skip_reason(candidate)
        if not reasons:
            result.append(FoundPath(path, "empty folder", display_name(path) + "/"))
        for found in sorted(reasons, key=_natural_key):
            relative = display_path(found.relative_to(path.parent)) if path.name else display_path(found)
            add(found, reasons[found], relative + "/" if reasons[found] == "empty folder" else relative)
    return result


def iter_document_paths(paths: Iterable[Path | str]) -> Iterator[Path]:
    """The documents of :func:`scan_paths`: files as given, folders walked (skipped entries left out)."""
    for entry in scan_paths(paths):
        if not entry.skipped:
            yield entry.path
