"""Results of reading pages: what the store keeps and the exporters write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocr_desktop.textlines import TextLine

#: Flags a page result can carry.
FLAG_REPETITION_LOOP = "repetition_loop"  # the guard stopped a loop; text is cut where the loop began
FLAG_TRUNCATED = "truncated"  # max_tokens was reached before the model finished
FLAG_RETRIED = "retried"  # the page was read a second time by the loop-retry policy
FLAG_EDITED = "edited"  # the user edited the text after recognition
#: A table or formula kept as its plain text lines: the engine (the lite one) cannot read its structure.
FLAG_LINES_ONLY = "lines_only"


@dataclass(frozen=True)
class GenerationStats:
    """What a backend measured while reading one page."""

    prompt_tokens: int = 0  # including image tokens
    image_tokens: int = 0
    completion_tokens: int = 0
    time_to_first_token_s: float = 0.0
    total_s: float = 0.0
    finish_reason: str = ""  # "stop" | "length" | "cancelled" | "loop"
    #: What a line engine (the lite backend) found beside its text: each line's box (pixels of
    #: the image it read) and confidence. They travel here because the stats are the one value
    #: ``recognize`` returns (ADR 1); the pipeline stores them with the page, not with the stats.
    lines: tuple[TextLine, ...] = ()
    #: Flags the backend itself raises about its reading (FLAG_LINES_ONLY); the pipeline adds them.
    flags: frozenset[str] = frozenset()

    @property
    def decode_tokens_per_s(self) -> float:
        decode = self.total_s - self.time_to_first_token_s
        if self.completion_tokens <= 1 or decode <= 0:
            return 0.0
        return (self.completion_tokens - 1) / decode


@dataclass(frozen=True)
class RegionResult:
    """One layout region of a page (docs/layout.md): where it is, what it is, and what was read.

    ``kind`` is the label table's action (``text``, ``table``, ``formula``, ``figure``,
    ``furniture``); ``task`` the prompt it was read with, "" when it was not sent to the model
    (a figure, skipped furniture). A figure keeps its crop as PNG bytes (``image_png``), which the
    exporters save beside the export.
    """

    order: int  # reading-order index, 0-based, over every region of the page
    label: str  # the layout model's own label ("paragraph_title", "table", "header", …)
    kind: str
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels of the page image the layout saw
    box_1000: tuple[int, int, int, int]  # the same box on the 0-1000 scale of the page
    score: float = 0.0
    task: str = ""
    text: str = ""
    stats: GenerationStats = field(default_factory=GenerationStats)
    flags: frozenset[str] = frozenset()
    image_png: bytes = b""

    @property
    def read(self) -> bool:
        return bool(self.task)


@dataclass(frozen=True)
class FormattedPage:
    """A page as Markdown and as plain text (``core/formatter.py``). On a layout page a figure
    is a placeholder link (``core/page_format.py``) that each export fills with its own path."""

    markdown: str
    text: str


@dataclass(frozen=True)
class PageLines:
    """The text lines found on a page (docs/layout.md), kept with the page: the layout stage's
    never-lose-text rule, the lite engine's reading and the searchable PDF's text layer all use
    them. Boxes are in the pixels of the ``width`` × ``height`` image they were detected on (scale
    them with ``TextLine.scaled`` to place them on another rendering of the page)."""

    width: int
    height: int
    lines: tuple[TextLine, ...] = ()
    detector: str = ""  # what found them, e.g. "PP-OCRv6 text lines (rapidocr 3.4, ONNX Runtime)"

    def to_json(self) -> dict[str, Any]:
        return {
            "image": {"width": self.width, "height": self.height},
            "detector": self.detector,
            "items": [line.to_json() for line in self.lines],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageLines:
        return cls(
            width=int(data["image"]["width"]),
            height=int(data["image"]["height"]),
            lines=tuple(TextLine.from_json(item) for item in data.get("items", ())),
            detector=str(data.get("detector", "")),
        )


@dataclass(frozen=True)
class PageResult:
    """One finished page (``page_index`` is 0-based; the UI shows it 1-based).

    ``text`` is the page as the Text tab shows it and the user edits it: the model's answer, or
    on a layout page the Markdown assembled from its regions (figures as placeholders); the
    user's edit replaces it. ``model_text`` is what the model wrote (the answer, or the read
    regions' outputs joined by a blank line; "" on a value built by hand: then ``text``).
    ``formatted`` is the page's formatted result, computed once when the page is committed and
    again when the user edits it (``core/page_format.py``); None on a value built by hand.

    Read in layout mode, ``regions`` holds every region the layout model found (read, figures
    and skipped furniture, in reading order); read whole, ``regions`` is empty. ``layout`` names
    the layout model used ("" in whole-page mode), ``layout_note`` why a layout-mode page was
    read whole after all. ``lines`` are the page's text lines when they were detected (layout
    mode, the lite engine, a searchable-PDF export), else None.
    """

    page_index: int
    text: str
    task: str
    backend: str
    model: str
    stats: GenerationStats = field(default_factory=GenerationStats)
    flags: frozenset[str] = frozenset()
    width: int = 0  # size of the image the model saw (layout mode: the page the layout saw)
    height: int = 0
    regions: tuple[RegionResult, ...] = ()
    layout: str = ""
    layout_note: str = ""
    lines: PageLines | None = None
    model_text: str = ""
    formatted: FormattedPage | None = None

    @property
    def raw_text(self) -> str:
        """What the model wrote, or the user's text once edited (the JSON's ``raw_text``)."""
        return self.text if FLAG_EDITED in self.flags else (self.model_text or self.text)


@dataclass(frozen=True)
class DocumentResult:
    """A document and its finished pages, in page order, as read back from the store."""

    job_id: str
    source: str  # path of the document as given (str: may hold non-UTF-8 bytes escaped)
    name: str
    page_count: int
    pages: tuple[PageResult, ...]
    failed: dict[int, str] = field(default_factory=dict)  # page_index -> message
    created_at: float = 0.0
    finished_at: float | None = None
    #: The file name (without extension) its exports get, when the exporter chose one other than
    #: the name's: numbered beside another document's export, or shortened to fit the file system.
    export_stem: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)
