"""The first run: with no GLM-OCR model on this machine, pages are read by the lite engine.

A fresh install has llama.cpp as its backend and no model yet (a 1.4 GB download). Rather than
fail every document until the download is done, the window and the CLI read with PP-OCRv6
(``backends/lite.py``), which ships with the app, and say so on every page, in the exports and
in the CLI's summary (docs/lite.md). Only the missing llama.cpp model triggers this: a vLLM
server may hold the model elsewhere, and a user who names a backend (``--backend``) gets it.
"""

from __future__ import annotations

import dataclasses

from ocr_desktop.models import hub
from ocr_desktop.settings import Settings


def missing_glm_ocr(settings: Settings) -> str | None:
    """Why the settings' llama.cpp model cannot be used, or None if it is there (or the backend
    is not llama.cpp). Touches the disk: the window calls it off the GUI thread."""
    if settings.backend != "llamacpp":
        return None
    try:
        hub.resolve_llamacpp_files(settings)
    except hub.ModelError as exc:
        return exc.message
    return None


def lite_instead(settings: Settings) -> tuple[Settings, str | None]:
    """The settings to read with now: the lite engine's when GLM-OCR's catalog model is not
    downloaded yet (and why), else ``settings`` as they are (and None). Model files chosen by
    path that are missing are a mistake to fix, not a first run: they fail with the fix."""
    if settings.llamacpp.model_path:
        return settings, None
    reason = missing_glm_ocr(settings)
    if reason is None:
        return settings, None
    return dataclasses.replace(settings, backend="lite"), reason
