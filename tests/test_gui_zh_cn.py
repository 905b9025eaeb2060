"""Simplified Chinese beyond the shell: with zh_CN loaded, the window, the first-run panel and
every dialog (Settings on each tab, History, Compare, Export) show no untranslated text, and the
core's failure reasons (a locked PDF, a blank page, a missing model file) are shown in Chinese. A
visible text counts as English when it has a word of three or more Latin letters that is not a
name (llama.cpp, vLLM, GLM-OCR, GGUF, …) or a value the user typed (paths, numbers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ocr_desktop.backends import registry
from ocr_desktop.core.store import JobStore
from ocr_desktop.gui import resources
from ocr_desktop.gui.main_window import MainWindow
from ocr_desktop.gui.queue_view import Column
from ocr_desktop.pipeline.events import JobFailed, JobFinished
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import (
    GUI_TIMEOUT_MS,
    WindowFactory,
    drop_files,
    is_event,
    show_document,
    window_factory,
)
from tests.test_gui_app import run_app

pytestmark = pytest.mark.gui

#: Names and units that stay as they are in Chinese text.
NAMES = {
    "llama", "cpp", "vllm", "glm", "ocr", "gguf", "mmproj", "url", "api", "dpi", "gpu", "cpu", "ram",
    "pdf", "png", "jpeg", "webp", "bmp", "gif", "tiff", "txt", "json", "html", "latex", "markdown", "hocr",
    "mib", "gib", "mtp", "cuda", "torch", "compile", "docker", "hugging", "face", "swap", "scripted",
    "model", "orin", "nano", "jetson", "kv", "tok", "min", "flash", "attention", "eager", "http",
    "localhost", "vllm_cpu_kvcache_space", "max", "len", "desktop", "english", "doclayoutv", "cdla", "cors",
    "ocrv",  # PP-OCRv6, a name
    "doclayout",  # pp-doclayout-v3, a model id (the first-run panel names the models to download)
}  # fmt: skip
WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


@pytest.fixture
def chinese() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QCoreApplication)
    translators = resources.install_translators(app, "zh_CN")
    yield
    for translator in translators:
        app.removeTranslator(translator)


def visible_texts(root: QWidget, typed: set[str]) -> list[str]:
    """Every text a person sees in ``root``: labels, buttons, tab titles, group titles, combo
    entries (not what the user typed into fields)."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    texts.append(root.windowTitle())
    return [t for t in texts if t and t not in typed]


def english_in(texts: list[str]) -> list[str]:
    plain = [re.sub(r"<[^>]+>|&(?=\w)|/[\w./-]+|\S+\.(?:pdf|png|gguf)", " ", t) for t in texts]
    return [
        t for t, p in zip(texts, plain, strict=True) if any(w.lower() not in NAMES for w in WORD.findall(p))
    ]


def test_every_dialog_speaks_chinese(
    qtbot: QtBot, make_window: WindowFactory, chinese: None, tmp_path: Path
) -> None:
    # GIVEN the window in Chinese, with a finished document in the queue (so Export applies)
    window = make_window(ScriptedBackend())
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=GUI_TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "doc.pdf", 1)])
    typed = {"doc.pdf", str(tmp_path / "doc.pdf")}
    found: dict[str, list[str]] = {"window": english_in(visible_texts(window, typed))}
    header = window.queue_view.model()
    found["queue header"] = english_in(
        [str(header.headerData(c, Qt.Orientation.Horizontal)) for c in range(header.columnCount())]
    )
    found["queue status"] = english_in([str(header.index(0, 2).data())])

    # WHEN every dialog is opened: Settings (each tab), History, Compare, Export
    window.window_actions.settings_action.trigger()
    settings = window.settings_dialog
    for i in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(i)
        found[f"settings tab {i}"] = english_in(visible_texts(settings, typed))
    settings.reject()
    window.window_actions.history_action.trigger()
    qtbot.waitUntil(lambda: window.history_dialog.tree.topLevelItemCount() > 0)
    found["history"] = english_in(visible_texts(window.history_dialog, typed))
    item = window.history_dialog.tree.topLevelItem(0)
    assert item is not None
    found["history row"] = english_in([item.text(c) for c in range(1, item.columnCount())])
    window.history_dialog.reject()
    window.window_actions.compare_action.trigger()
    found["compare"] = english_in(visible_texts(window.compare_dialog, typed))
    window.compare_dialog.reject()
    window.window_actions.export_action.trigger()
    qtbot.waitUntil(window.export_dialog.export_button.isEnabled)
    found["export"] = english_in(visible_texts(window.export_dialog, typed))
    window.export_dialog.reject()

    # THEN none of them shows English
    english = [f"{where}: {text!r}" for where, texts in found.items() for text in texts]
    assert english == [], "\n".join(english)


