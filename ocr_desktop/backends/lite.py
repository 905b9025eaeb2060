"""The lite engine: PP-OCRv6 (detection + recognition, shipped inside the ``rapidocr`` wheel).

A classic line OCR engine behind the same protocol as GLM-OCR's backends, so a fresh install
reads its first page without a download, offline, in a few hundred MB (docs/lite.md). It reads
what it is given line by line: a whole page, or one layout region. It knows no tables and no
formulas; a table or formula region is kept as its lines and flagged ``FLAG_LINES_ONLY`` instead
of pretending to be a table. Its results carry each line's box and recognition confidence
(``GenerationStats.lines``), which the pipeline stores with the page.

The models are the app's shared :func:`ocr_desktop.textlines.shared_reader` (the layout stage
and the searchable-PDF export use the same sessions), so ``unload`` frees nothing that another
part of the app would only load again; a page cannot be interrupted mid-read (one ONNX Runtime
call), so a cancel takes effect when the page's lines are in and nothing is sent.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from ocr_desktop.backends.base import BackendError, MemoryEstimate, ProgressFn, Recognition
from ocr_desktop.backends.memory import check_fits
from ocr_desktop.core.results import FLAG_LINES_ONLY, GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.formats import format_bytes
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings
from ocr_desktop.textlines import (
    LineReader,
    TextLine,
    TextLineError,
    reading_rows,
    reading_sorted,
    shared_reader,
)

log = logging.getLogger(__name__)

#: The engine's name wherever a page says what read it (stored as the page's model).
MODEL_NAME = "PP-OCRv6 (lite)"
#: ONNX Runtime, OpenCV and the sessions' working buffers beside the model files: the growth of a
#: fresh process's peak RSS over loading the engine and reading the drawn A4 page and page.png
#: (682 MiB, imports included; detection on a full page dominates; docs/lite.md).
RUNTIME_BYTES = 700 << 20
#: A gap between two rows larger than this many line heights starts a new paragraph.
PARAGRAPH_GAP = 0.8


def model_files() -> list[Path]:
    """The ONNX files the wheel ships (detection, recognition, orientation); [] without rapidocr."""
    try:
        folder = resources.files("rapidocr") / "models"
    except ModuleNotFoundError:
        return []
    return sorted(Path(str(p)) for p in folder.iterdir() if str(p).endswith(".onnx"))


def _split(lines: list[TextLine], axis: int, gap: float) -> list[list[TextLine]]:
    """``lines`` cut where no line covers a stretch of at least ``gap`` pixels along ``axis``
    (0: columns, left to right; 1: bands, top to bottom); one group when there is no such cut."""
    groups: list[list[TextLine]] = []
    end = float("-inf")
    for line in sorted(lines, key=lambda ln: ln.box[axis]):
        if not groups or line.box[axis] - end >= gap:
            groups.append([])
        groups[-1].append(line)
        end = max(end, line.box[axis + 2])
    return groups


def reading_order(lines: list[TextLine], gap: float) -> list[TextLine]:
    """Lines in reading order on a page of columns (a recursive XY cut): columns first, left to
    right, each read top to bottom; a full-width title or table band cuts the page into bands
    first. Without either cut, row by row (``textlines.reading_sorted``)."""
    if len(lines) <= 1:
        return lines
    for axis in (0, 1):
        groups = _split(lines, axis, gap)
        if len(groups) > 1:
            return [line for group in groups for line in reading_order(group, gap)]
    return reading_sorted(lines)


def lines_text(lines: Sequence[TextLine], *, rows_only: bool = False) -> str:
    """The lines as text in reading order: a row's lines joined by a space, rows by a newline,
    a blank line where the gap to the next row is taller than ``PARAGRAPH_GAP`` lines or the next
    row starts a new column (so the formatter keeps paragraphs apart). ``rows_only`` (a table's
    lines) keeps the rows as they are on the page: each one line, its cells apart by a tab."""
    kept = [ln for ln in lines if ln.text.strip()]
    if not kept:
        return ""
    height = statistics.median(ln.height for ln in kept) or 1
    if rows_only:
        rows = reading_rows(kept)
    else:
        rows = []
        for line in reading_order(kept, gap=1.5 * height):
            if rows and _same_row(rows[-1][-1], line):
                rows[-1].append(line)
            else:
                rows.append([line])
    out: list[str] = []
    previous_bottom: int | None = None
    for row in rows:
        top = min(ln.box[1] for ln in row)
        if previous_bottom is not None:
            gap = top - previous_bottom
            new_block = gap > PARAGRAPH_GAP * height or gap < -height  # taller gap, or up to a new column
            out.append("\n\n" if new_block and not rows_only else "\n")
        out.append(("\t" if rows_only else " ").join(ln.text.strip() for ln in row))
        previous_bottom = max(ln.box[3] for ln in row)
    return "".join(out)


def _same_row(left: TextLine, right: TextLine) -> bool:
    """``right`` continues ``left``'s row: to its right (the detector's boxes of two words of
    one line may overlap), centres at the same height."""
    centre = (left.box[1] + left.box[3]) / 2
    return (
        right.box[0] > left.box[0]
        and abs((right.box[1] + right.box[3]) / 2 - centre) < min(left.height, right.height) / 2
    )


class LiteBackend:
    """The ``lite`` backend (see the module docstring)."""

    id = "lite"

    def __init__(self, reader: Callable[[], LineReader] = shared_reader) -> None:
        self._reader = reader
        self._loaded = False
        self._lock = threading.Lock()  # one page at a time: the reader serialises calls anyway

    @classmethod
    def from_settings(cls, _settings: Settings) -> LiteBackend:
        return cls()

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    @property
    def max_in_flight(self) -> int:
        return 1  # the shared reader runs one image at a time; more would only queue

    def memory_estimate(self) -> MemoryEstimate:
        files = sum(path.stat().st_size for path in model_files())
        return MemoryEstimate(
            files + RUNTIME_BYTES,
            Message(
                "PP-OCRv6 models {files} + ONNX Runtime {runtime}",
                files=format_bytes(files),
                runtime=format_bytes(RUNTIME_BYTES),
            ),
        )

    def load(self, progress: ProgressFn) -> None:
        if self._loaded:
            return
        progress(Message("loading {model}", model=MODEL_NAME), -1)
        # A lite engine that does not fit has nothing smaller to suggest: the message says so.
        tight = check_fits(self.memory_estimate(), suggestions=())
        if tight:
            progress(tight, -1)
        started = time.perf_counter()
        try:
            self._reader().warm_up()
        except TextLineError as exc:
            raise BackendError(exc.message) from None
        self._loaded = True
        log.info("lite engine ready in %.2f s", time.perf_counter() - started)
        progress(Message("{model} ready", model=MODEL_NAME), 1.0)

    def unload(self) -> None:
        # The sessions belong to the shared reader (layout and the PDF export use them too).
        self._loaded = False

    def server_pids(self) -> list[int]:
        return []

    def metrics(self) -> None:
        return None

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        del options  # no tokens, no sampling: greedy CTC decoding has nothing to set
        if not self._lock.acquire(blocking=False):
            raise BackendError("the lite engine reads one page at a time and another page is in progress")
        try:
            started = time.perf_counter()
            try:
                # With each character's box: the searchable-PDF export places words by them, and
                # reuses stored lines only when they carry them (no second read; same time here).
                lines = self._reader().read(page.image, char_boxes=True)
            except TextLineError as exc:
                raise BackendError(exc.message) from None
            read_s = time.perf_counter() - started
            if cancel.is_set():
                return GenerationStats(total_s=read_s, finish_reason="cancelled")
            structured = task is not Task.TEXT
            text = lines_text(lines, rows_only=task is Task.TABLE)
            for chunk in text.splitlines(keepends=True):
                if cancel.is_set():
                    return GenerationStats(total_s=read_s, finish_reason="cancelled")
                yield chunk
            return GenerationStats(
                time_to_first_token_s=read_s,
                total_s=time.perf_counter() - started,
                finish_reason="stop",
                lines=tuple(lines),
                flags=frozenset({FLAG_LINES_ONLY}) if structured and text else frozenset(),
            )
        finally:
            self._lock.release()
