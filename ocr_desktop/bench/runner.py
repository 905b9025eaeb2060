"""Run the same pages through each backend at each number of pages in flight, and measure.

For every backend: load it (timed), read one warm-up page (excluded from the figures), then for
every in-flight level run ``repeats`` rounds of pages with that many concurrent ``recognize``
calls, timing every streamed delta. Each round gives pages/min, output tok/s, time to first token
(p50/p95), inter-token latency (p50/p95), per-stream decode tok/s and the peak memory; a figure is
reported as the median over rounds with min/max (``Stat``).

Honesty rules:
- every request gets a page no request has sent before (``page_variant``): the same work, other
  pixels, so vLLM's prefix and multimodal caches cannot serve a page from an earlier one (a
  managed server is also started with both caches off);
- a level above what the backend can run at once (llama.cpp: one page at a time in-process) is
  not run and is reported as such, never faked by queueing;
- memory is sampled on a thread: RSS of this process plus the vLLM server's process tree, and on a
  Jetson jtop's RAM and GPU load.

Qt-free: the CLI and the Compare dialog call :func:`run_benchmark` on a worker thread.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import math
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
from PIL import Image

from ocr_desktop import __version__
from ocr_desktop.backends import memory
from ocr_desktop.backends.base import Backend, BackendError, ProgressFn, Recognition, run_recognition
from ocr_desktop.backends.registry import BACKEND_LABELS, create_backend
from ocr_desktop.bench import samples
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.document import open_document
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import GLM_MAX_PIXELS, PageImage, fit_page
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings, field_info
from ocr_desktop.telemetry.jtop_source import JtopSource
from ocr_desktop.telemetry.psutil_source import ProcessSource

if TYPE_CHECKING:
    from ocr_desktop.layout import LayoutDetector

log = logging.getLogger(__name__)

BackendFactory = Callable[[Settings, str], Backend]

#: A page variant is the page cropped by up to this many pixels on each axis, then resized back.
VARIANT_SHIFT_PX = 15
VARIANTS_PER_PAGE = (VARIANT_SHIFT_PX + 1) ** 2

#: vLLM flags that turn off the caches which would serve repeated pages from memory.
VLLM_NO_CACHE_ARGS = ("--no-enable-prefix-caching", "--mm-processor-cache-gb 0")

#: Seconds between memory samples: short enough to catch the peak of a page's prefill, long
#: enough that sampling (a /proc walk for the server tree) costs the measured runtimes ~nothing.
SAMPLE_INTERVAL_S = 0.25

#: Present on every Jetson (L4T); jtop is only asked there.
JETSON_RELEASE_FILE = Path("/etc/nv_tegra_release")

#: Most pages in flight the settings allow (the ceiling of the memory-derived figure).
MAX_IN_FLIGHT_LIMIT = int(field_info("vllm.max_in_flight").maximum or 1)


class BenchError(Exception):
    """The benchmark cannot run as configured; the message says what to change."""


@dataclass(frozen=True)
class BenchConfig:
    backends: tuple[str, ...] = ("llamacpp", "vllm")
    in_flight: tuple[int, ...] = (1, 2, 4)
    pages: int = 4  # pages per level and round (raised to the level, so every slot gets a page)
    repeats: int = 3
    max_tokens: int = 128
    max_pixels: int | None = None  # pixel budget per page; None = the settings' budget
    documents: tuple[Path, ...] = ()  # empty = the bundled sample pages
    #: "page": each request is a whole page; "layout": each request is one region of a page, as
    #: layout reading sends it (crop and prompt), and counts as its share of that page.
    mode: str = "page"

    def __post_init__(self) -> None:
        if not self.backends:
            raise BenchError(Message("choose at least one backend"))
        if not self.in_flight or min(self.in_flight) < 1:
            raise BenchError(Message("pages in flight must be whole numbers of 1 or more, e.g. 1,2,4"))
        if self.in_flight[0] != 1:
            raise BenchError(
                Message("the in-flight levels must start at 1: it is the single-stream baseline")
            )
        if list(self.in_flight) != sorted(set(self.in_flight)):
            raise BenchError(Message("list the in-flight levels once each, in increasing order, e.g. 1,2,4"))
        if self.pages < 1 or self.repeats < 1 or self.max_tokens < 2:
            raise BenchError(Message("pages and repeats must be at least 1, max tokens at least 2"))
        if self.mode not in ("page", "layout"):
            raise BenchError(
                Message("unknown reading mode {mode}: choose page or layout", mode=repr(self.mode))
            )

    def pages_at(self, level: int) -> int:
        return max(self.pages, level)

    def requests_at(self, level: int, sources: int) -> int:
        """Requests per round: ``pages_at`` pages; in layout mode every region of the ``pages``
        source pages (``sources`` requests), at least one per slot."""
        return max(sources, level) if self.mode == "layout" else self.pages_at(level)


@dataclass(frozen=True)
class Stat:
    """A figure over the rounds: median with the min and max."""

    median: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        return cls(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class RequestRecord:
    """One page read: times are measured here, token counts come from the backend's stats."""

    source_page: int  # index into the benchmark's source pages
    variant: int
    started_s: float  # since the round started
    ttft_s: float
    decode_s: float  # first delta to last delta
    total_s: float
    prompt_tokens: int
    image_tokens: int
    completion_tokens: int
    finish_reason: str
    page_share: float = 1.0  # the part of a page this request read (layout mode: one region)

    @property
    def decode_tokens_per_s(self) -> float:
        if self.completion_tokens < 2 or self.decode_s <= 0:
            return 0.0
        return (self.completion_tokens - 1) / self.decode_s


