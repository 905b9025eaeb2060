"""LlamaCppBackend against the real llama-cpp-python runtime and the generated GLM-OCR test model.

The model has random weights: its text says nothing about OCR quality, but loading, the prompt
format, token counts, streaming, cancelling, unloading and every error path are the real ones.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ocr_desktop.backends.base import Backend, BackendError, run_recognition
from ocr_desktop.backends.llamacpp import VISION_BUFFER_FLOATS, LlamaCppBackend
from ocr_desktop.backends.memory import MemoryBudgetError
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.models.gguf import read_gguf_header
from ocr_desktop.settings import Settings
from tests.fixtures.files import draw_page
from tests.fixtures.model import TestModel

pytestmark = pytest.mark.llamacpp


def make_page(width: int, height: int, text: str = "Invoice 12345") -> PageImage:
    return PageImage(draw_page((width, height), text), 0, Path("page.png"), (width, height))


def read(
    backend: LlamaCppBackend,
    page: PageImage,
    max_tokens: int = 16,
    cancel: threading.Event | None = None,
    cancel_after: int | None = None,
) -> tuple[list[str], GenerationStats]:
    """Drain ``recognize``; set ``cancel`` after ``cancel_after`` deltas."""
    cancel = cancel or threading.Event()
    stream = backend.recognize(page, Task.TEXT, GenerationOptions(max_tokens=max_tokens), cancel)
    deltas: list[str] = []

    def on_delta(delta: str) -> None:
        deltas.append(delta)
        if cancel_after is not None and len(deltas) == cancel_after:
            cancel.set()

    _text, stats = run_recognition(stream, on_delta)
    return deltas, stats


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


@pytest.fixture
def fresh_backend(llamacpp_settings: Settings) -> Iterator[LlamaCppBackend]:
    backend = LlamaCppBackend.from_settings(llamacpp_settings)
    yield backend
    backend.unload()


def test_reads_a_rendered_pdf_page_streaming_several_deltas(
    llamacpp_backend: LlamaCppBackend, sample_pdf: Path
) -> None:
    # GIVEN the first page of a real PDF, rendered and fitted by the documents module
    document = open_document(sample_pdf, dpi=72, max_pixels=400_000)
    page = document.render_page(0)
    nx, ny = page.image.width // 28, page.image.height // 28
    # WHEN llama.cpp reads it
    deltas, stats = read(llamacpp_backend, page, max_tokens=12)
    # THEN the text streams in several deltas and the stats count the image tokens
    assert len(deltas) >= 6
    assert "".join(deltas).strip()
    assert stats.finish_reason == "length"
    assert stats.completion_tokens == 12
    assert stats.image_tokens == nx * ny
    assert stats.prompt_tokens == nx * ny + 11  # GLM-OCR's 11 text tokens around the image
    assert 0 < stats.time_to_first_token_s <= stats.total_s
    assert stats.decode_tokens_per_s > 0


def test_implements_the_backend_protocol(llamacpp_backend: LlamaCppBackend) -> None:
    assert isinstance(llamacpp_backend, Backend)
    assert (llamacpp_backend.id, llamacpp_backend.max_in_flight) == ("llamacpp", 1)
    assert llamacpp_backend.model_name == "glm-ocr-test-f16.gguf"


def test_prompt_tokens_include_the_image_like_the_reference_runtimes(
    llamacpp_backend: LlamaCppBackend,
) -> None:
    # GIVEN a 448×224 page: HF transformers and vLLM count 139 prompt tokens, 128 of them image tokens
    # WHEN llama.cpp reads it (its own usage would say 27: image M-RoPE positions, not tokens)
    _, stats = read(llamacpp_backend, make_page(448, 224), max_tokens=4)
    # THEN the backend reports the real prompt size
    assert (stats.prompt_tokens, stats.image_tokens) == (139, 128)


def test_greedy_output_is_deterministic(llamacpp_backend: LlamaCppBackend) -> None:
    page = make_page(448, 336)
    first, _ = read(llamacpp_backend, page, max_tokens=10)
    second, _ = read(llamacpp_backend, page, max_tokens=10)
    assert "".join(first) == "".join(second) != ""


def test_cancel_mid_stream_stops_at_the_next_token(llamacpp_backend: LlamaCppBackend) -> None:
    # GIVEN a page that would produce 400 tokens
    page = make_page(448, 224)
    # WHEN the cancel event is set after the third delta
    deltas, stats = read(llamacpp_backend, page, max_tokens=400, cancel_after=3)
    # THEN no further delta arrives and the page says why it ended
    assert len(deltas) == 3
    assert stats.finish_reason == "cancelled"
    assert stats.completion_tokens <= 4
    # AND the backend reads the next page normally
    deltas, stats = read(llamacpp_backend, page, max_tokens=5)
    assert (len(deltas), stats.finish_reason) == (5, "length")


def test_cancel_before_the_first_token_yields_nothing(llamacpp_backend: LlamaCppBackend) -> None:
    cancel = threading.Event()
    cancel.set()
    deltas, stats = read(llamacpp_backend, make_page(448, 224), max_tokens=50, cancel=cancel)
    assert deltas == []
    assert stats.finish_reason == "cancelled"


def test_one_page_at_a_time(llamacpp_backend: LlamaCppBackend) -> None:
    # GIVEN a page being read
    page = make_page(448, 224)
    first = llamacpp_backend.recognize(page, Task.TEXT, GenerationOptions(max_tokens=20), threading.Event())
    next(first)
    # WHEN a second page is started before the first one ends
    second = llamacpp_backend.recognize(page, Task.TEXT, GenerationOptions(max_tokens=20), threading.Event())
    # THEN it is refused instead of corrupting the shared llama.cpp context
    with pytest.raises(BackendError, match="one page at a time"):
        next(second)
    first.close()
    deltas, _ = read(llamacpp_backend, page, max_tokens=3)
    assert len(deltas) == 3


def test_page_too_large_for_the_context_is_refused_before_inference(
    llamacpp_backend: LlamaCppBackend,
) -> None:
    # GIVEN a 1008×1288 page (36×46 = 1656 image tokens) and 11000 output tokens asked for in a 12288 context
    page = make_page(1008, 1288)
    # WHEN it is read
    with pytest.raises(BackendError) as caught:
        read(llamacpp_backend, page, max_tokens=11000)
    # THEN the message has the numbers and names the settings that fix it
    message = caught.value.message
    assert "1656 image" in message
    assert "11000 max output" in message
    assert "context size is 12288" in message
    assert "llamacpp.n_ctx" in message
    # AND the backend is still usable
    assert len(read(llamacpp_backend, make_page(448, 224), max_tokens=2)[0]) == 2


def test_page_above_the_image_token_cap_is_refused(llamacpp_backend: LlamaCppBackend) -> None:
    # 3080×1624 px = 110×58 = 6380 image tokens; libmtmd would silently shrink it to the 6144 cap
    with pytest.raises(BackendError, match=r"6380 image tokens, above the image token cap of 6144"):
        read(llamacpp_backend, make_page(3080, 1624), max_tokens=16)


def test_small_context_setting_is_honoured(llamacpp_settings: Settings) -> None:
    backend = LlamaCppBackend.from_settings(llamacpp_settings.with_value("llamacpp.n_ctx", 512))
    backend.load(lambda _m, _f: None)
    try:
        with pytest.raises(BackendError, match=r"context size is 512 .* at least 6\d\d"):
            read(backend, make_page(448, 336), max_tokens=400)  # 192 image tokens + prompt + 400
        assert read(backend, make_page(448, 336), max_tokens=100)[1].finish_reason == "length"
    finally:
        backend.unload()


def test_unload_frees_the_memory(llamacpp_settings: Settings) -> None:
    def cycle(backend: LlamaCppBackend) -> tuple[int, int, int]:
        before = rss()
        backend.load(lambda _m, _f: None)
        read(backend, make_page(1008, 1288), max_tokens=4)  # a large page: big compute buffers
        loaded = rss()
        backend.unload()
        return before, loaded, rss()

    # GIVEN a process that has loaded the llama.cpp libraries once (they stay mapped, as any library)
    cycle(LlamaCppBackend.from_settings(llamacpp_settings))
    # WHEN a model is loaded, reads a large page and is unloaded
    backend = LlamaCppBackend.from_settings(llamacpp_settings)
    before, loaded, after = cycle(backend)
    # THEN what loading and reading took is given back
    grew = loaded - before
    assert grew > 60 << 20, f"loading and reading grew RSS by only {grew >> 20} MiB"
    assert after - before < grew * 0.2, (
        f"RSS before {before >> 20} MiB, loaded {loaded >> 20} MiB, after unload {after >> 20} MiB"
    )
    assert not backend.loaded
    with pytest.raises(BackendError, match="not loaded"):
        read(backend, make_page(448, 224))
    backend.unload()  # a second unload is harmless


def test_load_reports_progress_and_uses_the_cpu_without_a_gpu_build(
    fresh_backend: LlamaCppBackend, caplog: pytest.LogCaptureFixture
) -> None:
    steps: list[tuple[str, float]] = []
    with caplog.at_level("INFO", logger="ocr_desktop.backends.llamacpp"):
        fresh_backend.load(lambda message, fraction: steps.append((message, fraction)))
    assert steps[-1] == ("llama.cpp ready", 1.0)
    assert [f for _, f in steps] == sorted(f for _, f in steps)
    assert "GPU layers 0" in caplog.text  # this CPU build has no GPU offload; -1 must not reach it
    assert "image tokens 16-6144" in caplog.text


def test_native_logs_go_to_python_logging_not_the_terminal(
    llamacpp_backend: LlamaCppBackend, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG", logger="ocr_desktop.backends.llamacpp.native"):
        read(llamacpp_backend, make_page(448, 224), max_tokens=2)
    captured = capfd.readouterr()
    assert "encoded" not in captured.err  # libmtmd's "image slice encoded in … ms"
    assert any("encoded" in r.getMessage() for r in caplog.records)


def test_memory_estimate_counts_files_kv_cache_and_vision_attention(
    test_model: TestModel, llamacpp_settings: Settings
) -> None:
    # GIVEN the default settings: flash attention on, context 12288, layout mode
    estimate = LlamaCppBackend.from_settings(llamacpp_settings).memory_estimate()
    assert estimate is not None
    files = test_model.gguf.stat().st_size + test_model.mmproj.stat().st_size
    # THEN KV cache = 12288 positions × 3 blocks × 2 KV heads × 32 dims × (K, V) × 2 bytes = 9 MiB
    kv = 12288 * 3 * 2 * 32 * 2 * 2
    # AND the vision encoder's buffer for the largest image: a page read whole after all at the
    # SDK's 6144 image tokens = 4 × 6144 patches × the encoder's width × f32 × 15 (measured)
    width = read_gguf_header(test_model.mmproj).metadata["clip.vision.embedding_length"]
    vision = 4 * 6144 * width * 4 * VISION_BUFFER_FLOATS
    assert estimate.total_bytes == files + kv + vision
    assert "KV cache 9.0 MiB (context 12288)" in estimate.detail
    assert "vision encoder" in estimate.detail and "(images up to 6144 image tokens)" in estimate.detail
    # AND in whole-page mode the largest image is the pixel budget's 3072 tokens
    page_mode = LlamaCppBackend.from_settings(llamacpp_settings.with_value("reading.mode", "page"))
    assert page_mode.memory_estimate().total_bytes == files + kv + vision // 2  # type: ignore[union-attr]
    # AND without flash attention, the largest page's (4 × 3072 patches)² × 2 heads × f32 scores count too
    without = LlamaCppBackend.from_settings(
        llamacpp_settings.with_value("llamacpp.flash_attn", False)
    ).memory_estimate()
    assert without is not None
    assert without.total_bytes == files + kv + (4 * 3072) ** 2 * 2 * 4
    assert "vision attention 1.1 GiB (pages up to 3072 image tokens)" in without.detail


def test_refuses_to_load_what_does_not_fit_in_memory(
    fresh_backend: LlamaCppBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ocr_desktop.backends.memory.available_memory_bytes", lambda: 300 << 20)
    with pytest.raises(MemoryBudgetError, match=r"needs .* only 300 MiB is free .*llamacpp\.n_ctx"):
        fresh_backend.load(lambda _m, _f: None)
    assert not fresh_backend.loaded


# --- bad model files: a clear BackendError, nothing loaded, the loaded backend unaffected ---------


def load_error(settings: Settings, **changes: str) -> str:
    changed = dataclasses.replace(settings, llamacpp=dataclasses.replace(settings.llamacpp, **changes))
    backend = LlamaCppBackend.from_settings(changed)
    with pytest.raises(BackendError) as caught:
        backend.load(lambda _m, _f: None)
    assert not backend.loaded
    return caught.value.message


@pytest.fixture(autouse=True)
def loaded_backend_still_works(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every error test, the session's loaded backend still reads a page."""
    yield
    if "llamacpp_backend" in request.fixturenames:
        backend: LlamaCppBackend = request.getfixturevalue("llamacpp_backend")
        assert read(backend, make_page(448, 224), max_tokens=2)[1].completion_tokens == 2


