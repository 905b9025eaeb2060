#!/usr/bin/env python3
"""Benchmark the vLLM backend: pages/min with 1, 2, 4, 8 pages in flight against 1, in one run.

    .venv/bin/python scripts/bench_vllm.py [--model-dir HF_DIR] [--levels 1,2,4,8] [--max-tokens 48]

Starts one managed server (the app's own VllmServer, through VllmBackend) on GLM-OCR's real
dimensions with random weights — generated with ``scripts/make_test_model.py --size real`` and
cached like the test model unless ``--model-dir`` is given — and reads distinct small pages at
each level, so neither vLLM's prefix cache nor its multimodal cache can serve one page from
another (both are also turned off). Reports, per level: pages/min and the speed-up over one page
in flight, time to first token, decode tok/s per page and for the whole server, and the server's
RSS (every process of it). Outputs of random weights are filler words; only the cost is real.

``--reserved-cpus 1,0`` measures the same levels on one server per value of vLLM's
``VLLM_CPU_NUM_OF_RESERVED_CPU`` (cores its CPU build keeps out of the Worker's pool), in one run,
with the ratio against the first; ``app`` is the app's own default (0 on machines with ≤ 2 cores).

On the server command: ``--server-command`` (default: the test-tools venv's ``vllm serve``, the
CPU build); on a GPU machine pass ``"vllm serve"`` and drop the CPU environment with ``--gpu``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends.base import run_recognition  # noqa: E402
from ocr_desktop.backends.vllm import VllmBackend  # noqa: E402
from ocr_desktop.core.results import GenerationStats  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task  # noqa: E402
from ocr_desktop.documents.pages import PageImage  # noqa: E402
from ocr_desktop.settings import VllmSettings  # noqa: E402
from tests.fixtures.model import build_cache, build_test_model  # noqa: E402
from tests.fixtures.vllm import bench_server_settings, server_env, vllm_command  # noqa: E402

PAGE_SIZE = (448, 224)  # 16×8 = 128 image tokens: small, so the whole run fits in minutes on 2 cores
WORDS = ("invoice", "total", "amount", "date", "customer", "order", "number", "table", "account", "balance")


@dataclass
class Level:
    in_flight: int
    pages: int
    wall_s: float
    pages_per_min: float
    speedup: float
    ttft_median_s: float
    ttft_max_s: float
    decode_tok_s_per_page: float
    server_tok_s: float
    completion_tokens: int
    server_rss_max_bytes: int


def make_pages(count: int, start: int, seed: int) -> list[PageImage]:
    """Distinct pages: different random words in different places."""
    rng = random.Random(seed + start)
    pages = []
    for index in range(start, start + count):
        image = Image.new("RGB", PAGE_SIZE, "white")
        draw = ImageDraw.Draw(image)
        for row in range(4):
            words = " ".join(rng.choice(WORDS) for _ in range(5))
            draw.text(
                (8 + rng.randrange(40), 12 + 50 * row + rng.randrange(20)), f"{index} {words}", fill="black"
            )
        pages.append(
            PageImage(image=image, index=index, source=Path(f"bench-{index}.png"), original_size=PAGE_SIZE)
        )
    return pages


def rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue
    return total


def run_level(backend: VllmBackend, pages: list[PageImage], in_flight: int, max_tokens: int) -> Level:
    todo: queue.Queue[PageImage] = queue.Queue()
    for page in pages:
        todo.put(page)
    stats: list[GenerationStats] = []
    errors: list[str] = []
    lock = threading.Lock()
    done = threading.Event()
    peak_rss = [rss(backend.server_pids())]

    def worker() -> None:
        options = GenerationOptions(max_tokens=max_tokens)
        while True:
            try:
                page = todo.get_nowait()
            except queue.Empty:
                return
            try:
                _text, page_stats = run_recognition(
                    backend.recognize(page, Task.TEXT, options, threading.Event())
                )
                with lock:
                    stats.append(page_stats)
            except Exception as exc:  # reported below; a benchmark goes on with the other pages
                with lock:
                    errors.append(f"page {page.index}: {exc}")

    def sample_rss() -> None:
        while not done.wait(0.5):
            peak_rss[0] = max(peak_rss[0], rss(backend.server_pids()))

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(in_flight)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if errors:
        raise SystemExit(f"{len(errors)} page(s) failed at {in_flight} in flight: {errors[:3]}")
    tokens = sum(s.completion_tokens for s in stats)
    return Level(
        in_flight=in_flight,
        pages=len(stats),
        wall_s=wall,
        pages_per_min=60.0 * len(stats) / wall,
        speedup=0.0,
        ttft_median_s=statistics.median(s.time_to_first_token_s for s in stats),
        ttft_max_s=max(s.time_to_first_token_s for s in stats),
        decode_tok_s_per_page=statistics.median(s.decode_tokens_per_s for s in stats),
        server_tok_s=tokens / wall,
        completion_tokens=tokens,
        server_rss_max_bytes=peak_rss[0],
    )


@dataclass
class Config:
    """One server configuration: how many cores vLLM's CPU build keeps out of its Worker's pool."""

    reserved_cpus: str  # a VLLM_CPU_NUM_OF_RESERVED_CPU value, or "app" for the app's own default
    start_s: float = 0.0
    idle_rss_bytes: int = 0
    levels: list[Level] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "app default" if self.reserved_cpus == "app" else f"{self.reserved_cpus} reserved"


def measure(
    config: Config, settings: VllmSettings, env: dict[str, str], levels: list[int], max_tokens: int
) -> None:
    """Start a server with ``config``, read every level with distinct pages, stop the server."""
    if config.reserved_cpus != "app":
        env = {**env, "VLLM_CPU_NUM_OF_RESERVED_CPU": config.reserved_cpus}
    backend = VllmBackend(settings, server_env=env)
    print(f"[{config.label}] starting {settings.command} …", flush=True)
    started = time.perf_counter()
    try:
        backend.load(lambda message, fraction: None)
        config.start_s = time.perf_counter() - started
        config.idle_rss_bytes = rss(backend.server_pids())
        print(
            f"server ready in {config.start_s:.1f} s, RSS {config.idle_rss_bytes / 2**30:.2f} GiB", flush=True
        )
        # One page first: the first request after a start pays one-off costs.
        run_level(backend, make_pages(1, 10_000, 1), 1, 8)
        next_page = 0
        for level in levels:
            count = max(4, 2 * level)
            result = run_level(backend, make_pages(count, next_page, 0), level, max_tokens)
            next_page += count
            result.speedup = result.pages_per_min / config.levels[0].pages_per_min if config.levels else 1.0
            config.levels.append(result)
            print(
                f"{level} in flight: {result.pages} pages in {result.wall_s:.1f} s = "
                f"{result.pages_per_min:.1f} pages/min (×{result.speedup:.2f})",
                flush=True,
            )
    finally:
        backend.unload()


def print_table(configs: list[Config], model_dir: Path, max_tokens: int) -> None:
    print(
        f"\nvLLM on {model_dir}: {PAGE_SIZE[0]}×{PAGE_SIZE[1]} pages (128 image tokens), {max_tokens} tokens "
        f"each, {len(os.sched_getaffinity(0))} usable CPU cores\n"
    )
    columns = ["server", "start (s)", "idle RSS (GiB)", "in flight", "pages", "pages/min", "× vs 1 in flight"]
    columns += [f"× vs {configs[0].label}", "TTFT median / max (s)", "decode tok/s per page", "server tok/s"]
    columns += ["RSS max (GiB)"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for config in configs:
        for r, baseline in zip(config.levels, configs[0].levels, strict=True):
            vs_first = r.pages_per_min / baseline.pages_per_min
            print(
                f"| {config.label} | {config.start_s:.0f} | {config.idle_rss_bytes / 2**30:.2f} | "
                f"{r.in_flight} | {r.pages} | {r.pages_per_min:.1f} | {r.speedup:.2f} | {vs_first:.2f} | "
                f"{r.ttft_median_s:.2f} / {r.ttft_max_s:.2f} | {r.decode_tok_s_per_page:.1f} | "
                f"{r.server_tok_s:.1f} | {r.server_rss_max_bytes / 2**30:.2f} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model-dir", type=Path, help="HF checkpoint to serve (default: generated, real size)"
    )
    parser.add_argument("--levels", default="1,2,4,8", help="pages in flight to measure (default 1,2,4,8)")
    parser.add_argument("--max-tokens", type=int, default=48, help="tokens per page (default 48)")
    parser.add_argument(
        "--reserved-cpus",
        default="app",
        help="server configurations to compare, one server start each: VLLM_CPU_NUM_OF_RESERVED_CPU values "
        "or 'app' for the app's default, e.g. '1,0' (default: app)",
    )
    parser.add_argument("--server-command", default=vllm_command(), help="vLLM server command")
    parser.add_argument("--gpu", action="store_true", help="a GPU server: no CPU-build environment")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    configs = [Config(value.strip()) for value in args.reserved_cpus.split(",")]

    # The HF checkpoint does not depend on the GGUF type; q8_0 shares the llama.cpp benchmark's cache.
    model_dir = args.model_dir or build_test_model(size="real", outtype="q8_0").hf_dir
    cache = build_cache() / "bench-vllm-cache"
    settings = bench_server_settings(model_dir, max(levels), command=args.server_command)
    env = {} if args.gpu else server_env(cache)
    print(f"model {model_dir}", flush=True)
    for config in configs:
        measure(config, settings, env, levels, args.max_tokens)
    print_table(configs, model_dir, args.max_tokens)
    if args.json:
        args.json.write_text(json.dumps([asdict(c) for c in configs], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