@dataclass(frozen=True)
class RoundResult:
    """One round of pages at one in-flight level."""

    pages: int
    wall_s: float  # first request started → last page finished
    completion_tokens: int
    pages_per_min: float
    output_tokens_per_s: float  # all streams together
    ttft_p50_s: float
    ttft_p95_s: float
    itl_p50_s: float  # inter-token latency of one stream (decode time / (tokens − 1)), over the pages
    itl_p95_s: float
    decode_tokens_per_s: float  # median over pages of one stream's decode rate
    peak_rss_bytes: int  # this process + the server's process tree
    system_ram_peak_bytes: int | None  # jtop (Jetson): RAM used by everything, GPU included
    gpu_load_mean_percent: float | None  # jtop (Jetson)
    requests: tuple[RequestRecord, ...]


#: The per-round figures summarised as median/min/max (names of RoundResult fields).
ROUND_METRICS = (
    "pages_per_min",
    "output_tokens_per_s",
    "ttft_p50_s",
    "ttft_p95_s",
    "itl_p50_s",
    "itl_p95_s",
    "decode_tokens_per_s",
    "peak_rss_bytes",
    "system_ram_peak_bytes",
    "gpu_load_mean_percent",
)


@dataclass
class LevelResult:
    in_flight: int
    effective_in_flight: int  # what the backend can run at once at this level
    measured: bool  # False: above the backend's limit, not run (same as the limit's level)
    rounds: list[RoundResult] = field(default_factory=list)

    def stat(self, metric: str) -> Stat | None:
        values = [getattr(r, metric) for r in self.rounds]
        if not values or any(v is None for v in values):
            return None
        return Stat.of(values)


