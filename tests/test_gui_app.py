"""``ocr-desktop`` with no arguments: the real entry point starts the window and quits cleanly, and
a broken settings file is reported in the window instead of stopping the app. Run in a child
process: ``run`` sets up logging and the exception hooks for the whole process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ocr_desktop.gui.app import create_application, run

app = create_application(["ocr-desktop"])
def quit_when_shown():
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow" and w.isVisible()]
    print("notice:", windows[0].notice.text() if windows else "NO WINDOW", flush=True)
    QApplication.closeAllWindows()
QTimer.singleShot(1500, quit_when_shown)
sys.exit(run(["ocr-desktop"]))
"""


def run_app(home: Path) -> tuple[int, str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    log = (home / "state" / "ocr-desktop" / "ocr-desktop.log").read_text(encoding="utf-8")
    return result.returncode, result.stdout, log


def test_run_opens_the_window_and_quits_cleanly(isolated_user_dirs: Path) -> None:
    returncode, stdout, log = run_app(isolated_user_dirs)
    assert returncode == 0
    assert stdout.strip() == "notice:", "a notice was shown on a clean start"
    assert "OCR Desktop 0.1.0 starting" in log


def test_broken_settings_file_is_reported_and_defaults_are_used(isolated_user_dirs: Path) -> None:
    settings_file = isolated_user_dirs / "config" / "ocr-desktop" / "settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text("[documents]\ndpi = 'high'\n", encoding="utf-8")
    returncode, stdout, log = run_app(isolated_user_dirs)
    assert returncode == 0
    assert "Your settings could not be read, so the defaults are used" in stdout
    assert "documents.dpi" in stdout
    assert "notice: Your settings could not be read" in log
