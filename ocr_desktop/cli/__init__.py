"""``ocr-desktop``: the window with no arguments; ``ocr``, ``models``, ``bench``, ``doctor``, ``serve``
subcommands.

One module per subcommand. Each registers itself through an ``add_parser(subparsers)``
function that sets ``func`` on its parser: ``ocr`` (:mod:`.ocr`), ``doctor`` (:mod:`.doctor`) and
``serve`` (:mod:`.serve`) live here, thin layers over the pipeline, the store, the registry and the
settings schema (flags take their help text and limits from the schema, so the CLI and the
settings dialog agree); ``models`` and ``bench`` live with their features. The window is started
by :mod:`.window`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ocr_desktop import __version__
from ocr_desktop.bench import cli as bench_cli
from ocr_desktop.cli import doctor, ocr, serve
from ocr_desktop.cli.window import main_gui, names_a_file
from ocr_desktop.logs import setup_logging
from ocr_desktop.models import cli as models_cli

__all__ = ["build_parser", "main", "main_gui"]


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
    ocr.add_parser(subparsers)
    doctor.add_parser(subparsers)
    serve.add_parser(subparsers)
    models_cli.add_parser(subparsers)
    bench_cli.add_parser(subparsers)
    parser.set_defaults(commands=frozenset(subparsers.choices))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    first = next((a for a in given if not a.startswith("-")), None)
    if first is not None and first not in parser.get_default("commands") and names_a_file(first):
        return main_gui([parser.prog, *given])  # `ocr-desktop scan.pdf`: open the window on it
    args = parser.parse_args(given)
    if args.command is None:
        return main_gui([parser.prog])
    setup_logging(args.verbose)
    return int(args.func(args))
