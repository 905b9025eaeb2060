"""``ocr-desktop``: the window with no arguments; ``ocr``, ``models``, ``bench``, ``doctor`` subcommands.

Each subcommand lives in the module that owns the feature and registers itself through an
``add_parser(subparsers)`` function that sets ``func`` on its parser. ``ocr`` and ``doctor`` are
here: both are thin layers over the pipeline, the store, the registry and the settings schema
(flags take their help text and limits from the schema, so the CLI and the settings dialog
agree).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr_desktop import __version__, paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.bench import cli as bench_cli
from ocr_desktop.core.documents import FoundPath, display_path, scan_paths
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobRecord, JobStore, StoreError
from ocr_desktop.logs import setup_logging
from ocr_desktop.models import cli as models_cli
from ocr_desktop.pipeline import Pipeline, PipelineListener

#: Exit statuses of ``ocr``.
EXIT_OK = 0
EXIT_FAILED = 1  # a file or page could not be read, or an output could not be written
EXIT_USAGE = 2  # bad flags or settings (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # Ctrl-C: the pipeline was shut down, finished pages are kept

#: ``ocr`` flags that override one setting each: dest → settings key.
OCR_OVERRIDES = {
    "backend": "backend",
    "task": "generation.task",
    "mode": "reading.mode",
    "pages": "documents.pages",
    "dpi": "documents.dpi",
    "max_pixels": "documents.max_pixels",
    "formats": "export.formats",
    "out": "export.out_dir",
    "combined": "export.combined",
    "overwrite": "export.overwrite",
    "numbered": "export.numbered",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocr-desktop",
        usage="%(prog)s [-h] [--version] [-v] [COMMAND ... | FILE ...]",
        description=(
            "Desktop OCR with GLM-OCR on llama.cpp or vLLM. Without a command, opens the window; "
            "files given instead of a command are queued there (or handed to the window already open)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more on the console (-vv: debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", prog=parser.prog)
    _add_ocr_parser(subparsers)
    _add_doctor_parser(subparsers)
    models_cli.add_parser(subparsers)
    bench_cli.add_parser(subparsers)
    parser.set_defaults(commands=frozenset(subparsers.choices))
    return parser


#: Qt's own command-line options that take a value (QGuiApplication strips them; they are no files).
_QT_OPTIONS_WITH_VALUE = frozenset(
    (
        "-platform",
        "-platformpluginpath",
        "-platformtheme",
        "-plugin",
        "-qwindowgeometry",
        "-qwindowtitle",
        "-qwindowicon",
        "-display",
        "-style",
        "-stylesheet",
        "-session",
        "-name",
        "-title",
        "-geometry",
    )
)


def gui_files(args: Sequence[str]) -> list[Path]:
    """The files among the window's arguments (``ocr-desktop-gui %F`` from the .desktop entry)."""
    files: list[Path] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _QT_OPTIONS_WITH_VALUE
        else:
            files.append(Path(arg))
    return files


def _names_a_file(arg: str) -> bool:
    """A file (there, or looking like one: a suffix or a folder in it) rather than a mistyped
    command, which argparse then reports."""
    path = Path(arg)
    return path.exists() or bool(path.suffix) or len(path.parts) > 1


def main_gui(argv: Sequence[str] | None = None) -> int:
    from ocr_desktop.gui.app import run  # sets up logging with the GUI's own hooks

    argv = list(sys.argv if argv is None else argv)
    return run(argv, gui_files(argv[1:]))


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    first = next((a for a in given if not a.startswith("-")), None)
    if first is not None and first not in parser.get_default("commands") and _names_a_file(first):
        return main_gui([parser.prog, *given])  # `ocr-desktop scan.pdf`: open the window on it
    args = parser.parse_args(given)
    if args.command is None:
        return main_gui([parser.prog])
    setup_logging(args.verbose)
    return int(args.func(args))


# -- ocr -----------------------------------------------------------------------------------------


