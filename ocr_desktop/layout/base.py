"""The layout stage's contract: a detector turns a page image into regions in reading order.

Qt-free and runtime-free: implementations import onnxruntime / rapid_layout / cv2 lazily, inside
their own modules (STYLE.md §3). Boxes are given twice, as the GLM-OCR SDK gives them: in the
pixels of the image that was detected, and normalised to 0-1000 of the page (``bbox_2d``), so a
region can be cropped from a rendering of the page at any resolution.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ocr_desktop.layout.labels import Action, action_for, furniture_kind

if TYPE_CHECKING:
    from PIL import Image

Box = tuple[int, int, int, int]  # x1, y1, x2, y2


class LayoutError(Exception):
    """Layout detection failed on a page or a detector cannot be created; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LayoutModelMissingError(LayoutError):
    """The selected layout model's files are not on this machine."""


@dataclass(frozen=True)
class Region:
    """One region of a page, as the layout model saw it."""

    label: str  # the model's own label: "paragraph_title", "table", "header", "figure", …
    action: Action  # what the label table says to do with it (labels.py)
    furniture: str  # the furniture kind ("header", "footer", …) a user can keep, or ""
    box: Box  # page pixels of the detected image, x1 < x2, y1 < y2
    box_1000: Box  # the same box normalised to 0-1000 of the page (the SDK's bbox_2d)
    score: float  # detection confidence 0-1
    order: int  # reading-order index, 0-based, consecutive over the page's regions


def normalise_box(box: tuple[float, float, float, float], width: int, height: int) -> tuple[Box, Box]:
    """``box`` clamped to the page and rounded to pixels, and the same box on the 0-1000 scale."""
    x1, y1, x2, y2 = box
    px = (
        max(0, min(width, round(x1))),
        max(0, min(height, round(y1))),
        max(0, min(width, round(x2))),
        max(0, min(height, round(y2))),
    )
    norm = (
        px[0] * 1000 // width,
        px[1] * 1000 // height,
        px[2] * 1000 // width,
        px[3] * 1000 // height,
    )
    return px, norm


def make_region(
    label_set: str,
    label: str,
    *,
    box: tuple[float, float, float, float],
    score: float,
    order: int,
    size: tuple[int, int],
) -> Region:
    """A region of a ``size`` page, its action and furniture kind looked up in the label table."""
    px, norm = normalise_box(box, *size)
    return Region(
        label=label,
        action=action_for(label_set, label),
        furniture=furniture_kind(label_set, label),
        box=px,
        box_1000=norm,
        score=score,
        order=order,
    )


class LayoutDetector(Protocol):
    id: str  # "pp-doclayout-v3" | "cdla"
    description: str  # what the app reports it used: model, runtime, execution provider

    def detect(self, page: Image.Image) -> list[Region]:
        """The page's regions in reading order (``order`` 0, 1, …). Raises LayoutError."""
        ...


def route_rapid_layout_logs() -> None:
    """Send rapid-layout's log records to the app's log instead of its own coloured stderr handler.

    rapid-layout gives each of its loggers (one per module, named after it) a console handler
    unless the logger has a handler already, and turns propagation off, every time one of its
    objects is created (its ``utils/logger.py``). Every module's logger gets a null handler here,
    also those of modules not imported yet, so it never adds its own; propagation takes the
    records to the app's log file. Call once after importing rapid-layout and again after creating
    one of its objects (the constructors turn propagation off again).
    """
    import rapid_layout

    root = Path(rapid_layout.__file__).parent
    modules = (path.relative_to(root).with_suffix("").parts for path in root.rglob("*.py"))
    names = {
        "RapidLayout",
        *(".".join(("rapid_layout", *parts)).removesuffix(".__init__") for parts in modules),
    }
    for name in sorted(names):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(logging.NullHandler())
        logger.propagate = True
