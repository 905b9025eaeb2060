"""Benchmark of the document layer: rendering speed against poppler alone, and memory while a long
PDF streams through the real pipeline.

1. Speed: a 100-page PDF (scanned-style pages at 150 DPI) rendered at the same DPI by
   - ``pdftoppm`` alone, writing to a pipe that is thrown away (the baseline),
   - the app's ``Document.pages()`` (pages fitted to the pixel budget, as PIL images),
   - the app's ``Document.render_page(i)`` for i = 0, 1, … (how the pipeline asks for pages),
   - ``pdf2image.convert_from_path`` one page at a time (the alternative that was not chosen).
   Each is run ``--repeats`` times, interleaved, and the best run counts (the machine is shared).
   Wall-clock pages/s is the target; CPU seconds (process + children) are printed beside it
   because they show the app's own overhead even when other work slows the wall clock.
2. Memory: the real ``Pipeline`` reads a 300-page PDF with a backend that answers instantly; the
   process's RSS (and its peak) is sampled when page 30 and page 300 finish. Flat means the growth
   from page 30 to page 300 is under 10 %.

Run from the repository root: ``.venv/bin/python scripts/bench_render.py``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.backends.base import MemoryEstimate, ProgressFn  # noqa: E402
from ocr_desktop.core.results import GenerationStats, PageResult  # noqa: E402
from ocr_desktop.core.store import JobStore  # noqa: E402
from ocr_desktop.core.tasks import GenerationOptions, Task  # noqa: E402
from ocr_desktop.documents.document import open_document  # noqa: E402
from ocr_desktop.documents.pages import PageImage  # noqa: E402
from ocr_desktop.pipeline import Pipeline, PipelineListener  # noqa: E402
from ocr_desktop.settings import Settings  # noqa: E402

DPI = 150


def make_pdf_in_child(path: Path, pages: int) -> None:
    """Pillow holds every page while writing a PDF; doing it in a child keeps that memory out of
    this process's peak RSS."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from tests.fixtures.files import make_pdf;"
        "make_pdf(Path(sys.argv[2]), int(sys.argv[3]), image_dpi=150)"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(path), str(pages)], check=True)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pdftoppm, pdfinfo)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], int]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and pages of one run."""
    start, cpu = time.perf_counter(), cpu_seconds()
    pages = run()
    return time.perf_counter() - start, cpu_seconds() - cpu, pages


def run_pdftoppm(pdf: Path) -> int:
    subprocess.run(["pdftoppm", "-r", str(DPI), str(pdf)], stdout=subprocess.DEVNULL, check=True)
    return int(open_document(pdf).page_count)


def run_pages(pdf: Path) -> int:
    document = open_document(pdf, dpi=DPI)
    return sum(1 for page in document.pages() if page.image.size[0] > 0)


def run_render_page(pdf: Path) -> int:
    document = open_document(pdf, dpi=DPI)
    return sum(1 for i in document.page_indices if document.render_page(i).image.size[0] > 0)


def run_pdf2image(pdf: Path) -> int:
    from pdf2image import convert_from_path

    count = open_document(pdf).page_count
    for number in range(1, count + 1):
        convert_from_path(pdf, dpi=DPI, first_page=number, last_page=number)[0].load()
    return count


def speed(pdf: Path, repeats: int) -> None:
    contenders: dict[str, Callable[[Path], int]] = {
        "pdftoppm alone (baseline)": run_pdftoppm,
        "app Document.pages()": run_pages,
        "app render_page(i) in order": run_render_page,
        "pdf2image, one call per page": run_pdf2image,
    }
    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}
    pages = 0
    for _ in range(repeats):
        for name, run in contenders.items():
            seconds, cpu, pages = timed(lambda run=run: run(pdf))  # type: ignore[misc]
            best[name] = min(best.get(name, seconds), seconds)
            best_cpu[name] = min(best_cpu.get(name, cpu), cpu)
    baseline = "pdftoppm alone (baseline)"
    print(f"\nRendering {pages} pages at {DPI} DPI, best of {repeats} (CPU = this process + children):")
    for name, seconds in best.items():
        ratio, cpu_ratio = best[baseline] / seconds, best_cpu[baseline] / best_cpu[name]
        print(
            f"  {name:30s} wall {seconds:6.2f} s {pages / seconds:5.1f} pages/s ratio {ratio:4.2f}"
            f" | CPU {best_cpu[name]:6.2f} s ratio {cpu_ratio:4.2f}"
        )


class InstantBackend:
    """Answers every page at once with a few words: only the app's own work is measured."""

    id = "instant"
    model_name = "instant"
    max_in_flight = 1

    def memory_estimate(self) -> MemoryEstimate | None:
        return None

    def load(self, progress: ProgressFn) -> None:
        progress("ready", 1.0)

    def unload(self) -> None:
        pass

    def server_pids(self) -> list[int]:
        return []

    def metrics(self) -> None:
        return None

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Generator[str, None, GenerationStats]:
        yield f"Page {page.index + 1} ({page.image.width}x{page.image.height})"
        return GenerationStats(completion_tokens=1, total_s=0.0, finish_reason="stop")


class RssProbe(PipelineListener):
    """Samples memory when chosen pages finish (on the pipeline's thread)."""

    def __init__(self, at: tuple[int, ...]) -> None:
        self.at = at
        self.done = 0
        self.samples: dict[int, tuple[int, int, int]] = {}
        self.process = psutil.Process()

    def page_finished(self, job_id: str, result: PageResult) -> None:
        self.done += 1
        if self.done in self.at:
            children = sum(child.memory_info().rss for child in self.process.children(recursive=True))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
            self.samples[self.done] = (self.process.memory_info().rss, peak, children)


def memory(pdf: Path, folder: Path) -> None:
    settings = Settings().with_value("documents.dpi", DPI)
    probe = RssProbe((30, 300))
    store = JobStore(folder / "jobs.sqlite")
    pipeline = Pipeline(store, settings, probe, backend_factory=lambda _settings: InstantBackend())
    pipeline.start()
    start = time.perf_counter()
    try:
        pipeline.submit(pdf)
        if not pipeline.wait_idle(timeout=3600):
            raise SystemExit("the pipeline did not finish within an hour")
    finally:
        pipeline.shutdown()
        store.close()
    seconds = time.perf_counter() - start
    mib = 1 << 20
    print(f"\nPipeline over a {probe.done}-page PDF at {DPI} DPI with an instant backend: {seconds:.1f} s")
    for page, (rss, peak, children) in sorted(probe.samples.items()):
        print(
            f"  after page {page:3d}: RSS {rss / mib:7.1f} MiB, peak RSS {peak / mib:7.1f} MiB, "
            f"pdftoppm {children / mib:5.1f} MiB"
        )
    (rss30, peak30, _), (rss300, peak300, _) = probe.samples[30], probe.samples[300]
    print(
        f"  growth page 30 → 300: RSS {100 * (rss300 / rss30 - 1):+.1f} %, "
        f"peak RSS {100 * (peak300 / peak30 - 1):+.1f} % (target: under 10 %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3, help="speed runs per contender (best counts)")
    parser.add_argument("--skip-memory", action="store_true", help="only the speed comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        folder = Path(tmp)
        hundred = folder / "hundred.pdf"
        make_pdf_in_child(hundred, 100)
        speed(hundred, args.repeats)
        if not args.skip_memory:
            long_pdf = folder / "three-hundred.pdf"
            subprocess.run(
                ["qpdf", "--empty", "--pages", hundred, hundred, hundred, "--", long_pdf], check=True
            )
            memory(long_pdf, folder)


if __name__ == "__main__":
    main()
