"""Counts of the code, and of what it does at run time, to compare a tree before and after a change.

Run from the repository root (``.venv/bin/python scripts/code_stats.py [MEASURE ...]``); with no
MEASURE the cheap ones run (``structure``). ``--tree PATH`` measures another checkout of the
project (e.g. ``git worktree add /work/wt/base 2510028``) with this script: the measurements
only use what both trees have, and import that tree's ``ocr_desktop`` and ``tests`` (the printed
``measuring`` line says which).

Measures (``--list`` prints them):

- ``structure``: the longest modules, the classes with the most methods and lines, the longest
  functions, and class names used twice (static, from the source; stdlib only).
- ``formatter-passes``: result-formatter passes for one layout page with a figure, read through
  the pipeline (scripted backend, CDLA layout) and exported as txt + md + json.
- ``decodes``: image decodes (Pillow tile loads) of a single-image page from drop to display in
  a real offscreen window (scripted backend), by the app function that asked.
- ``restore-queue``: time and store reads to restore a queue of 200 finished layout documents
  (two pages each, a figure crop per page) when the window starts.
- ``store-reads``: SQL reads (``SELECT`` statements, counted with sqlite3's trace callback) per
  page of a real layout run: the generated tiny GLM-OCR model on llama.cpp, the CDLA layout
  model, a drawn page with header, title, columns, a table, a formula and a figure; through the
  pipeline alone, and through ``ocr-desktop ocr`` (which adds its listener and the export).
  Four a page (one page per document) since issue 18 stored each page's text lines (dabc0e9;
  three before): ``create_jobs``, ``job`` (how the job ended), ``page_regions`` (a plan left by
  an earlier run) and ``page_lines`` (lines stored earlier: by the lite engine's result or a
  searchable-PDF export, reused when the page is read again). The last two find nothing on a
  first reading, but a resumed or re-read page needs them.

A function's length is its source lines from ``def`` (decorators included) to its last line;
methods count on their own, and a nested function counts inside its parent too. A class's
methods are the functions defined directly in its body.

Add a measure by writing ``def measure_x(ctx: Context) -> None`` and decorating it with
``@measure("x", "what it counts")``; it prints its own lines.
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import dataclasses
import functools
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Context:
    root: Path  # the checkout measured
    top: int  # how many entries of each list to print

    @property
    def package(self) -> Path:
        return self.root / "ocr_desktop"


Measure = Callable[[Context], None]
MEASURES: dict[str, tuple[str, Measure]] = {}


def measure(name: str, help_text: str) -> Callable[[Measure], Measure]:
    def register(fn: Measure) -> Measure:
        MEASURES[name] = (help_text, fn)
        return fn

    return register


# -- structure ----------------------------------------------------------------------------------


def function_lengths(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = path.relative_to(root).as_posix()
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                assert child.end_lineno is not None
                found.append((child.end_lineno - first + 1, f"{module}:{child.lineno} {prefix}{child.name}"))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


@dataclasses.dataclass(frozen=True)
class ClassStats:
    name: str
    where: str  # module:line
    methods: int
    lines: int


def class_stats(path: Path, root: Path) -> list[ClassStats]:
    module = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            methods = sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in node.body)
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            found.append(
                ClassStats(node.name, f"{module}:{node.lineno}", methods, node.end_lineno - first + 1)
            )
    return found


@measure("structure", "longest modules, classes (methods, lines) and functions; class names used twice")
def measure_structure(ctx: Context) -> None:
    files = sorted(ctx.package.rglob("*.py"))
    base = ctx.package.parent
    modules = sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), p.relative_to(base).as_posix()) for p in files),
        reverse=True,
    )
    classes = [c for path in files for c in class_stats(path, base)]
    functions = sorted((f for path in files for f in function_lengths(path, base)), reverse=True)
    print(f"longest modules (lines), of {len(modules)}:")
    for lines, name in modules[: ctx.top]:
        print(f"  {lines:5d}  {name}")
    print(f"classes with the most methods (methods, lines), of {len(classes)}:")
    for c in sorted(classes, key=lambda c: (c.methods, c.lines), reverse=True)[: ctx.top]:
        print(f"  {c.methods:5d} {c.lines:5d}  {c.where} {c.name}")
    print("longest classes (lines, methods):")
    for c in sorted(classes, key=lambda c: (c.lines, c.methods), reverse=True)[: ctx.top]:
        print(f"  {c.lines:5d} {c.methods:5d}  {c.where} {c.name}")
    print(f"longest functions (lines), of {len(functions)}:")
    for lines, name in functions[: ctx.top]:
        print(f"  {lines:5d}  {name}")
    by_name: dict[str, list[str]] = collections.defaultdict(list)
    for c in classes:
        by_name[c.name].append(c.where)
    twice = {name: where for name, where in sorted(by_name.items()) if len(where) > 1}
    print(f"class names used more than once: {len(twice)}")
    for name, where in twice.items():
        print(f"  {name}: {', '.join(where)}")


# -- store reads ----------------------------------------------------------------------------------


class ReadCounter:
    """Counts the SELECT statements of every sqlite3 connection opened while it is installed, by
    the JobStore method (or the caller) that ran them."""

    def __init__(self) -> None:
        self.by_caller: collections.Counter[str] = collections.Counter()
        self.counting = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        original = sqlite3.connect

        def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
            connection = original(*args, **kwargs)  # type: ignore[call-overload]
            connection.set_trace_callback(self._trace)
            return connection  # type: ignore[no-any-return]

        sqlite3.connect = connect  # type: ignore[assignment]
        try:
            yield
        finally:
            sqlite3.connect = original

    def _trace(self, statement: str) -> None:
        if not self.counting or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        frame = sys._getframe(1)
        caller = "?"
        while frame is not None:
            code = frame.f_code
            in_store = Path(code.co_filename).parts[-2:] == ("core", "store.py")
            if in_store and not code.co_name.startswith(("_", "<")):
                caller = f"JobStore.{code.co_name}"
                break
            frame = frame.f_back  # type: ignore[assignment]
        with self._lock:
            self.by_caller[caller] += 1

    @property
    def total(self) -> int:
        return sum(self.by_caller.values())


def _layout_fixture(tmp: Path) -> tuple[object, Path]:
    """The settings of tests/test_layout_pipeline.py's layout run, and its drawn page as a PNG."""
    from ocr_desktop.settings import Settings
    from tests.fixtures.layout import draw_page
    from tests.fixtures.model import build_test_model, llamacpp_settings_for

    s: Settings = llamacpp_settings_for(build_test_model())
    settings = dataclasses.replace(
        s,
        reading=dataclasses.replace(s.reading, mode="layout", layout_model="cdla"),
        generation=dataclasses.replace(s.generation, max_tokens=6),
        documents=dataclasses.replace(s.documents, max_pixels=50_176),
    )
    page, _parts = draw_page()
    png = tmp / "drawn.png"
    page.save(png)
    return settings, png


