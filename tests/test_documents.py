"""Documents: sniffing, pre-flight errors, lazy page rendering, page ranges and the pixel budget,
on real files made in the test's temp dir."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop import settings
from ocr_desktop.documents import pdf
from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.errors import DocumentError, PageRangeError
from ocr_desktop.documents.folders import iter_document_paths, scan_paths
from ocr_desktop.documents.pages import (
    DEFAULT_DPI,
    DEFAULT_MAX_PIXELS,
    GLM_MAX_PIXELS,
    GLM_MIN_PIXELS,
    fit_to_budget,
    parse_page_range,
)
from ocr_desktop.documents.sniff import sniff
from tests.fixtures.damaged import LETTER, ZERO_BOX, raw_pdf, text_page
from tests.fixtures.files import make_image, make_pdf, qpdf


def assert_model_ready(image: Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    width, height = image.size
    assert image.mode == "RGB"
    assert width % 28 == 0 and height % 28 == 0, image.size
    assert GLM_MIN_PIXELS <= width * height <= max_pixels


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header declares ``width``×``height`` but holds no pixels: what a
    decompression bomb looks like to the pre-flight, without the memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


# --- supported types ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "jpeg", "webp", "bmp", "gif", "tiff"])
def test_every_image_type_is_opened_by_content_not_extension(
    sample_images: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    # GIVEN an image whose extension lies about its type
    disguised = tmp_path / f"{kind}-file.pdf"
    shutil.copy(sample_images[kind], disguised)
    # WHEN it is opened
    document = open_document(disguised)
    # THEN its real type is recognised and its first page is model-ready
    assert document.kind == kind
    assert sniff(disguised) == kind
    first = next(iter(document.pages()))
    assert first.index == 0 and first.source == disguised
    assert_model_ready(first.image)


def test_jpeg_exif_orientation_is_applied(sample_images: dict[str, Path]) -> None:
    # GIVEN a 400×300 JPEG tagged "rotate 90° clockwise" (orientation 6)
    page = open_document(sample_images["jpeg"]).render_page(0)
    # THEN the page is portrait, as a viewer shows it
    assert page.original_size == (300, 400)
    assert page.image.height > page.image.width


def test_transparency_is_flattened_on_white(sample_images: dict[str, Path]) -> None:
    # GIVEN a PNG whose corner pixel is transparent red
    page = open_document(sample_images["png"]).render_page(0)
    # THEN the corner is white, not red
    assert page.image.getpixel((0, 0)) == (255, 255, 255)


def test_16_bit_scans_are_scaled_not_clipped(tmp_path: Path) -> None:
    # GIVEN a 16-bit grayscale PNG at half intensity
    path = tmp_path / "deep.png"
    deep = Image.new("I;16", (200, 150), 32768)
    deep.putpixel((0, 0), 0)  # one dark pixel: a page of one colour would be refused as blank
    deep.save(path)
    # THEN the page is mid-grey, not clipped to white
    page = open_document(path).render_page(0)
    assert page.image.getpixel((100, 70)) == (128, 128, 128)


def test_gif_first_frame_only(sample_images: dict[str, Path]) -> None:
    document = open_document(sample_images["gif"])
    assert document.page_count == 1
    assert [p.index for p in document.pages()] == [0]


def test_tiff_every_frame_is_a_page(sample_images: dict[str, Path]) -> None:
    # GIVEN a 3-frame TIFF with frames 300, 350 and 400 px wide
    document = open_document(sample_images["tiff"])
    pages = list(document.pages())
    # THEN each frame is its own page, in order
    assert document.page_count == 3
    assert [p.index for p in pages] == [0, 1, 2]
    assert [p.original_size for p in pages] == [(300, 400), (350, 400), (400, 400)]
    # AND a page range picks frames
    ranged = open_document(sample_images["tiff"], pages="2-")
    assert ranged.page_indices == (1, 2)
    assert [p.original_size for p in ranged.pages()] == [(350, 400), (400, 400)]


def test_pdf_pages_render_lazily_at_dpi_and_differ(sample_pdf: Path) -> None:
    # GIVEN the 3-page A4 sample PDF opened at 150 DPI
    document = open_document(sample_pdf, dpi=150)
    assert (document.kind, document.page_count, document.page_indices) == ("pdf", 3, (0, 1, 2))
    # WHEN its pages are rendered
    pages = list(document.pages())
    # THEN A4 at 150 DPI is 1240×1754, fitted to multiples of 28 within the budget
    assert [p.index for p in pages] == [0, 1, 2]
    for page in pages:
        assert page.original_size == (1240, 1754)
        assert page.image.size == fit_to_budget(1240, 1754) == (1232, 1764)
        assert_model_ready(page.image)
    # AND the pages carry different text
    assert len({p.image.tobytes() for p in pages}) == 3


def test_pdf_dpi_and_budget_set_the_size(sample_pdf: Path) -> None:
    small = open_document(sample_pdf, dpi=72).render_page(1)
    assert small.original_size == (595, 842)
    assert small.image.size == fit_to_budget(595, 842) == (588, 840)
    # A 300 DPI page is shrunk to the lowered budget in one rendering.
    big = open_document(sample_pdf, dpi=300, max_pixels=1_000_000).render_page(2)
    assert big.original_size == (2479, 3508)
    assert_model_ready(big.image, 1_000_000)


def test_rotated_pdf_page_comes_out_landscape(sample_pdf: Path, tmp_path: Path) -> None:
    # GIVEN a PDF whose second page has /Rotate 90
    rotated = tmp_path / "rotated.pdf"
    qpdf(sample_pdf, "--rotate=+90:2", rotated)
    pages = list(open_document(rotated).pages())
    # THEN page 2 is landscape at the fitted size, the others portrait
    assert pages[1].original_size == (1754, 1240)
    assert pages[1].image.size == fit_to_budget(1754, 1240)
    assert pages[0].image.size == pages[2].image.size == fit_to_budget(1240, 1754)


def test_mixed_page_sizes_each_get_their_own_size(tmp_path: Path) -> None:
    # GIVEN a PDF of A4, Letter, A4 pages
    a4 = make_pdf(tmp_path / "a4.pdf", 1)
    letter = make_pdf(tmp_path / "letter.pdf", ["Letter page"], page_size_pt=(612, 792))
    mixed = tmp_path / "mixed.pdf"
    qpdf("--empty", "--pages", a4, letter, a4, "--", mixed)
    sizes = [p.original_size for p in open_document(mixed).pages()]
    assert sizes == [(1240, 1754), (1275, 1650), (1240, 1754)]


class PopenSpy:
    """Records the processes documents.pdf starts, so tests can see how pages are rendered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        real = subprocess.Popen

        def spy(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
            proc = real(*args, **kwargs)  # type: ignore[call-overload]
            self.procs.append(proc)
            return proc

        monkeypatch.setattr(pdf.subprocess, "Popen", spy)


def test_pdf_is_streamed_by_one_renderer_that_waits_for_the_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 12-page PDF
    pdf = make_pdf(tmp_path / "long.pdf", 12)
    document = open_document(pdf)
    spy = PopenSpy(monkeypatch)
    # WHEN only the first page is taken
    stream = document.pages()
    first = next(stream)
    # THEN one pdftoppm renders the whole run, and it has not raced ahead: it is blocked on
    # the pipe (a page is ~4 MB, the pipe holds 64 KiB), not finished with all 12 pages
    assert first.index == 0
    assert len(spy.procs) == 1
    assert spy.procs[0].poll() is None
    # AND closing the stream early ends the renderer
    stream.close()
    assert spy.procs[0].poll() is not None
    # AND a full pass starts no other process
    assert [p.index for p in document.pages()] == list(range(12))
    assert len(spy.procs) == 2


def test_consecutive_render_page_calls_share_one_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 12-page PDF read page by page, as the pipeline does
    document = open_document(make_pdf(tmp_path / "long.pdf", 12))
    spy = PopenSpy(monkeypatch)
    pages = [document.render_page(i) for i in range(12)]
    # THEN the pages are right, and after the first call one renderer streams the rest
    assert [p.index for p in pages] == list(range(12))
    assert len({p.image.tobytes() for p in pages}) == 12
    assert len(spy.procs) == 2
    assert all(proc.poll() is not None for proc in spy.procs)
    # AND a jump (a preview of another page) renders just that page, leaving nothing running
    assert document.render_page(5).index == 5
    assert len(spy.procs) == 3 and spy.procs[-1].poll() is not None
    # AND close() ends a renderer kept for the next page
    document.render_page(6)
    document.render_page(7)
    assert spy.procs[-1].poll() is None
    document.close()
    assert spy.procs[-1].poll() is not None


def test_page_range_on_a_pdf_renders_only_those_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = make_pdf(tmp_path / "ten.pdf", 10)
    document = open_document(pdf, pages="2-3,7,9-")
    spy = PopenSpy(monkeypatch)
    assert document.page_indices == (1, 2, 6, 8, 9)
    assert [p.index for p in document.pages()] == [1, 2, 6, 8, 9]
    # One renderer per run of consecutive pages.
    assert len(spy.procs) == 3
    # render_page and an explicit list of pages (the pipeline's resume) work too
    assert document.render_page(4).index == 4
    assert [p.index for p in document.pages([0, 5])] == [0, 5]
    with pytest.raises(PageRangeError, match="page 11 does not exist"):
        document.pages([10])


def test_a_page_too_odd_to_read_fails_alone(tmp_path: Path) -> None:
    # GIVEN a PDF whose middle page is a 3000×10 pt strip
    body = make_pdf(tmp_path / "body.pdf", 2)
    strip = make_pdf(tmp_path / "strip.pdf", ["-"], page_size_pt=(3000, 10))
    pdf = tmp_path / "with-strip.pdf"
    qpdf("--empty", "--pages", body, "1", strip, body, "2", "--", pdf)
    stream = open_document(pdf).pages()
    # THEN page 2 raises a DocumentError naming it, and the stream goes on with page 3
    assert next(stream).index == 0
    with pytest.raises(DocumentError, match=r"page 2 of with-strip.pdf .*aspect ratio over 200:1") as err:
        next(stream)
    assert err.value.page_index == 1
    assert next(stream).index == 2
    with pytest.raises(StopIteration):
        next(stream)


def fake_pdftoppm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Put a shell-script ``pdftoppm`` first on PATH (opening the document still used the real one)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "pdftoppm"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")


def test_renderer_failure_is_a_page_error_and_the_stream_goes_on(
    sample_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a pdftoppm that dies without output, as poppler does on a broken page
    document = open_document(sample_pdf)
    fake_pdftoppm(tmp_path, monkeypatch, "echo 'Syntax Error: broken content stream' >&2\nexit 1")
    stream = document.pages()
    # THEN each page fails with poppler's reason, and the stream keeps going
    for index in range(3):
        with pytest.raises(DocumentError, match="broken content stream") as err:
            next(stream)
        assert err.value.page_index == index
    with pytest.raises(StopIteration):
        next(stream)


def test_a_renderer_that_misses_the_size_still_gives_model_ready_pages(
    sample_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a pdftoppm that answers every page with a 3×2 image instead of the size asked for
    # (black, with one channel of one pixel at 1: a page of one colour is refused as blank)
    document = open_document(sample_pdf)
    fake_pdftoppm(
        tmp_path,
        monkeypatch,
        "for p in 1 2 3; do printf 'P6\\n3 2\\n255\\n'; head -c 17 /dev/zero; printf '\\001'; done",
    )
    # THEN the pages still come out at the fitted size
    pages = list(document.pages())
    assert [p.image.size for p in pages] == [(1232, 1764)] * 3
    assert max(pages[0].image.getpixel((600, 900))) <= 1


def test_missing_poppler_says_what_to_install(sample_pdf: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DocumentError, match="apt install poppler-utils"):
        open_document(sample_pdf)


def test_owner_password_only_pdf_opens(sample_pdf: Path, tmp_path: Path) -> None:
    # A PDF with restrictions but no password to open it is readable, as in any viewer.
    restricted = tmp_path / "restricted.pdf"
    qpdf("--encrypt", "", "owner", "256", "--", sample_pdf, restricted)
    assert len(list(open_document(restricted).pages())) == 3


# --- bad input ---------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"nothere.pdf was not found at .*nothere.pdf — check the path"):
        open_document(tmp_path / "nothere.pdf")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="is a folder"):
        open_document(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty.png is empty \(0 bytes\)"):
        open_document(tmp_path / "empty.png")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(DocumentError, match="not a regular file"):
        open_document(tmp_path / "pipe")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"Dear reader,\nplain text.\n", "a text file"),
        (b"PK\x03\x04" + b"\x00" * 40, r"a ZIP archive \(or a Word, OpenDocument or EPUB file\)"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "a HEIC/HEIF photo"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "an SVG or XML file"),
        (bytes(range(256)), "a file of unknown type"),
    ],
)
def test_unsupported_type_says_what_it_is(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "document.png"  # the extension must not matter
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=f"document.png is {said}, not a supported document") as err:
        open_document(path)
    assert "PDF, PNG, JPEG, WebP, BMP, GIF or TIFF" in err.value.message
    assert sniff(path) is None


