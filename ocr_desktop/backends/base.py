"""The backend contract: one protocol every runtime implements, and its errors.

A backend turns one page image into a stream of text deltas. It is owned by the pipeline's
worker thread (a ``Llama`` is not thread-safe); a backend whose ``max_in_flight`` is above 1
(vLLM) accepts that many concurrent ``recognize`` calls from worker threads.
"""

from __future__ import annotations

import base64
import enum
import io
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from PIL import Image

from ocr_desktop.backends.vllm_metrics import VllmMetrics
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage

#: ``progress(message, fraction)``; fraction in 0..1, or -1 when unknown.
ProgressFn = Callable[[str, float], None]

#: What ``recognize`` returns: yields text deltas, returns the page's stats when exhausted.
Recognition = Generator[str, None, GenerationStats]


def glm_ocr_messages(image: Image.Image, prompt: str) -> list[dict[str, Any]]:
    """The OpenAI-style chat GLM-OCR is trained on: the page as a data-URI image, then the task
    prompt. llama-cpp-python's MTMDChatHandler and vLLM's server both take this shape."""
    buffer = io.BytesIO()
    # PNG: lossless, so small print survives (JPEG artefacts cost OCR accuracy); compress level 1
    # costs about a third of the default's time for nearly the same size.
    image.save(buffer, format="PNG", compress_level=1)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": uri}},
                {"type": "text", "text": prompt},
            ],
        }
    ]


class BackendError(Exception):
    """A failure a person can act on. ``retryable`` marks transient errors (timeouts, 503s)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class BackendCrashed(BackendError):
    """The runtime itself died (a server process exited). The pipeline may reload and retry."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class BackendState(enum.Enum):
    UNLOADED = "unloaded"
    LOADING = "loading"
    READY = "ready"
    ERROR = "error"


@dataclass(frozen=True)
class MemoryEstimate:
    """What loading a backend is expected to take, in bytes, and where the numbers come from."""

    total_bytes: int
    detail: str  # e.g. "model 906 MiB + projector 462 MiB + KV cache 288 MiB"


@runtime_checkable
class Backend(Protocol):
    id: str  # "llamacpp" | "vllm" | a test backend's id

    @property
    def model_name(self) -> str: ...

    @property
    def max_in_flight(self) -> int:
        """Pages this backend can work on at once (llama.cpp 1, vLLM N)."""
        ...

    def memory_estimate(self) -> MemoryEstimate | None: ...

    def load(self, progress: ProgressFn) -> None:
        """Make the backend ready (load weights, start or reach a server). Raises BackendError."""
        ...

    def unload(self) -> None:
        """Free everything ``load`` took. Safe to call twice or before ``load``."""
        ...

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        """Read one page. Yields text deltas; stops at the next token once ``cancel`` is set.

        Returns the page's GenerationStats (``finish_reason`` "cancelled" after a cancel).
        Raises BackendError with a message a person can act on.
        """
        ...

    # -- capabilities: every backend answers, an in-process one with "none" --------------------

    def server_pids(self) -> list[int]:
        """The processes of a server this backend runs, for the memory gauge; [] in-process."""
        ...

    def metrics(self) -> VllmMetrics | None:
        """The runtime's own load counters (vLLM's /metrics); None where it has none."""
        ...


def run_recognition(
    recognition: Recognition, on_delta: Callable[[str], None] | None = None
) -> tuple[str, GenerationStats]:
    """Drive a ``recognize`` generator to its end: the whole text and the stats it returns.

    ``on_delta`` sees each delta as it comes (a live view, a progress bar, a loop guard). A
    generator that returns nothing gives empty stats.
    """
    parts: list[str] = []
    while True:
        try:
            delta = next(recognition)
        except StopIteration as end:
            stats = end.value if isinstance(end.value, GenerationStats) else GenerationStats()
            return "".join(parts), stats
        parts.append(delta)
        if on_delta is not None:
            on_delta(delta)