def _print_reads(what: str, counter: ReadCounter, pages: int) -> None:
    print(f"  {what}: {counter.total} reads for {pages} page(s) = {counter.total / pages:.1f} per page")
    for caller, count in counter.by_caller.most_common():
        print(f"    {count:4d}  {caller}")


@measure("store-reads", "SQL reads per layout page, through the pipeline and the ocr command (tiny model)")
def measure_store_reads(ctx: Context) -> None:
    from ocr_desktop.core.store import JobStatus, JobStore
    from ocr_desktop.pipeline import Pipeline

    pages = 2
    print("store reads per layout page (tiny GLM-OCR model on llama.cpp, CDLA layout, drawn page):")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        settings, png = _layout_fixture(tmp)
        copies = [png.with_name(f"drawn-{i}.png") for i in range(pages)]
        for copy in copies:
            copy.write_bytes(png.read_bytes())
        counter = ReadCounter()
        with counter.installed():
            store = JobStore(tmp / "jobs.sqlite3")
            pipeline = Pipeline(store, settings)  # type: ignore[arg-type]
            pipeline.start()
            counter.counting = True
            started = time.monotonic()
            job_ids = [pipeline.submit(copy) for copy in copies]
            if not pipeline.wait_idle(600):
                raise SystemExit("the layout run did not finish in 10 minutes")
            counter.counting = False
            pipeline.shutdown()
            statuses = [store.job(job_id).status for job_id in job_ids]  # type: ignore[union-attr]
            store.close()
        if any(status is not JobStatus.DONE for status in statuses):
            raise SystemExit(f"the layout run did not read every page: {statuses}")
        _print_reads(f"pipeline ({time.monotonic() - started:.1f} s)", counter, pages)
        counter = ReadCounter()
        with counter.installed():
            status = _run_ocr_command(tmp, settings, copies, counter)
        if status != 0:
            raise SystemExit(f"ocr-desktop ocr exited with {status}")
        _print_reads("ocr-desktop ocr (store, listener, export)", counter, pages)


