#!/usr/bin/env python3
"""Benchmark the llama.cpp backend against a bare llama-cpp-python call on the same page and params.

    .venv/bin/python scripts/bench_llamacpp.py [--sizes 448x224,812x588,1008x1288] [--max-tokens 64]

Uses the real-size random-weight GLM-OCR model (Q8_0 text + F16 projector), generated on first use
with the test-tools venv into $OCR_DESKTOP_BUILD_CACHE/test-models (~1 min and ~4 GB RAM, once).
Random weights say nothing about OCR quality, but the compute per token and per image is real.

Every (page size, way) runs in a fresh process, so peak RSS is that run's alone:
- ``app``: ``LlamaCppBackend.load`` + ``recognize`` — what the app does, PNG encoding included;
- ``bare``: ``Llama`` + ``MTMDChatHandler`` with the same model, context, threads, flash attention
  and image, the PNG prepared outside the timed region.
Both decode greedily to ``--max-tokens`` (the random model never samples EOS; the bench checks it),
so the times compare like for like. Overhead = app total / bare total - 1.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends.base import run_recognition  # noqa: E402
from ocr_desktop.backends.llamacpp import TOKEN_PX, LlamaCppBackend, image_grid  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task  # noqa: E402
from ocr_desktop.documents.pages import PageImage  # noqa: E402
from ocr_desktop.settings import Settings  # noqa: E402
from tests.fixtures.files import draw_page  # noqa: E402
from tests.fixtures.model import TestModel, build_test_model, llamacpp_settings_for  # noqa: E402


def make_page(size: tuple[int, int]) -> PageImage:
    text = "Invoice 12345\nTotal 678.90 EUR\n" * 3
    return PageImage(draw_page(size, text), 0, Path("bench.png"), size)


def bench_settings(model: TestModel, flash_attn: bool) -> Settings:
    return llamacpp_settings_for(model).with_value("llamacpp.flash_attn", flash_attn)


def run_app(model: TestModel, page: PageImage, max_tokens: int, flash_attn: bool) -> dict[str, Any]:
    backend = LlamaCppBackend.from_settings(bench_settings(model, flash_attn))
    started = time.perf_counter()
    backend.load(lambda _message, _fraction: None)
    load_s = time.perf_counter() - started
    _text, stats = run_recognition(
        backend.recognize(page, Task.TEXT, GenerationOptions(max_tokens=max_tokens), threading.Event())
    )
    backend.unload()
    return {
        "load_s": load_s,
        "total_s": stats.total_s,
        "ttft_s": stats.time_to_first_token_s,
        "tokens": stats.completion_tokens,
        "decode_tok_s": stats.decode_tokens_per_s,
        "prompt_tokens": stats.prompt_tokens,
        "finish": stats.finish_reason,
    }


def run_bare(model: TestModel, page: PageImage, max_tokens: int, flash_attn: bool) -> dict[str, Any]:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import MTMDChatHandler

    settings = bench_settings(model, flash_attn).llamacpp
    threads = len(os.sched_getaffinity(0))
    buffer = io.BytesIO()
    page.image.save(buffer, format="PNG", compress_level=1)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    started = time.perf_counter()
    llm = Llama(
        model_path=str(model.gguf),
        chat_handler=MTMDChatHandler(clip_model_path=str(model.mmproj), verbose=False),
        n_ctx=settings.n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        flash_attn=settings.flash_attn,
        n_gpu_layers=0,
        verbose=False,
    )
    load_s = time.perf_counter() - started
    content = [{"type": "image_url", "image_url": {"url": uri}}, {"type": "text", "text": Task.TEXT.prompt}]
    messages = [{"role": "user", "content": content}]
    started = time.perf_counter()
    first = 0.0
    tokens = 0
    finish = ""
    for chunk in llm.create_chat_completion(
        messages=messages, stream=True, max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.0
    ):
        choice = chunk["choices"][0]
        if choice["delta"].get("content"):
            first = first or time.perf_counter() - started
            tokens += 1
        finish = choice.get("finish_reason") or finish
    total = time.perf_counter() - started
    llm.close()
    return {
        "load_s": load_s,
        "total_s": total,
        "ttft_s": first,
        "tokens": tokens,
        "decode_tok_s": (tokens - 1) / (total - first) if tokens > 1 else 0.0,
        "finish": finish,
    }


def worker(way: str, size: tuple[int, int], max_tokens: int, flash_attn: bool) -> None:
    model = build_test_model("real", outtype="q8_0")
    page = make_page(size)
    result = (run_app if way == "app" else run_bare)(model, page, max_tokens, flash_attn)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def parse_size(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.lower().split("x"))
    if width % TOKEN_PX or height % TOKEN_PX:
        raise argparse.ArgumentTypeError(
            f"{text}: sides must be multiples of {TOKEN_PX} (as fitted pages are)"
        )
    return width, height


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="448x224,812x588,1008x1288", help="page sizes WxH, comma-separated"
    )
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--flash-attn", choices=("on", "off"), default="on", help="for both ways")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per way, in alternating order (bare app, app bare, …); the fastest counts",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", nargs=2, metavar=("WAY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], parse_size(args.worker[1]), args.max_tokens, args.flash_attn == "on")
        return

    model = build_test_model("real", outtype="q8_0")
    print(f"model: {model.gguf.name} {model.gguf.stat().st_size / 1e6:.0f} MB + {model.mmproj.name} "
          f"{model.mmproj.stat().st_size / 1e6:.0f} MB; {len(os.sched_getaffinity(0))} CPUs; "
          f"max_tokens {args.max_tokens}; flash attention {args.flash_attn}", flush=True)  # fmt: skip
    rows = []
    for text in args.sizes.split(","):
        size = parse_size(text)
        nx, ny = image_grid(*size)
        row: dict[str, Any] = {"size": text, "image_tokens": nx * ny}
        # Alternating the order cancels out drift (a warming page cache, other load coming and going).
        order = [
            way
            for rep in range(args.repeat)
            for way in (("bare", "app") if rep % 2 == 0 else ("app", "bare"))
        ]
        for way in order:
            command = [sys.executable, __file__, "--worker", way, text, "--max-tokens", str(args.max_tokens),
                       "--flash-attn", args.flash_attn]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{way} {text} failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if result["tokens"] != args.max_tokens or result["finish"] != "length":
                raise SystemExit(f"{way} {text}: not a full-length run ({result}); times are not comparable")
            print(f"  {text} {way}: {result}", flush=True)
            if way not in row or result["total_s"] < row[way]["total_s"]:
                row[way] = result
        row["overhead_pct"] = 100 * (row["app"]["total_s"] / row["bare"]["total_s"] - 1)
        rows.append(row)

    print()
    print("| page | image tok | prompt tok | bare total s | app total s | overhead | TTFT s (app) | "
          "decode tok/s (app) | peak RSS MiB (bare / app) | load s (app) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        bare, app = r["bare"], r["app"]
        print(f"| {r['size']} | {r['image_tokens']} | {app['prompt_tokens']} | {bare['total_s']:.2f} | "
              f"{app['total_s']:.2f} | {r['overhead_pct']:+.1f} % | {app['ttft_s']:.2f} | "
              f"{app['decode_tok_s']:.1f} | "
              f"{bare['peak_rss_mib']:.0f} / {app['peak_rss_mib']:.0f} | {app['load_s']:.2f} |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