@pytest.mark.parametrize("kind", ["png", "jpeg", "webp", "bmp", "gif"])
def test_truncated_image(sample_images: dict[str, Path], tmp_path: Path, kind: str) -> None:
    # GIVEN the first 60 % of an image file, as an interrupted download leaves it
    data = sample_images[kind].read_bytes()
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(data[: len(data) * 6 // 10])
    # THEN opening it fails with a message about a damaged file, not a traceback
    with pytest.raises(
        DocumentError, match=r"cut\.\w+ looks like a \w+ image but cannot be decoded .* damaged"
    ):
        open_document(cut)


def test_truncated_tiff(tmp_path: Path) -> None:
    # GIVEN a single-frame TIFF cut in half (the frame's pixel data is incomplete)
    single = make_image(tmp_path / "one.tiff", "TIFF", size=(300, 400))
    data = single.read_bytes()
    cut = tmp_path / "cut.tiff"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError, match=r"cut\.tiff looks like a TIFF image but cannot be decoded"):
        open_document(cut)


@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_truncated_pdf(sample_pdf: Path, tmp_path: Path, keep: float) -> None:
    data = sample_pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(
        DocumentError, match=r"cut.pdf is a damaged PDF \(Syntax Error: .*\) — download it again"
    ):
        open_document(cut)


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(4000)))
    with pytest.raises(DocumentError, match=r"corrupt\.pdf is a damaged PDF"):
        open_document(path)


