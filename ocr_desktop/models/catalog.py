"""The GLM-OCR builds the app knows how to download, with their sizes and expected memory.

Sizes and hashes are what was seen on the Hub (at revision 65a42de1… of ggml-org/GLM-OCR-GGUF);
those not seen are ``None``. The Hub's current metadata is what ``hub.pull``/``hub.verify`` check
against; these records are the fallback when neither the Hub nor the download record says more.
A hash may be abbreviated as ``"<first hex>…<last hex>"`` when only that much is on record.
"""

from __future__ import annotations

from dataclasses import dataclass

GB = 1000**3
#: PaddlePaddle/PP-DocLayoutV3_onnx's inference.onnx at the pinned revision (see its entry).
PP_DOCLAYOUT_V3_BYTES = 130_502_049


class UnknownModelError(KeyError):
    """A model name that is not in the catalog; the message lists the names that are."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ModelFile:
    filename: str  # path inside the repository
    role: str  # "model" (text GGUF, layout ONNX graph) | "mmproj" (vision projector GGUF) | "weights"
    size: int | None = None  # bytes
    sha256: str | None = None  # full hex, or abbreviated "45bc244a…50b1"


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # what `ocr-desktop models pull NAME` takes
    runtime: str  # "llamacpp" | "vllm" | "layout" (ONNX Runtime, ocr_desktop/layout/)
    repo_id: str
    description: str
    files: tuple[ModelFile, ...] = ()  # empty: the whole repository (a transformers checkpoint)
    download_bytes: int = 0  # all files together, for the listing and the disk check
    memory_bytes: int = 0  # expected resident memory while reading a page at the default settings
    revision: str = "main"

    def file(self, role: str) -> ModelFile:
        for f in self.files:
            if f.role == role:
                return f
        raise KeyError(f"{self.name} has no {role} file")


# Memory at the defaults (context 12288, flash attention on, layout mode): the GGUF pair (mmap'd,
# all pages touched) + KV cache 17 layers × 8 KV heads × 128 × 2 × f16 × 12288 ≈ 0.86 GB + the
# vision encoder's buffer for the largest image, a page read whole at the SDK's 6144 image tokens
# (≈ 1.5 GB; 0.75 GB at the 3072-token pixel budget) + ~0.13 GB of llama.cpp's own compute buffer
# (docs/layout.md, "The whole-page fallback"). vLLM: DESIGN.md's measurement on an Orin Nano.
CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name="glm-ocr-q8_0",
        runtime="llamacpp",
        repo_id="ggml-org/GLM-OCR-GGUF",
        description="GLM-OCR 8-bit GGUF + 8-bit vision projector (recommended for llama.cpp)",
        files=(
            ModelFile("GLM-OCR-Q8_0.gguf", "model", 950_433_408, "45bc244a…50b1"),
            ModelFile("mmproj-GLM-OCR-Q8_0.gguf", "mmproj", 484_403_648, "9c4b58e3…141f"),
        ),
        download_bytes=950_433_408 + 484_403_648,
        memory_bytes=int(4.0 * GB),  # 2.9 GB before the vision encoder's buffer was counted
    ),
    CatalogEntry(
        name="glm-ocr-f16",
        runtime="llamacpp",
        repo_id="ggml-org/GLM-OCR-GGUF",
        description="GLM-OCR 16-bit GGUF + 16-bit vision projector (reference precision, ~2x the memory)",
        files=(
            ModelFile("GLM-OCR-f16.gguf", "model"),
            ModelFile("mmproj-GLM-OCR-f16.gguf", "mmproj"),
        ),
        download_bytes=int(2.66 * GB),  # ≈1.79 GB text (as the 0.95 GB Q8_0 scaled) + 0.87 GB projector
        memory_bytes=int(5.2 * GB),  # 3.8 GB before the vision encoder's buffer was counted
    ),
    CatalogEntry(
        name="glm-ocr",
        runtime="vllm",
        repo_id="zai-org/GLM-OCR",
        description="GLM-OCR BF16 transformers checkpoint, served by vLLM",
        download_bytes=int(2.7 * GB),  # 2.65 GB model.safetensors + tokenizer and configs
        memory_bytes=int(6.4 * GB),
    ),
    # PP-DocLayoutV3, the GLM-OCR SDK's layout model: PaddlePaddle's own ONNX export (paddle2onnx of
    # the PaddleX inference model: inputs image, im_shape, scale_factor → decoded boxes with the
    # reading order, and their count; ocr_desktop/layout/pp_doclayout_v3.py "paddle"). One file,
    # pinned to the repository's revision and its SHA-256: a moved or replaced upload is refused
    # (hub._check_file). Hugging Face cannot be reached from where this was written; the revision,
    # size and hash are the ones several independent public projects pin for this exact file
    # (download scripts, model locks and a release build that check it before use), all agreeing:
    # PaddlePaddle/PP-DocLayoutV3_onnx @ 46bbdf18…, inference.onnx, 130,502,049 bytes, SHA-256
    # 45bf7175…28ba (docs/layout.md, "Models"). The download verifies it, so a wrong record would
    # refuse the file, never accept another.
    CatalogEntry(
        name="pp-doclayout-v3",
        runtime="layout",
        repo_id="PaddlePaddle/PP-DocLayoutV3_onnx",
        description="PP-DocLayoutV3 layout model, PaddlePaddle's own ONNX export (the GLM-OCR SDK's layout)",
        files=(
            ModelFile(
                "inference.onnx",
                "model",
                PP_DOCLAYOUT_V3_BYTES,
                "45bf71750b00739a41fc209f132eb104a4d6b5bb29483c9078164d8b87cf28ba",
            ),
        ),
        download_bytes=PP_DOCLAYOUT_V3_BYTES,
        memory_bytes=int(0.4 * GB),  # measured: +316 MiB RSS, session + one page (bench_layout.py)
        revision="46bbdf188bb0a772c08aed74882ce7e51a8f1ea6",
    ),
)

DEFAULT_LLAMACPP_MODEL = "glm-ocr-q8_0"


def get_entry(name: str) -> CatalogEntry:
    for entry in CATALOG:
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in CATALOG)
    raise UnknownModelError(f"unknown model '{name}' — the catalog has: {known}")


def hash_matches(known: str, actual: str) -> bool:
    """Whether ``actual`` (full hex) agrees with ``known`` (full, or abbreviated with '…')."""
    known, actual = known.lower(), actual.lower()
    if "…" not in known:
        return known == actual
    head, tail = known.split("…", 1)
    return actual.startswith(head) and actual.endswith(tail)
