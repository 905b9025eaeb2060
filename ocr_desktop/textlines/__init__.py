"""Text lines on a page: PP-OCRv6 detection and recognition, shipped inside the ``rapidocr`` wheel.

One detector for the whole app (docs/adr/0006-text-lines.md): the layout stage asks it which text
lines a page has so that no line is lost outside the read regions; the searchable-PDF and hOCR
exports place each line's text on the box it found; the lite engine reads pages with its
recogniser. The models are inside the wheel (no download, works offline) and run on ONNX Runtime,
which the layout stage already uses.

Qt-free and runtime-free at import: ``rapidocr`` (and through it onnxruntime and OpenCV) is
imported when the first page is detected (STYLE.md §3).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # x1, y1, x2, y2 in the pixels of the image that was detected
Quad = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]


class TextLineError(Exception):
    """The line detector could not be created or failed on a page; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page, as the detector saw it.

    ``quad`` is the detector's own four-point polygon (clockwise from the top left; a slanted
    line on a photographed page is not an axis-aligned box); ``box`` is its bounding box.
    ``text`` and ``confidence`` are the recogniser's reading, empty and ``None`` when only
    detection ran; ``chars`` its characters with their boxes, when they were asked for
    (``LineReader.read(image, char_boxes=True)``: where each word lies in the line).
    """

    box: Box
    quad: Quad
    score: float  # detection confidence 0-1
    text: str = ""
    confidence: float | None = None  # recognition confidence 0-1
    chars: tuple[tuple[str, Box], ...] = ()

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "box": list(self.box),
            "quad": [list(p) for p in self.quad],
            "score": self.score,
        }
        if self.text or self.confidence is not None:
            out["text"] = self.text
            out["confidence"] = self.confidence
        if self.chars:
            out["chars"] = [[char, list(box)] for char, box in self.chars]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextLine:
        box = data["box"]
        quad = data.get("quad") or [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]]
        return cls(
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])),
            quad=tuple((int(x), int(y)) for x, y in quad),  # type: ignore[arg-type]
            score=float(data.get("score", 1.0)),
            text=str(data.get("text", "")),
            confidence=None if data.get("confidence") is None else float(data["confidence"]),
            chars=tuple(
                (str(char), (int(b[0]), int(b[1]), int(b[2]), int(b[3])))
                for char, b in data.get("chars") or ()
            ),
        )

    def scaled(self, factor_x: float, factor_y: float) -> TextLine:
        """The same line on an image ``factor`` times the size of the detected one."""
        return TextLine(
            box=(
                round(self.box[0] * factor_x),
                round(self.box[1] * factor_y),
                round(self.box[2] * factor_x),
                round(self.box[3] * factor_y),
            ),
            quad=tuple((round(x * factor_x), round(y * factor_y)) for x, y in self.quad),  # type: ignore[arg-type]
            score=self.score,
            text=self.text,
            confidence=self.confidence,
            chars=tuple(
                (
                    char,
                    (
                        round(b[0] * factor_x),
                        round(b[1] * factor_y),
                        round(b[2] * factor_x),
                        round(b[3] * factor_y),
                    ),
                )
                for char, b in self.chars
            ),
        )

    def shifted(self, dx: int, dy: int) -> TextLine:
        """The same line moved by (``dx``, ``dy``) pixels: from a crop's pixels to the page's."""
        return TextLine(
            box=(self.box[0] + dx, self.box[1] + dy, self.box[2] + dx, self.box[3] + dy),
            quad=tuple((x + dx, y + dy) for x, y in self.quad),  # type: ignore[arg-type]
            score=self.score,
            text=self.text,
            confidence=self.confidence,
            chars=tuple((char, (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)) for char, b in self.chars),
        )

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def _quad_of(points: Any) -> Quad:
    pts = [(round(float(x)), round(float(y))) for x, y in points]
    return (pts[0], pts[1], pts[2], pts[3])


def _box_of(quad: Quad) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (max(0, min(xs)), max(0, min(ys)), max(xs), max(ys))


def reading_sorted(lines: list[TextLine]) -> list[TextLine]:
    """Lines top to bottom, and left to right within a row (lines whose centres share a row)."""
    return [line for row in reading_rows(lines) for line in row]


def reading_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """The lines grouped into rows (lines whose centres share a row), top to bottom, each row
    left to right: a table's cells or a two-column page's halves of a row come together."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        centre = (line.box[1] + line.box[3]) / 2
        if rows:
            last = rows[-1][-1]
            if abs(centre - (last.box[1] + last.box[3]) / 2) < max(4, min(line.height, last.height) / 2):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


