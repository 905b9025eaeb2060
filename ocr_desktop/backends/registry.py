"""Backend ids → factories, with lazy imports and the reason a backend is unavailable.

Heavy runtimes are imported only inside the branch that needs them (STYLE.md §3).
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass

from ocr_desktop import Unreachable
from ocr_desktop.backends.base import Backend
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings

BACKEND_IDS = ("llamacpp", "vllm", "lite")
BACKEND_LABELS = {"llamacpp": "llama.cpp (in-process)", "vllm": "vLLM (server)", "lite": "PP-OCRv6 (lite)"}
#: The backends that run GLM-OCR; "lite" is the classic line engine that ships with the app.
GLM_OCR_BACKENDS = ("llamacpp", "vllm")


@dataclass(frozen=True)
class Availability:
    backend_id: str
    available: bool
    reason: str  # why not, or what was found
    fix: str = ""  # the command or setting that fixes it


def create_backend(settings: Settings, backend_id: str | None = None) -> Backend:
    backend_id = backend_id or settings.backend
    match backend_id:
        case "llamacpp":
            from ocr_desktop.backends.llamacpp import LlamaCppBackend

            return LlamaCppBackend.from_settings(settings)
        case "vllm":
            from ocr_desktop.backends.vllm import VllmBackend

            return VllmBackend.from_settings(settings)
        case "lite":
            from ocr_desktop.backends.lite import LiteBackend

            return LiteBackend.from_settings(settings)
        case _:
            raise Unreachable(backend_id)


def availability(settings: Settings, backend_id: str) -> Availability:
    """Whether a backend can run here, without importing its runtime."""
    match backend_id:
        case "llamacpp":
            if importlib.util.find_spec("llama_cpp") is None:
                return Availability(
                    backend_id,
                    False,
                    Message("llama-cpp-python is not installed"),
                    Message("scripts/setup.sh app  (or: pip install llama-cpp-python==0.3.36)"),
                )
            return Availability(backend_id, True, Message("llama-cpp-python is installed"))
        case "vllm":
            vs = settings.vllm
            if vs.mode == "remote":
                return Availability(
                    backend_id, True, Message("remote server at {url} (checked when loading)", url=vs.url)
                )
            exe = vs.command.split()[0] if vs.command.split() else ""
            if not exe or shutil.which(exe) is None:
                return Availability(
                    backend_id,
                    False,
                    Message("the vLLM server command {command!r} was not found", command=vs.command),
                    Message(
                        "install vLLM (pip install vllm, or a Jetson container) and set Settings → vLLM → "
                        "Server command, or use a remote server URL"
                    ),
                )
            return Availability(backend_id, True, Message("server command {command!r} found", command=exe))
        case "lite":
            if importlib.util.find_spec("rapidocr") is None:
                return Availability(
                    backend_id,
                    False,
                    Message("rapidocr (PP-OCRv6) is not installed"),
                    Message("make run  (or: pip install rapidocr==3.10.0)"),
                )
            return Availability(
                backend_id, True, Message("PP-OCRv6 models ship inside the rapidocr wheel (no download)")
            )
        case _:
            raise Unreachable(backend_id)
