#!/usr/bin/env python3
"""Benchmark layout reading against whole-page reading through the app's own pipeline, in one run.

    .venv/bin/python scripts/bench_layout_modes.py [--pages 2] [--dpi 100] [--max-pixels 200704]
        [--max-tokens 32] [--levels 1,4,8] [--backends llamacpp,vllm] [--json out.json]
    .venv/bin/python scripts/bench_layout_modes.py --equal-output [--examples page,table,code,handwritten]
        [--max-pixels 200704] [--levels 1,4,8] [--backends llamacpp,vllm] [--layout-cost pp-doclayout-v3]

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

``--equal-output`` (issue 18): the GLM-OCR SDK's four example pages (tests/data/glm-ocr-examples),
each read as what the real model wrote for it. Layout mode is given the SDK's own boxes
(``result/*.json``, plus the boxes its result leaves out: tests/fixtures/layout.py ``SDK_DROPPED``)
as PP-DocLayoutV3's regions; each region's read is given a token budget equal to the tokens of the
SDK's output for it (``content``, tokenised by the test checkpoint's own GGUF vocabulary; a formula
number, absent from the SDK's output, gets the tokens of what PP-OCRv6 reads in it), and a whole
page the sum of its regions' budgets, so both modes decode the same total. The random model never
stops, so every read decodes exactly its budget: the wrapped backend (:class:`Budgeted`) maps each
request to its budget (a region by its crop's pixels, a page by its file) and decodes it to the end
even where the app's loop guard cuts the text (the random model "loops"; a real one would not),
and counts the tokens decoded, printed per run. ``--layout-cost`` runs a real layout model on each
page beside the SDK's boxes (its boxes thrown away), so layout mode pays what detection costs; the
page's text lines are detected by the pipeline itself, as always. Text-line, CDLA and
PP-DocLayoutV3 detection ms per page are printed first.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends import registry as backends  # noqa: E402
from ocr_desktop.backends.base import Backend, Recognition  # noqa: E402
from ocr_desktop.backends.vllm_server import VllmServer  # noqa: E402
from ocr_desktop.core.store import JobStatus, JobStore  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task  # noqa: E402
from ocr_desktop.documents.pages import PageImage  # noqa: E402
from ocr_desktop.layout import registry  # noqa: E402
from ocr_desktop.layout.base import LayoutDetector, Region  # noqa: E402
from ocr_desktop.layout.plan import crop_region, detect_lines  # noqa: E402
from ocr_desktop.pipeline import Pipeline, PipelineListener  # noqa: E402
from ocr_desktop.settings import Settings  # noqa: E402
from tests.fixtures.layout import (  # noqa: E402
    PAGES,
    SdkRegion,
    as_regions,
    build_layout_model,
    draw_page,
    example_path,
    sdk_result,
)
from tests.fixtures.model import TestModel, build_cache, build_test_model, llamacpp_settings_for  # noqa: E402
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
    reads: int = 0  # requests the backend got (--equal-output)
    tokens: int = 0  # tokens they decoded (--equal-output)


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


def read(
    settings: Settings,
    sources: list[Path],
    warm_up: Path,
    label: str,
    in_flight: int,
    *,
    budgeted: Budgets | None = None,
    detector_factory: Callable[[str], LayoutDetector] | None = None,
) -> Run:
    """Read ``sources`` through a Pipeline after a warm-up read of ``warm_up`` (the backend loads
    with the first page; loading stays out of the time). ``budgeted``: each read gets its budget."""
    mode = settings.reading.mode

    def backend(s: Settings) -> Backend:
        inner = backends.create_backend(s)
        return inner if budgeted is None else Budgeted(inner, budgeted, mode)

    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(Path(tmp) / "jobs.sqlite3")
        counter = Count()
        pipeline = Pipeline(
            store, settings, counter, backend_factory=backend, layout_detector_factory=detector_factory
        )
        pipeline.start()
        try:
            warm = pipeline.submit(warm_up, pages="1")
            pipeline.wait_idle()
            counter.regions = 0
            if budgeted is not None:
                budgeted.reset()
            started = time.perf_counter()
            jobs = pipeline.submit_many(sources)
            pipeline.wait_idle()
            wall = time.perf_counter() - started
        finally:
            pipeline.shutdown()
        pages = 0
        for job in jobs:
            record = store.job(job)
            assert record is not None and record.status is JobStatus.DONE, (record, store.job(warm))
            pages += record.pages_done
        store.close()
    run = Run(label, mode, in_flight, pages, counter.regions, wall, 60.0 * pages / wall)
    if budgeted is not None:
        run.reads, run.tokens = budgeted.totals()
    print(
        f"{label} {run.mode:6} {in_flight} in flight: {pages} pages, {run.regions_read} regions, "
        f"{run.reads} reads, {run.tokens} tokens in {wall:.1f} s = {run.pages_per_min:.2f} pages/min",
        flush=True,
    )
    return run


# -- --equal-output: each read decodes what the real model wrote ------------------------------------

#: The warm-up page of an --equal-output run: one text region over a corner of code.png, 4 tokens.
WARM_UP = "warm-up"
WARM_UP_TOKENS = 4


def _digest(image: Image.Image) -> str:
    return hashlib.sha256(f"{image.size}{image.mode}".encode() + image.tobytes()).hexdigest()


@dataclass
class Budgets:
    """Token budgets of the example pages: per SDK region (None: not read, furniture), the
    page's sum for a whole-page read, and the crops the layout reader will send (registered by
    :class:`SdkBoxes` as it hands out the boxes). Records what each read decoded."""

    regions: dict[str, list[SdkRegion]]  # example → its regions (the SDK's, then SDK_DROPPED)
    tokens: dict[str, list[int | None]]  # example → each region's budget
    sizes: dict[tuple[int, int], str] = field(default_factory=dict)  # layout rendering's size → example
    crops: dict[str, int] = field(default_factory=dict)  # crop digest → budget
    lock: threading.Lock = field(default_factory=threading.Lock)
    decoded: list[tuple[str, int, int]] = field(default_factory=list)  # (what, budget, completion tokens)

    def page_total(self, name: str) -> int:
        return sum(t for t in self.tokens[name] if t is not None)

    def budget(self, image: PageImage, mode: str) -> int:
        if mode == "page":
            return self.page_total(image.source.stem)
        with self.lock:
            found = self.crops.get(_digest(image.image))
        if found is None:  # layout mode read something that is not a region handed out: say so
            raise RuntimeError(f"{image.source.name}: a {image.image.size} image that is no planned region")
        return found

    def record(self, what: str, budget: int, tokens: int) -> None:
        with self.lock:
            self.decoded.append((what, budget, tokens))

    def reset(self) -> None:
        with self.lock:
            self.decoded.clear()

    def totals(self) -> tuple[int, int]:
        with self.lock:
            return len(self.decoded), sum(tokens for _what, _budget, tokens in self.decoded)


class Budgeted:
    """A backend whose every read is given its budget (``Budgets.budget``) as ``max_tokens``."""

    def __init__(self, inner: Backend, budgets: Budgets, mode: str) -> None:
        self._inner = inner
        self._budgets = budgets
        self._mode = mode
        self.id = inner.id

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def max_in_flight(self) -> int:
        return self._inner.max_in_flight

    def memory_estimate(self) -> Any:
        return self._inner.memory_estimate()

    def load(self, progress: Any) -> None:
        self._inner.load(progress)

    def unload(self) -> None:
        self._inner.unload()

    def server_pids(self) -> list[int]:
        return self._inner.server_pids()

    def metrics(self) -> Any:
        return self._inner.metrics()

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        budget = self._budgets.budget(page, self._mode)
        # Decoded to the budget even when the app's loop guard stops the read (it cuts the text
        # and the random model "loops"): the decode work is what is measured. The bench never
        # cancels a read itself.
        never = threading.Event()
        stats = yield from self._inner.recognize(
            page, task, dataclasses.replace(options, max_tokens=budget), never
        )
        self._budgets.record(f"{page.source.name} {page.image.size}", budget, stats.completion_tokens)
        return stats


class SdkBoxes:
    """A layout detector that returns the GLM-OCR SDK's own boxes of the example page it is given
    (known by the size of its rendering) as PP-DocLayoutV3's, after running ``cost`` (a real layout
    model whose boxes are thrown away) so that layout mode pays detection's time."""

    id = "pp-doclayout-v3"

    def __init__(self, budgets: Budgets, max_pixels: int, cost: LayoutDetector | None) -> None:
        self._budgets = budgets
        self._max_pixels = max_pixels
        self._cost = cost
        self.description = "the GLM-OCR SDK's boxes" + (f" (time of {cost.description})" if cost else "")

    def detect(self, page: Image.Image) -> list[Region]:
        if self._cost is not None:
            self._cost.detect(page)
        name = self._budgets.sizes[page.size]
        regions = as_regions(self._budgets.regions[name], page.size)
        for region, budget in zip(regions, self._budgets.tokens[name], strict=True):
            if budget is not None:
                crop = crop_region(page, region.box_1000, self._max_pixels)
                with self._budgets.lock:
                    self._budgets.crops[_digest(crop)] = budget
        return regions


