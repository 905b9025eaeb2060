"""``ocr-desktop bench [DOCS...]``: compare the backends on this device and write the report.

The benchmark runs on a worker thread; the main thread shows a progress bar and turns Ctrl-C
into a cancel, after which the pages in flight finish, the backend unloads and whatever was
measured is still written.
"""

from __future__ import annotations

import argparse
import datetime
import threading
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.registry import BACKEND_IDS
from ocr_desktop.bench import report
from ocr_desktop.bench.runner import BenchConfig, BenchError, BenchResults, run_benchmark

EXIT_USAGE = 2
EXIT_CANCELLED = 130


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``bench`` subcommand."""
    defaults = BenchConfig()
    parser = subparsers.add_parser(
        "bench",
        help="compare llama.cpp and vLLM on this device",
        description="Run the same pages through each backend at each number of pages in flight and "
        "write results.json, table.md and charts. Without documents, the bundled sample pages are used.",
    )
    parser.add_argument(
        "documents", nargs="*", type=Path, metavar="DOCS", help="documents to read pages from"
    )
    parser.add_argument(
        "--backends",
        default=",".join(defaults.backends),
        help=f"comma-separated backends, of {', '.join(BACKEND_IDS)} (default: %(default)s)",
    )
    parser.add_argument(
        "--in-flight",
        default=",".join(str(n) for n in defaults.in_flight),
        help="comma-separated pages in flight, starting at 1 (default: %(default)s)",
    )
    parser.add_argument(
        "--pages", type=int, default=defaults.pages, help="pages per level and round (default: %(default)s)"
    )
    parser.add_argument(
        "--repeats", type=int, default=defaults.repeats, help="rounds per level (default: %(default)s)"
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=defaults.max_tokens,
        help="most tokens per page (default: %(default)s)",
    )
    parser.add_argument(
        "--max-pixels",
        type=int,
        default=None,
        help="pixel budget per page (default: the settings' documents.max_pixels)",
    )
    parser.add_argument(
        "--mode",
        choices=("page", "layout"),
        default=defaults.mode,
        help="page: each request a whole page; layout: each request one layout region of a page, "
        "with its prompt, counted as its share of the page in pages/min (default: %(default)s)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this run, e.g. --set llamacpp.model_path=/models/glm-ocr.gguf",
    )
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ./bench-<time>)")
    parser.set_defaults(func=run)


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise BenchError(f"{text!r} is not a comma-separated list of whole numbers, e.g. 1,2,4") from None


def _config(args: argparse.Namespace) -> BenchConfig:
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = [b for b in backends if b not in BACKEND_IDS]
    if unknown:
        raise BenchError(f"unknown backend {unknown[0]!r}: choose from {', '.join(BACKEND_IDS)}")
    return BenchConfig(
        backends=backends,
        in_flight=_int_list(args.in_flight),
        pages=args.pages,
        repeats=args.repeats,
        max_tokens=args.max_tokens,
        max_pixels=args.max_pixels,
        documents=tuple(args.documents),
        mode=args.mode,
    )


def _settings(overrides: list[str]) -> settings_mod.Settings:
    settings = settings_mod.load()
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise settings_mod.SettingsError(f"--set {item!r}: write KEY=VALUE")
        settings = settings.with_value(key.strip(), value)
    return settings


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    try:
        config = _config(args)
        settings = _settings(args.set)
    except (BenchError, settings_mod.SettingsError) as exc:
        console.print(f"error: {exc}", markup=False)
        return EXIT_USAGE
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir: Path = args.out or Path(f"bench-{stamp}")
    cancel = threading.Event()
    done = threading.Event()
    outcome: list[BenchResults | BaseException] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("preparing pages", total=1.0)

        def on_progress(message: str, fraction: float) -> None:
            progress.update(task, description=escape(message), completed=max(fraction, 0.0))

        def work() -> None:
            try:
                outcome.append(run_benchmark(config, settings, on_progress, cancel))
            except BaseException as exc:  # handed to the main thread, which reports it
                outcome.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=work, name="bench-worker")
        worker.start()
        # Wait on an Event, not Thread.join(): a Ctrl-C that interrupts join() left the thread
        # marked as stopped while it still ran (CPython 3.11, seen here), losing the results.
        try:
            while not done.wait(0.2):
                pass
        except KeyboardInterrupt:
            cancel.set()
            console.print("cancelling: the pages in flight finish, then the backend unloads…")
            done.wait()
        worker.join()
    result = outcome[0]
    if isinstance(result, BenchError):
        console.print(f"error: {result}", markup=False)
        return EXIT_USAGE
    if isinstance(result, BaseException):
        raise result
    files = report.write_report(result, out_dir)
    Console(soft_wrap=True).print(files.table.read_text(encoding="utf-8"), markup=False, highlight=False)
    written = ", ".join(str(p) for p in (files.results, files.table, *files.charts))
    console.print(f"wrote {written}", markup=False)
    return EXIT_CANCELLED if result.cancelled else 0
