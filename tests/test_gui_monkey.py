"""The window never hangs: a monkey drives the real main window with real events (resizes,
splitter drags, zoom, page flips, tabs, selection, scrolling) on pages of extreme aspect ratios,
with a watchdog on the GUI thread that fails on any stall over 1 s (tests/monkey_window.py).

Before the fix, fitting the page to the viewport's width (which the vertical scroll bar changes)
showed and hid the scroll bar endlessly at some splitter positions: this run stalled within
seconds, in the splitter sweep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ocr_desktop.gui.reading_view import PageView
from tests.fixtures.files import make_image, make_pdf
from tests.monkey_window import STALL_MARKS

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parent.parent
MONKEY_SECONDS = 15


def extreme_pages(folder: Path) -> list[Path]:
    return [
        # First the two the monkey sweeps through every height: handwritten.png's shape (the
        # freeze of issue 20) and a landscape page
        make_image(folder / "handwritten.png", "Handwritten", size=(1920, 1653)),
        make_image(folder / "landscape.png", "Landscape", size=(1600, 1000)),
        make_image(folder / "portrait.png", "Portrait", size=(1240, 1754)),
        make_image(folder / "ribbon.png", "A ribbon", size=(3200, 160)),
        make_image(folder / "tower.png", "A tower", size=(160, 3200)),
        make_pdf(folder / "pages.pdf", 3),
    ]


def test_monkey_never_stalls_the_gui_thread(tmp_path: Path) -> None:
    # GIVEN pages of extreme aspect ratios, read in the real window (a child process: a hung GUI
    # thread cannot end on its own, so the watchdog ends that process and its status tells)
    files = extreme_pages(tmp_path / "pages")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # WHEN the monkey acts for a bounded time
    run = subprocess.run(
        [sys.executable, "-m", "tests.monkey_window", str(MONKEY_SECONDS), "20", *map(str, files)],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=MONKEY_SECONDS + 240,
    )
    # THEN the GUI thread never went more than 1 s without reaching its event loop
    report = run.stdout[-6000:] + run.stderr[-3000:]
    assert not any(mark in run.stdout for mark in STALL_MARKS), report
    assert run.returncode == 0, report
    assert "OK:" in run.stdout, report


def test_fit_width_does_not_depend_on_the_scroll_bar(qtbot: QtBot) -> None:
    # GIVEN a page fitted to the width of the page view
    view = PageView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    image = QImage(1920, 1653, QImage.Format.Format_RGB32)  # handwritten.png's size
    image.fill(0xFFFFFF)
    view.set_image(image)
    # WHEN the vertical scroll bar is shown, then hidden (held so, so that no loop can run)
    scales = []
    for policy in (Qt.ScrollBarPolicy.ScrollBarAlwaysOn, Qt.ScrollBarPolicy.ScrollBarAlwaysOff):
        view.setVerticalScrollBarPolicy(policy)
        qtbot.waitUntil(
            lambda p=policy: (
                view.verticalScrollBar().isVisible() == (p == Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
            )
        )
        qtbot.wait(20)
        scales.append(view.scale_factor)
        # THEN the fitted page never needs a horizontal scroll bar
        assert not view.horizontalScrollBar().isVisible()
    # THEN the page has the same scale either way: showing or hiding the bar cannot change the
    # page's height, so it cannot hide or show the bar again (the loop that hung the window)
    assert scales[0] == scales[1]