def token_budgets(model: TestModel, names: list[str], scale: float = 1.0) -> tuple[Budgets, dict[str, int]]:
    """Each example region's budget: the tokens of the SDK's output for it, by the model's own
    vocabulary (the test GGUF's); a read region the SDK's result has no text for (a formula
    number) gets the tokens of what PP-OCRv6 reads in it. ``scale`` < 1 shrinks every budget
    (at least 1 token each) for a machine that cannot decode the real amount in time; a page's
    budget is the sum of its regions' either way. Also returns each page's unscaled total."""
    from llama_cpp import Llama

    from ocr_desktop.textlines import shared_reader

    vocab = Llama(model_path=str(model.gguf), vocab_only=True, verbose=False)
    regions: dict[str, list[SdkRegion]] = {}
    tokens: dict[str, list[int | None]] = {}
    real: dict[str, int] = {}
    for name in names:
        page = Image.open(example_path(name)).convert("RGB")
        regions[name] = sdk_result(name)
        tokens[name] = []
        for sdk, region in zip(regions[name], as_regions(regions[name], page.size), strict=True):
            if region.action.task is None:
                tokens[name].append(None)
                continue
            text = sdk.content
            if text is None:
                lines = shared_reader().read(crop_region(page, region.box_1000, None))
                text = " ".join(line.text for line in lines)
            count = max(1, len(vocab.tokenize(text.encode(), add_bos=False, special=False)))
            real[name] = real.get(name, 0) + count
            tokens[name].append(max(1, round(count * scale)))
    regions[WARM_UP] = [SdkRegion("text", (0, 0, 1000, 1000), "")]
    tokens[WARM_UP] = [WARM_UP_TOKENS]
    return Budgets(regions, tokens), real


