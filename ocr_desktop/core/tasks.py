"""GLM-OCR task prompts and generation options.

GLM-OCR is trained on three fixed prompts (model card, SDK ``task_prompt_mapping``); the page
image goes first in the user message and the prompt text after it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Task(enum.Enum):
    TEXT = "text"
    TABLE = "table"
    FORMULA = "formula"

    @property
    def prompt(self) -> str:
        return _PROMPTS[self]


_PROMPTS = {
    Task.TEXT: "Text Recognition:",
    Task.TABLE: "Table Recognition:",
    Task.FORMULA: "Formula Recognition:",
}


@dataclass(frozen=True)
class GenerationOptions:
    """What every backend is asked for one page. Greedy decoding, as GLM-OCR's SDK does."""

    max_tokens: int = 4096
    repetition_penalty: float = 1.0
    temperature: float = 0.0