def _help(key: str) -> str:
    return settings_mod.field_info(key).help.replace("%", "%%")


def _add_ocr_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ocr_desktop.backends.registry import BACKEND_IDS
    from ocr_desktop.core.tasks import Task

    p = subparsers.add_parser(
        "ocr",
        help="read documents and export their text",
        description="Read every page of the documents (folders are walked) and write the text beside each "
        "document or into --out. Flags override the settings file. A run that was interrupted continues "
        "where it stopped when the same command is run again.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="documents or folders")
    p.add_argument("--backend", choices=BACKEND_IDS, help=_help("backend"))
    p.add_argument("--task", choices=[t.value for t in Task], help=_help("generation.task"))
    p.add_argument("--mode", choices=("layout", "page"), help=_help("reading.mode"))
    p.add_argument("--pages", metavar="RANGE", help=_help("documents.pages"))
    p.add_argument("--dpi", type=int, help=_help("documents.dpi"))
    p.add_argument("--max-pixels", type=int, metavar="N", help=_help("documents.max_pixels"))
    p.add_argument(
        "--format",
        dest="formats",
        metavar="FMT[,FMT]",
        help="txt, md, json, pdf (searchable PDF) and/or hocr, comma-separated",
    )
    p.add_argument("--out", metavar="DIR", help=_help("export.out_dir"))
    p.add_argument("--combined", action="store_const", const=True, help=_help("export.combined"))
    p.add_argument("--overwrite", action="store_const", const=True, help=_help("export.overwrite"))
    p.add_argument("--numbered", action="store_const", const=True, help=_help("export.numbered"))
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="read every document afresh, even if an earlier run was cut short",
    )
    p.set_defaults(func=run_ocr)


def ocr_settings(
    args: argparse.Namespace,
) -> tuple[settings_mod.Settings, list[settings_mod.SettingsProblem], list[str]]:
    """The settings file overridden by the flags given, the file's problems and the bad flags.

    A bad value in the file falls back to its default for that key alone (as in the window): its
    problem is a warning. A bad flag is an error. Every one of both is returned, so that one run
    lists every mistake."""
    loaded = settings_mod.load_file()
    settings = loaded.settings
    bad_flags: list[str] = []
    for dest, key in OCR_OVERRIDES.items():
        value = getattr(args, dest)
        if value is None:
            continue
        try:
            settings = settings.with_value(key, value)
        except settings_mod.SettingsError as exc:
            flag = "--format" if dest == "formats" else f"--{dest.replace('_', '-')}"
            bad_flags.append(f"{flag}: {exc} — {settings_mod.allowed_values(key)}")
    return settings, loaded.problems, bad_flags