def example_files(
    work: Path, names: list[str], dpi: int, page_pixels: int = 0
) -> tuple[list[Path], Path, dict[tuple[int, int], str]]:
    """The example pages and a warm-up strip copied to ``work``, and the size each has when the
    pipeline renders it for layout reading (how :class:`SdkBoxes` knows the page). ``page_pixels``:
    each page is first shrunk to at most that many pixels — the same smaller page for both modes,
    so the whole page and the sum of its crops keep their real proportion (a lower
    ``--max-pixels`` instead would shrink the page but not the crops already under it)."""
    from ocr_desktop.documents.document import open_document
    from ocr_desktop.documents.pages import GLM_MAX_PIXELS
    from ocr_desktop.layout.plan import LAYOUT_DPI

    sources = []
    for name in names:
        sources.append(work / f"{name}.png")
        with Image.open(example_path(name)) as page:
            if page_pixels and page.width * page.height > page_pixels:
                factor = (page_pixels / (page.width * page.height)) ** 0.5
                size = (int(page.width * factor), int(page.height * factor))
                page.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(sources[-1])
            else:
                shutil.copyfile(example_path(name), sources[-1])
    warm_up = work / f"{WARM_UP}.png"
    with Image.open(example_path("code")) as code:
        code.crop((0, 0, 224, 112)).save(warm_up)  # 32 image tokens
    sizes = {}
    for path in (*sources, warm_up):
        document = open_document(path, dpi=max(dpi, LAYOUT_DPI), max_pixels=GLM_MAX_PIXELS, pages="1")
        sizes[document.render_page(0).image.size] = path.stem
        document.close()
    assert len(sizes) == len(names) + 1, "two example pages render to the same size"
    return sources, warm_up, sizes


