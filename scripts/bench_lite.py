#!/usr/bin/env python3
"""Pages per minute and peak memory of the lite engine (PP-OCRv6) against llama.cpp with the
real-size random-weight GLM-OCR model, on the same pages, through the app's own backends.

    .venv/bin/python scripts/bench_lite.py [--max-tokens 32] [--ways lite,llamacpp]

The pages: the shared examples ``page.png`` (843×596) and ``code.png`` (540×666) and a drawn
1000×400 invoice, each fitted to the default pixel budget as the pipeline fits a page (small
pages: a full A4 page costs the real-size model minutes of image encoding on two cores). Each
way runs in a fresh process, so its peak RSS is its own: load the backend, read every page
whole, unload. The real-size model (Q8_0 text + F16 projector) is generated on first use into
$OCR_DESKTOP_BUILD_CACHE/test-models (~1 min, ~4 GB RAM, once); random weights never stop by
themselves, so llama.cpp decodes ``--max-tokens`` per page (GLM-OCR's real pages need hundreds:
its time here is a lower bound).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends import registry  # noqa: E402
from ocr_desktop.backends.base import run_recognition  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task  # noqa: E402
from ocr_desktop.documents.pages import PageImage, fit_page  # noqa: E402
from ocr_desktop.settings import Settings  # noqa: E402
from tests.fixtures.layout import EXAMPLES, FONT  # noqa: E402


def pages(max_pixels: int) -> list[tuple[str, PageImage]]:
    from PIL import Image, ImageDraw, ImageFont

    images = [
        (name, Image.open(EXAMPLES / "source" / f"{name}.png").convert("RGB")) for name in ("page", "code")
    ]
    invoice = Image.new("RGB", (1000, 400), "white")
    drawing = ImageDraw.Draw(invoice)
    for i, text in enumerate(("Invoice number 4711", "Total amount due 129 EUR")):
        drawing.text((60, 60 + 140 * i), text, fill="black", font=ImageFont.truetype(FONT, 30))
    images.append(("invoice", invoice))
    return [
        (name, fit_page(PageImage(image, i, Path(f"{name}.png"), image.size), max_pixels))
        for i, (name, image) in enumerate(images)
    ]


def settings_for(way: str) -> Settings:
    if way == "lite":
        return Settings().with_value("backend", "lite")
    from tests.fixtures.model import build_test_model, llamacpp_settings_for

    return llamacpp_settings_for(build_test_model("real", outtype="q8_0"))


def worker(way: str, max_tokens: int) -> None:
    settings = settings_for(way)
    fitted = pages(settings.documents.max_pixels)
    backend = registry.create_backend(settings)
    started = time.perf_counter()
    backend.load(lambda _message, _fraction: None)
    load_s = time.perf_counter() - started
    per_page = []
    for name, page in fitted:
        started = time.perf_counter()
        text, stats = run_recognition(
            backend.recognize(page, Task.TEXT, GenerationOptions(max_tokens=max_tokens), threading.Event())
        )
        per_page.append(
            {
                "page": name,
                "size": list(page.image.size),
                "seconds": round(time.perf_counter() - started, 2),
                "characters": len(text),
                "finish": stats.finish_reason,
            }
        )
    backend.unload()
    read_s = sum(p["seconds"] for p in per_page)
    print(
        json.dumps(
            {
                "way": way,
                "load_s": round(load_s, 2),
                "read_s": round(read_s, 2),
                "pages_per_min": round(60 * len(per_page) / read_s, 2),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "pages": per_page,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-tokens", type=int, default=32, help="llama.cpp's tokens per page (default 32)")
    parser.add_argument("--ways", default="lite,llamacpp", help="comma-separated: lite, llamacpp")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.max_tokens)
        return
    results: list[dict[str, Any]] = []
    for way in args.ways.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", way, "--max-tokens", str(args.max_tokens)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{'way':10} {'load s':>7} {'read s':>7} {'pages/min':>9} {'peak RSS MiB':>12}")
    for r in results:
        row = f"{r['way']:10} {r['load_s']:7.2f} {r['read_s']:7.2f} {r['pages_per_min']:9.2f}"
        print(f"{row} {r['peak_rss_mib']:12}")
    for r in results:
        for p in r["pages"]:
            size = "×".join(map(str, p["size"]))
            print(f"  {r['way']:8} {p['page']:9} {size:>10} {p['seconds']:7.2f} s  {p['characters']} chars")


if __name__ == "__main__":
    main()