def test_password_protected_pdf(encrypted_pdf: Path) -> None:
    with pytest.raises(DocumentError, match=r"locked\.pdf is password-protected — remove the password"):
        open_document(encrypted_pdf)


def test_zero_page_pdf(zero_page_pdf: Path) -> None:
    with pytest.raises(DocumentError, match=r"empty-pages\.pdf is a PDF with no pages"):
        open_document(zero_page_pdf)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    # GIVEN a PNG claiming 30000×30000 pixels (900 MP: far past twice Pillow's 89 MP limit)
    bomb = png_header_only(tmp_path / "bomb.png", 30_000, 30_000)
    with pytest.raises(DocumentError, match=r"bomb\.png: the image is 900 megapixels, over Pillow's 89-"):
        open_document(bomb)


def test_image_between_pillows_warning_and_error_limits_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 600×500 image and a Pillow limit of 200,000 pixels: 1.5× the limit, where Pillow
    # only warns
    image = make_image(tmp_path / "large.png", size=(600, 500))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)
    # THEN it is refused where warnings are errors (as in this suite) ...
    with pytest.raises(DocumentError, match="safety limit against decompression bombs"):
        open_document(image)
    # ... and where warnings are merely shown (as in the app), the app's own check refuses it
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with pytest.raises(DocumentError, match=r"the image is 600×500 = 0 megapixels, over Pillow's"):
            open_document(image)
    assert any(issubclass(w.category, Image.DecompressionBombWarning) for w in shown)
    # AND Pillow's own limit is untouched by the app
    assert Image.MAX_IMAGE_PIXELS == 200_000