def detection_table(sources: list[Path], repeats: int) -> list[dict[str, Any]]:
    """Per example page: text-line detection (PP-OCRv6), CDLA and PP-DocLayoutV3 (real size,
    random weights) ms, best of ``repeats`` after a warm-up."""
    from ocr_desktop.layout.pp_doclayout_v3 import PPDocLayoutV3Detector

    detectors = {
        "text lines": detect_lines,
        "CDLA": registry.create_detector("cdla").detect,
        "PP-DocLayoutV3": PPDocLayoutV3Detector(build_layout_model()).detect,
    }
    rows = []
    for path in sources:
        page = Image.open(path).convert("RGB")
        row: dict[str, Any] = {"page": path.name, "size": f"{page.width}×{page.height}"}
        for what, detect in detectors.items():
            detect(page)  # warm-up: session start, first allocation
            row[what] = 1000 * min(_timed(functools.partial(detect, page)) for _ in range(repeats))
        rows.append(row)
        print(
            f"{row['page']} {row['size']}: " + ", ".join(f"{k} {row[k]:.0f} ms" for k in detectors),
            flush=True,
        )
    return rows


def configure(settings: Settings, args: argparse.Namespace, mode: str) -> Settings:
    # dataclasses.replace, not with_value: a quick run may ask for fewer tokens than the schema allows
    return dataclasses.replace(
        settings,
        reading=dataclasses.replace(
            settings.reading, mode=mode, layout_model="pp-doclayout-v3" if args.equal_output else "cdla"
        ),
        documents=dataclasses.replace(settings.documents, dpi=args.dpi, max_pixels=args.max_pixels),
        generation=dataclasses.replace(
            settings.generation,
            max_tokens=args.max_tokens,
            loop_retry=False,  # a random model "loops"; a retry would double some reads
        ),
    )