@dataclass
class BackendResult:
    id: str
    label: str
    model: str = ""
    max_in_flight: int = 0
    load_s: float | None = None  # load or server start, once
    warmup_s: float | None = None  # the warm-up page, excluded from every other figure
    baseline_rss_bytes: int = 0  # this process before loading
    loaded_rss_bytes: int = 0  # this process + server, loaded and idle after the warm-up
    peak_rss_bytes: int = 0  # highest sample over the whole run of this backend
    available_after_load_bytes: int = 0  # free system memory with the backend loaded and idle
    memory_per_page_bytes: int | None = None  # worst growth above idle per page in flight
    max_in_flight_within_budget: int | None = None
    levels: list[LevelResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def level(self, in_flight: int) -> LevelResult | None:
        return next((lv for lv in self.levels if lv.in_flight == in_flight), None)


@dataclass
class BenchResults:
    config: BenchConfig
    machine: dict[str, object]
    started_at: str
    finished_at: str = ""
    cancelled: bool = False
    backends: list[BackendResult] = field(default_factory=list)


@dataclass(frozen=True)
class BenchPage:
    page: PageImage
    task: Task
    share: float = 1.0  # the part of a page it is (layout mode: 1 / the regions read on its page)


def run_benchmark(
    config: BenchConfig,
    settings: Settings,
    progress: ProgressFn,
    cancel: threading.Event,
    backend_factory: BackendFactory = create_backend,
) -> BenchResults:
    """Measure every configured backend; returns what was measured, also after a cancel.

    Raises BenchError when the pages cannot be prepared (a document that cannot be read, too
    many requests for the distinct variants of too few pages).
    """
    sources = load_pages(config, settings)
    per_backend = 2 + config.repeats * sum(
        config.requests_at(level, len(sources)) for level in config.in_flight
    )
    if per_backend - 1 > VARIANTS_PER_PAGE * len(sources):
        raise BenchError(
            Message(
                "{requests} requests per backend need more distinct pages than {pages} page(s) give "
                "({variants} each): add pages or lower --pages/--repeats",
                requests=per_backend - 1,
                pages=len(sources),
                variants=VARIANTS_PER_PAGE,
            )
        )
    results = BenchResults(config=config, machine=machine_info(), started_at=_now())
    ticker = _Ticker(progress, per_backend * len(config.backends))
    run_settings = bench_settings(settings, config)
    for backend_id in config.backends:
        if cancel.is_set():
            break
        results.backends.append(
            _BackendRun(
                backend_id,
                config=config,
                settings=run_settings,
                sources=sources,
                ticker=ticker,
                cancel=cancel,
                factory=backend_factory,
            ).run()
        )
        ticker.finish_block(per_backend)
    results.cancelled = cancel.is_set()
    results.finished_at = _now()
    progress(Message("benchmark cancelled") if results.cancelled else Message("benchmark finished"), 1.0)
    return results


def bench_settings(settings: Settings, config: BenchConfig) -> Settings:
    """A copy of the settings as the benchmark runs them: vLLM caches off, enough pages in flight.

    ``dataclasses.replace``, not ``Settings.with_value``: the benchmark may run fewer tokens than
    the settings' minimum (a quick run), which is its own choice, not a user's value to check."""
    extra_args = settings.vllm.extra_args
    if settings.vllm.mode == "managed":
        missing = [arg for arg in VLLM_NO_CACHE_ARGS if arg not in extra_args]
        extra_args = " ".join([extra_args, *missing]).strip()
    return dataclasses.replace(
        settings,
        generation=dataclasses.replace(settings.generation, max_tokens=config.max_tokens),
        vllm=dataclasses.replace(settings.vllm, max_in_flight=max(config.in_flight), extra_args=extra_args),
    )


def load_pages(config: BenchConfig, settings: Settings) -> list[BenchPage]:
    """The requests: the first ``config.pages`` pages of the documents, or the bundled samples.

    Documents are read with the settings' DPI, page range and task; each sample page with its own
    task. In layout mode each page becomes its regions to read (``_layout_requests``). Raises
    BenchError with the document's message when one cannot be read.
    """
    max_pixels = config.max_pixels or settings.documents.max_pixels
    if config.documents:
        task = Task(settings.generation.task)
        wanted = [(path, task, settings.documents.pages) for path in config.documents]
    else:
        wanted = [(sample.path, sample.task, "") for sample in samples.SAMPLES]
    layout = config.mode == "layout"
    detector = _detector(settings) if layout else None
    pages: list[BenchPage] = []
    taken = 0
    try:
        for path, task, page_range in wanted:
            # Layout mode crops from the page at the document's DPI, as the pipeline does.
            document = open_document(
                path,
                dpi=settings.documents.dpi,
                max_pixels=GLM_MAX_PIXELS if layout else max_pixels,
                pages=page_range,
            )
            with document.pages() as stream:
                for page in stream:
                    if detector is None:
                        pages.append(BenchPage(page, task))
                    else:
                        pages.extend(_layout_requests(detector, page, task, max_pixels, settings))
                    taken += 1
                    if taken == config.pages:
                        return pages
    except DocumentError as exc:
        raise BenchError(exc.message) from None
    if not pages:
        raise BenchError(Message("the documents have no pages to benchmark"))
    return pages


def _detector(settings: Settings) -> LayoutDetector:
    from ocr_desktop.layout import LayoutError, registry

    try:
        return registry.create_detector(settings.reading.layout_model)
    except LayoutError as exc:
        raise BenchError(exc.message) from None


def _layout_requests(
    detector: LayoutDetector, page: PageImage, task: Task, max_pixels: int, settings: Settings
) -> list[BenchPage]:
    """A page as layout reading sends it: its regions' crops with their prompts, each 1/n of the
    page; a page the plan reads whole (or a table/formula job) as one request, fitted."""
    from ocr_desktop.layout import LayoutError, crop_region, plan_page

    try:
        plan = plan_page(page.image, detector.detect(page.image), settings.reading.keep_furniture)
    except LayoutError as exc:
        raise BenchError(exc.message) from None
    if plan.whole_page or task is not Task.TEXT:
        return [BenchPage(fit_page(page, max_pixels), task)]
    share = 1 / len(plan.read)
    return [
        BenchPage(
            PageImage(
                crop_region(page.image, region.box_1000, max_pixels),
                page.index,
                page.source,
                page.original_size,
            ),
            region_task,
            share,
        )
        for region, region_task in plan.read
    ]


def page_variant(page: PageImage, variant: int) -> PageImage:
    """The page cropped by a few pixels at an offset unique to ``variant``, resized back.

    The model does the same work (same size, same image tokens) on different pixels, so no
    runtime cache keyed on the image or the prompt can answer it from an earlier request.
    """
    if not 0 <= variant < VARIANTS_PER_PAGE:
        raise BenchError(f"page variant {variant} is out of range 0..{VARIANTS_PER_PAGE - 1}")
    width, height = page.image.size
    dx, dy = variant % (VARIANT_SHIFT_PX + 1), variant // (VARIANT_SHIFT_PX + 1)
    box = (dx, dy, width - VARIANT_SHIFT_PX + dx, height - VARIANT_SHIFT_PX + dy)
    image = page.image.crop(box).resize((width, height), Image.Resampling.BILINEAR)
    return PageImage(image=image, index=page.index, source=page.source, original_size=page.original_size)


def machine_info() -> dict[str, object]:
    vm = psutil.virtual_memory()
    return {
        "hostname": platform.node(),
        "machine": platform.machine(),
        "system": platform.platform(),
        "cpu_count": os.cpu_count(),
        "ram_total_bytes": vm.total,
        "ram_available_bytes": vm.available,
        "python": platform.python_version(),
        "app_version": __version__,
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class _Ticker:
    """Turns units of work (a load, a page) into the overall fraction for ``progress``."""

    def __init__(self, progress: ProgressFn, total: int) -> None:
        self._progress = progress
        self._total = max(total, 1)
        self._block_start = 0
        self._done = 0
        self._lock = threading.Lock()

    def step(self, message: str, units: int = 1) -> None:
        with self._lock:
            self._done += units
            fraction = min(self._done / self._total, 1.0)
        self._progress(message, fraction)

    def say(self, message: str) -> None:
        with self._lock:
            fraction = self._done / self._total
        self._progress(message, fraction)

    def finish_block(self, units: int) -> None:
        """Account for a backend's whole block, also when it stopped early."""
        with self._lock:
            self._block_start += units
            self._done = self._block_start


class ResourceMonitor:
    """Samples memory on its own thread: RSS of this process + the server tree, and jtop if there."""

    def __init__(self, server_pids: Callable[[], list[int]] | None) -> None:
        self._processes = ProcessSource(server_pids)
        self._jtop = JtopSource(interval_s=SAMPLE_INTERVAL_S) if JETSON_RELEASE_FILE.exists() else None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)
        self._overall_peak = 0
        self._reset_window()

    def __enter__(self) -> ResourceMonitor:
        if self._jtop is not None:
            self._jtop.open()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._jtop is not None:
            self._jtop.close()

    @property
    def jtop_reason(self) -> str | None:
        """Why there are no jtop figures (None on a Jetson with jtop.service running)."""
        if self._jtop is None:
            return f"not a Jetson ({JETSON_RELEASE_FILE} is absent)"
        return self._jtop.reason

    def rss(self) -> int:
        values = self._processes.read().values
        return int(values["app_rss_bytes"]) + int(values.get("server_rss_bytes", 0))

    @property
    def overall_peak(self) -> int:
        with self._lock:
            return self._overall_peak

    def take_window(self) -> tuple[int, int | None, float | None]:
        """Peak RSS, jtop's peak RAM used and mean GPU load since the last call; starts a new window."""
        with self._lock:
            gpu = statistics.fmean(self._gpu_loads) if self._gpu_loads else None
            window = (self._peak, self._ram_peak, gpu)
            self._reset_window()
        return window

    def _reset_window(self) -> None:
        self._peak = 0
        self._ram_peak: int | None = None
        self._gpu_loads: list[float] = []

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_INTERVAL_S)

    def sample(self) -> None:
        """Take one sample now (also called at the edges of a round shorter than the interval)."""
        rss = self.rss()
        ram = gpu = None
        if self._jtop is not None and self._jtop.available:
            values = self._jtop.read().values
            ram, gpu = values.get("ram_used_bytes"), values.get("gpu_load_percent")
        with self._lock:
            self._peak = max(self._peak, rss)
            self._overall_peak = max(self._overall_peak, rss)
            if ram is not None:
                self._ram_peak = max(self._ram_peak or 0, int(ram))
            if gpu is not None:
                self._gpu_loads.append(float(gpu))