def test_the_first_run_panel_speaks_chinese(qtbot: QtBot, make_window: WindowFactory, chinese: None) -> None:
    window = make_window(ScriptedBackend(), Settings(), model_check=lambda _s: "model file not found")
    qtbot.waitUntil(window.model_panel.isVisible, timeout=GUI_TIMEOUT_MS)
    assert english_in(visible_texts(window.model_panel, set())) == []
    assert window.model_panel.title.text() == "尚未安装模型"


def status_of(window: MainWindow, job_id: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> str:
    model = window.queue_view.model()
    return str(model.index(window.queue_model.row_of(job_id), Column.STATUS).data(role))


def test_document_failures_speak_chinese_with_the_file_name_kept(
    qtbot: QtBot, make_window: WindowFactory, chinese: None, encrypted_pdf: Path, tmp_path: Path
) -> None:
    # GIVEN the window in Chinese, and a password-protected PDF and a PDF whose second page is blank
    store = JobStore(tmp_path / "jobs.sqlite3")
    window = make_window(ScriptedBackend(), store=store)
    blank = make_pdf(tmp_path / "blank.pdf", ["Some text", ""])

    # WHEN both are dropped on the window and read
    drop_files(window, [encrypted_pdf, blank])
    rows = window.queue_model.rows
    qtbot.waitUntil(
        lambda: len(rows()) == 2 and all(r.status.finished for r in rows()), timeout=GUI_TIMEOUT_MS
    )
    ids = {row.name: row.job_id for row in rows()}
    locked_id, blank_id = ids["locked.pdf"], ids["blank.pdf"]

    # THEN the queue says why in Chinese, naming the file as it is
    locked = status_of(window, locked_id)
    assert "locked.pdf 受密码保护" in locked, locked
    assert "password-protected" not in locked
    page = status_of(window, blank_id, Qt.ItemDataRole.ToolTipRole)
    assert "blank.pdf 的第 2 页 是空白页（所有像素颜色相同）" in page, page
    # and so does the reading view on the failed page (its failures read back from the store)
    show_document(qtbot, window, blank_id)
    qtbot.mouseClick(window.reading_view.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "空白页" in window.reading_view.stats_label.text(), timeout=GUI_TIMEOUT_MS)
    assert "blank.pdf" in window.reading_view.stats_label.text()

    # AND a window started later on the same store still shows the reasons in Chinese
    window.shutdown()
    again = make_window(ScriptedBackend(), store=JobStore(tmp_path / "jobs.sqlite3"))
    assert "locked.pdf 受密码保护" in status_of(again, locked_id)
    assert "blank.pdf 的第 2 页 是空白页" in status_of(again, blank_id, Qt.ItemDataRole.ToolTipRole)


def test_a_missing_model_file_is_reported_in_chinese(
    qtbot: QtBot, make_window: WindowFactory, chinese: None, tmp_path: Path
) -> None:
    # GIVEN the window in Chinese on llama.cpp, set to a model file that is not there
    settings = (
        Settings()
        .with_value("reading.mode", "page")
        .with_value("llamacpp.model_path", str(tmp_path / "gone-model.gguf"))
        .with_value("llamacpp.mmproj_path", str(tmp_path / "gone-mmproj.gguf"))
    )
    window = make_window(registry.create_backend, settings, model_check=lambda _settings: None)

    # WHEN a document is dropped, so the backend loads
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=GUI_TIMEOUT_MS
    ):
        drop_files(window, [make_pdf(tmp_path / "doc.pdf", 1)])

    # THEN the notice and the document's row say in Chinese which file is missing
    qtbot.waitUntil(lambda: "找不到模型文件" in window.notice.text(), timeout=GUI_TIMEOUT_MS)
    assert f"找不到模型文件：{tmp_path / 'gone-model.gguf'}" in window.notice.text()
    assert "model file not found" not in window.notice.text()
    (job_id,) = [row.job_id for row in window.queue_model.rows()]
    assert "找不到模型文件" in status_of(window, job_id)


