"""How large an image a page read whole may be on the configured backend, and the output it keeps
room for: the GLM-OCR SDK's own image limit where the backend's image token cap, its context and
the memory policy allow it, else the largest image they do allow, and never less than the user's
pixel budget (docs/layout.md, "The whole-page fallback").

Layout mode reads a page whole when layout finds nothing to read on it (or cannot run); the SDK
then gives the model the whole page at up to 6144 image tokens, where the app's pixel budget
(``documents.max_pixels``, 3072 tokens by default) is sized for region crops and whole-page mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocr_desktop.documents.pages import PATCH_FACTOR
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings

#: Pixels of one image token (patch 14 × spatial merge 2, squared).
TOKEN_PIXELS = PATCH_FACTOR * PATCH_FACTOR
#: The SDK's ``image_expect_length``: GLM-OCR's processor bounds an image at 6144 image tokens (its
#: 9,633,792 px ``max_pixels`` counts the temporal factor 2; research/glm_ocr.md, "Image
#: preprocessing").
SDK_IMAGE_TOKENS = 6144
SDK_MAX_PIXELS = SDK_IMAGE_TOKENS * TOKEN_PIXELS  # 4,816,896
#: Output a page read whole keeps room for in the context beside its image, at most what the
#: user's ``generation.max_tokens`` asks: GLM-OCR's former default, a dense page's text. With
#: llama.cpp's default context (12,288) the page's 6144 image tokens leave it ~6,080.
WHOLE_PAGE_OUTPUT = 4096
#: The chat template and prompt around the image (llama.cpp counts ~20-35, vLLM allows 32).
PROMPT_TOKENS = 64


@dataclass(frozen=True)
class ImageLimit:
    """The whole-page fallback's image and output budget on one backend's settings."""

    pixels: int  # the page is fitted to at most this many pixels
    max_tokens: int  # output tokens asked for it: the context left after the image, at most the setting's
    bound: str  # what sets ``pixels``, for the page's note (a Message)


def whole_page_limit(settings: Settings, budget: int) -> ImageLimit:
    """The largest image a layout-mode page read whole is sent at on ``settings.backend``, for a
    job whose pixel budget is ``budget``."""
    wanted = settings.generation.max_tokens
    at_budget = ImageLimit(budget, wanted, Message("the pixel budget, documents.max_pixels"))
    caps: list[tuple[int, str]] = [(SDK_IMAGE_TOKENS, Message("the GLM-OCR SDK's image limit"))]
    match settings.backend:
        case "llamacpp":
            config = settings.llamacpp
            context, context_setting = config.n_ctx, "llamacpp.n_ctx"
            caps.append(
                (config.image_max_tokens, Message("llama.cpp's image token cap, llamacpp.image_max_tokens"))
            )
            if not config.flash_attn:
                # Without flash attention the vision encoder's score matrices grow with the square
                # of the image; the memory policy sized them for the pixel budget (llamacpp.md).
                return at_budget
        case "vllm":
            context, context_setting = settings.vllm.max_model_len, "vllm.max_model_len"
        case _:
            return at_budget  # the lite engine reads lines: no GLM-OCR image tokens
    room = context - PROMPT_TOKENS - min(wanted, WHOLE_PAGE_OUTPUT)
    caps.append(
        (
            room,
            Message(
                "the context, {setting} {context}, less {output} output tokens",
                setting=context_setting,
                context=context,
                output=min(wanted, WHOLE_PAGE_OUTPUT),
            ),
        )
    )
    tokens, bound = min(caps, key=lambda cap: cap[0])
    if tokens * TOKEN_PIXELS <= budget:
        return at_budget  # never less than the user's own budget: the backend refuses what cannot fit
    return ImageLimit(tokens * TOKEN_PIXELS, max(1, min(wanted, context - PROMPT_TOKENS - tokens)), bound)