class _BackendRun:
    """Load, warm up and measure one backend; always unloads it."""

    def __init__(
        self,
        backend_id: str,
        *,
        config: BenchConfig,
        settings: Settings,
        sources: list[BenchPage],
        ticker: _Ticker,
        cancel: threading.Event,
        factory: BackendFactory,
    ) -> None:
        self.config = config
        self.settings = settings
        self.sources = sources
        self.ticker = ticker
        self.cancel = cancel
        self.factory = factory
        self.options = GenerationOptions(
            max_tokens=config.max_tokens, repetition_penalty=settings.generation.repetition_penalty
        )
        self.result = BackendResult(id=backend_id, label=BACKEND_LABELS.get(backend_id, backend_id))
        self._requests = 0

    def run(self) -> BackendResult:
        result = self.result
        try:
            backend = self.factory(self.settings, result.id)
        except BackendError as exc:
            result.error = exc.message
            return result
        result.model = backend.model_name
        with ResourceMonitor(backend.server_pids) as monitor:
            result.baseline_rss_bytes = monitor.rss()
            try:
                self._measure(backend, monitor)
            except BackendError as exc:
                log.warning("benchmark of %s failed: %s", result.id, exc.message)
                result.error = exc.message
            finally:
                self.ticker.say(Message("{backend}: unloading", backend=result.label))
                backend.unload()
            result.peak_rss_bytes = monitor.overall_peak
            if monitor.jtop_reason:
                result.notes.append(f"no Jetson RAM/GPU figures — {monitor.jtop_reason}")
        return result

    def _measure(self, backend: Backend, monitor: ResourceMonitor) -> None:
        result = self.result
        estimate = backend.memory_estimate()
        if estimate is not None:
            memory.check_fits(estimate)
        label = result.label
        start = time.perf_counter()
        backend.load(
            lambda message, _fraction: self.ticker.say(
                Message("{backend}: {message}", backend=label, message=message)
            )
        )
        result.load_s = time.perf_counter() - start
        result.max_in_flight = backend.max_in_flight
        self.ticker.step(
            Message("{backend}: loaded in {seconds:.1f} s, warming up", backend=label, seconds=result.load_s)
        )
        if self.cancel.is_set():
            return
        warmup = self._round(backend, 1, 1)
        if warmup is None:
            return
        result.warmup_s = warmup.wall_s
        self.ticker.step(
            Message("{backend}: warm-up page read in {seconds:.1f} s", backend=label, seconds=warmup.wall_s)
        )
        result.loaded_rss_bytes = monitor.rss()
        result.available_after_load_bytes = memory.available_memory_bytes()
        for level in self.config.in_flight:
            if self.cancel.is_set():
                break
            self._level(backend, monitor, level)
        self._memory_budget()

    def _level(self, backend: Backend, monitor: ResourceMonitor, level: int) -> None:
        result = self.result
        effective = min(level, backend.max_in_flight)
        entry = LevelResult(in_flight=level, effective_in_flight=effective, measured=effective == level)
        result.levels.append(entry)
        pages = self.config.requests_at(level, len(self.sources))
        if not entry.measured:
            skipped = self.config.repeats * pages
            self.ticker.step(
                Message(
                    "{backend}: runs {effective} page(s) at a time, not {level}",
                    backend=result.label,
                    effective=effective,
                    level=level,
                ),
                skipped,
            )
            return
        for index in range(self.config.repeats):
            self.ticker.say(
                Message(
                    "{backend}: {level} in flight, round {round}/{rounds}",
                    backend=result.label,
                    level=level,
                    round=index + 1,
                    rounds=self.config.repeats,
                )
            )
            monitor.take_window()
            monitor.sample()
            measured = self._round(backend, level, pages)
            if measured is None:
                return
            monitor.sample()
            peak, ram_peak, gpu_load = monitor.take_window()
            entry.rounds.append(_round_result(measured, peak, ram_peak, gpu_load))

    def _memory_budget(self) -> None:
        """Per-page memory growth from the measured levels → most pages in flight that fit."""
        result = self.result
        growth = [
            (stat.median - result.loaded_rss_bytes) / lv.in_flight
            for lv in result.levels
            if lv.measured and (stat := lv.stat("peak_rss_bytes")) is not None
        ]
        if not growth:
            return
        per_page = max(0, int(max(growth)))
        result.memory_per_page_bytes = per_page
        cap = result.max_in_flight if result.max_in_flight <= 1 else MAX_IN_FLIGHT_LIMIT
        headroom = result.available_after_load_bytes - self.settings.telemetry.low_memory_mb * memory.MIB
        fit = cap if per_page == 0 else int(headroom // per_page)
        result.max_in_flight_within_budget = max(0, min(cap, fit))

    def _round(self, backend: Backend, concurrency: int, count: int) -> _Round | None:
        """Read ``count`` fresh page variants, ``concurrency`` at a time. None when cancelled."""
        jobs = [self._next_page() for _ in range(count)]
        records: list[RequestRecord] = []
        label = self.result.label
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            start = time.perf_counter()
            pending: set[Future[RequestRecord]] = {
                pool.submit(
                    _timed_request, backend, job, options=self.options, cancel=self.cancel, round_start=start
                )
                for job in jobs
            }
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        records.append(future.result())
                        self.ticker.step(
                            Message(
                                "{backend}: {level} in flight, page {page}/{pages}",
                                backend=label,
                                level=concurrency,
                                page=len(records),
                                pages=count,
                            )
                        )
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
            wall = time.perf_counter() - start
        if self.cancel.is_set() or any(r.finish_reason == "cancelled" for r in records):
            return None
        return _Round(records, wall)

    def _next_page(self) -> _BenchJob:
        n = self._requests
        self._requests += 1
        source = n % len(self.sources)
        variant = n // len(self.sources)
        base = self.sources[source]
        return _BenchJob(source, variant, BenchPage(page_variant(base.page, variant), base.task, base.share))


@dataclass(frozen=True)
class _BenchJob:
    source: int  # index into the source pages
    variant: int
    page: BenchPage  # the variant, ready to send


@dataclass(frozen=True)
class _Round:
    records: list[RequestRecord]
    wall_s: float


def _round_result(measured: _Round, peak: int, ram_peak: int | None, gpu_load: float | None) -> RoundResult:
    records = measured.records
    ttfts = [r.ttft_s for r in records]
    itls = [r.decode_s / (r.completion_tokens - 1) for r in records if r.completion_tokens > 1]
    tokens = sum(r.completion_tokens for r in records)
    return RoundResult(
        pages=len(records),
        wall_s=measured.wall_s,
        completion_tokens=tokens,
        pages_per_min=60 * sum(r.page_share for r in records) / measured.wall_s,
        output_tokens_per_s=tokens / measured.wall_s,
        ttft_p50_s=percentile(ttfts, 50),
        ttft_p95_s=percentile(ttfts, 95),
        itl_p50_s=percentile(itls, 50),
        itl_p95_s=percentile(itls, 95),
        decode_tokens_per_s=statistics.median(r.decode_tokens_per_s for r in records),
        peak_rss_bytes=peak,
        system_ram_peak_bytes=ram_peak,
        gpu_load_mean_percent=gpu_load,
        requests=tuple(sorted(records, key=lambda r: r.started_s)),
    )


def _timed_request(
    backend: Backend,
    job: _BenchJob,
    *,
    options: GenerationOptions,
    cancel: threading.Event,
    round_start: float,
) -> RequestRecord:
    """Read one page, stamping every streamed delta."""
    start = time.perf_counter()
    stamps: list[float] = []
    stats = _drain(backend.recognize(job.page.page, job.page.task, options, cancel), stamps)
    end = time.perf_counter()
    first = stamps[0] if stamps else end
    return RequestRecord(
        source_page=job.source,
        variant=job.variant,
        started_s=start - round_start,
        ttft_s=first - start,
        decode_s=(stamps[-1] - first) if stamps else 0.0,
        total_s=end - start,
        prompt_tokens=stats.prompt_tokens,
        image_tokens=stats.image_tokens,
        completion_tokens=stats.completion_tokens,
        finish_reason=stats.finish_reason,
        page_share=job.page.share,
    )


def _drain(recognition: Recognition, stamps: list[float]) -> GenerationStats:
    """Consume a ``recognize`` generator, stamping each delta's arrival; returns its stats."""
    return run_recognition(recognition, lambda _delta: stamps.append(time.perf_counter()))[1]
