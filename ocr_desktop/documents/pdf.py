"""PDFs through poppler: the ``pdfinfo`` pre-flight (page count, sizes, rotation, encryption)
and the streaming ``pdftoppm`` renderer.

PDF pages come from a single ``pdftoppm`` process per run of consecutive, equally sized pages,
read from its stdout pipe: the pipe's buffer (1 MiB, a fraction of one page) is the
back-pressure, so poppler is never more than one page ahead of the consumer, and nothing touches
the disk. ``pdftoppm`` renders each page directly at its final size (sides multiples of 28, area
within the budget), so no second resampling pass is needed; this is faster than
``pdf2image.convert_from_path`` per page, which starts ``pdfinfo`` and ``pdftoppm`` for every
page (measured in ``scripts/bench_render.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image

from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.messages import Message

log = logging.getLogger(__name__)

_PDFINFO_TIMEOUT_S = 60
_PIPE_BYTES = 1 << 20
POPPLER_HINT = (
    "PDF support needs poppler-utils (pdfinfo, pdftoppm) — install it: sudo apt install poppler-utils"
)


@dataclass(frozen=True)
class PdfPage:
    width_pt: float
    height_pt: float
    rotation: int  # degrees clockwise, as pdfinfo reports it

    @property
    def degenerate(self) -> bool:
        """A page box under a point wide or high (damaged PDFs have 0×0): rendering it gives a
        blank speck that the model would "read" anyway."""
        return self.width_pt < 1 or self.height_pt < 1


_PAGE_LINE = re.compile(r"^Page\s+(\d+)\s+(size|rot):\s+(.*)$")
_SIZE_VALUE = re.compile(r"^([\d.]+) x ([\d.]+) pts")


def _run_poppler(args: list[str], name: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=_PDFINFO_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise DocumentError(f"{name}: {POPPLER_HINT}") from None
    except subprocess.TimeoutExpired:
        raise DocumentError(
            f"{name}: reading the PDF's page list took over {_PDFINFO_TIMEOUT_S} s — the file is probably "
            "damaged; re-save it from a PDF viewer"
        ) from None


def pdf_preflight(path: Path, name: str) -> tuple[int, dict[int, PdfPage]]:
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
    return count, {i: PdfPage(w, h, rotations.get(i, 0)) for i, (w, h) in sizes.items()}


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "Error" in line:
            return line.strip()
    return stderr.strip().splitlines()[-1] if stderr.strip() else ""


class PdftoppmRun:
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
            raise DocumentError(POPPLER_HINT, page_index=first) from None
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