def shown(text: str) -> str:
    """``text`` safe to print on one line of a terminal: control and formatting characters
    (newlines, escape sequences, bidi overrides) are written as escapes, undecodable bytes of a
    file name as U+FFFD. Rich markup is not interpreted by the callers (Text, markup=False)."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":  # a surrogate escape: a byte of a name that is not UTF-8
            out.append("\ufffd")
        elif category in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def _job(store: JobStore, job_id: str) -> JobRecord:
    record = store.job(job_id)
    if record is None:
        raise StoreError(f"job {job_id} was removed from the job store while this command ran")
    return record


@dataclass
class _JobLine:
    """What the CLI keeps about one document while it runs."""

    name: str
    task_id: Any = None
    tokens: int = 0
    seconds: float = 0.0
    error: str = ""
    reused: bool = False
    #: Layout mode: the share of a page each of its regions is worth, and how much of each page
    #: the bar has advanced already (regions count as they finish; the page completes the rest).
    region_share: dict[int, float] = field(default_factory=dict)
    advanced: dict[int, float] = field(default_factory=dict)


def _pages_column() -> Any:
    """Pages done of a document's row; nothing on the backend's row (it has no pages)."""
    from rich.progress import MofNCompleteColumn
    from rich.text import Text

    class PagesColumn(MofNCompleteColumn):
        def render(self, task: Any) -> Text:
            if task.fields.get("backend"):
                return Text("")
            return Text.assemble(super().render(task), " pages")

    return PagesColumn()


@dataclass
class _ProgressListener(PipelineListener):
    """Turns pipeline events into one rich progress bar per document, and the backend's start
    (which reports every half second while vLLM loads) into one live line that is replaced."""

    progress: Any  # rich.progress.Progress (imported lazily: rich is slow to import)
    store: JobStore
    jobs: dict[str, _JobLine] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    backend_task: Any = None

    def job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        task_id = self.progress.add_task(shown(name), total=page_count or None, tps="")
        with self.lock:
            self.jobs[job_id] = _JobLine(name, task_id)

    def add_finished(self, job_id: str) -> None:
        """Show a document whose results come from an earlier run."""
        record = _job(self.store, job_id)
        task_id = self.progress.add_task(
            shown(record.name),
            total=len(record.page_indices),
            completed=record.pages_done,
            tps="earlier run",
        )
        with self.lock:
            self.jobs[job_id] = _JobLine(record.name, task_id, reused=True)

    def job_started(self, job_id: str, page_count: int, page_indices: tuple[int, ...]) -> None:
        record = _job(self.store, job_id)
        line = self.jobs[job_id]
        self.progress.update(
            line.task_id, total=len(record.page_indices), completed=record.pages_done + record.pages_failed
        )

    def page_planned(
        self, job_id: str, page_index: int, layout: str, regions: tuple[RegionResult, ...]
    ) -> None:
        read = sum(1 for region in regions if region.read)
        with self.lock:
            self.jobs[job_id].region_share[page_index] = 1 / read if read else 0.0

    def region_finished(self, job_id: str, page_index: int, region: RegionResult) -> None:
        with self.lock:
            line = self.jobs[job_id]
            share = line.region_share.get(page_index, 0.0)
            line.advanced[page_index] = line.advanced.get(page_index, 0.0) + share
        self.progress.update(line.task_id, advance=share)

    def _page_done(self, line: _JobLine, page_index: int, **fields: Any) -> None:
        with self.lock:
            rest = 1 - line.advanced.pop(page_index, 0.0)
            line.region_share.pop(page_index, None)
        self.progress.update(line.task_id, advance=rest, **fields)

    def page_finished(self, job_id: str, result: PageResult) -> None:
        with self.lock:
            line = self.jobs[job_id]
            line.tokens += result.stats.completion_tokens
            line.seconds += result.stats.total_s
            tps = line.tokens / line.seconds if line.seconds else 0.0
        self._page_done(line, result.page_index, tps=f"{tps:.1f} tok/s")

    def page_failed(self, job_id: str, page_index: int, message: str) -> None:
        self._page_done(self.jobs[job_id], page_index)

    def job_failed(self, job_id: str, message: str) -> None:
        line = self.jobs[job_id]
        line.error = message
        self.progress.update(line.task_id, description=f"{shown(line.name)} (failed)")

    def backend_state(self, state: BackendState, message: str) -> None:
        if state is BackendState.LOADING:
            with self.lock:
                if self.backend_task is None:
                    self.backend_task = self.progress.add_task(
                        shown(message), total=None, tps="", backend=True
                    )
                    return
            self.progress.update(self.backend_task, description=shown(message))
            return
        with self.lock:
            task, self.backend_task = self.backend_task, None
        if task is not None:
            self.progress.remove_task(task)
        if state is BackendState.ERROR:
            self.progress.console.print("[red]backend error:[/red] ", end="", highlight=False)
            self.progress.console.print(shown(message), markup=False, highlight=False)
        elif state is BackendState.READY:
            self.progress.console.print(shown(message), style="dim", markup=False, highlight=False)


def _queue(
    pipeline: Pipeline,
    store: JobStore,
    settings: settings_mod.Settings,
    listener: _ProgressListener,
    path: Path,
    *,
    resume: bool,
) -> str:
    """Queue one document, continuing an earlier run of the same file and options if there is one."""
    previous = store.find_job(path, Pipeline.job_options(settings)) if resume else None
    if previous is None or previous.id in store.jobs_owned_elsewhere():  # e.g. queued in the window
        return pipeline.submit(path)
    if previous.status.finished:  # done earlier: only its failed pages (if any) are read again
        if previous.pages_failed:
            pipeline.retry_failed(previous.id)
        else:
            listener.add_finished(previous.id)
        return previous.id
    if pipeline.resume_job(previous.id):
        return previous.id
    return pipeline.submit(path)


def _print_error(console: Any, text: str) -> None:
    console.print("[red]error:[/red] ", end="", highlight=False)
    console.print(shown(text), markup=False, highlight=False, soft_wrap=True)


def run_ocr(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from ocr_desktop.backends.memory import MemoryGuard

    err = Console(stderr=True)
    settings, problems, bad_flags = ocr_settings(args)
    for problem in problems:
        err.print("[yellow]settings:[/yellow] ", end="", highlight=False)
        err.print(shown(str(problem)), markup=False, highlight=False, soft_wrap=True)
    for bad_flag in bad_flags:
        _print_error(err, bad_flag)
    if bad_flags:
        return EXIT_USAGE
    entries = _own_exports_named(scan_paths(args.paths))
    documents = [entry for entry in entries if not entry.skipped]
    if not documents:
        _print_summary(Console(), [_Row(e.label, "skipped", output=e.skipped) for e in entries], [], None)
        _print_error(err, f"no documents found in {', '.join(shown(display_path(p)) for p in args.paths)}")
        return EXIT_FAILED
    try:
        store = JobStore()
    except StoreError as exc:
        _print_error(err, str(exc))
        return EXIT_FAILED

    progress = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        _pages_column(),
        TextColumn("{task.fields[tps]}"),
        TimeRemainingColumn(),
        console=err,
    )
    listener = _ProgressListener(progress, store)
    pipeline = Pipeline(
        store, settings, listener, memory_guard=MemoryGuard.from_megabytes(settings.telemetry.low_memory_mb)
    )
    try:
        with progress:
            job_ids = {
                entry: _queue(pipeline, store, settings, listener, entry.path, resume=not args.no_resume)
                for entry in documents
            }
            pipeline.start()
            _wait_interruptibly(pipeline)
            pipeline.shutdown()
    except KeyboardInterrupt:
        err.print("interrupted: stopping…")
        pipeline.shutdown()
        err.print("finished pages are kept; run the same command again to continue")
        store.close()
        return EXIT_INTERRUPTED
    try:
        return _report(store, settings, listener, entries, job_ids)
    finally:
        store.close()


def _own_exports_named(entries: list[FoundPath]) -> list[FoundPath]:
    """Text files skipped in a folder that are this app's exports (a rerun beside the documents
    finds them) say so, rather than just "not a document"."""
    from ocr_desktop.exporters import own_exports

    ours = own_exports(e.path for e in entries if e.skipped.startswith("not a document"))
    reason = "an export of an earlier run (not read)"
    return [dataclasses.replace(e, skipped=reason) if e.path in ours else e for e in entries]


def _wait_interruptibly(pipeline: Pipeline) -> None:
    """Wait until the pipeline is idle; Ctrl-C raises KeyboardInterrupt here, between waits.

    A KeyboardInterrupt raised *inside* ``Condition.wait`` can land while the lock is released,
    and leaving the ``with`` block then fails with "cannot release un-acquired lock" (seen in CI).
    So SIGINT only sets a flag while the main thread waits, and the wait is cut into short slices
    so that the pipeline stops within ~50 ms of Ctrl-C (with 0.25 s, a fast machine read the rest of
    a small document before the flag was seen, and the Ctrl-C was lost).
    """
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: interrupted.set())
    try:
        while not pipeline.wait_idle(0.05):
            if interrupted.is_set():
                raise KeyboardInterrupt
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass(frozen=True)
class _Row:
    """One line of the summary: every path given or found has one."""

    document: str
    status: str  # read, read earlier, partly read, failed, skipped
    pages: str = "–"
    failed: str = "–"
    tps: str = "–"
    time: str = "–"
    output: str = "–"  # the files, or why it was skipped


def _outputs(report: Any, job_id: str) -> str:
    from ocr_desktop.exporters import FAILED, UNCHANGED

    parts = []
    for outcome in report.for_job(job_id):
        name = display_path(outcome.path) if outcome.path is not None else outcome.fmt
        if outcome.status == UNCHANGED:
            parts.append(f"{name} (up to date)")
        elif outcome.status == FAILED:
            parts.append(f"{name} (not written)")
        else:
            parts.append(name)
    return ", ".join(parts) or "–"


def _report(
    store: JobStore,
    settings: settings_mod.Settings,
    listener: _ProgressListener,
    entries: list[Any],
    job_ids: dict[Any, str],  # FoundPath → job id
) -> int:
    """Export every document read, print the summary and the failures; return the status."""
    from rich.console import Console

    from ocr_desktop.exporters import export_documents

    failures: list[str] = []
    results = []
    for entry, job_id in job_ids.items():
        line = listener.jobs[job_id]
        if line.error:
            failures.append(f"{entry.label}: {line.error}")
        result = store.document_result(job_id)
        failures.extend(
            f"{entry.label} page {i + 1}: {message}" for i, message in sorted(result.failed.items())
        )
        results.append(result)
    report = export_documents(results, settings.export)
    failures.extend(f"writing {o.fmt}: {o.message}" for o in report.failed)

    rows = []
    for entry in entries:
        if entry.skipped:
            rows.append(_Row(entry.label, "skipped", output=entry.skipped))
            continue
        job_id = job_ids[entry]
        line = listener.jobs[job_id]
        record = _job(store, job_id)
        if line.error:
            status = "failed"
        elif record.pages_failed:
            status = "partly read" if record.pages_done else "failed"
        else:
            status = "read earlier" if line.reused else "read"
        rows.append(
            _Row(
                entry.label,
                status,
                # a document that could not be opened has no page count
                "–" if record.page_count is None else f"{record.pages_done}/{len(record.page_indices)}",
                str(record.pages_failed),
                "earlier run"
                if line.reused
                else (f"{line.tokens / line.seconds:.1f}" if line.seconds else "–"),
                f"{line.seconds:.1f} s",
                "–" if line.error else _outputs(report, job_id),
            )
        )
    _print_summary(Console(), rows, failures, report, _layout_line(results))
    return EXIT_FAILED if failures else EXIT_OK


def _layout_line(results: list[Any]) -> str:
    """Which layout model read the pages, and how many were read whole instead (and why)."""
    from ocr_desktop.layout.registry import DETECTOR_LABELS

    pages = [page for result in results for page in result.pages]
    models = sorted({page.layout for page in pages if page.layout})
    whole = [page for page in pages if page.layout_note]
    if not models and not whole:
        return ""
    used = ", ".join(DETECTOR_LABELS.get(model, model) for model in models) or "none could run"
    line = f"Layout model: {used}; {sum(1 for p in pages if p.regions)} page(s) read by regions"
    if whole:
        reasons = sorted({page.layout_note for page in whole})
        line += f", {len(whole)} read whole ({'; '.join(reasons)})"
    return line


def _print_summary(out: Any, rows: list[_Row], failures: list[str], report: Any, layout: str = "") -> None:
    """The summary table (names as plain text: ``report [draft].png`` is not rich markup, and a
    newline in a name cannot split its row), the totals, the layout model used, and every
    failure with its reason."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="OCR summary")
    for column, justify in (
        ("Document", "left"),
        ("Status", "left"),
        ("Pages", "right"),
        ("Failed", "right"),
        ("tok/s", "right"),
        ("Time", "right"),
        ("Output", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(Text(shown(cell)) for cell in dataclasses.astuple(row)))
    out.print(table)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    totals = ", ".join(f"{n} {status}" for status, n in counts.items())
    if report is not None:
        totals += (
            f"; files: {len(report.written)} written, {len(report.unchanged)} up to date"
            f"{f', {len(report.failed)} not written' if report.failed else ''}"
        )
    out.print(totals, markup=False, highlight=False)
    if layout:
        out.print(layout, markup=False, highlight=False, soft_wrap=True)
    if report is not None and report.unchanged and not report.written and not report.failed:
        out.print(
            "Every output was already up to date and was left as it is (--overwrite rewrites them).",
            markup=False,
            highlight=False,
        )
    if failures:
        out.print(f"[red]{len(failures)} failure(s):[/red]", highlight=False)
        for failure in failures:
            out.print(f"  {shown(failure)}", highlight=False, markup=False, soft_wrap=True)


# -- doctor --------------------------------------------------------------------------------------


def _add_doctor_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check what is installed and usable",
        description="List each backend, poppler, the telemetry sources, the model files, the settings file "
        "and the data folder; for anything missing, say why and the command that fixes it. Exits 0 when the "
        "default backend can read pages.",
    )
    p.set_defaults(func=run_doctor)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # not OK is normal on some machines (jtop off a Jetson, NVML without NVIDIA)


