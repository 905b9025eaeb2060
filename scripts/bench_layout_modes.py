#!/usr/bin/env python3
"""Benchmark layout reading against whole-page reading through the app's own pipeline, in one run.

    .venv/bin/python scripts/bench_layout_modes.py [--pages 2] [--dpi 100] [--max-pixels 200704]
        [--max-tokens 32] [--levels 1,4,8] [--backends llamacpp,vllm] [--json out.json]

The same PDF (``--pages`` copies of the drawn layout page of tests/fixtures/layout.py: header,
title, two columns, a table with caption, a display formula, a figure, a footer; ~10 regions read)
is read by ``Pipeline`` — detection, plan, crops, per-region prompts, store commits, assembly:
what ``ocr-desktop ocr`` does — in ``reading.mode`` "page" and "layout":

- llama.cpp (one read at a time) with the real-size random-weight GLM-OCR (Q8_0 + F16 projector,
  ``scripts/make_test_model.py --size real``, cached like the test model);
- vLLM (the test-tools venv's CPU build, one managed server on the same checkpoint, prefix and
  multimodal caches off) at each ``--levels`` value of ``vllm.max_in_flight``: pages in flight in
  page mode, regions in flight (across pages) in layout mode.

Also timed: layout detection per page (CDLA, best of 3 after a warm-up), the baseline being the
page mode of the same backend in the same run. The random model never emits EOS, so every read
decodes exactly ``--max-tokens``: the decode work per read is fixed and the figures compare the
cost of the two modes, not OCR quality.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends.vllm_server import VllmServer  # noqa: E402
from ocr_desktop.core.store import JobStatus, JobStore  # noqa: E402
from ocr_desktop.layout import registry  # noqa: E402
from ocr_desktop.pipeline import Pipeline, PipelineListener  # noqa: E402
from ocr_desktop.settings import Settings  # noqa: E402
from tests.fixtures.layout import draw_page  # noqa: E402
from tests.fixtures.model import build_cache, build_test_model, llamacpp_settings_for  # noqa: E402
from tests.fixtures.vllm import bench_server_settings, remote_settings, server_env  # noqa: E402


@dataclass
class Run:
    backend: str
    mode: str
    in_flight: int
    pages: int
    regions_read: int
    wall_s: float
    pages_per_min: float
    vs_page_mode: float = 0.0


class Count(PipelineListener):
    def __init__(self) -> None:
        self.regions = 0

    def region_finished(self, job_id: str, page_index: int, region: object) -> None:
        self.regions += 1


def make_pdf(path: Path, pages: int) -> Path:
    page, _parts = draw_page()
    images = [page.convert("L") for _ in range(pages)]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=150, title="Bench")
    return path


def detection_ms(pdf: Path, dpi: int) -> tuple[float, str]:
    """Best of 3 CDLA detections of the first page rendered as layout mode renders it."""
    from ocr_desktop.documents.document import open_document
    from ocr_desktop.documents.pages import GLM_MAX_PIXELS

    document = open_document(pdf, dpi=dpi, max_pixels=GLM_MAX_PIXELS, pages="1")
    page = document.render_page(0).image
    document.close()
    detector = registry.create_detector("cdla")
    detector.detect(page)  # warm-up: session start, first allocation
    best = min(_timed(lambda: detector.detect(page)) for _ in range(3))
    return best * 1000, f"{page.width}×{page.height}"


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def read(settings: Settings, pdf: Path, label: str, in_flight: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(Path(tmp) / "jobs.sqlite3")
        counter = Count()
        pipeline = Pipeline(store, settings, counter)
        pipeline.start()
        try:
            # The backend loads with the first page; a one-page warm-up keeps loading out of the time.
            warm = pipeline.submit(pdf, pages="1")
            pipeline.wait_idle()
            counter.regions = 0
            started = time.perf_counter()
            job = pipeline.submit(pdf)
            pipeline.wait_idle()
            wall = time.perf_counter() - started
        finally:
            pipeline.shutdown()
        record = store.job(job)
        assert record is not None and record.status is JobStatus.DONE, (record, store.job(warm))
        pages = record.pages_done
        store.close()
    run = Run(label, settings.reading.mode, in_flight, pages, counter.regions, wall, 60.0 * pages / wall)
    print(
        f"{label} {run.mode:6} {in_flight} in flight: {pages} pages, {run.regions_read} regions in "
        f"{wall:.1f} s = {run.pages_per_min:.2f} pages/min",
        flush=True,
    )
    return run


def configure(settings: Settings, args: argparse.Namespace, mode: str) -> Settings:
    # dataclasses.replace, not with_value: a quick run may ask for fewer tokens than the schema allows
    return dataclasses.replace(
        settings,
        reading=dataclasses.replace(settings.reading, mode=mode, layout_model="cdla"),
        documents=dataclasses.replace(settings.documents, dpi=args.dpi, max_pixels=args.max_pixels),
        generation=dataclasses.replace(
            settings.generation,
            max_tokens=args.max_tokens,
            loop_retry=False,  # a random model "loops"; a retry would double some reads
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--max-pixels", type=int, default=200_704, help="pixel budget per image (256 tokens)")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--levels", default="1,4,8", help="vLLM max_in_flight values")
    parser.add_argument("--backends", default="llamacpp,vllm")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    backends = args.backends.split(",")
    levels = [int(x) for x in args.levels.split(",")]
    model = build_test_model(size="real", outtype="q8_0")
    work = Path(tempfile.mkdtemp(prefix="bench-layout-"))
    pdf = make_pdf(work / "bench.pdf", args.pages)
    ms, size = detection_ms(pdf, args.dpi)
    print(f"layout detection (CDLA) on a {size} page: {ms:.0f} ms", flush=True)
    runs: list[Run] = []
    if "llamacpp" in backends:
        for mode in ("page", "layout"):
            runs.append(read(configure(llamacpp_settings_for(model), args, mode), pdf, "llamacpp", 1))
    if "vllm" in backends:
        cache = build_cache() / "bench-vllm-cache"
        server = VllmServer(
            bench_server_settings(model.hf_dir, max(levels)),
            env=server_env(cache),
            log_path=work / "vllm-server.log",
        )
        print("starting vLLM …", flush=True)
        server.start()
        try:
            for level in levels:
                for mode in ("page", "layout"):
                    settings = configure(Settings(backend="vllm"), args, mode)
                    settings = dataclasses.replace(
                        settings,
                        vllm=remote_settings(
                            server.url,
                            server.api_key,
                            served_model_name=settings.vllm.served_model_name,
                            max_in_flight=level,
                            request_timeout_s=900,
                        ),
                    )
                    runs.append(read(settings, pdf, "vllm", level))
        finally:
            server.stop()
    for run in runs:
        baseline = next(
            r for r in runs if (r.backend, r.mode, r.in_flight) == (run.backend, "page", run.in_flight)
        )
        run.vs_page_mode = run.pages_per_min / baseline.pages_per_min
    print(
        f"\n{args.pages} pages of the drawn layout page at {args.dpi} DPI, {args.max_pixels} px per image, "
        f"{args.max_tokens} tokens per read, {len(os.sched_getaffinity(0))} usable CPU cores; "
        f"layout detection {ms:.0f} ms/page\n"
    )
    print("| backend | mode | in flight | pages | regions read | wall (s) | pages/min | × vs page mode |")
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        print(
            f"| {r.backend} | {r.mode} | {r.in_flight} | {r.pages} | {r.regions_read} | {r.wall_s:.1f} | "
            f"{r.pages_per_min:.2f} | {r.vs_page_mode:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"detection_ms": ms, "runs": [asdict(r) for r in runs]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
