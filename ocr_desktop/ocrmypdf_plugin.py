"""OCR Desktop as an OCRmyPDF OCR engine: ``ocrmypdf --plugin ocr_desktop.ocrmypdf_plugin in.pdf out.pdf``.

Each page image OCRmyPDF hands over is read by the app's own pipeline with the app's settings
(backend llama.cpp or vLLM, whole-page or layout reading, the settings file of the window and
``ocr-desktop ocr``), and answered through ``OcrEngine.generate_ocr`` as an ``OcrElement`` tree:
the page's text placed on its lines by the same text layer as the app's searchable PDF
(``exporters/textlayer.py``). OCRmyPDF then renders and grafts the layer itself.

Results in the store are reused: a page of ``in.pdf`` that the app has read already with the same
settings (window or CLI) is not read again, and neither is a page image read by an earlier
``ocrmypdf`` run (images are kept by content hash in the cache folder, so the store finds them).

Parallelism is OCRmyPDF's (docs/searchable-pdf.md): its page workers (threads by default) each
submit a page and wait for it; the one pipeline of the process owns the backend and never reads
more pages at once than the backend takes (llama.cpp one, vLLM its in-flight limit — there the
pages of OCRmyPDF's workers are the server's concurrent requests). Use ``-j 1`` with llama.cpp on
a small machine: each OCRmyPDF worker *process* (``--no-use-threads``) would load its own model.

OCRmyPDF 17.13 accepts only ``--ocr-engine auto|tesseract|none``: this plugin answers for
``auto`` (the default). Its command line checks for the ``tesseract`` program at start even when
another engine reads, so this path needs Debian's ``tesseract-ocr`` installed; the app's own
export (``--format pdf``) does not.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrmypdf import hookimpl
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence

from ocr_desktop import __version__, paths
from ocr_desktop.core.results import DocumentResult, PageResult
from ocr_desktop.exporters.pdf import layer_tree
from ocr_desktop.exporters.textlayer import page_layer, page_lines, stored_lines

if TYPE_CHECKING:
    from ocrmypdf._options import OcrOptions
    from ocrmypdf.models.ocr_element import OcrElement

    from ocr_desktop.core.store import JobStore
    from ocr_desktop.pipeline import Pipeline
    from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)


class PageReadError(Exception):
    """A page could not be read by the app's pipeline; OCRmyPDF reports it and stops."""


class _Reader:
    """The process's one pipeline and store, started on the first page and shut down at exit."""

    def __init__(self) -> None:
        from ocr_desktop import settings as settings_mod
        from ocr_desktop.backends.memory import MemoryGuard
        from ocr_desktop.core.store import JobStore
        from ocr_desktop.pipeline import Pipeline, PipelineListener

        self.settings: Settings = settings_mod.load_file().settings
        self.store: JobStore = JobStore()
        self._done: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        reader = self

        class Listener(PipelineListener):
            def job_finished(self, job_id: str, status: Any) -> None:
                reader._event(job_id).set()

            def job_failed(self, job_id: str, message: str) -> None:
                reader._event(job_id).set()

        self.pipeline: Pipeline = Pipeline(
            self.store,
            self.settings,
            Listener(),
            memory_guard=MemoryGuard.from_megabytes(self.settings.telemetry.low_memory_mb),
        )
        self.pipeline.start()
        atexit.register(self.close)

    def _event(self, job_id: str) -> threading.Event:
        with self._lock:
            return self._done.setdefault(job_id, threading.Event())

    def close(self) -> None:
        self.pipeline.shutdown()
        self.store.close()

    def stored_page(self, input_file: Any, page_number: int) -> PageResult | None:
        """Page ``page_number`` of ``input_file`` as the app read it already with these settings."""
        from ocr_desktop.pipeline import Pipeline

        if not isinstance(input_file, (str, Path)) or not Path(input_file).is_file():
            return None
        job = self.store.find_job(Path(input_file).absolute(), Pipeline.job_options(self.settings))
        if job is None:
            return None
        pages = {page.page_index: page for page in self.store.document_result(job.id).pages}
        return pages.get(page_number)

    def read(self, image_file: Path) -> DocumentResult:
        """Read one page image with the pipeline (or take an earlier reading of the same image)."""
        from ocr_desktop.pipeline import Pipeline

        digest = hashlib.sha256(image_file.read_bytes()).hexdigest()
        kept = paths.cache_dir() / "ocrmypdf-pages" / f"{digest}{image_file.suffix or '.png'}"
        if not kept.exists():  # written once: its size and time are what the store recognises
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image_file, kept)
        previous = self.store.find_job(kept, Pipeline.job_options(self.settings))
        if previous is not None and previous.status.finished and not previous.pages_failed:
            return self.store.document_result(previous.id)
        job_id = self.pipeline.submit(kept)
        self._event(job_id).wait()
        result = self.store.document_result(job_id)
        if not result.pages:
            record = self.store.job(job_id)
            reason = next(iter(result.failed.values()), record.error if record is not None else "")
            raise PageReadError(f"OCR Desktop could not read the page: {reason}")
        return result