def _settings_check() -> tuple[settings_mod.Settings, Check]:
    path = paths.settings_file()
    loaded = settings_mod.load_file(path)
    if loaded.problems:
        listed = "; ".join(str(p) for p in loaded.problems)
        return loaded.settings, Check(
            "settings file",
            not loaded.invalid,  # unknown keys alone are kept and harmless
            f"{path}: {len(loaded.problems)} problem(s): {listed}",
            f"fix the values named above, or delete {path} to use the defaults",
        )
    detail = str(path) if path.exists() else f"{path} does not exist yet: the defaults are used"
    return loaded.settings, Check("settings file", True, detail)


def _model_check(settings: settings_mod.Settings) -> Check:
    from ocr_desktop.models.hub import ModelError, resolve_llamacpp_files

    try:
        model, mmproj = resolve_llamacpp_files(settings)
    except (ModelError, KeyError) as exc:
        message = str(exc)
        return Check(
            "llama.cpp model files",
            False,
            message,
            f"ocr-desktop models pull {settings.llamacpp.catalog_model}",
        )
    missing = [p for p in (model, mmproj) if not p.is_file()]
    if missing:
        return Check(
            "llama.cpp model files",
            False,
            f"not found: {', '.join(map(str, missing))}",
            f"ocr-desktop models pull {settings.llamacpp.catalog_model}",
        )
    sizes = ", ".join(f"{p} ({p.stat().st_size / 2**20:.0f} MiB)" for p in (model, mmproj))
    return Check("llama.cpp model files", True, sizes)