def test_absurd_dimensions(tmp_path: Path) -> None:
    strip = make_image(tmp_path / "strip.png", "x", size=(6000, 12))
    with pytest.raises(DocumentError, match=r"strip.png cannot be read as a page: .*6000×12 .*over 200:1"):
        open_document(strip)


def test_unreadable_file(sample_images: dict[str, Path], tmp_path: Path) -> None:
    # GIVEN a file without read permission
    locked = tmp_path / "locked.png"
    shutil.copy(sample_images["png"], locked)
    locked.chmod(0)
    # WHEN it is opened by a process that cannot bypass permissions (root without its DAC
    # override capabilities, when the suite runs as root)
    script = (
        "import json, sys\n"
        "from ocr_desktop.documents.document import open_document\n"
        "from ocr_desktop.documents.errors import DocumentError\n"
        "try:\n    open_document(sys.argv[1])\n"
        "except DocumentError as exc:\n    print(json.dumps(exc.message))\n"
    )
    command = [sys.executable, "-c", script, str(locked)]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
    # THEN the message says so and what to do
    message = json.loads(out.stdout)
    assert message.startswith("locked.png cannot be read: permission denied — make it readable")


def test_non_utf8_file_name(sample_images: dict[str, Path], tmp_path: Path) -> None:
    # GIVEN files whose names are Latin-1 bytes, invalid as UTF-8
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.png"))
    shutil.copy(sample_images["png"], odd)
    odd_pdf = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9sum\xe9.pdf"))
    make_pdf(odd_pdf, 1)
    # THEN they open, their display names are valid text, and pdftoppm gets the real bytes
    document = open_document(odd)
    assert document.name == "caf\ufffd.png"
    document.name.encode("utf-8")
    assert open_document(odd_pdf).render_page(0).index == 0
    # AND an error about such a file can be shown and logged
    odd.write_bytes(b"")
    with pytest.raises(DocumentError) as err:
        open_document(odd)
    err.value.message.encode("utf-8")


