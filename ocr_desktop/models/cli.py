"""``ocr-desktop models list | pull NAME | path NAME | verify NAME | rm NAME``."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn
from rich.table import Table

from ocr_desktop.formats import format_bytes
from ocr_desktop.models import catalog, hub

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``models`` subcommand."""
    parser = subparsers.add_parser(
        "models",
        help="download, locate, verify and remove GLM-OCR models",
        description="Models are kept in the Hugging Face cache (HF_HOME, default ~/.cache/huggingface). "
        "Files you already have are used by choosing them in Settings → llama.cpp "
        "(llamacpp.model_path and llamacpp.mmproj_path).",
    )
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    commands.add_parser("list", help="the known models, their sizes and whether they are here").set_defaults(
        func=_list
    )
    for action, help_text in (
        ("pull", "download a model (resumes an interrupted download) and verify it"),
        ("path", "print where a downloaded model's files are"),
        ("verify", "check a downloaded model's sizes and sha256 against the Hub"),
        ("rm", "delete a downloaded model"),
    ):
        sub = commands.add_parser(action, help=help_text)
        sub.add_argument("name", metavar="NAME", help="a name from `ocr-desktop models list`")
        sub.set_defaults(func=_run)


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def _list(_args: argparse.Namespace) -> int:
    table = Table(box=None, pad_edge=False)
    for column in ("name", "runtime", "download", "memory", "status", "description"):
        table.add_column(column.upper())
    for entry in catalog.CATALOG:
        try:
            hub.model_paths(entry.name)
            status = "downloaded"
        except hub.ModelNotFoundError:
            status = "-"
        table.add_row(
            entry.name,
            entry.runtime,
            _gb(entry.download_bytes),
            _gb(entry.memory_bytes),
            status,
            entry.description,
        )
    Console(highlight=False).print(table)
    return EXIT_OK


def _pull(entry: catalog.CatalogEntry, out: Console, err: Console) -> None:
    err.print(f"downloading {entry.name} from {entry.repo_id} ({_gb(entry.download_bytes)})")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=err, transient=False) as bars:
        tasks: dict[str, TaskID] = {}

        def show(p: hub.DownloadProgress) -> None:
            if p.filename not in tasks:
                tasks[p.filename] = bars.add_task(p.filename, total=p.total_bytes)
            bars.update(tasks[p.filename], completed=p.done_bytes, total=p.total_bytes)

        paths = hub.pull(entry.name, progress=show)
    for role, path in paths.items():
        out.print(f"{role}: {path}", markup=False)
    err.print(f"{entry.name} is downloaded and verified")


def _run(args: argparse.Namespace) -> int:
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        entry = catalog.get_entry(args.name)
        match args.models_command:
            case "pull":
                _pull(entry, out, err)
            case "path":
                for path in hub.model_paths(entry.name).values():
                    out.print(str(path), markup=False)
            case "verify":
                checks = hub.verify(entry.name)
                for check in checks:
                    out.print(
                        f"{'ok' if check.ok else 'FAILED'}  {check.filename}: {check.detail}", markup=False
                    )
                if not all(check.ok for check in checks):
                    err.print(
                        f"error: {entry.name} is damaged — run `ocr-desktop models rm {entry.name}` "
                        "and pull it again",
                        markup=False,
                    )
                    return EXIT_FAILED
            case "rm":
                out.print(f"removed {entry.name} ({format_bytes(hub.remove(entry.name))} freed)")
            case other:
                raise AssertionError(other)
    except catalog.UnknownModelError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_USAGE
    except hub.ModelError as exc:
        err.print(f"error: {exc.message}", markup=False)
        return EXIT_FAILED
    return EXIT_OK