def _poppler_checks() -> list[Check]:
    checks = []
    for tool in ("pdfinfo", "pdftoppm"):
        exe = shutil.which(tool)
        if exe is None:
            checks.append(
                Check(
                    f"poppler {tool}",
                    False,
                    f"{tool} is not on PATH: PDFs cannot be read",
                    "sudo apt install poppler-utils",
                )
            )
            continue
        try:
            proc = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10, check=False)
            version = (proc.stderr or proc.stdout).splitlines()[0].strip()
        except (OSError, subprocess.TimeoutExpired, IndexError) as exc:
            version = f"version unknown ({exc})"
        checks.append(Check(f"poppler {tool}", True, f"{exe}: {version}"))
    return checks


def _telemetry_checks() -> list[Check]:
    def found(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False

    on_jetson = Path("/etc/nv_tegra_release").exists()
    not_needed = "" if on_jetson else "; this is not a Jetson, so it is not needed"
    return [
        Check(
            "telemetry jtop (Jetson)",
            found("jtop"),
            "jetson-stats is installed"
            if found("jtop")
            else f"jetson-stats (jtop) is not installed{not_needed}",
            "sudo pip3 install -U jetson-stats && sudo systemctl restart jtop.service",
            optional=not on_jetson,
        ),
        Check(
            "telemetry NVML (NVIDIA GPU)",
            found("pynvml"),
            "nvidia-ml-py is installed" if found("pynvml") else "nvidia-ml-py (pynvml) is not installed",
            "pip install nvidia-ml-py",
            optional=True,
        ),
        Check(
            "telemetry psutil",
            found("psutil"),
            "psutil is installed" if found("psutil") else "psutil is not installed: no RAM/CPU gauges",
            "pip install psutil",
        ),
    ]


def _layout_checks(settings: settings_mod.Settings) -> list[Check]:
    from ocr_desktop.layout import registry

    ok, detail = registry.runtime_summary()
    fix = "scripts/setup.sh app  (installs rapid-layout --no-deps with opencv-python-headless)"
    checks = [Check("layout runtime", ok, detail, fix)]
    try:
        chosen, skipped = registry.choose(settings.reading.layout_model)
    except registry.LayoutModelMissingError as exc:
        return [*checks, Check("layout model", False, exc.message, fix)]
    why_not = "".join(f"; {a.detector_id} not used: {a.reason} ({a.fix})" for a in skipped)
    checks.append(
        Check(
            "layout model",
            True,
            f"{registry.DETECTOR_LABELS[chosen]}: {registry.availability(chosen).reason}{why_not}",
        )
    )
    return checks


def _data_dir_check() -> Check:
    folder = paths.data_dir()
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
        store = JobStore()
    except OSError as exc:
        return Check(
            "data folder", False, f"{folder} is not writable ({exc.strerror or exc})", f"chmod u+w {folder}"
        )
    except StoreError as exc:
        return Check("data folder", False, str(exc), f"mv {paths.store_file()} {paths.store_file()}.bak")
    jobs = len(store.list_jobs())
    store.close()
    return Check("data folder", True, f"{folder} (job store with {jobs} job(s))")


def doctor_checks() -> tuple[list[Check], bool]:
    """Every check, and whether the default backend can read pages."""
    from ocr_desktop.backends.registry import BACKEND_IDS, BACKEND_LABELS, availability

    settings, settings_check = _settings_check()
    checks = [settings_check]
    usable: dict[str, bool] = {}
    for backend_id in BACKEND_IDS:
        found = availability(settings, backend_id)
        default = " (default)" if backend_id == settings.backend else ""
        checks.append(
            Check(
                f"backend {BACKEND_LABELS[backend_id]}{default}",
                found.available,
                found.reason,
                found.fix,
                optional=not default,
            )
        )
        usable[backend_id] = found.available
    model = _model_check(settings)
    checks.append(model)
    usable["llamacpp"] = usable["llamacpp"] and model.ok
    checks += _layout_checks(settings)
    checks += _poppler_checks()
    checks += _telemetry_checks()
    checks.append(_data_dir_check())
    return checks, usable.get(settings.backend, False)


def run_doctor(args: argparse.Namespace) -> int:
    from rich.console import Console

    out = Console(soft_wrap=True)
    checks, default_usable = doctor_checks()
    for check in checks:
        mark = (
            "[green]ok[/green]" if check.ok else "[yellow]--[/yellow]" if check.optional else "[red]NO[/red]"
        )
        out.print(f"{mark}  {check.name}: ", end="", highlight=False)
        out.print(check.detail, highlight=False, markup=False)
        if not check.ok and check.fix:
            out.print("      fix: ", end="", highlight=False)
            out.print(check.fix, highlight=False, markup=False)
    if default_usable:
        out.print("The default backend is ready to read pages.")
        return EXIT_OK
    out.print("[red]The default backend cannot read pages yet: see the fixes above.[/red]")
    return EXIT_FAILED