# --- page ranges and the pixel budget ---------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", list(range(10))),
        ("  ", list(range(10))),
        ("1-3,7,10-", [0, 1, 2, 6, 9]),
        ("7, 1-3", [0, 1, 2, 6]),
        ("-2", [0, 1]),
        ("9-", [8, 9]),
        ("2-4,3-5", [1, 2, 3, 4]),
        ("5", [4]),
        ("8-20", [7, 8, 9]),  # clipped to the document
        ("3,15", [2]),  # pages past the end are dropped
    ],
)
def test_parse_page_range(spec: str, expected: list[int]) -> None:
    assert parse_page_range(spec, 10) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("1-3,x", "'x' is not a page or a range"),
        ("1,,2", "'' is not a page or a range"),
        ("-", "'-' is not a page or a range"),
        ("1-2-3", "'1-2-3' is not a page or a range"),
        ("0", "pages are numbered from 1"),
        ("5-3", "'5-3' goes backwards — write 3-5"),
        ("11-", "selects no page of this 10-page document"),
    ],
)
def test_parse_page_range_errors(spec: str, message: str) -> None:
    with pytest.raises(PageRangeError, match=message) as err:
        parse_page_range(spec, 10)
    # Callers may catch it as a ValueError (settings, CLI) or a DocumentError (pipeline).
    assert isinstance(err.value, ValueError) and isinstance(err.value, DocumentError)


def test_bad_page_range_at_open(sample_pdf: Path) -> None:
    with pytest.raises(PageRangeError, match="selects no page of this 3-page document"):
        open_document(sample_pdf, pages="4-")


