"""Opening documents and producing their pages one at a time, fitted to GLM-OCR's pixel budget.

``open_document`` is the pre-flight: it sniffs the type from the file's bytes (never from its
extension), counts the pages (``pdfinfo`` for PDFs, Pillow for images), and turns every way a
file can be unreadable into a :class:`DocumentError` whose message says what to do. It renders
nothing but the first page of an image file (to catch truncated images early) and never a PDF
page.

``Document.pages()`` then renders ONE page at a time. PDF pages come from a single ``pdftoppm``
process per run of consecutive, equally sized pages, read from its stdout pipe: the pipe's
buffer (1 MiB, a fraction of one page) is the back-pressure, so poppler is never more than one
page ahead of the consumer, and nothing touches the disk. ``pdftoppm`` renders each page directly at its final
size (sides multiples of 28, area within the budget), so no second resampling pass is needed;
this is faster than ``pdf2image.convert_from_path`` per page, which starts ``pdfinfo`` and
``pdftoppm`` for every page (measured in ``scripts/bench_render.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import math
import os
import re
import stat
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps

from ocr_desktop.messages import Message

log = logging.getLogger(__name__)

#: Kinds of document the app reads, as ``Document.kind`` names them.
SUPPORTED_KINDS = ("pdf", "png", "jpeg", "webp", "bmp", "gif", "tiff")
SUPPORTED_DESCRIPTION = "PDF, PNG, JPEG, WebP, BMP, GIF or TIFF"

#: GLM-OCR's preprocessor limits (preprocessor_config.json ``size``): pixel budgets, not edges.
GLM_MIN_PIXELS = 12_544  # 112²
GLM_MAX_PIXELS = 9_633_792  # 28² × 12 288
#: Side lengths are multiples of this: patch 14 × spatial merge 2. One image token = 28×28 px.
PATCH_FACTOR = 28
#: Default budget: 3072 image tokens. An A4 page at 150 DPI (1240×1754) fits without shrinking,
#: and it stays under llama.cpp's 4096-token image cap (docs/documents.md). Same as settings.
DEFAULT_MAX_PIXELS = 2_408_448
DEFAULT_DPI = 150
#: Qwen/GLM smart-resize refuses more extreme aspect ratios; such a "page" is a strip, not a page.
MAX_ASPECT_RATIO = 200

_PILLOW_FORMATS = {
    "png": ("PNG",),
    "jpeg": ("JPEG", "MPO"),  # MPO: camera JPEGs with a second preview picture; page 1 is the photo
    "webp": ("WEBP",),
    "bmp": ("BMP",),
    "gif": ("GIF",),
    "tiff": ("TIFF",),
}
_SNIFF_BYTES = 1024  # PDF readers accept the %PDF- header anywhere in the first 1024 bytes
_PDFINFO_TIMEOUT_S = 60
_PIPE_BYTES = 1 << 20
_ORIENTATION_TAG = 0x0112
_ROTATING_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_POPPLER_HINT = (
    "PDF support needs poppler-utils (pdfinfo, pdftoppm) — install it: sudo apt install poppler-utils"
)


class DocumentError(Exception):
    """A document cannot be read; ``message`` says what happened and what to do.

    ``page_index`` (0-based) is set when only that page failed; the document's other pages can
    still be read, and ``Document.pages()`` carries on with the next page.
    """

    def __init__(self, message: str, *, page_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.page_index = page_index


class PageRangeError(DocumentError, ValueError):
    """A page range such as ``1-3,7,10-`` cannot be parsed or selects no page."""


@dataclass(frozen=True)
class PageImage:
    """One page, ready for the model: RGB, fitted to the pixel budget, sides multiples of 28."""

    image: Image.Image
    index: int  # 0-based page index within the document
    source: Path
    original_size: tuple[int, int]  # (width, height) before fitting


# --- names and types ------------------------------------------------------------------------


def display_name(path: Path) -> str:
    """The file name for people: bytes that are not UTF-8 become U+FFFD instead of surrogates
    (which Qt, log files and JSON encoders reject)."""
    return os.fsencode(path.name).decode("utf-8", "replace")


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SNIFF_BYTES)


def _sniff_bytes(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    # "BM" alone would match any text starting with those letters; the DIB header size pins it.
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    if b"%PDF-" in head:
        return "pdf"
    return None


def sniff(path: Path) -> str | None:
    """The document kind of ``path`` judged from its first bytes (one of ``SUPPORTED_KINDS``),
    or None when it is not a supported type or cannot be read."""
    try:
        return _sniff_bytes(_read_head(path))
    except OSError:
        return None


_KNOWN_OTHER_TYPES = (
    (b"PK\x03\x04", "a ZIP archive (or a Word, OpenDocument or EPUB file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"%!PS", "a PostScript file"),
    (b"AT&TFORM", "a DjVu document"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"P1", "a PBM/PGM/PPM image"),
)


def _describe_unsupported(head: bytes) -> str:
    """Say what an unsupported file seems to be, so the message can suggest a conversion."""
    for magic, description in _KNOWN_OTHER_TYPES:
        if head.startswith(magic):
            return description
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC/HEIF photo"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video or MP4-family file"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<svg", b"<?xml")):
        return "an SVG or XML file"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file of unknown type"
    return "a text file"


# --- page ranges and pixel budget ------------------------------------------------------------

_RANGE_PART = re.compile(r"^(\d*)\s*(-?)\s*(\d*)$")


def parse_page_range(spec: str, page_count: int) -> list[int]:
    """Turn ``"1-3,7,10-"`` (1-based, inclusive; ``-5`` = up to 5, ``10-`` = 10 to the end) into
    sorted 0-based page indices of a ``page_count``-page document. An empty spec means every page.

    Parts beyond the end of the document are dropped, so one range can be applied to a batch of
    documents of different lengths; a spec that selects no page at all is an error.
    """
    if not spec.strip():
        return list(range(page_count))
    selected: set[int] = set()
    for raw in spec.split(","):
        part = raw.strip()
        match = _RANGE_PART.match(part)
        if not part or match is None or not (match.group(1) or match.group(3)):
            raise PageRangeError(
                f"page range '{spec}': '{part}' is not a page or a range — use numbers such as 1-3,7,10-"
            )
        first_s, dash, last_s = match.groups()
        first = int(first_s) if first_s else 1
        last = int(last_s) if last_s else (page_count if dash else first)
        if first < 1 or last < 1:
            raise PageRangeError(f"page range '{spec}': pages are numbered from 1")
        if last_s and last < first:
            raise PageRangeError(f"page range '{spec}': '{part}' goes backwards — write {last}-{first}")
        selected.update(range(first - 1, min(last, page_count)))
    if not selected:
        raise PageRangeError(f"page range '{spec}' selects no page of this {page_count}-page document")
    return sorted(selected)


def fit_to_budget(
    width: int,
    height: int,
    *,
    min_pixels: int = GLM_MIN_PIXELS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    factor: int = PATCH_FACTOR,
) -> tuple[int, int]:
    """The size a ``width``×``height`` page is resized to before the model sees it.

    Qwen-VL / GLM-OCR "smart resize": each side rounded to a multiple of ``factor``; if the
    area then exceeds ``max_pixels`` both sides shrink by the same ratio (rounded down), if it
    falls below ``min_pixels`` they grow (rounded up). The aspect ratio is kept to within one
    ``factor`` step per side. The maximum wins over the minimum: a budget close to ``min_pixels``
    can round a page to slightly fewer pixels (the model's processor then grows it).
    Raises ValueError for empty sizes and aspect ratios over 200:1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size {width}×{height} is empty")
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise ValueError(f"image size {width}×{height} has an aspect ratio over {MAX_ASPECT_RATIO}:1")
    if max_pixels < min_pixels:
        raise ValueError(f"pixel budget {max_pixels} is below the minimum {min_pixels}")
    w = max(factor, round(width / factor) * factor)
    h = max(factor, round(height / factor) * factor)
    if w * h > max_pixels:
        beta = math.sqrt(width * height / max_pixels)
        w = max(factor, math.floor(width / beta / factor) * factor)
        h = max(factor, math.floor(height / beta / factor) * factor)
        # A narrow strip's short side cannot go below one tile; the long side pays for it.
        if w * h > max_pixels:
            if w > h:
                w = max_pixels // (h * factor) * factor
            else:
                h = max_pixels // (w * factor) * factor
    elif w * h < min_pixels:
        beta = math.sqrt(min_pixels / (width * height))
        w = math.ceil(width * beta / factor) * factor
        h = math.ceil(height * beta / factor) * factor
    return w, h


# --- opening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PdfPage:
    width_pt: float
    height_pt: float
    rotation: int  # degrees clockwise, as pdfinfo reports it

    @property
    def degenerate(self) -> bool:
        """A page box under a point wide or high (damaged PDFs have 0×0): rendering it gives a
        blank speck that the model would "read" anyway."""
        return self.width_pt < 1 or self.height_pt < 1


@dataclass
class _Cursor:
    """``render_page``'s state: the stream kept for the next consecutive page."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stream: PageStream | None = None
    last_index: int | None = None


@dataclass(frozen=True, eq=False)  # eq=False: a document owns a renderer; identity is what counts
class Document:
    """A document that passed the pre-flight. Pages are rendered on demand by :meth:`pages`."""

    path: Path
    name: str  # display name, safe to show and encode (see display_name)
    kind: str  # one of SUPPORTED_KINDS
    page_count: int
    page_indices: tuple[int, ...]  # 0-based, after the page range
    dpi: int
    max_pixels: int
    _pdf_pages: dict[int, _PdfPage] | None = None  # page sizes of a PDF, by 0-based index
    _cursor: _Cursor = field(default_factory=_Cursor, init=False, repr=False, compare=False)

    def pages(self, indices: Iterable[int] | None = None) -> PageStream:
        """Iterate the selected pages (default: ``page_indices``), rendering one at a time.

        A page that cannot be rendered raises DocumentError with ``page_index`` set from
        ``next()``; the stream stays usable and goes on with the following page. Close the stream
        (or use it as a context manager) when stopping early, so a running renderer is ended.
        """
        chosen = self.page_indices if indices is None else tuple(indices)
        for index in chosen:
            if not 0 <= index < self.page_count:
                raise PageRangeError(
                    f"{self.name}: page {index + 1} does not exist (the document has {self.page_count})"
                )
        return PageStream(self, chosen)

    def render_page(self, index: int) -> PageImage:
        """Render page ``index`` (0-based).

        Calls for consecutive pages (``i``, then ``i + 1``, …, as the pipeline makes them) share
        one renderer that stays one page ahead, which is as fast as :meth:`pages`; any other
        call renders just that page. :meth:`close` ends a renderer kept for the next call.
        """
        cursor = self._cursor
        with cursor.lock:
            stream = cursor.stream
            if stream is None or stream.next_index != index:
                if stream is not None:
                    stream.close()
                sequential = cursor.last_index == index - 1
                later = [i for i in self.page_indices if i > index] if sequential else []
                stream = cursor.stream = self.pages([index, *later])
            cursor.last_index = index
            try:
                return next(stream)
            finally:
                if stream.next_index is None:
                    stream.close()
                    cursor.stream = None

    def close(self) -> None:
        """End the renderer :meth:`render_page` keeps for the next page, if any."""
        with self._cursor.lock:
            if self._cursor.stream is not None:
                self._cursor.stream.close()
                self._cursor.stream = None

    def where(self, index: int) -> str:
        """How messages name page ``index``: the file alone when it has one page."""
        return (
            self.name
            if self.page_count == 1
            else Message("page {page} of {name}", page=index + 1, name=self.name)
        )

    def _pdf_target(self, index: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """``(original, fitted)`` sizes of PDF page ``index``: at the document's DPI, and after
        fitting to the pixel budget. Raises DocumentError for a page no model could read."""
        assert self._pdf_pages is not None, "computed from pdfinfo's page sizes, for PDFs only"
        page = self._pdf_pages[index]
        if page.degenerate:
            raise DocumentError(
                Message(
                    "{where} has an empty page box ({width:g}×{height:g} pt): there is nothing on it to "
                    "read — the PDF is damaged; re-save it from a PDF viewer",
                    where=self.where(index),
                    width=page.width_pt,
                    height=page.height_pt,
                ),
                page_index=index,
            )
        width = max(1, round(page.width_pt * self.dpi / 72))
        height = max(1, round(page.height_pt * self.dpi / 72))
        if page.rotation % 180 == 90:
            width, height = height, width
        return (width, height), _fit_page(self.where(index), index, (width, height), self.max_pixels)


def fit_page(page: PageImage, max_pixels: int) -> PageImage:
    """``page`` (rendered at the document's DPI for layout reading) fitted to the model's budget."""
    size = fit_to_budget(*page.image.size, max_pixels=max_pixels)
    if size == page.image.size:
        return page
    return dataclasses.replace(page, image=page.image.resize(size, Image.Resampling.LANCZOS))


def _fit_page(where: str, index: int, size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    try:
        return fit_to_budget(*size, max_pixels=max_pixels)
    except ValueError as exc:
        raise DocumentError(
            f"{where} cannot be read as a page: {exc} — crop or split it into normal pages",
            page_index=index,
        ) from None


def open_document(
    path: Path | str,
    *,
    dpi: int = DEFAULT_DPI,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pages: str = "",
) -> Document:
    """Check that ``path`` is a readable document and count its pages; render nothing yet.

    Raises DocumentError (message names the file and what to do) for a missing file, a folder,
    an empty or unreadable file, an unsupported type, a damaged image or PDF, a password-protected
    or empty PDF, a decompression bomb and absurd image sizes; PageRangeError for a bad range.
    """
    path = Path(path)
    name = display_name(path)
    if not GLM_MIN_PIXELS <= max_pixels <= GLM_MAX_PIXELS:
        raise ValueError(f"max_pixels {max_pixels} is outside GLM-OCR's {GLM_MIN_PIXELS}..{GLM_MAX_PIXELS}")
    if dpi < 1:
        raise ValueError(f"dpi must be positive, not {dpi}")
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(
                Message(
                    "{name} is a folder — open the documents inside it, or drop the folder itself", name=name
                )
            )
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(
                Message(
                    "{name} is not a regular file (a pipe or device) — save it as a file first", name=name
                )
            )
        if info.st_size == 0:
            raise DocumentError(
                Message(
                    "{name} is empty (0 bytes) — the copy or download did not finish; get it again", name=name
                )
            )
        head = _read_head(path)
    except FileNotFoundError:
        raise DocumentError(
            Message("{name} was not found at {path} — check the path", name=name, path=display_path(path))
        ) from None
    except PermissionError:
        raise DocumentError(
            Message(
                "{name} cannot be read: permission denied — make it readable (chmod u+r) or copy it "
                "somewhere you can read",
                name=name,
            )
        ) from None
    except OSError as exc:
        raise DocumentError(
            f"{name} cannot be read: {exc.strerror or exc} — check the disk or the share"
        ) from None
    kind = _sniff_bytes(head)
    if kind is None:
        raise DocumentError(
            Message(
                "{name} is {kind}, not a supported document — supported are {supported}; convert it "
                "(e.g. print or export it to PDF) and open that",
                name=name,
                kind=_describe_unsupported(head),
                supported=SUPPORTED_DESCRIPTION,
            )
        )
    if kind == "pdf":
        count, pdf_pages = _pdf_preflight(path, name)
        indices = parse_page_range(pages, count)
        if all(pdf_pages[i].degenerate for i in indices):
            first = pdf_pages[indices[0]]
            raise DocumentError(
                Message(
                    "{name} is a damaged PDF: every page has an empty page box ({width:g}×{height:g} pt), "
                    "so there is nothing to read — re-save it from a PDF viewer",
                    name=name,
                    width=first.width_pt,
                    height=first.height_pt,
                )
            )
        return Document(path, name, kind, count, tuple(indices), dpi, max_pixels, pdf_pages)
    count = _image_preflight(path, name, kind)
    indices = parse_page_range(pages, count)
    document = Document(path, name, kind, count, tuple(indices), dpi, max_pixels)
    if count == 1:
        # A truncated image is only noticed when it is decoded; decoding the one page now makes
        # such a file fail here, as an error for the file, instead of as a failed page later.
        # (A TIFF's frames are checked one by one as pages, so one bad frame costs one page.)
        try:
            document.render_page(0)
        except DocumentError as exc:
            raise DocumentError(exc.message) from None
    return document


def display_path(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", "replace")


# --- PDF -------------------------------------------------------------------------------------

_PAGE_LINE = re.compile(r"^Page\s+(\d+)\s+(size|rot):\s+(.*)$")
_SIZE_VALUE = re.compile(r"^([\d.]+) x ([\d.]+) pts")


def _run_poppler(args: list[str], name: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=_PDFINFO_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise DocumentError(f"{name}: {_POPPLER_HINT}") from None
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"{name}: reading the PDF's page list took over {_PDFINFO_TIMEOUT_S} s — the file is probably "
            "damaged; re-save it from a PDF viewer"
        ) from None


def _pdf_preflight(path: Path, name: str) -> tuple[int, dict[int, _PdfPage]]:
    """Page count and page sizes from one ``pdfinfo`` call; encryption and damage become errors."""
    # -l beyond the last page is clamped by pdfinfo, so one call lists every page's size.
    proc = _run_poppler(["pdfinfo", "-f", "1", "-l", str(2**31 - 1), str(path.absolute())], name)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    if "Incorrect password" in err:
        raise DocumentError(
            Message(
                "{name} is password-protected — remove the password (qpdf --decrypt --password=… in.pdf "
                "out.pdf, or print it to a new PDF from a viewer) and open that",
                name=name,
            )
        )
    if "Invalid page count 0" in err or re.search(r"^Pages:\s+0\s*$", out, re.MULTILINE):
        raise DocumentError(Message("{name} is a PDF with no pages — nothing to read", name=name))
    count_match = re.search(r"^Pages:\s+(\d+)\s*$", out, re.MULTILINE)
    if proc.returncode != 0 or count_match is None:
        raise DocumentError(
            Message(
                "{name} is a damaged PDF ({error}) — download it again or re-save it from a PDF viewer",
                name=name,
                error=_first_error(err) or "pdfinfo failed",
            )
        )
    sizes: dict[int, tuple[float, float]] = {}
    rotations: dict[int, int] = {}
    for line in out.splitlines():
        match = _PAGE_LINE.match(line)
        if match is None:
            continue
        index = int(match.group(1)) - 1
        if match.group(2) == "rot":
            rotations[index] = int(match.group(3).strip())
        elif size := _SIZE_VALUE.match(match.group(3)):
            sizes[index] = (float(size.group(1)), float(size.group(2)))
    count = int(count_match.group(1))
    if len(sizes) != count:
        raise DocumentError(
            f"{name} is a damaged PDF (pdfinfo lists {len(sizes)} page sizes for {count} pages) — re-save it "
            "from a PDF viewer"
        )
    return count, {i: _PdfPage(w, h, rotations.get(i, 0)) for i, (w, h) in sizes.items()}


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "Error" in line:
            return line.strip()
    return stderr.strip().splitlines()[-1] if stderr.strip() else ""


class _PdftoppmRun:
    """One ``pdftoppm`` process rendering pages ``first..last`` at one size into a pipe."""

    def __init__(self, path: Path, first: int, last: int, size: tuple[int, int]) -> None:
        self.next_index = first
        self.last = last
        self.size = size
        # stderr goes to a file: a damaged PDF can print megabytes of warnings, which would fill a
        # pipe and block pdftoppm while we block reading its stdout.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._stderr_text = ""
        args = [
            "pdftoppm",
            "-f", str(first + 1),
            "-l", str(last + 1),
            "-cropbox",  # what viewers show; pdfinfo's page size is the crop box too
            # The target is in display orientation; without this flag poppler swaps the two
            # values for pages with /Rotate 90 or 270.
            "-scale-dimension-before-rotation",
            "-scale-to-x", str(size[0]),
            "-scale-to-y", str(size[1]),
            str(path.absolute()),
        ]  # fmt: skip
        try:
            self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr)
        except FileNotFoundError:
            self._stderr.close()
            raise DocumentError(_POPPLER_HINT, page_index=first) from None
        assert self._proc.stdout is not None
        # A 64 KiB pipe hands a 6 MB page over in ~100 turns between the two processes, and on
        # a busy machine each turn waits for the scheduler. 1 MiB (the usual unprivileged
        # maximum) cuts that to ~7 and still holds only a fraction of one page.
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(self._proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)

    def read_page(self) -> Image.Image | None:
        """The next page of the run, or None when pdftoppm stopped before producing it."""
        stdout = self._proc.stdout
        assert stdout is not None
        header = _read_ppm_header(stdout)
        if header is None:
            return None
        width, height = header
        data = stdout.read(width * height * 3)
        if len(data) != width * height * 3:
            return None
        self.next_index += 1
        image = Image.frombuffer("RGB", (width, height), data, "raw", "RGB", 0, 1)
        if image.size != self.size:
            # Never seen with poppler 22; cheap insurance that a page's sides stay multiples of 28.
            image = image.resize(self.size, Image.Resampling.LANCZOS)
        return image

    def failure(self) -> str:
        """Why pdftoppm stopped early (after ``read_page`` returned None)."""
        self.close()
        return _first_error(self._stderr_text) or f"pdftoppm exited with status {self._proc.returncode}"

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        with contextlib.suppress(OSError):
            if self._proc.stdout is not None:
                self._proc.stdout.close()
        self._proc.wait()
        if not self._stderr.closed:
            self._stderr.seek(0)
            self._stderr_text = self._stderr.read().decode("utf-8", "replace")
            self._stderr.close()
            if self._stderr_text.strip():
                log.debug("pdftoppm said: %s", self._stderr_text.strip()[-2000:])


def _read_ppm_header(stream: IO[bytes]) -> tuple[int, int] | None:
    """Parse ``P6 <width> <height> <maxval>`` and the single whitespace byte after it."""
    tokens: list[bytes] = []
    token = b""
    while len(tokens) < 4:
        byte = stream.read(1)
        if not byte:
            return None
        if byte.isspace():
            if token:
                tokens.append(token)
                token = b""
        else:
            token += byte
        if len(token) > 16:
            return None
    if tokens[0] != b"P6" or tokens[3] != b"255" or not (tokens[1].isdigit() and tokens[2].isdigit()):
        return None
    return int(tokens[1]), int(tokens[2])


# --- images ----------------------------------------------------------------------------------


def _image_error(where: str, kind: str, exc: BaseException, page_index: int | None = None) -> DocumentError:
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        # Pillow's message holds the pixel count: "Image size (900000000 pixels) exceeds limit…"
        stated = re.search(r"\((\d+) pixels\)", str(exc))
        return DocumentError(
            f"{where}: {_bomb_text(int(stated.group(1)) if stated else None)}", page_index=page_index
        )
    reason = str(exc) or type(exc).__name__
    return DocumentError(
        Message(
            "{where} looks like a {kind} image but cannot be decoded ({reason}) — the file is damaged or "
            "incomplete; copy or download it again",
            where=where,
            kind=kind.upper(),
            reason=reason,
        ),
        page_index=page_index,
    )


def _bomb_text(pixels: int | None, size: tuple[int, int] | None = None) -> str:
    limit = Image.MAX_IMAGE_PIXELS or 0
    dimensions = f"{size[0]}×{size[1]} = " if size else ""
    stated = f"the image is {dimensions}{pixels / 1e6:.0f} megapixels, " if pixels else ""
    return (
        f"{stated}over Pillow's {limit / 1e6:.0f}-megapixel safety limit against decompression bombs — "
        "scale it down (a 300 DPI A4 scan is 8.7 megapixels) and open it again"
    )


def _check_frame_size(where: str, size: tuple[int, int], page_index: int | None) -> None:
    """Refuse decompression bombs before decoding. Pillow itself only warns between its limit and
    twice its limit; the app refuses from the limit on, because memory is shared with the model.
    Pillow's limit itself is left as it is: whoever raises it for huge scans does so on purpose."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit and size[0] * size[1] > limit:
        raise DocumentError(f"{where}: {_bomb_text(size[0] * size[1], size)}", page_index=page_index)


def _open_image(path: Path, name: str, kind: str) -> Image.Image:
    try:
        # formats= keeps Pillow from guessing another type than the one sniffed.
        return Image.open(path, formats=_PILLOW_FORMATS[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning arrives as an exception where warnings are errors (the test suite); where
        # they are not, _check_frame_size refuses the same image right after.
        raise _image_error(name, kind, exc) from None
    except OSError as exc:
        raise _image_error(name, kind, exc) from None


def _image_preflight(path: Path, name: str, kind: str) -> int:
    with _open_image(path, name, kind) as image:
        _check_frame_size(name, image.size, None)
        if kind != "tiff":
            return 1  # GIF, WebP: the first frame is the page; MPO: the main picture
        try:
            # Walks the IFD chain without decoding any frame.
            return int(getattr(image, "n_frames", 1))
        except Exception as exc:  # Pillow's TIFF reader raises many types on bad IFDs
            raise _image_error(name, kind, exc) from None


def _stored_to_display(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in _ROTATING_ORIENTATIONS else size


def _frame_to_page(image: Image.Image, document: Document, index: int) -> PageImage:
    """Decode the current frame of ``image`` into a model-ready page (EXIF orientation applied,
    transparency flattened on white, RGB, resized to the budget)."""
    where = document.where(index)
    _check_frame_size(where, image.size, index)
    try:
        # Reading EXIF may read past the pixel data (a PNG's eXIf chunk), so it can fail too.
        orientation = image.getexif().get(_ORIENTATION_TAG, 1)
        original = _stored_to_display(image.size, orientation)
        target = _fit_page(where, index, original, document.max_pixels)
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the target: a
            # 12-megapixel photo then decodes in a fraction of the time and memory.
            image.draft("RGB", _stored_to_display(target, orientation))
        image.load()
        rgb = _flatten_to_rgb(ImageOps.exif_transpose(image))
        if rgb.size != target:
            rgb = rgb.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except DocumentError:
        raise
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, zlib.error…
        raise _image_error(where, document.kind, exc, index) from None
    _refuse_blank(rgb, where, index)
    return PageImage(rgb, index, document.path, original)


def _refuse_blank(image: Image.Image, where: str, index: int) -> None:
    """A page of one single colour has no text; the model would still "read" something into it
    (a tiny model invents a page), so it is a page error instead of a silent result."""
    extrema = image.getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    if all(low == high for low, high in bands):
        raise DocumentError(
            Message(
                "{where} is blank (every pixel is the same colour): there is no text to read — if it "
                "should have some, the file is damaged; scan or export it again",
                where=where,
            ),
            page_index=index,
        )


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit scans: Pillow's plain conversion clips everything above 255 to white.
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


# --- the page stream -------------------------------------------------------------------------


class PageStream(Iterator[PageImage]):
    """Lazy pages of one document; see :meth:`Document.pages`."""

    def __init__(self, document: Document, indices: Sequence[int]) -> None:
        self._document = document
        self._pending: deque[int] = deque(indices)
        self._run: _PdftoppmRun | None = None
        self._image: Image.Image | None = None  # the open image file, kept for multi-frame TIFF

    def __iter__(self) -> PageStream:
        return self

    def __enter__(self) -> PageStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # At interpreter exit modules may already be torn down; the OS reaps the child then.
        with contextlib.suppress(Exception):
            self.close()

    @property
    def next_index(self) -> int | None:
        """The page the next ``next()`` renders; None when the stream is exhausted."""
        return self._pending[0] if self._pending else None

    def __next__(self) -> PageImage:
        if not self._pending:
            self.close()
            raise StopIteration
        index = self._pending.popleft()
        if self._document.kind == "pdf":
            return self._next_pdf_page(index)
        return self._next_image_page(index)

    def close(self) -> None:
        """End a running renderer and close the file; safe to call more than once."""
        self._end_run()
        if self._image is not None:
            self._image.close()
            self._image = None

    def _end_run(self) -> None:
        if self._run is not None:
            self._run.close()
            self._run = None

    def _next_pdf_page(self, index: int) -> PageImage:
        document = self._document
        original, target = document._pdf_target(index)
        run = self._run
        if run is None or run.next_index != index or run.size != target:
            self._end_run()
            run = self._run = _PdftoppmRun(document.path, index, self._run_end(index, target), target)
        image = run.read_page()
        if image is None:
            reason = run.failure()
            self._end_run()
            raise DocumentError(
                Message(
                    "{where} could not be rendered ({reason}) — the PDF may be damaged; re-save it from a "
                    "PDF viewer",
                    where=document.where(index),
                    reason=reason,
                ),
                page_index=index,
            )
        if run.next_index > run.last:
            self._end_run()
        _refuse_blank(image, document.where(index), index)
        return PageImage(image, index, document.path, original)

    def _run_end(self, first: int, size: tuple[int, int]) -> int:
        """Last page of the run starting at ``first``: consecutive pending pages of the same size."""
        last = first
        for index in self._pending:
            if index != last + 1:
                break
            try:
                if self._document._pdf_target(index)[1] != size:
                    break
            except DocumentError:
                break
            last = index
        return last

    def _next_image_page(self, index: int) -> PageImage:
        document = self._document
        if self._image is None:
            self._image = _open_image(document.path, document.name, document.kind)
        try:
            self._image.seek(index)
        except Exception as exc:  # a damaged TIFF IFD raises several exception types
            raise _image_error(document.where(index), document.kind, exc, index) from None
        return _frame_to_page(self._image, document, index)


# --- folders ---------------------------------------------------------------------------------


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
        head = _read_head(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if _sniff_bytes(head) is None:
        return f"not a document ({_describe_unsupported(head)})"
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
            dirs[:] = [d for d in dirs if not d.startswith(".") and not Path(root, d).is_symlink()]
            for name in files:
                candidate = Path(root, name)
                reasons[candidate] = "hidden file" if name.startswith(".") else _skip_reason(candidate)
        if not reasons:
            result.append(FoundPath(path, "empty folder", display_name(path) + "/"))
        for found in sorted(reasons, key=_natural_key):
            relative = display_path(found.relative_to(path.parent)) if path.name else display_path(found)
            add(found, reasons[found], relative)
    return result


def iter_document_paths(paths: Iterable[Path | str]) -> Iterator[Path]:
    """The documents of :func:`scan_paths`: files as given, folders walked (skipped entries left out)."""
    for entry in scan_paths(paths):
        if not entry.skipped:
            yield entry.path
