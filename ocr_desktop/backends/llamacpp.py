"""GLM-OCR in-process through llama-cpp-python: a GGUF text model plus its mmproj vision projector.

One ``Llama`` with an ``MTMDChatHandler`` (libmtmd) reads one page at a time: the page goes in as a
PNG data URI *before* the task text, as GLM-OCR's prompt format wants, and the answer streams back
token by token. What the runtime cannot do, and how this module copes:

- The image encode and prompt prefill run inside ``create_chat_completion`` before it returns the
  stream, so a cancel takes effect at the first generated token, not during that phase.
- ``MTMDChatHandler`` has no image-token limits; they are set on libmtmd's context parameters here
  so the cap is explicit and matches the document pixel budget (llama.cpp caps GLM4V at 4096
  tokens by default, the reference stack at ~6144).
- Its ``usage.prompt_tokens`` counts an image as its M-RoPE positions, not its tokens; the real
  prompt size is computed from the page size.
- llama.cpp and libmtmd log to stderr even with ``verbose=False``; their logs go to Python
  logging (``ocr_desktop.backends.llamacpp.native``) instead.

A ``Llama`` is not thread-safe: one page at a time, enforced with a lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from ocr_desktop.backends.base import (
    BackendError,
    MemoryEstimate,
    ProgressFn,
    Recognition,
    glm_ocr_messages,
)
from ocr_desktop.backends.limits import TOKEN_PIXELS, whole_page_limit
from ocr_desktop.backends.memory import LITE_SUGGESTION, check_fits
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.formats import format_bytes
from ocr_desktop.messages import Message
from ocr_desktop.models.gguf import GgufError, GgufHeader, read_gguf_header
from ocr_desktop.settings import LlamaCppSettings, Settings

log = logging.getLogger(__name__)
native_log = logging.getLogger(f"{__name__}.native")

#: Side in pixels of the square one image token covers (14 px patches merged 2×2).
TOKEN_PX = 28
#: GLM-OCR's processor minimum (12,544 px); libmtmd upscales smaller images to it.
IMAGE_MIN_TOKENS = 16
#: Chat-template tokens around the image and the task text. GLM-OCR's template adds 8
#: ([gMASK] <sop> <|user|> \n <|begin_of_image|> <|end_of_image|> <|assistant|> \n); the rest is margin
#: for the context check, which runs before the template is rendered.
TEMPLATE_TOKENS = 16
#: The vision encoder's compute buffer with flash attention, in floats of its width per patch:
#: libmtmd reserved 481.99 MiB for its 1288×1288 warm-up image (8464 patches, width 1024) on the
#: real-size model (docs/layout.md, "The whole-page fallback"); it grows with the largest image read.
VISION_BUFFER_FLOATS = 15
#: How long ``unload`` waits for a page in progress to stop.
UNLOAD_WAIT_S = 30.0

INSTALL_HINT = (
    "llama-cpp-python is not installed — run `scripts/setup.sh app`, or "
    "`pip install llama-cpp-python==0.3.36` "
    '(on a Jetson: CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=87", see docs/llamacpp.md)'
)


def image_grid(width: int, height: int) -> tuple[int, int]:
    """Image tokens across and down for a page already fitted to multiples of 28 px."""
    return max(1, round(width / TOKEN_PX)), max(1, round(height / TOKEN_PX))


class LlamaCppBackend:
    """The ``llamacpp`` backend (see the module docstring)."""

    id = "llamacpp"

    def __init__(self, config: LlamaCppSettings, settings: Settings) -> None:
        self.config = config
        self._settings = settings
        self._llm: Any = None  # llama_cpp.Llama while loaded
        self._lock = threading.Lock()  # held while a page is being read

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaCppBackend:
        # No copy needed: Settings is frozen, so the dialog's changes arrive as a new value.
        return cls(settings.llamacpp, settings)

    @property
    def model_name(self) -> str:
        if self.config.model_path:
            return Path(self.config.model_path).name
        return self.config.catalog_model

    @property
    def max_in_flight(self) -> int:
        return 1

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @property
    def page_token_limit(self) -> int:
        """Most image tokens one page can have: the pixel budget or the image token cap, the lower."""
        return min(self._settings.documents.max_pixels // (TOKEN_PX * TOKEN_PX), self.config.image_max_tokens)

    @property
    def largest_image_tokens(self) -> int:
        """Most image tokens one read can have: a page or crop at the pixel budget, or in layout
        mode a page read whole after all at the SDK's limit (``backends.limits``)."""
        if self._settings.reading.mode != "layout":
            return self.page_token_limit
        fallback = whole_page_limit(self._settings, self._settings.documents.max_pixels).pixels
        return max(self.page_token_limit, min(fallback // TOKEN_PIXELS, self.config.image_max_tokens))

    # --- memory -----------------------------------------------------------------------------

    def memory_estimate(self) -> MemoryEstimate | None:
        """Memory needed to read the largest page the settings allow; None if the files are missing."""
        try:
            text, projector = self._read_headers(*self._resolve_files())
        except BackendError:
            return None
        return self._estimate(text, projector)

    def _estimate(self, text: GgufHeader, projector: GgufHeader) -> MemoryEstimate:
        weights = text.path.stat().st_size
        proj = projector.path.stat().st_size
        layers = int(text.arch_value("block_count", 0))
        heads = int(text.arch_value("attention.head_count", 1))
        kv_heads = int(text.arch_value("attention.head_count_kv", heads))
        head_dim = (
            int(text.arch_value("attention.key_length", 0))
            or int(text.arch_value("embedding_length", 0)) // heads
        )
        kv_cache = self.config.n_ctx * layers * kv_heads * head_dim * 2 * 2  # K and V, f16
        # Without flash attention the vision encoder materialises every head's patch×patch score
        # matrix in f32: the term that dominates a big page (~2.8 GB for 1656 tokens on GLM-OCR).
        patches = 4 * self.page_token_limit
        vision_heads = int(projector.metadata.get("clip.vision.attention.head_count", 16))
        attention = 0 if self.config.flash_attn else patches * patches * vision_heads * 4
        # With flash attention the vision encoder's buffer grows linearly with the largest image.
        width = int(projector.metadata.get("clip.vision.embedding_length", 0))
        largest = self.largest_image_tokens
        vision = 4 * largest * width * 4 * VISION_BUFFER_FLOATS if self.config.flash_attn else 0
        detail = (
            f"model {format_bytes(weights)} + projector {format_bytes(proj)} + "
            f"KV cache {format_bytes(kv_cache)} (context {self.config.n_ctx})"
        )
        if vision:
            detail += f" + vision encoder {format_bytes(vision)} (images up to {largest} image tokens)"
        if attention:
            detail += (
                f" + vision attention {format_bytes(attention)} "
                f"(pages up to {self.page_token_limit} image tokens)"
            )
        return MemoryEstimate(weights + proj + kv_cache + vision + attention, detail)

    # --- load / unload ----------------------------------------------------------------------

    def _resolve_files(self) -> tuple[Path, Path]:
        from ocr_desktop.models.hub import ModelError, resolve_llamacpp_files

        try:
            return resolve_llamacpp_files(self._settings)
        except ModelError as exc:
            raise BackendError(exc.message) from None
        except KeyError as exc:
            raise BackendError(str(exc)) from None

    @staticmethod
    def _read_headers(model: Path, mmproj: Path) -> tuple[GgufHeader, GgufHeader]:
        """Check the pair before llama.cpp sees it: both GGUF, the right kinds, matching widths."""
        try:
            text, projector = read_gguf_header(model), read_gguf_header(mmproj)
        except GgufError as exc:
            # args[0], not str(exc): the Message keeps the reason translatable in the window
            raise BackendError(
                Message("{reason} (choose other files in Settings → llama.cpp)", reason=exc.args[0])
            ) from None
        if text.is_projector:
            raise BackendError(
                Message(
                    "{model} is a vision projector (mmproj), not the GLM-OCR text model — swap the two "
                    "files in Settings → llama.cpp",
                    model=model.name,
                )
            )
        if not projector.is_projector or not projector.metadata.get("clip.has_vision_encoder", False):
            raise BackendError(
                Message(
                    "{mmproj} is not a vision projector (mmproj GGUF) — choose the mmproj file that came "
                    "with {model} in Settings → llama.cpp",
                    mmproj=mmproj.name,
                    model=model.name,
                )
            )
        width = text.arch_value("embedding_length")
        projected = projector.metadata.get("clip.vision.projection_dim")
        if width is not None and projected is not None and width != projected:
            raise BackendError(
                Message(
                    "{mmproj} does not belong to {model}: it projects images to {projected} values per "
                    "token but the model expects {width} — use the mmproj from the same release as the "
                    "model",
                    mmproj=mmproj.name,
                    model=model.name,
                    projected=projected,
                    width=width,
                )
            )
        return text, projector

    def load(self, progress: ProgressFn) -> None:
        if self._llm is not None:
            return
        llama_cpp, mtmd_cpp, chat_format = _import_runtime()
        model, mmproj = self._resolve_files()
        progress(f"checking {model.name} and {mmproj.name}", 0.05)
        text, projector = self._read_headers(model, mmproj)
        suggestions = [f"a smaller context size (llamacpp.n_ctx, now {self.config.n_ctx})"]
        if not self.config.flash_attn:
            suggestions.append("flash attention (llamacpp.flash_attn)")
        suggestions.append("a lower pixel budget per page (documents.max_pixels)")
        if self.largest_image_tokens > self.page_token_limit:  # a page read whole in layout mode
            suggestions.append(
                f"a lower image token cap (llamacpp.image_max_tokens, now {self.config.image_max_tokens})"
            )
        suggestions.append(LITE_SUGGESTION)
        tight = check_fits(self._estimate(text, projector), suggestions=suggestions)
        if tight:
            progress(tight, 0.05)
        _native_logs.install(llama_cpp, mtmd_cpp)

        gpu_layers = self.config.n_gpu_layers if llama_cpp.llama_supports_gpu_offload() else 0
        threads = self.config.n_threads or _usable_cpus()
        progress(f"loading {model.name}", 0.1)
        started = time.perf_counter()
        handler = chat_format.MTMDChatHandler(
            clip_model_path=str(mmproj), verbose=False, use_gpu=self.config.mmproj_offload
        )
        # WORKAROUND(llama-cpp-python 0.3.36): MTMDChatHandler exposes no image-token limits; its
        # libmtmd context parameters come from the module it keeps in `_mtmd_cpp`, so hand it one
        # whose defaults carry ours.
        handler._mtmd_cpp = _ImageTokenLimits(mtmd_cpp, IMAGE_MIN_TOKENS, self.config.image_max_tokens)
        _native_logs.recent_errors.clear()
        try:
            llm = llama_cpp.Llama(
                model_path=str(model),
                chat_handler=handler,
                n_ctx=self.config.n_ctx,
                n_gpu_layers=gpu_layers,
                n_threads=threads,
                n_threads_batch=threads,  # libmtmd encodes the image with n_threads: use them all there too
                flash_attn=self.config.flash_attn,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            reason = _native_logs.reason(exc)
            message = Message("llama.cpp could not load {model}: {reason}", model=str(model), reason=reason)
            raise BackendError(message) from None
        progress(f"loading the vision projector {mmproj.name}", 0.6)
        try:
            # libmtmd is otherwise set up at the first page; doing it now makes a bad projector
            # fail here, with the model, rather than on page 1.
            handler._init_mtmd_context(llm)
        except (ValueError, RuntimeError) as exc:
            llm.close()
            raise BackendError(
                Message(
                    "llama.cpp could not load the vision projector {mmproj}: {reason}",
                    mmproj=str(mmproj),
                    reason=_native_logs.reason(exc),
                )
            ) from None
        self._llm = llm
        log.info(
            "loaded %s + %s in %.2f s (GPU layers %s, threads %d, context %d, flash attention %s, "
            "image tokens %d-%d)",
            model.name, mmproj.name, time.perf_counter() - started, gpu_layers, threads, self.config.n_ctx,
            self.config.flash_attn, IMAGE_MIN_TOKENS, self.config.image_max_tokens,
        )  # fmt: skip
        progress("llama.cpp ready", 1.0)

    def server_pids(self) -> list[int]:
        return []  # in-process: the app's own memory is the model's

    def metrics(self) -> None:
        return None  # llama.cpp keeps no load counters worth a gauge

    def unload(self) -> None:
        if not self._lock.acquire(timeout=UNLOAD_WAIT_S):
            raise BackendError("llama.cpp is still reading a page — cancel it, then unload")
        try:
            llm, self._llm = self._llm, None
            if llm is not None:
                llm.close()  # frees the model, context and libmtmd now, not whenever GC runs __del__
                del llm
                _return_freed_heap_to_os()
                log.info("unloaded the llama.cpp model")
        finally:
            self._lock.release()

    # --- reading a page ---------------------------------------------------------------------

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        if not self._lock.acquire(blocking=False):
            raise BackendError("llama.cpp reads one page at a time and another page is in progress")
        try:
            return (yield from self._recognize_locked(page, task, options, cancel))
        finally:
            self._lock.release()

    def _check_fits_context(self, page: PageImage, task: Task, options: GenerationOptions, llm: Any) -> int:
        """Image tokens of the page; raises BackendError when the page cannot fit the cap or the context."""
        width, height = page.image.size
        nx, ny = image_grid(width, height)
        image_tokens = nx * ny
        cap = self.config.image_max_tokens
        if image_tokens > cap:
            raise BackendError(
                f"page {page.index + 1} is {width}×{height} px = {image_tokens} image tokens, above "
                f"the image token cap of {cap} — lower the pixel budget (documents.max_pixels) to "
                f"{cap * TOKEN_PX * TOKEN_PX:,} or raise llamacpp.image_max_tokens"
            )
        text_tokens = len(llm.tokenize(task.prompt.encode(), add_bos=False, special=True)) + TEMPLATE_TOKENS
        needed = image_tokens + text_tokens + options.max_tokens
        if needed > self.config.n_ctx:
            raise BackendError(
                f"page {page.index + 1} needs a context of {needed} tokens ({image_tokens} image + "
                f"~{text_tokens} prompt + {options.max_tokens} max output) but the context size is "
                f"{self.config.n_ctx} — raise the context size (llamacpp.n_ctx) to at least {needed}, "
                "or lower the pixel budget (documents.max_pixels) or max tokens (generation.max_tokens)"
            )
        return image_tokens

    def _recognize_locked(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        llm = self._llm
        if llm is None:
            raise BackendError("the llama.cpp model is not loaded")
        started = time.perf_counter()
        image_tokens = self._check_fits_context(page, task, options, llm)
        messages = glm_ocr_messages(page.image, task.prompt)
        _native_logs.recent_errors.clear()
        # llama-cpp-python reads the penalty window from the Llama when each completion builds
        # its sampler (Llama._init_sampler: penalty_last_n=self.last_n_tokens_size); the one
        # Llama reads one page at a time, so setting it per page is safe.
        llm.last_n_tokens_size = options.penalty_window
        try:
            # Encodes the image and prefills the prompt before returning: not interruptible.
            stream = llm.create_chat_completion(
                messages=messages,
                stream=True,
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                repeat_penalty=options.repetition_penalty,  # the handler's own default is 1.1
            )
        except (ValueError, RuntimeError) as exc:
            raise _page_failure(page, exc) from None
        positions = llm.n_tokens  # prompt text tokens + the image's M-RoPE positions, max(nx, ny)
        first_token_s = 0.0
        finish = ""
        try:
            for chunk in stream:
                if cancel.is_set():
                    finish = "cancelled"
                    break
                choice = chunk["choices"][0]
                delta = choice["delta"].get("content")
                if delta:
                    if not first_token_s:
                        first_token_s = time.perf_counter() - started
                    yield delta
                finish = choice.get("finish_reason") or finish
            else:
                if cancel.is_set():
                    finish = "cancelled"
        except RuntimeError as exc:
            raise _page_failure(page, exc) from None
        finally:
            stream.close()  # stops llama.cpp's generation loop now (no more tokens are decoded)
        # The last sampled token is not evaluated, and the first step re-evaluates the last prompt
        # token, so the context grew by (generated - 1).
        generated = llm.n_tokens - positions + 1 if first_token_s else 0
        nx, ny = image_grid(*page.image.size)
        return GenerationStats(
            prompt_tokens=positions - max(nx, ny) + image_tokens,
            image_tokens=image_tokens,
            completion_tokens=generated,
            time_to_first_token_s=first_token_s,
            total_s=time.perf_counter() - started,
            finish_reason=finish or "stop",
        )


def _page_failure(page: PageImage, exc: Exception) -> BackendError:
    return BackendError(
        Message(
            "llama.cpp failed on page {page}: {reason}",
            page=page.index + 1,
            reason=_native_logs.reason(exc),
        )
    )


def _return_freed_heap_to_os() -> None:
    """Give glibc's freed heap back to the system.

    llama.cpp's compute buffers are heap allocations; glibc keeps freed heap for reuse, so without
    this about half of what a page took stays resident after unload and grows with every reload.
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _import_runtime() -> tuple[Any, Any, Any]:
    try:
        import llama_cpp
        from llama_cpp import llama_chat_format as chat_format
        from llama_cpp import mtmd_cpp
    except ImportError:
        raise BackendError(INSTALL_HINT) from None
    except OSError as exc:  # the package is there but its shared libraries are not loadable
        raise BackendError(f"llama-cpp-python cannot load its libraries ({exc}) — {INSTALL_HINT}") from None
    return llama_cpp, mtmd_cpp, chat_format


class _ImageTokenLimits:
    """Stands in for ``llama_cpp.mtmd_cpp`` with our image-token limits in the context defaults."""

    def __init__(self, mtmd_cpp: Any, min_tokens: int, max_tokens: int) -> None:
        self._module = mtmd_cpp
        self._min, self._max = min_tokens, max_tokens

    def mtmd_context_params_default(self) -> Any:
        params = self._module.mtmd_context_params_default()
        params.image_min_tokens = self._min
        params.image_max_tokens = self._max
        return params

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


# --- llama.cpp's native logs -> Python logging -------------------------------------------------

# ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the previous message).
# llama.cpp's INFO is a per-tensor play-by-play, so it becomes DEBUG here.
_NATIVE_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.DEBUG, 3: logging.WARNING, 4: logging.ERROR}
_LEVEL_CONT = 5
#: Warnings every GLM-OCR load gives, demoted to DEBUG: llama.cpp loads the NextN/MTP layer's
#: tensors but does not use them (no MTP decoding for GLM4 in llama.cpp).
_EXPECTED_WARNINGS = ("model has unused tensor blk.",)


class _NativeLogRouter:
    """Assembles llama.cpp's log pieces into lines and logs them; keeps the latest warnings."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._level = logging.DEBUG
        self._callback: Any = None  # the ctypes callback: must stay referenced while C may call it
        #: The last warnings/errors llama.cpp logged: the "why" behind a bare "Failed to load model".
        self.recent_errors: deque[str] = deque(maxlen=4)

    def write(self, level: int, text: bytes) -> None:
        if level != _LEVEL_CONT:
            self._level = _NATIVE_LEVELS.get(level, logging.DEBUG)
        self._pieces.append(text.decode("utf-8", errors="replace"))
        if not self._pieces[-1].endswith("\n"):
            return
        message = "".join(self._pieces).strip()
        self._pieces.clear()
        if message.startswith(_EXPECTED_WARNINGS):
            self._level = logging.DEBUG
        if message:
            native_log.log(self._level, "%s", message)
            if self._level >= logging.WARNING:
                self.recent_errors.append(message)

    def install(self, llama_cpp: Any, mtmd_cpp: Any) -> None:
        """Route llama.cpp's and libmtmd's logs here (once per process)."""
        if self._callback is not None:
            return

        @llama_cpp.llama_log_callback
        def callback(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
            with contextlib.suppress(Exception):  # an exception must not unwind into C
                self.write(level, text)

        llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
        mtmd_cpp.mtmd_helper_log_set(callback, ctypes.c_void_p(0))  # also sets libmtmd's and clip's
        self._callback = callback

    def reason(self, exc: Exception) -> str:
        """The exception text, with what llama.cpp logged about it when that says more."""
        reason = str(exc)
        if self.recent_errors:
            reason += f" ({' / '.join(self.recent_errors)})"
        return reason


_native_logs = _NativeLogRouter()
