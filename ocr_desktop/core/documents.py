"""Opening documents and producing their pages one at a time (CONTRACT STUB — being implemented)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image


class DocumentError(Exception):
    """A document cannot be read; ``message`` says what happened and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PageImage:
    """One page, ready for the model: RGB, fitted to the pixel budget, sides multiples of 28."""

    image: Image.Image
    index: int  # 0-based page index within the document
    source: Path
    original_size: tuple[int, int]  # (width, height) before fitting