@pytest.mark.parametrize(
    ("size", "budget", "expected"),
    [
        ((1240, 1754), DEFAULT_MAX_PIXELS, (1232, 1764)),  # A4 @150 DPI: just rounded
        ((2480, 3508), DEFAULT_MAX_PIXELS, (1288, 1820)),  # A4 @300 DPI: shrunk
        ((2480, 3508), GLM_MAX_PIXELS, (2492, 3500)),  # ... or just rounded under the model's own cap
        ((10, 10), DEFAULT_MAX_PIXELS, (112, 112)),  # grown to the minimum 112×112
        ((28, 28), DEFAULT_MAX_PIXELS, (112, 112)),
        ((5000, 30), DEFAULT_MAX_PIXELS, (5012, 28)),  # a strip below 200:1: a one-tile row
        ((5600, 28), 100_000, (3556, 28)),  # a strip over the budget: the long side shrinks
    ],
)
def test_fit_to_budget_examples(size: tuple[int, int], budget: int, expected: tuple[int, int]) -> None:
    assert fit_to_budget(*size, max_pixels=budget) == expected


def test_fit_to_budget_properties() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        width, height = rng.randint(1, 20_000), rng.randint(1, 20_000)
        if max(width, height) / min(width, height) > 200:
            continue
        budget = rng.randint(GLM_MIN_PIXELS, GLM_MAX_PIXELS)
        w, h = fit_to_budget(width, height, max_pixels=budget)
        assert w % 28 == 0 and h % 28 == 0
        assert w * h <= budget
        if budget >= 4 * GLM_MIN_PIXELS:
            assert w * h >= GLM_MIN_PIXELS
        if min(w, h) > 28:  # unless one side is a single tile, the aspect ratio survives to
            # within one 28-px step per side
            assert (w - 28) / (h + 28) <= width / height <= (w + 28) / (h - 28)
        if width * height >= GLM_MIN_PIXELS * 2 and (width + 14) * (height + 14) <= budget:
            # a page already within the budget is only rounded
            assert abs(w - width) <= 14 and abs(h - height) <= 14


def test_fit_to_budget_refuses_the_unreadable() -> None:
    with pytest.raises(ValueError, match="aspect ratio over 200:1"):
        fit_to_budget(20_100, 100)
    with pytest.raises(ValueError, match="is empty"):
        fit_to_budget(0, 100)


def test_defaults_match_settings() -> None:
    defaults = settings.Settings().documents
    assert (defaults.dpi, defaults.max_pixels) == (DEFAULT_DPI, DEFAULT_MAX_PIXELS)


def test_open_rejects_a_budget_outside_the_models_range(sample_pdf: Path) -> None:
    with pytest.raises(ValueError, match="outside GLM-OCR's"):
        open_document(sample_pdf, max_pixels=GLM_MAX_PIXELS + 1)


# --- folders --------------------------------------------------------------------------------------


def test_iter_document_paths(sample_images: dict[str, Path], tmp_path: Path) -> None:
    # GIVEN a folder tree with documents, hidden entries and other files
    root = tmp_path / "inbox"
    for name in ("scan 10.png", "scan 2.png", "sub/b.pdf", "sub/a.jpg", ".hidden.png", ".cache/x.png"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_images["png"], root / name)
    (root / "notes.txt").write_text("not a document")
    (root / "picture-without-extension").write_bytes(sample_images["gif"].read_bytes())
    loose = tmp_path / "loose.txt"
    loose.write_text("given explicitly")
    # WHEN the folder and a loose file are expanded
    found = list(iter_document_paths([root, loose]))
    # THEN the folder's supported files come in natural order, hidden ones and others skipped,
    # and the loose file is passed through for open_document to judge
    relative = [p.relative_to(tmp_path).as_posix() for p in found]
    assert relative == [
        "inbox/picture-without-extension",
        "inbox/scan 2.png",
        "inbox/scan 10.png",
        "inbox/sub/a.jpg",
        "inbox/sub/b.pdf",
        "loose.txt",
    ]


