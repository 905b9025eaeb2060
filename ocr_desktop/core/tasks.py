"""GLM-OCR task prompts and generation options.

GLM-OCR is trained on three fixed prompts (model card, SDK ``task_prompt_mapping``); the page
image goes first in the user message and the prompt text after it.
"""

from __future__ import annotations

import dataclasses
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
    #: Generated tokens the repetition penalty looks back over. llama.cpp only (its default,
    #: ``last_n_tokens_size``, is 64); vLLM's penalty always covers the whole sequence.
    penalty_window: int = 64


#: Repetition penalty of the loop-retry policy (GLM-OCR's SDK value; off for the first read,
#: see GenerationSettings.repetition_penalty).
LOOP_RETRY_PENALTY = 1.1
#: Largest penalty window of a loop retry, in tokens: the guard's longest unit (2000 characters)
#: is at most 2000 tokens of Latin text; a CJK unit that long would have hit max_tokens first.
LOOP_RETRY_MAX_WINDOW = 4096


def loop_retry_options(options: GenerationOptions, unit_bytes: int) -> GenerationOptions:
    """The options of the second read of a page that looped on a unit of ``unit_bytes`` UTF-8
    bytes: repetition penalty 1.1 over a window that covers the whole unit. GLM-OCR's tokenizer
    is byte-level BPE, so a token is at least one byte and a window of ``unit_bytes`` tokens
    holds a whole copy (characters are not enough: a CJK character is three bytes and may be
    several tokens). With llama.cpp's default 64-token window the tokens of a longer unit (a
    table row, a paragraph) were not penalised when the model came round to them again
    (measured with llama.cpp's own sampler: scripts/bench_loop_retry.py, docs/pipeline.md)."""
    return dataclasses.replace(
        options,
        repetition_penalty=max(LOOP_RETRY_PENALTY, options.repetition_penalty),
        penalty_window=min(LOOP_RETRY_MAX_WINDOW, max(options.penalty_window, unit_bytes + 16)),
    )
