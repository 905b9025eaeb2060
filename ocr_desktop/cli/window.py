"""The window launcher: ``ocr-desktop-gui %F`` (the .desktop entry) and ``ocr-desktop FILE…``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

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


def names_a_file(arg: str) -> bool:
    """A file (there, or looking like one: a suffix or a folder in it) rather than a mistyped
    command, which argparse then reports."""
    path = Path(arg)
    return path.exists() or bool(path.suffix) or len(path.parts) > 1


def main_gui(argv: Sequence[str] | None = None) -> int:
    from ocr_desktop.gui.app import run  # sets up logging with the GUI's own hooks

    argv = list(sys.argv if argv is None else argv)
    return run(argv, gui_files(argv[1:]))
