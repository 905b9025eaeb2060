"""``ocr-desktop``: the window with no arguments; ``ocr``, ``models``, ``bench``, ``doctor`` subcommands.

Each subcommand lives in the module that owns the feature and registers itself through an
``add_parser(subparsers)`` function that sets ``func`` on its parser. ``ocr`` and ``doctor`` are
here: both are thin layers over the pipeline, the store, the registry and the settings schema
(flags take their help text and limits from the schema, so the CLI and the settings dialog
agree).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr_desktop import __version__, paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.bench import cli as bench_cli
from ocr_desktop.core.pipeline import Pipeline, PipelineListener
from ocr_desktop.core.results import PageResult
from ocr_desktop.core.store import JobRecord, JobStore, StoreError
from ocr_desktop.logs import setup_logging
from ocr_desktop.models import cli as models_cli

#: Exit statuses of ``ocr``.
EXIT_OK = 0
EXIT_FAILED = 1  # a file or page could not be read, or an output could not be written
EXIT_USAGE = 2  # bad flags or settings (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # Ctrl-C: the pipeline was shut down, finished pages are kept

#: ``ocr`` flags that override one setting each: dest → settings key.
OCR_OVERRIDES = {
    "backend": "backend",
    "task": "generation.task",
    "pages": "documents.pages",
    "dpi": "documents.dpi",
    "max_pixels": "documents.max_pixels",
    "formats": "export.formats",
    "out": "export.out_dir",
    "combined": "export.combined",
    "overwrite": "export.overwrite",
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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    p.add_argument("--pages", metavar="RANGE", help=_help("documents.pages"))
    p.add_argument("--dpi", type=int, help=_help("documents.dpi"))
    p.add_argument("--max-pixels", type=int, metavar="N", help=_help("documents.max_pixels"))
    p.add_argument(
        "--format", dest="formats", metavar="FMT[,FMT]", help="txt, md and/or json, comma-separated"
    )
    p.add_argument("--out", metavar="DIR", help=_help("export.out_dir"))
    p.add_argument("--combined", action="store_const", const=True, help=_help("export.combined"))
    p.add_argument("--overwrite", action="store_const", const=True, help=_help("export.overwrite"))
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="read every document afresh, even if an earlier run was cut short",
    )
    p.set_defaults(func=run_ocr)


def ocr_settings(args: argparse.Namespace) -> settings_mod.Settings:
    """The settings file overridden by the flags given (raises SettingsError naming the flag's key)."""
    settings = settings_mod.load()
    for dest, key in OCR_OVERRIDES.items():
        value = getattr(args, dest)
        if value is not None:
            settings_mod.set_value(settings, key, value)
    return settings


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


@dataclass
class _ProgressListener(PipelineListener):
    """Turns pipeline events into one rich progress bar per document."""

    progress: Any  # rich.progress.Progress (imported lazily: rich is slow to import)
    store: JobStore
    jobs: dict[str, _JobLine] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def job_added(self, job_id: str, name: str, page_count: int) -> None:
        task_id = self.progress.add_task(name, total=page_count or None, tps="")
        with self.lock:
            self.jobs[job_id] = _JobLine(name, task_id)

    def add_finished(self, job_id: str) -> None:
        """Show a document whose results come from an earlier run."""
        record = _job(self.store, job_id)
        task_id = self.progress.add_task(
            record.name, total=len(record.page_indices), completed=record.pages_done, tps="earlier run"
        )
        with self.lock:
            self.jobs[job_id] = _JobLine(record.name, task_id, reused=True)

    def job_started(self, job_id: str) -> None:
        record = _job(self.store, job_id)
        line = self.jobs[job_id]
        self.progress.update(
            line.task_id, total=len(record.page_indices), completed=record.pages_done + record.pages_failed
        )

    def page_finished(self, job_id: str, result: PageResult) -> None:
        with self.lock:
            line = self.jobs[job_id]
            line.tokens += result.stats.completion_tokens
            line.seconds += result.stats.total_s
            tps = line.tokens / line.seconds if line.seconds else 0.0
        self.progress.update(line.task_id, advance=1, tps=f"{tps:.1f} tok/s")

    def page_failed(self, job_id: str, page_index: int, message: str) -> None:
        self.progress.update(self.jobs[job_id].task_id, advance=1)

    def job_failed(self, job_id: str, message: str) -> None:
        line = self.jobs[job_id]
        line.error = message
        self.progress.update(line.task_id, description=f"{line.name} [red](failed)[/red]")

    def backend_state(self, state: BackendState, message: str) -> None:
        if state is BackendState.ERROR:
            self.progress.console.print("[red]backend error:[/red] ", end="", highlight=False)
            self.progress.console.print(message, markup=False, highlight=False)
        elif state is not BackendState.UNLOADED:
            self.progress.console.print(message, style="dim", markup=False, highlight=False)


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


def run_ocr(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ocr_desktop.core.documents import iter_document_paths
    from ocr_desktop.telemetry.budget import MemoryGuard

    err = Console(stderr=True)
    try:
        settings = ocr_settings(args)
    except settings_mod.SettingsError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        return EXIT_USAGE
    documents = list(iter_document_paths(args.paths))
    if not documents:
        err.print(
            f"[red]error:[/red] no documents found in {', '.join(map(str, args.paths))}", highlight=False
        )
        return EXIT_FAILED
    try:
        store = JobStore()
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        return EXIT_FAILED

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
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
            job_ids = [
                _queue(pipeline, store, settings, listener, path, resume=not args.no_resume)
                for path in documents
            ]
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
        return _report(store, settings, listener, job_ids)
    finally:
        store.close()


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


def _report(
    store: JobStore, settings: settings_mod.Settings, listener: _ProgressListener, job_ids: list[str]
) -> int:
    """Export every document read, print the summary table and the failures; return the status."""
    from rich.console import Console
    from rich.table import Table

    from ocr_desktop.exporters import ExportError, export

    out = Console()
    failures: list[str] = []
    written: dict[str, list[Path]] = {job_id: [] for job_id in job_ids}
    results = []
    for job_id in job_ids:
        line = listener.jobs[job_id]
        if line.error:
            failures.append(f"{line.name}: {line.error}")
        result = store.document_result(job_id)
        failures.extend(
            f"{line.name} page {i + 1}: {message}" for i, message in sorted(result.failed.items())
        )
        if result.pages:
            results.append(result)

    export_settings = settings.export
    out_dir = Path(export_settings.out_dir) if export_settings.out_dir else None  # None: beside each
    # One export call per document (unless combined), so one unwritable folder costs one document.
    groups = [results] if export_settings.combined else [[r] for r in results]
    for fmt in export_settings.formats:
        for docs in groups:
            try:
                files = export(
                    docs,
                    fmt,
                    out_dir,
                    combined=export_settings.combined,
                    page_separators=export_settings.page_separators,
                    overwrite=export_settings.overwrite,
                )
            except ExportError as exc:
                failures.append(f"writing {fmt} for {', '.join(d.name for d in docs)}: {exc}")
                continue
            for doc in docs:
                written[doc.job_id].extend(files)

    table = Table(title="OCR summary")
    for column, justify in (("Document", "left"), ("Pages", "right"), ("Failed", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("tok/s", justify="right")
    table.add_column("Time", justify="right")
    table.add_column("Output")
    for job_id in job_ids:
        line = listener.jobs[job_id]
        record = _job(store, job_id)
        # a document that could not be opened has no page count
        pages = "–" if record.page_count is None else f"{record.pages_done}/{len(record.page_indices)}"
        tps = "earlier run" if line.reused else (f"{line.tokens / line.seconds:.1f}" if line.seconds else "–")
        output = "failed" if line.error else ", ".join(sorted({str(p) for p in written[job_id]})) or "–"
        table.add_row(
            line.name,
            pages,
            str(record.pages_failed),
            tps,
            f"{line.seconds:.1f} s",
            output,
        )
    out.print(table)
    if failures:
        out.print(f"[red]{len(failures)} failure(s):[/red]", highlight=False)
        for failure in failures:
            out.print(f"  {failure}", highlight=False, markup=False)
        return EXIT_FAILED
    return EXIT_OK


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
    try:
        settings = settings_mod.load(path)
    except settings_mod.SettingsError as exc:
        return settings_mod.Settings(), Check(
            "settings file",
            False,
            str(exc),
            f"fix the value named above, or delete {path} to use the defaults",
        )
    detail = str(path) if path.exists() else f"{path} does not exist yet: the defaults are used"
    return settings, Check("settings file", True, detail)


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