def test_scan_paths_gives_every_path_a_row_with_the_reason_it_is_skipped(
    sample_images: dict[str, Path], tmp_path: Path
) -> None:
    # GIVEN a folder with documents, a hidden file and folder, an empty file, a text file, a
    # dangling link, a link to a folder, a hard link to a document, and an empty folder
    root = tmp_path / "inbox"
    (root / ".cache").mkdir(parents=True)
    shutil.copy(sample_images["png"], root / "scan.png")
    shutil.copy(sample_images["png"], root / ".hidden.png")
    (root / "empty.pdf").write_bytes(b"")
    (root / "notes.txt").write_text("not a document")
    (root / "gone.png").symlink_to(tmp_path / "nowhere.png")
    (root / "elsewhere").symlink_to(tmp_path)
    os.link(root / "scan.png", root / "scan-again.png")
    (tmp_path / "nothing here").mkdir()
    # WHEN the folder, the same document again, a missing file and the empty folder are given
    missing = tmp_path / "missing.pdf"
    found = scan_paths([root, root / "scan.png", missing, tmp_path / "nothing here"])
    # THEN every path has an entry: documents to read (the missing one too: reading it says why) ...
    reasons = {entry.label: entry.skipped for entry in found}
    assert reasons == {
        "inbox/.cache": "hidden folder (not searched)",
        "inbox/.hidden.png": "hidden file",
        "inbox/elsewhere": "link to a folder (not followed)",
        "inbox/empty.pdf": "empty (0 bytes)",
        "inbox/gone.png": f"dangling link (points to {tmp_path / 'nowhere.png'})",
        "inbox/notes.txt": "not a document (a text file)",
        "inbox/scan-again.png": "",
        "inbox/scan.png": f"duplicate of {root / 'scan-again.png'}",
        "scan.png": f"duplicate of {root / 'scan-again.png'}",
        "missing.pdf": "",
        "nothing here/": "empty folder",
    }
    assert [e.path for e in found if not e.skipped] == [root / "scan-again.png", missing]
    assert list(iter_document_paths([root])) == [root / "scan-again.png"]


def test_a_pdf_whose_pages_are_0x0_pt_is_refused(tmp_path: Path) -> None:
    # GIVEN a damaged PDF whose two pages poppler sees as 0×0 pt (on main: read as blank 112×112 images)
    pdf = raw_pdf(tmp_path / "damaged.pdf", [ZERO_BOX, ZERO_BOX])
    probe = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Page size:       0 x 0 pts" in probe.stdout
    # WHEN it is opened THEN it is an error for the file, naming the empty page boxes
    with pytest.raises(
        DocumentError, match=r"damaged\.pdf is a damaged PDF: every page has an empty page box"
    ):
        open_document(pdf)


def test_a_0x0_page_and_a_blank_page_are_page_errors_beside_a_good_page(tmp_path: Path) -> None:
    # GIVEN a PDF of a page with text, a page with nothing on it, and a page of 0×0 pt
    pdf = raw_pdf(tmp_path / "mixed.pdf", [LETTER, LETTER, ZERO_BOX], [text_page("Hello"), b""])
    document = open_document(pdf, dpi=50)
    assert document.page_count == 3
    # WHEN its pages are rendered
    outcomes: dict[int, str] = {}
    stream = document.pages()
    while stream.next_index is not None:
        index = stream.next_index
        try:
            next(stream)
            outcomes[index] = "read"
        except DocumentError as exc:
            assert exc.page_index == index
            outcomes[index] = exc.message
    # THEN the first page renders, and the other two are page errors that say why
    assert outcomes[0] == "read"
    assert outcomes[1].startswith("page 2 of mixed.pdf is blank (every pixel is the same colour)")
    assert outcomes[2].startswith("page 3 of mixed.pdf has an empty page box (0×0 pt)")


def test_a_blank_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "white.png"
    Image.new("RGB", (400, 300), "white").save(path)
    with pytest.raises(DocumentError, match=r"^white\.png is blank \(every pixel is the same colour\)"):
        open_document(path)