class LineReader:
    """PP-OCRv6 text-line detection and recognition on ONNX Runtime, shared by every caller.

    Thread-safe: the pipeline's page threads, the exporters and the lite engine may call it at
    once; calls are serialised by a lock (rapidocr keeps per-call parameters on the engine).
    """

    def __init__(self, threads: int = 0) -> None:
        self._threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()
        self.description = "PP-OCRv6 text lines (rapidocr, ONNX Runtime)"

    def _ensure(self) -> Any:
        if self._engine is None:
            try:
                import rapidocr
            except ImportError as exc:  # pragma: no cover - a broken install
                raise TextLineError(
                    "The text-line detector (rapidocr) is not installed: run `make run` or "
                    "`pip install rapidocr` in the app's environment."
                ) from exc
            _quiet_rapidocr_logs()
            params: dict[str, Any] = {"Global.log_level": "error", "Global.text_score": 0.0}
            if self._threads > 0:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = self._threads
            try:
                self._engine = rapidocr.RapidOCR(params=params)
            except Exception as exc:
                raise TextLineError(f"The text-line detector could not start: {exc}") from exc
            _quiet_rapidocr_logs()
            self.description = f"PP-OCRv6 text lines (rapidocr {_version('rapidocr')}, ONNX Runtime)"
        return self._engine

    def warm_up(self) -> None:
        """Create the ONNX Runtime sessions now (a backend's load), not on the first page."""
        self._ensure()

    def detect(self, image: Image.Image) -> list[TextLine]:
        """The text lines of ``image`` (detection only), in reading order."""
        return self._run(image, recognise=False)

    def read(self, image: Image.Image, *, char_boxes: bool = False) -> list[TextLine]:
        """The text lines of ``image`` with the recogniser's text and confidence, in reading order;
        with ``char_boxes``, each character's box too (the searchable PDF places words by them)."""
        return self._run(image, recognise=True, char_boxes=char_boxes)

    def recognise_lines(
        self, image: Image.Image, lines: list[TextLine], *, char_boxes: bool = True
    ) -> list[TextLine]:
        """``lines`` (found on ``image`` by :meth:`detect`) with the recogniser's text, confidence
        and, with ``char_boxes``, character boxes: what :meth:`read` gives, without detecting the
        page again. Same lines, same order, same boxes (a line the recogniser reads as nothing
        stays, with empty text), so a page's stored lines can be completed later."""
        if not lines:
            return []
        import numpy as np
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        engine = self._ensure()
        array = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        quads = [np.array(line.quad, dtype=np.float32) for line in lines]
        # A line narrower or lower than a pixel has nothing to read (and would crash the crop).
        usable = [i for i, q in enumerate(quads) if min(_crop_size(q)) >= 1]
        crops = [get_rotate_crop_image(array, quads[i].copy()) for i in usable]
        read: dict[int, tuple[str, float, tuple[tuple[str, Box], ...]]] = {}
        with self._lock:
            try:
                if crops:
                    rec = engine._load_rec_model()(TextRecInput(img=crops, return_word_box=char_boxes))
                    words: list[Any] = [()] * len(crops)
                    if char_boxes and rec.word_results is not None:
                        # rapidocr's own step of read(..., return_word_box=True): character boxes
                        # in page pixels, from the crop's CTC positions and the line's polygon
                        boxes = np.stack([quads[i] for i in usable])
                        words = list(engine.cal_rec_boxes(crops, boxes, rec, True).word_results)
                    for n, i in enumerate(usable):
                        chars = _chars_of(words[n]) if n < len(words) else ()
                        read[i] = (str(rec.txts[n]), float(rec.scores[n]), chars)
            except Exception as exc:
                raise TextLineError(f"Text-line recognition failed: {exc}") from exc
        out = []
        for i, line in enumerate(lines):
            text, confidence, chars = read.get(i, ("", 0.0, ()))
            if not text.strip():
                text, chars = "", ()
            out.append(TextLine(line.box, line.quad, line.score, text, confidence, chars))
        return out

    def recognize(self, image: Image.Image) -> tuple[str, float]:
        """The recogniser's reading of ``image``, which holds one line of text (no detection)."""
        import numpy as np

        engine = self._ensure()
        array = np.asarray(image.convert("RGB"))[:, :, ::-1]  # rapidocr takes OpenCV's BGR order
        with self._lock:
            try:
                out = engine(array, use_det=False, use_cls=False, use_rec=True)
            except Exception as exc:
                raise TextLineError(f"Text-line recognition failed: {exc}") from exc
        txts = getattr(out, "txts", None) or ("",)
        scores = getattr(out, "scores", None) or (0.0,)
        return str(txts[0]), float(scores[0])

    def _run(self, image: Image.Image, *, recognise: bool, char_boxes: bool = False) -> list[TextLine]:
        import numpy as np

        engine = self._ensure()
        array = np.asarray(image.convert("RGB"))[:, :, ::-1]
        extra = {"return_word_box": True, "return_single_char_box": True} if char_boxes and recognise else {}
        with self._lock:
            try:
                out = engine(array, use_det=True, use_cls=False, use_rec=recognise, **extra)
            except Exception as exc:
                raise TextLineError(f"Text-line detection failed: {exc}") from exc
        boxes = getattr(out, "boxes", None)
        if boxes is None or len(boxes) == 0:
            return []
        scores = list(getattr(out, "scores", None) or [1.0] * len(boxes))
        txts = list(getattr(out, "txts", None) or []) if recognise else []
        words = list(getattr(out, "word_results", None) or []) if extra else []
        lines = []
        for i, points in enumerate(boxes):
            quad = _quad_of(points)
            lines.append(
                TextLine(
                    box=_box_of(quad),
                    quad=quad,
                    score=1.0 if recognise else float(scores[i]),
                    text=str(txts[i]) if recognise and i < len(txts) else "",
                    confidence=float(scores[i]) if recognise else None,
                    chars=_chars_of(words[i]) if i < len(words) else (),
                )
            )
        return reading_sorted(lines)


def _chars_of(results: Any) -> tuple[tuple[str, Box], ...]:
    """rapidocr's single-character results of one line, ``(char, score, polygon)`` each."""
    out = []
    for item in results or ():
        try:
            char, _score, points = item
            out.append((str(char), _box_of(_quad_of(points))))
        except (TypeError, ValueError, IndexError):
            continue  # a result without a box places nothing; the line's box still holds its text
    return tuple(out)


def _crop_size(quad: Any) -> tuple[int, int]:
    """The size of ``quad``'s straightened crop, as rapidocr computes it (width, height)."""
    import numpy as np

    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    return width, height


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _quiet_rapidocr_logs() -> None:
    """rapidocr's logger ("RapidOCR") prints coloured lines to the terminal with propagation off;
    route its records into the app's log instead."""
    logger = logging.getLogger("RapidOCR")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(logging.NullHandler())
    logger.propagate = True
    logger.setLevel(logging.WARNING)


_shared: LineReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> LineReader:
    """The process's one line reader (its ONNX sessions are loaded once, on first use)."""
    global _shared  # noqa: PLW0603 - one detector per process, created lazily
    with _shared_lock:
        if _shared is None:
            _shared = LineReader()
        return _shared
