"""The export record: which files this app wrote, for which document, with what content.

``exports.json`` in the data folder maps each exported file's absolute path to the SHA-256 of
what was written and the document it was written for (its source path; the sources of all its
documents for a combined export). With it an export tells apart a file that is its own and
unedited (replaced by a fresh export), a file it wrote for *another* document of the same name
(never replaced: the export is numbered), and a file it did not write or that was edited since
(left alone unless the user asks). Records from before owners were kept (a plain digest) name no
document, so they count as another document's: a rerun numbers rather than risk replacing one.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ocr_desktop import paths
from ocr_desktop.core.results import DocumentResult
from ocr_desktop.files import write_atomic


class Claim(enum.Enum):
    """Who holds a path an export wants to write."""

    FREE = "free"  # nothing there
    SAME = "same"  # a file that holds exactly what would be written
    OWN = "own"  # this document's earlier export, unedited: replaced
    OWN_STALE = "own_stale"  # the same, when numbered copies are asked for (kept, numbered beside)
    OTHER_DOCUMENT = "other"  # another document's export (unedited): never replaced unasked
    FOREIGN = "foreign"  # not written by the app, or edited since


def digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def export_owner(documents: Sequence[DocumentResult]) -> str:
    """Whose export a file is: the document's source path (all sources, for a combined file)."""
    return "\n".join(sorted(d.source for d in documents))


def _exists(path: Path) -> bool:
    try:
        path.lstat()
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        return False
    return True


class ExportRecord:
    """The record, read once per export; :meth:`save` merges what this export wrote."""

    def __init__(self) -> None:
        self.path = paths.data_dir() / "exports.json"
        self.entries = self._read()
        self.changed: dict[str, dict[str, str]] = {}

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: no file counts as ours, so none is replaced unasked
        if not isinstance(data, dict):
            return {}
        entries = {}
        for key, value in data.items():
            if isinstance(value, str):  # before owners were recorded: a digest, no document
                entries[str(key)] = {"sha256": value, "owner": ""}
            elif isinstance(value, dict):
                entries[str(key)] = {
                    "sha256": str(value.get("sha256", "")),
                    "owner": str(value.get("owner", "")),
                }
        return entries

    @staticmethod
    def key(path: Path) -> str:
        return str(path.absolute())  # surrogate escapes of odd names survive JSON's \u escapes

    def claim(self, path: Path, payload: bytes, owner: str) -> Claim:
        """Who holds ``path`` for an export of ``owner`` that would write ``payload`` there.

        OSError (a name the file system refuses, an unreadable folder) propagates."""
        if not _exists(path):
            return Claim.FREE
        current = _file_digest(path)
        if current == digest(payload):
            return Claim.SAME
        entry = self.changed.get(self.key(path)) or self.entries.get(self.key(path))
        if entry is None or current is None or entry["sha256"] != current:
            return Claim.FOREIGN
        return Claim.OWN if entry["owner"] == owner else Claim.OTHER_DOCUMENT

    def remember(self, path: Path, sha256: str, owner: str, *, keep_owner: bool = False) -> None:
        """Record a file written (or found up to date) for ``owner``; ``keep_owner`` leaves a file
        another document's export wrote with the same content as that document's."""
        entry = self.changed.get(self.key(path)) or self.entries.get(self.key(path))
        if keep_owner and entry is not None and entry["sha256"] == sha256 and entry["owner"]:
            owner = entry["owner"]
        self.changed[self.key(path)] = {"sha256": sha256, "owner": owner}

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
    entries = ExportRecord().entries
    return {path for path in candidates if ExportRecord.key(path) in entries}