def _run_ocr_command(tmp: Path, settings: object, documents: list[Path], counter: ReadCounter) -> int:
    """``ocr-desktop ocr`` in this process on ``documents`` with ``settings`` (not saved: the
    loaded settings are replaced, as the file would hold values under the schema's minimum)."""
    from ocr_desktop import settings as settings_mod

    loaded = settings_mod.LoadedSettings(settings, [], tmp / "settings.toml")  # type: ignore[arg-type]
    environ = {key: str(tmp / key) for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    saved_env = {key: os.environ.get(key) for key in environ}
    saved_load = settings_mod.load_file
    os.environ.update(environ)
    settings_mod.load_file = lambda path=None: loaded  # type: ignore[assignment]
    try:
        from ocr_desktop.cli import main

        counter.counting = True
        out = tmp / "out"
        with Path(os.devnull).open("w") as devnull, contextlib.redirect_stdout(devnull):
            return main(["ocr", *map(str, documents), "--no-resume", "--out", str(out), "--format", "md"])
    finally:
        counter.counting = False
        settings_mod.load_file = saved_load
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- formatter passes, decodes, queue restore (the GUI side of issue 19) ---------------------------


class PassCounter:
    """Counts the result formatter's passes: each ``format_page`` / ``assemble_regions`` renders
    its blocks once (``formatter._render``), in either tree."""

    def __init__(self) -> None:
        self.count = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        from ocr_desktop.core import formatter

        original = formatter._render  # type: ignore[attr-defined]

        def counting(blocks: object) -> object:
            self.count += 1
            return original(blocks)

        formatter._render = counting  # type: ignore[attr-defined]
        try:
            yield
        finally:
            formatter._render = original  # type: ignore[attr-defined]


def _scripted_layout_settings(tmp: Path) -> tuple[object, Path]:
    """Layout reading of a drawn page (header, title, columns, table, formula, figure; the CDLA
    model) with the tests' scripted backend standing in for the model."""
    from ocr_desktop.settings import Settings
    from tests.fixtures.layout import draw_page

    settings = Settings().with_value("reading.mode", "layout").with_value("reading.layout_model", "cdla")
    page, _parts = draw_page()
    png = tmp / "drawn.png"
    page.save(png)
    return settings, png


@measure("formatter-passes", "formatter passes for one layout page committed, then exported as txt+md+json")
def measure_formatter_passes(ctx: Context) -> None:
    from ocr_desktop.core.store import JobStatus, JobStore
    from ocr_desktop.exporters import export_documents
    from ocr_desktop.pipeline import Pipeline, PipelineListener
    from ocr_desktop.settings import ExportSettings
    from tests.backends import ScriptedBackend

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        settings, png = _scripted_layout_settings(tmp)
        store = JobStore(tmp / "jobs.sqlite3")
        backend = ScriptedBackend()
        passes = PassCounter()
        with passes.installed():
            pipeline = Pipeline(store, settings, PipelineListener(), lambda _settings: backend)  # type: ignore[arg-type]
            pipeline.start()
            job_id = pipeline.submit(png)
            if not pipeline.wait_idle(600):
                raise SystemExit("the layout run did not finish in 10 minutes")
            pipeline.shutdown()
            committed = passes.count
            document = store.document_result(job_id)
            report = export_documents(
                [document], ExportSettings(formats=("txt", "md", "json"), out_dir=str(tmp / "out"))
            )
        status = store.job(job_id).status  # type: ignore[union-attr]
        store.close()
        if status is not JobStatus.DONE or report.failed or len(report.written) != 3:
            raise SystemExit(f"the run or the export failed: {status}, {report.failed}")
        figures = sum(1 for r in document.pages[0].regions if r.image_png)
        print(
            f"formatter passes, one layout page ({len(document.pages[0].regions)} regions, {figures} figure):"
        )
        print(f"  read and committed: {committed}")
        print(f"  exported as txt + md + json: {passes.count - committed}")
        print(f"  total: {passes.count}")


class DecodeCounter:
    """Counts image decodes: ``ImageFile.load`` calls that still have tiles to decode (a header
    read by ``Image.open`` is no decode), by where they were called from."""

    def __init__(self) -> None:
        self.by_caller: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        from PIL import ImageFile

        original = ImageFile.ImageFile.load
        counter = self

        def load(image: ImageFile.ImageFile) -> object:
            if image.tile:
                counter._count()
            return original(image)

        ImageFile.ImageFile.load = load  # type: ignore[method-assign]
        try:
            yield
        finally:
            ImageFile.ImageFile.load = original  # type: ignore[method-assign]

    def _count(self) -> None:
        frame = sys._getframe(2)
        caller = "?"
        while frame is not None:
            path = Path(frame.f_code.co_filename)
            if "ocr_desktop" in path.parts:
                inside = path.parts[path.parts.index("ocr_desktop") :]
                caller = f"{'/'.join(inside)}:{frame.f_code.co_name}"
                if inside[1] not in ("documents", "core"):
                    break  # the caller outside the document code says who wanted the image
            frame = frame.f_back  # type: ignore[assignment]
        with self._lock:
            self.by_caller[caller] += 1


@contextlib.contextmanager
def _isolated_user_dirs(tmp: Path) -> Iterator[None]:
    """The data, config and state folders under ``tmp`` (the window's store, QSettings, logs)."""
    environ = {key: str(tmp / key) for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    environ["QT_QPA_PLATFORM"] = "offscreen"
    saved = {key: os.environ.get(key) for key in environ}
    os.environ.update(environ)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _window(store: object, settings: object, backend: object | None = None) -> object:
    """The main window as the GUI tests build it (psutil gauges only, a scripted backend)."""
    from PySide6.QtWidgets import QApplication

    from ocr_desktop.gui.main_window import MainWindow
    from ocr_desktop.telemetry.psutil_source import PsutilSource
    from ocr_desktop.telemetry.sampler import Sampler

    QApplication.instance() or QApplication(["code_stats"])
    factory = None if backend is None else (lambda _settings: backend)
    return MainWindow(
        settings,  # type: ignore[arg-type]
        store,  # type: ignore[arg-type]
        backend_factory=factory,  # type: ignore[arg-type]
        sampler=Sampler(settings.telemetry, sources=[PsutilSource()]),  # type: ignore[attr-defined]
    )


def _wait(condition: Callable[[], bool], timeout_s: float = 300.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.002)


def _close(window: object) -> None:
    window.shutdown()  # type: ignore[attr-defined]
    window.deleteLater()  # type: ignore[attr-defined]


@measure("decodes", "image decodes of a single-image page from drop to display, in a real window")
def measure_decodes(ctx: Context) -> None:
    from PIL import Image

    from tests.backends import ScriptedBackend

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        png = tmp / "page.png"
        Image.new("RGB", (1200, 1600), "white").save(png)
        with Image.open(png) as image:  # a page with ink (a blank page is refused)
            image.load()
            page = image.copy()
        for y in range(200, 1400, 40):
            page.paste((0, 0, 0), (100, y, 1100, y + 12))
        page.save(png)
        with _isolated_user_dirs(tmp):
            from ocr_desktop.core.store import JobStore
            from ocr_desktop.settings import Settings

            store = JobStore(tmp / "jobs.sqlite3")
            window = _window(store, Settings().with_value("reading.mode", "page"), ScriptedBackend())
            counter = DecodeCounter()
            with counter.installed():
                (job_id,) = window.add_paths([png])  # type: ignore[attr-defined]
                view = window.reading_view  # type: ignore[attr-defined]
                row = window.queue_model  # type: ignore[attr-defined]
                _wait(lambda: (r := row.job(job_id)) is not None and r.status.finished)
                _wait(lambda: view.job_id == job_id and view.page_view.has_image())
                for _ in range(50):  # what the window does right after showing it
                    from PySide6.QtWidgets import QApplication

                    QApplication.processEvents()
                    time.sleep(0.01)
            _close(window)
            store.close()
    total = sum(counter.by_caller.values())
    print(f"decodes of a single-image page, drop to display (page mode, scripted backend): {total}")
    for caller, count in counter.by_caller.most_common():
        print(f"  {count:4d}  {caller}")
    # Two on purpose: the read (at reading resolution, on the worker) and the display (on
    # demand, on the renderer's worker); docs/architecture.md, "Decodes of a page".
    verdict = "as designed" if total == 2 else "NOT the 2 docs/architecture.md explains"
    print(f"  expected 2 (one read, one display): {verdict}")


def _fill_store(store: object, tmp: Path, documents: int) -> None:
    """``documents`` finished layout documents of two pages, each page with a figure crop. Each
    source is a real two-page PDF (a copy of one), so the page the window shows first renders;
    a stand-in that is no document made every run log "cannot show page 1 … is a text file"."""
    import io

    from PIL import Image, ImageDraw

    from ocr_desktop.core.results import PageResult, RegionResult
    from ocr_desktop.core.store import JobOptions, JobStatus

    buffer = io.BytesIO()
    Image.effect_noise((320, 240), 64).convert("RGB").save(buffer, format="PNG")
    figure_png = buffer.getvalue()
    text = "A paragraph of the page, as the model read it. " * 40
    scans = []
    for page in range(2):
        scan = Image.new("L", (620, 877), "white")  # A4 at 75 DPI
        ImageDraw.Draw(scan).text((60, 60), f"Page {page + 1}: {text[:60]}", fill="black")
        scans.append(scan)
    pdf = io.BytesIO()
    scans[0].save(pdf, "PDF", save_all=True, append_images=scans[1:], resolution=75, title="scan")
    for number in range(documents):
        source = tmp / f"scan-{number:03d}.pdf"
        source.write_bytes(pdf.getvalue())
        job_id = store.create_job(source, source.name, 2, None, JobOptions(mode="layout"))  # type: ignore[attr-defined]
        for page in range(2):
            regions = (
                RegionResult(
                    0, "title", "text", (0, 0, 10, 10), (0, 0, 1000, 50), 0.9, "text", f"Title {number}"
                ),
                RegionResult(1, "text", "text", (0, 0, 10, 10), (0, 60, 1000, 400), 0.9, "text", text),
                RegionResult(
                    2, "figure", "figure", (0, 0, 10, 10), (0, 400, 1000, 800), 0.9, "", image_png=figure_png
                ),
            )
            store.save_page_plan(job_id, page, "cdla", regions)  # type: ignore[attr-defined]
            for region in regions[:2]:
                store.save_region_result(job_id, page, region)  # type: ignore[attr-defined]
            result = PageResult(page, text, "text", "llamacpp", "m", regions=regions, layout="cdla")
            store.save_page_result(job_id, result)  # type: ignore[attr-defined]
        store.set_job_status(job_id, JobStatus.DONE)  # type: ignore[attr-defined]


def _restored(window: object, documents: int) -> bool:
    # the queue controller's flag; a tree before it kept the flag on the window
    restoring = window.queue.restoring if hasattr(window, "queue") else window.restoring  # type: ignore[attr-defined]
    return window.queue_model.rowCount() == documents and not restoring  # type: ignore[attr-defined]


@measure("restore-queue", "time and store reads to restore a queue of 200 finished documents at startup")
def measure_restore_queue(ctx: Context) -> None:
    documents = 200
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with _isolated_user_dirs(tmp):
            from ocr_desktop.core.store import JobStore
            from ocr_desktop.settings import Settings

            store = JobStore(tmp / "jobs.sqlite3")
            _fill_store(store, tmp, documents)
            store.close()
            size = (tmp / "jobs.sqlite3").stat().st_size
            counter = ReadCounter()
            timings = []
            for _run in range(3):
                with counter.installed():
                    store = JobStore(tmp / "jobs.sqlite3")
                    counter.by_caller.clear()
                    counter.counting = True
                    started = time.perf_counter()
                    window = _window(store, Settings().with_value("reading.mode", "page"))
                    _wait(functools.partial(_restored, window, documents))
                    timings.append(time.perf_counter() - started)
                    counter.counting = False
                    _close(window)
                    store.close()
    print(
        f"restoring a queue of {documents} finished layout documents (2 pages each, a figure per page; "
        f"store {size / 1e6:.1f} MB), window built to queue shown and resumed:"
    )
    print(f"  time: best {min(timings):.2f} s of {len(timings)} ({', '.join(f'{t:.2f}' for t in timings)})")
    print(f"  store reads (last run): {counter.total} for {documents} documents")
    for caller, count in counter.by_caller.most_common():
        print(f"    {count:4d}  {caller}")


# -- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="measures: " + ", ".join(MEASURES)
    )
    parser.add_argument("measures", nargs="*", metavar="MEASURE", help="default: structure; 'all' for all")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("-n", type=int, default=10, help="how many of each list to print (default 10)")
    parser.add_argument("--list", action="store_true", help="list the measures and exit")
    args = parser.parse_args()
    if args.list:
        for name, (help_text, _fn) in MEASURES.items():
            print(f"{name}: {help_text}")
        return 0
    names = list(MEASURES) if args.measures == ["all"] else args.measures or ["structure"]
    unknown = [name for name in names if name not in MEASURES]
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}; known: {', '.join(MEASURES)}")
    root = args.tree.resolve()
    sys.path.insert(0, str(root))  # the tree's ocr_desktop and tests, before any installed copy
    import ocr_desktop

    print(f"measuring {Path(ocr_desktop.__file__).parent} (commit {_commit(root)})")
    ctx = Context(root, args.n)
    for name in names:
        MEASURES[name][1](ctx)
    return 0


def _commit(root: Path) -> str:
    import subprocess

    try:
        return subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h"], capture_output=True, text=True, check=True
        ).stdout.strip() + (" + changes" if _dirty(root) else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _dirty(root: Path) -> bool:
    import subprocess

    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(status.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())
