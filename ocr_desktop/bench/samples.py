"""The bundled sample pages the benchmark reads when no document is given.

One page per GLM-OCR task (text, table, formula), small PNGs made by
``scripts/make_sample_pages.py`` and shipped under ``ocr_desktop/resources/samples/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ocr_desktop.core.tasks import Task

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "resources" / "samples"


@dataclass(frozen=True)
class Sample:
    name: str
    task: Task  # the prompt the page is read with

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / f"{self.name}.png"


SAMPLES: tuple[Sample, ...] = (
    Sample("text", Task.TEXT),
    Sample("table", Task.TABLE),
    Sample("formula", Task.FORMULA),
)