def test_missing_model_file(
    llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    message = load_error(llamacpp_settings, model_path=str(tmp_path / "nowhere.gguf"))
    assert message.startswith(f"model file not found: {tmp_path / 'nowhere.gguf'}")
    assert "ocr-desktop models pull glm-ocr-q8_0" in message
    assert "Settings → llama.cpp" in message


def test_catalog_model_not_downloaded(llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend) -> None:
    message = load_error(llamacpp_settings, model_path="", mmproj_path="")
    assert "glm-ocr-q8_0" in message
    assert "ocr-desktop models pull glm-ocr-q8_0" in message


def test_corrupt_gguf_random_bytes(
    llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    corrupt = tmp_path / "model.gguf"
    corrupt.write_bytes(bytes(range(256)) * 4096)
    message = load_error(llamacpp_settings, model_path=str(corrupt))
    assert f"{corrupt} is not a GGUF file" in message


def test_truncated_gguf_fails_in_llama_cpp_with_its_reason(
    test_model: TestModel, llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    # GIVEN a download cut short: a valid header, but the tensor data ends early
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(test_model.gguf.read_bytes()[: 4 << 20])
    message = load_error(llamacpp_settings, model_path=str(truncated))
    # THEN llama.cpp's own explanation is part of the message
    assert message.startswith(f"llama.cpp could not load {truncated}")
    assert "(" in message and "data is not within the file bounds" in message


def test_missing_projector_file(
    llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    message = load_error(llamacpp_settings, mmproj_path=str(tmp_path / "mmproj.gguf"))
    assert message.startswith(f"vision projector file not found: {tmp_path / 'mmproj.gguf'}")


def test_projector_not_chosen_and_none_beside_the_model(
    test_model: TestModel, llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    alone = tmp_path / "glm.gguf"
    alone.symlink_to(test_model.gguf)
    message = load_error(llamacpp_settings, model_path=str(alone), mmproj_path="")
    assert "no vision projector chosen for glm.gguf" in message
    assert "llamacpp.mmproj_path" in message


def test_projector_beside_the_model_is_found(llamacpp_settings: Settings) -> None:
    # the generated mmproj sits beside the model
    backend = LlamaCppBackend.from_settings(llamacpp_settings.with_value("llamacpp.mmproj_path", ""))
    backend.load(lambda _m, _f: None)
    try:
        assert read(backend, make_page(448, 224), max_tokens=2)[1].completion_tokens == 2
    finally:
        backend.unload()


def test_files_swapped(
    test_model: TestModel, llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend
) -> None:
    message = load_error(
        llamacpp_settings, model_path=str(test_model.mmproj), mmproj_path=str(test_model.gguf)
    )
    assert "is a vision projector (mmproj), not the GLM-OCR text model" in message


def test_projector_from_another_model(
    test_model: TestModel, llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, tmp_path: Path
) -> None:
    # GIVEN a projector that maps images to 1536 values per token (the real GLM-OCR's width)
    other = _projector_with_width(test_model.mmproj, tmp_path / "mmproj-other.gguf", 1536)
    # WHEN it is paired with the tiny model (64 values per token)
    message = load_error(llamacpp_settings, mmproj_path=str(other))
    # THEN the mismatch is named before llama.cpp would fail with "failed to load mtmd context"
    assert "does not belong to" in message
    assert "projects images to 1536 values per token but the model expects 64" in message


def test_llama_cpp_python_missing(
    llamacpp_settings: Settings, llamacpp_backend: LlamaCppBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # what an absent package looks like to import
    message = load_error(llamacpp_settings)
    assert "llama-cpp-python is not installed" in message
    assert "pip install llama-cpp-python==0.3.36" in message


def _projector_with_width(source: Path, target: Path, width: int) -> Path:
    """A copy of ``source`` whose ``clip.vision.projection_dim`` says ``width`` (same byte length)."""
    import struct

    data = bytearray(source.read_bytes())
    key = b"clip.vision.projection_dim"
    at = data.index(key) + len(key)
    (value_type,) = struct.unpack_from("<I", data, at)
    assert value_type == 4  # uint32
    struct.pack_into("<I", data, at + 4, width)
    target.write_bytes(bytes(data))
    return target


def test_image_is_sent_as_given_without_rescaling(llamacpp_backend: LlamaCppBackend) -> None:
    # A page already fitted to multiples of 28 px: the token count is exactly its grid.
    _, stats = read(llamacpp_backend, make_page(812, 588), max_tokens=2)
    assert stats.image_tokens == 29 * 21
    assert stats.prompt_tokens == 29 * 21 + 11


def test_max_tokens_updated_while_the_old_backend_finishes_its_page_holds_after_the_switch(
    llamacpp_settings: Settings, tmp_path: Path
) -> None:
    """The pipeline's settings rollback (issue #11), with the real runtime holding the page open."""
    from ocr_desktop.core.store import JobStore
    from ocr_desktop.pipeline import Pipeline, PipelineListener
    from tests.fixtures.files import make_pdf

    # GIVEN llama.cpp reading page 1 of 2, and a switch (another context size) asked to let it finish
    # (a DPI below the settings' minimum keeps the page small: replace, which does not validate)
    first = dataclasses.replace(
        llamacpp_settings,
        documents=dataclasses.replace(llamacpp_settings.documents, dpi=36),
        generation=dataclasses.replace(llamacpp_settings.generation, max_tokens=24),
    )
    switched = dataclasses.replace(first, llamacpp=dataclasses.replace(first.llamacpp, n_ctx=4096))
    updated = dataclasses.replace(switched, generation=dataclasses.replace(first.generation, max_tokens=5))
    ready: list[str] = []

    class SwitchOnFirstDelta(PipelineListener):
        def text_delta(self, job_id: str, page_index: int, text: str) -> None:
            if page_index == 0 and len(ready) == 1:
                pipeline.switch_backend(switched, finish_page=True)
                # WHEN max tokens changes while the old backend still streams that page
                pipeline.update_settings(updated)
                ready.append("switch asked")

        def backend_ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
            ready.append(backend_id)

    pipeline = Pipeline(JobStore(tmp_path / "jobs.sqlite3"), first, SwitchOnFirstDelta())
    pipeline.start()
    try:
        job = pipeline.submit(make_pdf(tmp_path / "two.pdf", 2))
        assert pipeline.wait_idle(240)
    finally:
        assert pipeline.shutdown(60)
    # THEN the first page kept its own limit, and the page after the switch has the new one
    pages = {p.page_index: p for p in JobStore(tmp_path / "jobs.sqlite3").document_result(job).pages}
    assert ready == ["llamacpp", "switch asked", "llamacpp"]
    assert pages[0].stats.completion_tokens == 24
    assert (pages[1].stats.completion_tokens, pages[1].stats.finish_reason) == (5, "length")
