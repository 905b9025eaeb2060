"""``ocr-desktop``: the window with no arguments; ``ocr``, ``models``, ``bench``, ``doctor`` subcommands.

Each subcommand lives in the module that owns the feature and registers itself through an
``add_parser(subparsers)`` function that sets ``func`` on its parser (CONTRACT STUB — being
implemented).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ocr_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocr-desktop", description="Desktop OCR with GLM-OCR on llama.cpp or vLLM."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main_gui() -> int:
    from ocr_desktop.gui.app import run

    return run(sys.argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        return main_gui()
    return int(args.func(args))
