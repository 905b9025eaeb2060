"""``ocr-desktop ocr``: read documents (folders walked) and export their text, with one progress
bar per document and a summary table; an interrupted run continues where it stopped."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.backends.first_run import lite_instead
from ocr_desktop.backends.lite import MODEL_NAME as LITE_MODEL_NAME
from ocr_desktop.cli.flags import setting_help, settings_from_flags
from ocr_desktop.cli.terminal import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, shown
from ocr_desktop.core.results import PageResult, RegionResult
from ocr_desktop.core.store import JobRecord, JobStore, StoreError
from ocr_desktop.documents.folders import FoundPath, scan_paths
from ocr_desktop.documents.sniff import display_path
from ocr_desktop.pipeline import Pipeline, PipelineListener
from ocr_desktop.pipeline.run import reread_reason

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


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.add_argument("--backend", choices=BACKEND_IDS, help=setting_help("backend"))
    p.add_argument("--task", choices=[t.value for t in Task], help=setting_help("generation.task"))
    p.add_argument("--mode", choices=("layout", "page"), help=setting_help("reading.mode"))
    p.add_argument("--pages", metavar="RANGE", help=setting_help("documents.pages"))
    p.add_argument("--dpi", type=int, help=setting_help("documents.dpi"))
    p.add_argument("--max-pixels", type=int, metavar="N", help=setting_help("documents.max_pixels"))
    p.add_argument(
        "--format",
        dest="formats",
        metavar="FMT[,FMT]",
        help="txt, md, json, pdf (searchable PDF) and/or hocr, comma-separated",
    )
    p.add_argument("--out", metavar="DIR", help=setting_help("export.out_dir"))
    p.add_argument("--combined", action="store_const", const=True, help=setting_help("export.combined"))
    p.add_argument("--overwrite", action="store_const", const=True, help=setting_help("export.overwrite"))
    p.add_argument("--numbered", action="store_const", const=True, help=setting_help("export.numbered"))
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="read every document afresh, even if an earlier run was cut short",
    )
    p.set_defaults(func=run_ocr)


def ocr_settings(
    args: argparse.Namespace,
) -> tuple[settings_mod.Settings, list[settings_mod.SettingsProblem], list[str]]:
    """The settings file overridden by the ``ocr`` flags given (``flags.settings_from_flags``)."""
    return settings_from_flags(args, OCR_OVERRIDES)


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
    #: job id -> why an earlier result of its file was not reused (read with other settings)
    reread: dict[str, str] = field(default_factory=dict)
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

    def job_started(
        self, job_id: str, page_count: int, page_indices: tuple[int, ...], pending: tuple[int, ...]
    ) -> None:
        # The event says which pages an earlier run read already: nothing to read back.
        line = self.jobs[job_id]
        self.progress.update(
            line.task_id, total=len(page_indices), completed=len(page_indices) - len(pending)
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

    def backend_state_changed(self, state: BackendState, message: str) -> None:
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
    """Queue one document, continuing an earlier run of the same file and options if there is one
    (one read with other settings that shape the text is read again, and the summary says why)."""
    options = Pipeline.job_options(settings)
    previous = store.find_job(path, options) if resume else None
    if previous is None or previous.id in store.jobs_owned_elsewhere():  # e.g. queued in the window
        earlier = store.latest_job_of(path) if resume and previous is None else None
        job_id = pipeline.submit(path)
        if earlier is not None:
            listener.reread[job_id] = reread_reason(earlier, options)
        return job_id
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
    missing: str | None = None
    if args.backend is None:  # a backend named on the command line is the one that reads
        settings, missing = lite_instead(settings)
    if missing is not None:
        err.print(
            f"no GLM-OCR model is installed ({shown(missing)}): reading with {LITE_MODEL_NAME} instead",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
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
        return _report(store, settings, listener, entries, job_ids, missing=missing)
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
    # Why a name is not the document's own (numbered beside another document's export, or
    # shortened to fit): said once per document, so a log shows what went where.
    notes = dict.fromkeys(o.note for o in report.for_job(job_id) if o.note)
    return ", ".join(parts) + (f" ({'; '.join(notes)})" if notes else "") if parts else "–"


def _report(
    store: JobStore,
    settings: settings_mod.Settings,
    listener: _ProgressListener,
    entries: list[Any],
    job_ids: dict[Any, str],  # FoundPath → job id
    *,
    missing: str | None = None,  # why GLM-OCR could not read (the lite engine read instead)
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
    report = export_documents(results, settings.export, save_lines=store.save_page_lines)
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
            if job_id in listener.reread:
                status = f"read again ({listener.reread[job_id]})"
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
    notes = "\n".join(line for line in (_layout_line(results), _lite_line(results, missing)) if line)
    _print_summary(Console(), rows, failures, report, notes)
    return EXIT_FAILED if failures else EXIT_OK


def _lite_line(results: list[Any], missing: str | None) -> str:
    """How many pages the lite engine read, and, when it read because GLM-OCR's model is
    missing, how to read them with GLM-OCR."""
    pages = sum(1 for result in results for page in result.pages if page.backend == "lite")
    if not pages:
        return ""
    line = (
        f"{pages} page(s) read with {LITE_MODEL_NAME}, not GLM-OCR (plain text lines; no tables or formulas)"
    )
    if missing is not None:
        line += f": no GLM-OCR model is installed ({missing}); then run the same command again"
    return line


def _layout_line(results: list[Any]) -> str:
    """Which layout model read the pages, and how many were read whole instead (and why)."""
    from ocr_desktop.core.page_format import by_regions
    from ocr_desktop.layout.registry import DETECTOR_LABELS

    pages = [page for result in results for page in result.pages]
    models = sorted({page.layout for page in pages if page.layout})
    whole = [page for page in pages if page.layout_note]
    if not models and not whole:
        return ""
    used = ", ".join(DETECTOR_LABELS.get(model, model) for model in models) or "none could run"
    line = f"Layout model: {used}; {sum(1 for p in pages if by_regions(p))} page(s) read by regions"
    if whole:
        reasons = sorted({page.layout_note for page in whole})
        line += f", {len(whole)} read whole ({'; '.join(reasons)})"
    return line


def _print_summary(out: Any, rows: list[_Row], failures: list[str], report: Any, layout: str = "") -> None:
    """The summary table (names as plain text: ``report [draft].png`` is not rich markup, and a
    newline in a name cannot split its row), the totals, the layout model used, and every
    failure with its reason. Not on a terminal (a log, a pipe) the rows are tab-separated lines
    with every name and path whole: a table there is cut to 80 columns, which hid renamed and
    numbered exports from the record a log should be."""
    from rich.table import Table
    from rich.text import Text

    columns = (
        ("Document", "left"),
        ("Status", "left"),
        ("Pages", "right"),
        ("Failed", "right"),
        ("tok/s", "right"),
        ("Time", "right"),
        ("Output", "left"),
    )
    if not out.is_terminal:
        # Written to the file as they are: rich would expand the tabs into spaces.
        lines = ["OCR summary", "\t".join(column for column, _justify in columns)]
        lines += ["\t".join(shown(cell) for cell in dataclasses.astuple(row)) for row in rows]
        out.file.write("\n".join(lines) + "\n")
        out.file.flush()
    else:
        table = Table(title="OCR summary")
        for column, justify in columns:
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for row in rows:
            table.add_row(*(Text(shown(cell)) for cell in dataclasses.astuple(row)))
        out.print(table)
    counts: dict[str, int] = {}
    for row in rows:
        status = row.status.split(" (", 1)[0]  # "read again (max_tokens 24 → 64)" counts as "read again"
        counts[status] = counts.get(status, 0) + 1
    totals = ", ".join(f"{n} {status}" for status, n in counts.items())
    if report is not None:
        totals += (
            f"; files: {len(report.written)} written, {len(report.unchanged)} up to date"
            f"{f', {len(report.failed)} not written' if report.failed else ''}"
        )
    out.print(totals, markup=False, highlight=False, soft_wrap=True)
    if layout:
        out.print(layout, markup=False, highlight=False, soft_wrap=True)
    if report is not None and report.unchanged and not report.written and not report.failed:
        out.print(
            "Every output was already up to date and was left as it is (--overwrite rewrites them).",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if failures:
        out.print(f"[red]{len(failures)} failure(s):[/red]", highlight=False)
        for failure in failures:
            out.print(f"  {shown(failure)}", highlight=False, markup=False, soft_wrap=True)