def test_a_model_file_that_is_not_gguf_is_reported_in_chinese(
    qtbot: QtBot, make_window: WindowFactory, chinese: None, tmp_path: Path
) -> None:
    # GIVEN the window in Chinese on llama.cpp, set to model files that exist but are not GGUF
    model, mmproj = tmp_path / "model.gguf", tmp_path / "mmproj.gguf"
    model.write_bytes(b"<html>a login page saved by mistake</html>")
    mmproj.write_bytes(b"GGUF")  # a header cut short
    settings = (
        Settings()
        .with_value("reading.mode", "page")
        .with_value("llamacpp.model_path", str(model))
        .with_value("llamacpp.mmproj_path", str(mmproj))
    )
    window = make_window(registry.create_backend, settings, model_check=lambda _settings: None)

    # WHEN a document is dropped, so the backend reads the files' headers
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFailed), timeout=GUI_TIMEOUT_MS
    ):
        drop_files(window, [make_pdf(tmp_path / "doc.pdf", 1)])

    # THEN the notice says in Chinese which file is not GGUF and where to choose others
    expected = (
        f"{model} 不是 GGUF 文件（魔数不正确）— 文件可能已损坏或不完整"
        "（请在 设置 → llama.cpp 中选择其他文件）"
    )
    qtbot.waitUntil(lambda: expected in window.notice.text(), timeout=GUI_TIMEOUT_MS)
    assert "not a GGUF file" not in window.notice.text()


def test_a_bad_settings_file_is_reported_in_chinese_at_start(isolated_user_dirs: Path) -> None:
    """The real app started on a settings file with a value out of range, one of the wrong type and
    an unknown key: the start notice lists them in Chinese, with the keys and values as written."""
    settings_file = isolated_user_dirs / "config" / "ocr-desktop" / "settings.toml"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(
        'language = "zh_CN"\ncolour = "red"\n[documents]\ndpi = 5000\npages = "1-3"\n'
        "[llamacpp]\nn_threads = 'many'\n",
        encoding="utf-8",
    )
    returncode, stdout, _ = run_app(isolated_user_dirs)
    assert returncode == 0
    notice = stdout.removeprefix("notice:").strip()
    assert notice.startswith("部分设置无法使用，其余设置照常生效。"), notice
    assert f"设置文件 {settings_file}：" in notice
    assert "设置“documents.dpi”：5000 高于最大值" in notice
    assert "；在此之前使用默认值 150" in notice
    assert "设置“llamacpp.n_threads”：'many' 不是有效的 int — 用于解码和图像编码的 CPU 线程数" in notice
    assert "未知设置“colour” — 它保留在文件中但不会被使用" in notice
    assert "documents.pages" not in notice
    english = {"setting", "unknown", "above", "maximum", "until", "default", "valid", "kept", "file"}
    words = set(WORD.findall(notice.replace(str(settings_file), "").lower()))
    assert not english & words, notice