def layout_cost(which: str) -> LayoutDetector | None:
    match which:
        case "none":
            return None
        case "cdla":
            return registry.create_detector("cdla")
        case "pp-doclayout-v3":
            from ocr_desktop.layout.pp_doclayout_v3 import PPDocLayoutV3Detector

            return PPDocLayoutV3Detector(build_layout_model())
        case _:
            raise SystemExit(f"--layout-cost: unknown {which!r}")


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
    parser.add_argument("--equal-output", action="store_true", help="the SDK's pages at the SDK's output")
    parser.add_argument("--examples", default=",".join(PAGES), help="--equal-output: which example pages")
    parser.add_argument(
        "--layout-cost", default="pp-doclayout-v3", help="--equal-output: pp-doclayout-v3, cdla or none"
    )
    parser.add_argument("--repeats", type=int, default=2, help="--equal-output: detection timings, best of")
    parser.add_argument(
        "--token-scale", type=float, default=1.0, help="--equal-output: every budget × this (at least 1)"
    )
    parser.add_argument(
        "--page-pixels",
        type=int,
        default=0,
        help="--equal-output: shrink each page to this many pixels first",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--log", action="store_true", help="the app's log on stderr (progress of long runs)")
    args = parser.parse_args()
    if args.log:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(name)s: %(message)s")
    if args.equal_output and args.max_tokens == 32:
        args.max_tokens = 8192  # the app's default; each read's budget replaces it
    backends_wanted = args.backends.split(",")
    levels = [int(x) for x in args.levels.split(",")]
    model = build_test_model(size="real", outtype="q8_0")
    work = Path(tempfile.mkdtemp(prefix="bench-layout-"))
    extra: dict[str, Any] = {}
    report: dict[str, Any] = {}
    max_model_len = 2048
    if args.equal_output:
        names = args.examples.split(",")
        report["detection"] = detection_table([example_path(name) for name in names], args.repeats)
        sources, warm_up, sizes = example_files(work, names, args.dpi, args.page_pixels)
        budgets, real = token_budgets(model, names, args.token_scale)
        budgets.sizes = sizes
        for name in names:
            read_regions = [t for t in budgets.tokens[name] if t is not None]
            print(
                f"{name}: {len(read_regions)} regions read, {real[name]} tokens written by the SDK's model, "
                f"{budgets.page_total(name)} read here",
                flush=True,
            )
        report["tokens"] = {name: budgets.page_total(name) for name in names}
        report["sdk_tokens"] = real
        cost = layout_cost(args.layout_cost)
        boxes = SdkBoxes(budgets, args.max_pixels, cost)
        extra = {"budgeted": budgets, "detector_factory": lambda _layout_model: boxes}
        # vLLM's context must hold the longest page's output after its image and prompt
        max_model_len = max(report["tokens"].values()) + args.max_pixels // 784 + 512
        shrunk = f", each shrunk to {args.page_pixels} px at most" if args.page_pixels else ""
        what = (
            f"the SDK's {len(names)} example pages ({', '.join(names)}{shrunk}; "
            f"{sum(report['tokens'].values())} tokens in all, the same for both modes: the SDK's "
            f"{sum(real.values())} × {args.token_scale}), layout with the SDK's boxes"
            f"{f' and the time of {cost.description}' if cost else ''}"
        )
    else:
        pdf = make_pdf(work / "bench.pdf", args.pages)
        sources, warm_up = [pdf], pdf
        ms, size = detection_ms(pdf, args.dpi)
        report["detection_ms"] = ms
        print(f"layout detection (CDLA) on a {size} page: {ms:.0f} ms", flush=True)
        what = (
            f"{args.pages} pages of the drawn layout page at {args.dpi} DPI, "
            f"{args.max_tokens} tokens per read, layout detection {ms:.0f} ms/page"
        )
    runs: list[Run] = []
    if "llamacpp" in backends_wanted:
        for mode in ("page", "layout"):
            settings = configure(llamacpp_settings_for(model), args, mode)
            runs.append(read(settings, sources, warm_up, "llamacpp", 1, **extra))
    if "vllm" in backends_wanted:
        cache = build_cache() / "bench-vllm-cache"
        server = VllmServer(
            dataclasses.replace(
                bench_server_settings(model.hf_dir, max(levels)), max_model_len=max_model_len
            ),
            env=server_env(cache),
            log_path=work / "vllm-server.log",
        )
        print(f"starting vLLM (max-model-len {max_model_len}) …", flush=True)
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
                            request_timeout_s=1800,
                        ),
                    )
                    runs.append(read(settings, sources, warm_up, "vllm", level, **extra))
        finally:
            server.stop()
    for run in runs:
        baseline = next(
            r for r in runs if (r.backend, r.mode, r.in_flight) == (run.backend, "page", run.in_flight)
        )
        run.vs_page_mode = run.pages_per_min / baseline.pages_per_min
    print(
        f"\n{what}; {args.max_pixels} px per image at most, {len(os.sched_getaffinity(0))} usable CPU cores\n"
    )
    if args.equal_output:
        print(
            "| page | size | text lines ms | CDLA ms | PP-DocLayoutV3 ms (random weights) "
            "| SDK output tokens | tokens read |"
        )
        print("|---|---|---|---|---|---|---|")
        for row in report["detection"]:
            name = Path(row["page"]).stem
            print(
                f"| {row['page']} | {row['size']} | {row['text lines']:.0f} | {row['CDLA']:.0f} | "
                f"{row['PP-DocLayoutV3']:.0f} | {real[name]} | {report['tokens'][name]} |"
            )
        print()
    llama_layout = next((r for r in runs if (r.backend, r.mode) == ("llamacpp", "layout")), None)
    print(
        "| backend | mode | in flight | pages | regions read | reads | tokens decoded | wall (s) | pages/min "
        "| × vs page mode | × vs llama.cpp layout |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        vs_llama = (
            f"{r.pages_per_min / llama_layout.pages_per_min:.2f}"
            if llama_layout is not None and r.mode == "layout"
            else ""
        )
        print(
            f"| {r.backend} | {r.mode} | {r.in_flight} | {r.pages} | {r.regions_read} | {r.reads} "
            f"| {r.tokens} | {r.wall_s:.1f} | {r.pages_per_min:.2f} | {r.vs_page_mode:.2f} | {vs_llama} |"
        )
    if args.json:
        args.json.write_text(json.dumps({**report, "runs": [asdict(r) for r in runs]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
