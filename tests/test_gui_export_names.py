"""The window's Export with names as long as the file system holds (issue 20): a 255-byte name,
whose ".json" would not fit, and an 80-character Chinese name (244 bytes), which fits but whose
temporary file did not. Both are read and exported; no name stops the export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QLabel
from pytestqt.qtbot import QtBot

from tests.backends import ScriptedBackend
from tests.fixtures.files import make_image
from tests.gui_helpers import WindowFactory, drop_files, export_all, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_export_of_names_at_the_file_systems_limit(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN two images named as long as the file system allows, read in the window
    long_name = make_image(tmp_path / "in" / ("x" * 251 + ".png"), "Long")
    chinese = make_image(tmp_path / "in" / ("报" * 80 + ".png"), "Chinese")
    assert [len(p.name.encode()) for p in (long_name, chinese)] == [255, 244]
    window = make_window(ScriptedBackend())
    drop_files(window.drop_zone, [long_name, chinese])
    qtbot.waitUntil(
        lambda: (
            len(window.queue_model.rows()) == 2
            and all(row.status.finished for row in window.queue_model.rows())
        ),
        timeout=TIMEOUT_MS,
    )
    # WHEN both are exported in every format through the Export dialog
    out = tmp_path / "out"
    window.queue_view.selectAll()
    written = export_all(qtbot, window, out, ["md", "json", "txt"])
    # THEN all six files are written; the 255-byte name is shortened (marked "…"), the Chinese
    # name kept whole, and the JSON keeps the full name
    assert len(written) == 6, written
    names = sorted(p.name for p in out.iterdir())
    assert all(len(name.encode()) <= 255 for name in names)
    assert {"报" * 80 + ".md", "报" * 80 + ".json", "报" * 80 + ".txt"} <= set(names)
    [shortened] = [p for p in written if p.suffix == ".json" and p.name.startswith("x")]
    assert "…" in shortened.name
    assert json.loads(shortened.read_text(encoding="utf-8"))["document"]["name"] == long_name.name


def test_the_export_dialog_remembers_folder_and_formats_and_labels_each_option_once(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a read document exported to a chosen folder as JSON and text
    window = make_window(ScriptedBackend())
    drop_files(window.drop_zone, [make_image(tmp_path / "in" / "note.png", "Note")])
    qtbot.waitUntil(
        lambda: [r.status.finished for r in window.queue_model.rows()] == [True], timeout=TIMEOUT_MS
    )
    out = tmp_path / "chosen"
    export_all(qtbot, window, out, ["json", "txt"])
    window.export_dialog.close()
    # WHEN the Export dialog is opened again
    window.window_actions.export_action.trigger()
    dialog = window.export_dialog
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=TIMEOUT_MS)
    # THEN it offers the same folder and formats
    assert dialog.editors["export.out_dir"].get() == str(out)
    assert sorted(dialog.editors["export.formats"].get()) == ["json", "txt"]
    # AND each option is labelled once: a check box carries its own text, with no label beside it
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    boxes = [box.text() for box in dialog.findChildren(QCheckBox) if box.text()]
    assert boxes, "the dialog has check boxes"
    assert not [text for text in boxes if f"{text}:" in labels or text in labels]