_reader: _Reader | None = None
_reader_lock = threading.Lock()


def _shared() -> _Reader:
    global _reader  # noqa: PLW0603 - one pipeline per process, created on the first page
    with _reader_lock:
        if _reader is None:
            _reader = _Reader()
        return _reader


class GlmOcrEngine(OcrEngine):
    """GLM-OCR through OCR Desktop's pipeline, with PP-OCRv6 line positions."""

    @staticmethod
    def version() -> str:
        return __version__

    @staticmethod
    def creator_tag(options: OcrOptions) -> str:
        return f"OCR Desktop {__version__} (GLM-OCR)"

    def __str__(self) -> str:
        return f"OCR Desktop {__version__} (GLM-OCR)"

    @staticmethod
    def languages(options: OcrOptions) -> set[str]:
        # GLM-OCR reads every language it knows without being told; OCRmyPDF's -l names are accepted.
        return {"eng", "chi_sim", "chi_tra", "jpn", "kor", "fra", "deu", "spa", "rus", "ara"}

    @staticmethod
    def get_orientation(input_file: Path, options: OcrOptions) -> OrientationConfidence:
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options: OcrOptions) -> float:
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: OcrOptions, page_number: int = 0) -> tuple[OcrElement, str]:
        from PIL import Image

        reader = _shared()
        with Image.open(input_file) as opened:
            image = opened.convert("RGB")
            dpi = opened.info.get("dpi", (72.0, 72.0))[0] or 72.0
        page = reader.stored_page(getattr(options, "input_file", None), page_number)
        if page is not None:
            log.info("page %d: taken from the store, as the app read it; not read again", page_number + 1)
        else:
            try:
                (page,) = reader.read(Path(input_file)).pages
            except PageReadError as exc:
                # One unreadable page costs that page only: it gets no text, the rest goes on.
                log.warning("page %d: %s; it gets no text layer", page_number + 1, exc)
                return _empty_page(image.size, float(dpi), page_number), ""
        # The lines the app stored with the page (recognised when it read it by layout), else
        # read now: the recogniser runs at most once on a page
        lines, complete = stored_lines(page, image)
        layer = page_layer(
            page, image, lines if complete and lines is not None else page_lines(image, lines), float(dpi)
        )
        tree = layer_tree(layer, dpi=float(dpi))
        tree.page_number = page_number
        return tree, layer.text + "\n"

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: OcrOptions) -> None:
        raise NotImplementedError("OCR Desktop answers through generate_ocr")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: OcrOptions) -> None:
        raise NotImplementedError("OCR Desktop answers through generate_ocr (use the fpdf2 renderer)")


def _empty_page(size: tuple[int, int], dpi: float, page_number: int) -> OcrElement:
    from ocrmypdf.models.ocr_element import BoundingBox, OcrClass, OcrElement

    box = BoundingBox(left=0, top=0, right=size[0], bottom=size[1])
    return OcrElement(ocr_class=OcrClass.PAGE, bbox=box, dpi=dpi, page_number=page_number)


@hookimpl
def get_ocr_engine(options: OcrOptions | None) -> OcrEngine | None:
    """This engine for ``--ocr-engine auto`` (17.13 accepts no other name for a plugin's engine)."""
    if options is not None and getattr(options, "ocr_engine", "auto") not in ("auto", None):
        return None
    return GlmOcrEngine()
