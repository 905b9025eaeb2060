"""A layout-mode page read whole after all is sent at the GLM-OCR SDK's image limit (6144 image
tokens) where the backend's settings allow it, and its note says what size was sent
(ocr_desktop/backends/limits.py, docs/layout.md "The whole-page fallback")."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from ocr_desktop.backends.base import Recognition
from ocr_desktop.backends.limits import (
    PROMPT_TOKENS,
    SDK_IMAGE_TOKENS,
    SDK_MAX_PIXELS,
    TOKEN_PIXELS,
    whole_page_limit,
)
from ocr_desktop.core.store import JobStatus, JobStore
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import DEFAULT_MAX_PIXELS, PageImage
from ocr_desktop.layout.base import Region
from ocr_desktop.pipeline import Pipeline
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend

BUDGET = DEFAULT_MAX_PIXELS  # 3072 image tokens, the default documents.max_pixels


def test_llamacpp_at_its_default_context_takes_the_sdk_limit_once_its_cap_allows() -> None:
    settings = Settings(backend="llamacpp").with_value("llamacpp.image_max_tokens", SDK_IMAGE_TOKENS)
    assert settings.llamacpp.n_ctx == 12288
    # The default context holds the SDK's 6144 image tokens, the prompt and ~6000 output tokens.
    limit = whole_page_limit(settings, BUDGET)
    assert limit.pixels == SDK_MAX_PIXELS == 4_816_896
    assert limit.max_tokens == 12288 - PROMPT_TOKENS - SDK_IMAGE_TOKENS
    assert "SDK" in limit.bound
    # A lower image token cap bounds it, and says so.
    capped = whole_page_limit(settings.with_value("llamacpp.image_max_tokens", 4096), BUDGET)
    assert capped.pixels == 4096 * TOKEN_PIXELS and "image_max_tokens" in capped.bound


def test_a_smaller_context_keeps_room_for_the_output() -> None:
    # llama.cpp at the former context 8192: 4096 output tokens kept, the image gets the rest.
    limit = whole_page_limit(Settings(backend="llamacpp").with_value("llamacpp.n_ctx", 8192), BUDGET)
    assert limit.pixels == (8192 - PROMPT_TOKENS - 4096) * TOKEN_PIXELS
    assert limit.max_tokens == 4096 and "llamacpp.n_ctx 8192" in limit.bound
    # vLLM's default --max-model-len 8192: the same arithmetic on the server's context.
    vllm = whole_page_limit(Settings(backend="vllm"), BUDGET)
    assert vllm.pixels == (8192 - PROMPT_TOKENS - 4096) * TOKEN_PIXELS and "vllm.max_model_len" in vllm.bound
    # A context too small for more than the budget keeps the budget (the backend refuses what
    # cannot fit, as in whole-page mode).
    small = whole_page_limit(Settings(backend="llamacpp").with_value("llamacpp.n_ctx", 4096), BUDGET)
    assert small.pixels == BUDGET and small.max_tokens == Settings().generation.max_tokens


def test_the_budget_stays_where_the_memory_policy_or_the_user_sets_it() -> None:
    # Without flash attention the vision encoder's memory grows with the square of the image:
    # the memory policy sized it for the pixel budget.
    no_flash = Settings(backend="llamacpp").with_value("llamacpp.flash_attn", False)
    assert whole_page_limit(no_flash, BUDGET).pixels == BUDGET
    # A user budget above the SDK's limit is the user's choice; the lite engine has no image tokens.
    assert whole_page_limit(Settings(backend="llamacpp"), 9_633_792).pixels == 9_633_792
    assert whole_page_limit(Settings(backend="lite"), BUDGET).pixels == BUDGET


class Recorded(ScriptedBackend):
    """Records each image's size and the max_tokens it was asked with."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[tuple[int, int], int]] = []

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        self.sent.append((page.image.size, options.max_tokens))
        return (yield from super().recognize(page, task, options, cancel))


class NoRegions:
    """A layout model that finds nothing on the page."""

    id = "cdla"
    description = "finds nothing"

    def detect(self, page: Image.Image) -> list[Region]:
        return []


@pytest.mark.parametrize("backend", ["llamacpp", "vllm"])
def test_a_page_layout_finds_nothing_on_is_sent_whole_at_the_backends_limit(
    backend: str, tmp_path: Path
) -> None:
    # GIVEN an A4 page scanned at 300 DPI (2480 × 3508 px, 8.7 MP) on which layout finds nothing,
    # read in layout mode with the default settings of each backend
    path = tmp_path / "scan.png"
    scan = Image.new("RGB", (2480, 3508), "white")
    ImageDraw.Draw(scan).rectangle((200, 300, 2280, 3200), outline="gray", width=6)  # not blank
    scan.save(path)
    settings = dataclasses.replace(Settings(backend=backend), reading=Settings().reading)
    assert settings.reading.mode == "layout"
    limit = whole_page_limit(settings, settings.documents.max_pixels)
    recorded = Recorded()
    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(
        store,
        settings,
        backend_factory=lambda _s: recorded,
        layout_detector_factory=lambda _model: NoRegions(),
    )
    pipeline.start()
    try:
        job = pipeline.submit(path)
        assert pipeline.wait_idle(120)
    finally:
        assert pipeline.shutdown()
    # THEN the page went to the model once, whole, at the backend's limit — above the 3072-token
    # budget of region crops, within one row or column of image tokens of the limit — asking the
    # output the context leaves beside it
    assert store.job(job).status is JobStatus.DONE  # type: ignore[union-attr]
    [((width, height), max_tokens)] = recorded.sent
    assert settings.documents.max_pixels < width * height <= limit.pixels
    assert width * height > limit.pixels - 28 * max(width, height)
    assert width % 28 == 0 and height % 28 == 0
    assert abs(width / height - 2480 / 3508) < 0.02
    assert max_tokens == limit.max_tokens
    # AND the stored page says what size was sent and why it was read whole
    [page] = store.document_result(job).pages
    assert (page.width, page.height) == (width, height)
    assert page.layout_note.startswith("layout found nothing to read; read whole at "), page.layout_note
    assert f"{width}×{height} px, {width * height // TOKEN_PIXELS} image tokens" in page.layout_note
    assert str(limit.bound) in page.layout_note
    store.close()
