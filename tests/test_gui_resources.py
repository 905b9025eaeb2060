"""Packaging data and translations: one app id everywhere, a valid .desktop file, an icon that
loads, and a Simplified Chinese translation that covers the interface."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ocr_desktop import APP_ID
from ocr_desktop.gui import resources
from ocr_desktop.gui.app import create_application
from tests.backends import ScriptedBackend
from tests.gui_helpers import WindowFactory, window_factory

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_desktop_file_is_valid_and_names_the_app_id() -> None:
    validate = shutil.which("desktop-file-validate")
    assert validate, "desktop-file-validate is missing: apt install desktop-file-utils"
    result = subprocess.run(
        [validate, str(resources.DESKTOP_FILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    entry = resources.DESKTOP_FILE.read_text(encoding="utf-8")
    assert resources.DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert f"\nIcon={APP_ID}\n" in entry
    assert "\nExec=ocr-desktop-gui %F\n" in entry


def test_top_level_resources_are_the_package_files() -> None:
    """resources/ links to the files the installed package carries: one copy, no drift."""
    for name, target in (
        (f"{APP_ID}.desktop", resources.DESKTOP_FILE),
        (f"{APP_ID}.svg", resources.ICON_FILE),
    ):
        link = ROOT / "resources" / name
        assert link.resolve() == target.resolve(), name


def test_application_identity_and_icon(qtbot: QtBot) -> None:
    app = create_application([])
    assert app.desktopFileName() == APP_ID
    icon = resources.app_icon()
    assert not icon.isNull() and not icon.pixmap(64).isNull(), "the SVG icon did not render"


def test_every_string_is_translated_to_simplified_chinese() -> None:
    tree = ET.parse(resources.TRANSLATIONS / "ocr_desktop_zh_CN.ts")
    contexts = {c.findtext("name") for c in tree.iter("context")}
    assert "" not in contexts and None not in contexts, "strings with no context (tr aliased?)"
    untranslated = [
        m.findtext("source")
        for m in tree.iter("message")
        if not m.findtext("translation") or m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert not untranslated
    qm = resources.TRANSLATIONS / "ocr_desktop_zh_CN.qm"
    assert qm.stat().st_mtime >= (resources.TRANSLATIONS / "ocr_desktop_zh_CN.ts").stat().st_mtime - 1


def test_main_window_in_simplified_chinese(qtbot: QtBot, make_window: WindowFactory) -> None:
    # GIVEN the Chinese translators installed
    app = QApplication.instance()
    assert isinstance(app, QCoreApplication)
    translators = resources.install_translators(app, "zh_CN")
    try:
        # WHEN a window is built
        window = make_window(ScriptedBackend())
        # THEN its menus, actions and drop zone speak Chinese
        menus = [a.text() for a in window.menuBar().actions()]
        assert menus == ["文件(&F)", "编辑(&E)", "队列(&Q)", "视图(&V)", "工具(&T)", "帮助(&H)"]
        assert window.window_actions.open_action.text() == "打开文件(&O)…"
        assert window.queue_view.model().headerData(0, Qt.Orientation.Horizontal) == "文档"
        assert "拖放" in window.drop_zone.accessibleName()
    finally:
        for translator in translators:
            app.removeTranslator(translator)


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [("zh_CN", "en_US", "zh_CN"), ("en", "zh_CN", "en"), ("", "zh_CN", "zh_CN"), ("", "de_DE", "en")],
)
def test_interface_language(
    setting: str, system: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QLocale

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(system)))
    assert resources.interface_language(setting) == expected
