"""``ocr-desktop``: the real entry point starts the window and quits cleanly, queues files given on
the command line (or hands them to the window already open), and a broken settings file is
reported in the window instead of stopping the app. Run in child processes: ``run`` sets up
logging and the exception hooks for the whole process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_desktop import cli
from ocr_desktop.cli.window import gui_files
from tests.fixtures.files import make_pdf

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


def test_broken_settings_file_is_reported_and_only_the_bad_keys_fall_back(isolated_user_dirs: Path) -> None:
    settings_file = isolated_user_dirs / "config" / "ocr-desktop" / "settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text("[documents]\ndpi = 'high'\npages = '1-3'\n", encoding="utf-8")
    returncode, stdout, log = run_app(isolated_user_dirs)
    assert returncode == 0
    assert "Some settings could not be used; the others apply." in stdout
    assert "documents.dpi" in stdout and "documents.pages" not in stdout
    assert "notice: Some settings could not be used" in log


# Start the real app on the user's settings file, open Settings, change the DPI to argv[1]
# (nothing when empty), press OK and quit.
SETTINGS_OK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from ocr_desktop.gui.app import create_application, run

app = create_application(["ocr-desktop"])
def press_ok():
    [window] = [w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow"]
    print("dpi shown:", window.settings.documents.dpi, "pages:", window.settings.documents.pages, flush=True)
    window.window_actions.settings_action.trigger()
    dialog = window.settings_dialog
    if sys.argv[1]:
        dialog.editors["documents.dpi"].put(int(sys.argv[1]))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    QApplication.closeAllWindows()
QTimer.singleShot(1500, press_ok)
sys.exit(run(["ocr-desktop"]))
"""

USER_FILE = """\
# mine, written by hand
schema_version = 1
colour = "red"   # not a setting

[documents]
dpi = 'lots'   # a bad value
pages = "1-3"

[plugins]
enabled = true
"""


@pytest.mark.parametrize("new_dpi", ["", "220"])
def test_settings_ok_keeps_the_users_file_except_the_key_changed(
    isolated_user_dirs: Path, new_dpi: str
) -> None:
    # GIVEN the user's settings file with a bad value, unknown keys and comments
    settings_file = isolated_user_dirs / "config" / "ocr-desktop" / "settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(USER_FILE, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")

    # WHEN the app starts, Settings is opened, OK pressed (with or without a change) and the app quit
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_OK, new_dpi],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip

    # THEN the window used the good values and the default for the bad one
    assert result.returncode == 0, result.stderr
    assert "dpi shown: 150 pages: 1-3" in result.stdout
    # THEN the file is the user's byte for byte, except the key the user changed
    expected = USER_FILE.replace("dpi = 'lots'", f"dpi = {new_dpi}") if new_dpi else USER_FILE
    assert settings_file.read_text(encoding="utf-8") == expected


# `ocr-desktop FILE` through the real command-line entry point; prints "shown" with the queue once
# the file given is queued, and quits when the queue holds as many documents as argv[2] says.
WITH_FILES = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ocr_desktop.cli import main
from ocr_desktop.gui.app import create_application

app = create_application(["ocr-desktop"])
shown = False
def poll():
    global shown
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow"]
    names = sorted(row.name for row in windows[0].queue_model.rows()) if windows else []
    if names and not shown:
        shown = True
        print("shown", *names, flush=True)
    if len(names) >= int(sys.argv[2]):
        print("queued", *names, flush=True)
        QApplication.closeAllWindows()
        return
    QTimer.singleShot(50, poll)
QTimer.singleShot(0, poll)
sys.exit(main([sys.argv[1]]))
"""


def test_files_on_the_command_line_are_queued_and_a_second_launch_hands_its_files_over(
    isolated_user_dirs: Path, tmp_path: Path
) -> None:
    # GIVEN two documents
    make_pdf(tmp_path / "first.pdf", 1)
    make_pdf(tmp_path / "second.pdf", 1)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")

    # WHEN `ocr-desktop first.pdf` starts
    first = subprocess.Popen(
        [sys.executable, "-c", WITH_FILES, "first.pdf", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None
        # THEN its window queues the file given
        assert first.stdout.readline().split() == ["shown", "first.pdf"]

        # WHEN a second launch (as "Open with" does) names another file
        second = subprocess.run(
            [sys.executable, "-m", "ocr_desktop", "second.pdf"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        # THEN it exits at once, and the first window queues the file
        assert second.returncode == 0, second.stderr
        assert first.stdout.readline().split() == ["queued", "first.pdf", "second.pdf"]
        assert first.wait(timeout=60) == 0
    finally:
        first.kill()
        first.wait(timeout=30)
    log = (isolated_user_dirs / "state" / "ocr-desktop" / "ocr-desktop.log").read_text(encoding="utf-8")
    assert "handed 1 file(s) to the window already open" in log
    assert log.count("OCR Desktop 0.1.0 starting") == 1, "the second launch opened a window"


def test_what_the_command_line_counts_as_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Qt's own options and their values are not files; everything else after the program is
    assert gui_files(["-platform", "xcb", "a.pdf", "-reverse", str(tmp_path)]) == [
        Path("a.pdf"),
        tmp_path,
    ]
    # A mistyped command is still reported as one, not opened as a file
    with pytest.raises(SystemExit) as exited:
        cli.main(["ocrr"])
    assert exited.value.code == 2
    assert "invalid choice: 'ocrr'" in capsys.readouterr().err
