"""The main window on the real Pipeline and JobStore with a scripted backend (fast, deterministic):
drop and open, queue actions, the reading view, restart, paste, crashes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from ocr_desktop import paths
from ocr_desktop.core.store import JobStatus
from ocr_desktop.gui import window_dialogs
from ocr_desktop.gui.bridge import TextFrame
from ocr_desktop.gui.errors import CrashReporter
from ocr_desktop.gui.queue_view import Column
from ocr_desktop.pipeline.events import JobFinished, PageFailed
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.gui_helpers import (
    WindowFactory,
    drop_files,
    export_all,
    is_event,
    on_event,
    show_document,
    window_factory,
)

pytestmark = pytest.mark.gui

TIMEOUT_MS = 20_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def expected_text(page_index: int, width: int, height: int, tokens: int = 8) -> str:
    return f"page {page_index + 1} ({width}x{height}) " + "".join(f"tok{i} " for i in range(1, tokens))


def test_drop_pdf_streams_pages_into_the_reading_view(
    qtbot: QtBot, make_window: WindowFactory, sample_pdf: Path
) -> None:
    # GIVEN an empty window: the drop zone is shown
    backend = ScriptedBackend(token_delay_s=0.01, tokens_per_page=20)
    window = make_window(backend)
    assert window.queue_stack.currentWidget() is window.drop_zone

    # WHEN a 3-page PDF is dropped on the drop zone
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as finished:
        with qtbot.waitSignal(
            window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
        ):
            drop_files(window.drop_zone, [sample_pdf])
        # THEN text streams into the view while the page is being read
        assert window.queue_stack.currentWidget() is window.queue_view
        assert window.reading_view.job_id is not None
        assert window.reading_view.text_edit.toPlainText().startswith("page 1")
        assert window.reading_view.text_edit.isReadOnly(), "a page being read is not editable"

    # THEN every page is done, in the queue and in the view
    job_id = finished.args[0].job_id
    row = window.queue_model.job(job_id)
    assert row is not None and row.status is JobStatus.DONE
    assert row.pages_done == {0, 1, 2} and row.page_count == 3
    model = window.queue_model
    assert model.index(0, Column.PAGES).data() == "3/3"
    assert model.index(0, Column.STATUS).data() == "Done"
    assert model.index(0, Column.BACKEND).data() == "scripted"
    assert float(model.index(0, Column.SPEED).data()) > 0
    view = window.reading_view
    result = window.store.document_result(job_id)
    assert [p.page_index for p in result.pages] == [0, 1, 2]
    view.go_to_page(0)
    assert view.text_edit.toPlainText() == result.pages[0].text
    assert not view.text_edit.isReadOnly(), "a finished page is editable"
    assert "tok/s" in view.stats_text() and "Page 1" in view.stats_text()
    window.window_actions.next_page_action.trigger()
    assert view.page_index == 1
    assert view.text_edit.toPlainText() == result.pages[1].text
    # THEN the page image is rendered off the GUI thread and shown
    qtbot.waitUntil(view.page_view.has_image, timeout=TIMEOUT_MS)


def test_markdown_tab_renders_tables_and_formulas(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a page whose text holds a Markdown table, an HTML table and a display formula
    text = (
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "<table><tr><td>x</td><td>y</td></tr></table>\n\n$$E = mc^2$$\n"
    )
    backend = ScriptedBackend(scripts={0: [text]})
    window = make_window(backend)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([make_pdf(tmp_path / "one.pdf", 1)])

    # WHEN the Markdown tab is shown
    view = window.reading_view
    view.tabs.setCurrentWidget(view.markdown_view)

    # THEN the tables are real tables with borders and the formula stays readable LaTeX
    html = view.markdown_view.document().toHtml()
    assert html.count("<table") == 2
    assert 'border="1"' in html
    assert "E = mc^2" in view.markdown_view.toPlainText()
    assert "$$" not in view.markdown_view.toPlainText()


def test_broken_and_unsupported_files_show_their_error_and_do_not_block(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, sample_pdf: Path
) -> None:
    # GIVEN a broken PDF, a text file and a good PDF in a folder
    folder = tmp_path / "mixed"
    folder.mkdir()
    broken = folder / "a-broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    notes = tmp_path / "notes.txt"
    notes.write_text("just text")
    good = make_pdf(folder / "b-good.pdf", 2)
    window = make_window(ScriptedBackend())

    # WHEN the folder and the text file are dropped together
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        drop_files(window, [folder, notes])

    # THEN the broken files are in the queue with an error that says what happened
    rows = {row.name: row for row in window.queue_model.rows()}
    assert set(rows) == {"a-broken.pdf", "b-good.pdf", "notes.txt"}
    for name in ("a-broken.pdf", "notes.txt"):
        row = rows[name]
        assert row.status is JobStatus.FAILED
        status = window.queue_model.status_text(row)
        assert status.startswith("Failed: ") and len(row.message) > 10, status
    # THEN the good document was read anyway
    assert rows["b-good.pdf"].status is JobStatus.DONE
    assert rows["b-good.pdf"].pages_done == {0, 1}
    assert good.exists()


def test_cancel_page_mid_stream_then_retry(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # GIVEN a slow backend reading a one-page document
    backend = ScriptedBackend(token_delay_s=0.02, tokens_per_page=400)
    window = make_window(backend)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(TextFrame), timeout=TIMEOUT_MS
    ):
        [job_id] = window.add_paths([make_pdf(tmp_path / "slow.pdf", 1)])
    assert window.window_actions.cancel_page_action.isEnabled()

    # WHEN the page is cancelled (Esc)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(PageFailed), timeout=TIMEOUT_MS
    ) as failed:
        window.window_actions.cancel_page_action.trigger()

    # THEN the page failed as cancelled, long before its 8 s of tokens
    assert (failed.args[0].job_id, failed.args[0].page_index) == (job_id, 0)
    assert "cancel" in failed.args[0].message
    qtbot.waitUntil(lambda: window.queue_model.job(job_id).status.finished, timeout=TIMEOUT_MS)
    row = window.queue_model.job(job_id)
    assert row is not None and row.failed == {0: failed.args[0].message}
    assert "failed" in window.reading_view.stats_text()

    # WHEN the failed page is retried (Ctrl+R) with a quick backend
    backend.token_delay_s, backend.tokens_per_page = 0.0, 5
    window.queue_view.select_job(job_id)
    assert window.window_actions.retry_action.isEnabled()
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.window_actions.retry_action.trigger()

    # THEN the page is read
    row = window.queue_model.job(job_id)
    assert row is not None and row.pages_done == {0} and not row.failed
    assert window.reading_view.page_text(0).startswith("page 1")


def test_cancel_document_pause_and_reorder(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    # GIVEN a paused queue with three documents
    window = make_window(ScriptedBackend())
    window.window_actions.pause_action.trigger()
    assert window.window_actions.pause_action.isChecked()
    qtbot.waitUntil(lambda: window.pipeline.paused)  # the store is written off the GUI thread
    ids = window.add_paths([make_pdf(tmp_path / f"doc{i}.pdf", 1) for i in range(3)])
    assert [r.job_id for r in window.queue_model.rows()] == ids
    assert window.queue_model.status_text(window.queue_model.job(ids[0])) == "Paused"

    # WHEN the last row is dragged to the top
    model = window.queue_model
    mime = model.mimeData([model.index(2, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, model.index(-1, -1))

    # THEN the view and the store's queue order both changed
    assert [r.job_id for r in model.rows()] == [ids[2], ids[0], ids[1]]
    qtbot.waitUntil(lambda: [j.id for j in window.store.list_jobs()] == [ids[2], ids[0], ids[1]])

    # WHEN the middle one is moved down (Ctrl+Down) and the first is cancelled
    window.queue_view.select_job(ids[0])
    window.window_actions.move_down_action.trigger()
    assert [r.job_id for r in model.rows()] == [ids[2], ids[1], ids[0]]
    window.queue_view.select_job(ids[2])
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.window_actions.cancel_job_action.trigger()
    assert model.job(ids[2]).status is JobStatus.CANCELLED

    # WHEN the queue is resumed
    finished: list[str] = []
    window.bridge.pipeline_event.connect(on_event(JobFinished, lambda e: finished.append(e.job_id)))
    window.window_actions.pause_action.trigger()
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=TIMEOUT_MS)

    # THEN the others were read in the new order
    assert finished == [ids[1], ids[0]]
    assert model.job(ids[2]).status is JobStatus.CANCELLED


def test_remove_and_clear_finished_then_reopen_from_history(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two finished documents
    window = make_window(ScriptedBackend())
    finished: list[str] = []
    window.bridge.pipeline_event.connect(on_event(JobFinished, lambda e: finished.append(e.job_id)))
    first, second = window.add_paths([make_pdf(tmp_path / "a.pdf", 1), make_pdf(tmp_path / "b.pdf", 1)])
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=TIMEOUT_MS)

    # WHEN the first is removed (confirmed) and the finished ones are cleared
    monkeypatch.setattr(window, "confirm", lambda title, text: True)
    window.queue_view.select_job(first)
    window.window_actions.remove_action.trigger()
    window.window_actions.clear_action.trigger()

    # THEN the removed one is gone from the store (removed off the GUI thread), the cleared one
    # only from the queue
    qtbot.waitUntil(lambda: window.store.job(first) is None, timeout=TIMEOUT_MS)
    assert window.store.job(second) is not None
    assert window.queue_model.rowCount() == 0
    assert window.queue_stack.currentWidget() is window.drop_zone

    # WHEN the history is opened and the document reopened
    window.window_actions.history_action.trigger()
    dialog = window.history_dialog
    qtbot.waitUntil(lambda: dialog.job_ids() == [second], timeout=TIMEOUT_MS)
    dialog.select(second)
    dialog.reopen_button.click()

    # THEN it is back in the queue and shown with its text
    qtbot.waitUntil(lambda: window.reading_view.job_id == second, timeout=TIMEOUT_MS)
    assert [r.job_id for r in window.queue_model.rows()] == [second]
    assert window.reading_view.page_text(0).startswith("page 1")


def test_restart_restores_queue_results_and_edits(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a finished document whose page 1 the user edited, and a second one still queued
    window = make_window(ScriptedBackend())
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        [done] = window.add_paths([make_pdf(tmp_path / "done.pdf", 2)])
    show_document(qtbot, window, done)
    view = window.reading_view
    view.go_to_page(0)
    view.text_edit.setPlainText("corrected by hand")
    window.window_actions.pause_action.trigger()
    [waiting] = window.add_paths([make_pdf(tmp_path / "waiting.pdf", 1)])
    window.splitter.setSizes([111, 500])
    sizes = window.splitter.sizes()

    # WHEN the window is closed (the edit is saved on the way) and a new one opens on the store
    window.close()
    window2 = make_window(ScriptedBackend())

    # THEN the queue is back with its results and the edit, and splitters are where they were
    assert [r.job_id for r in window2.queue_model.rows()] == [done, waiting]
    row = window2.queue_model.job(done)
    assert row is not None and row.status is JobStatus.DONE and row.pages_done == {0, 1}
    show_document(qtbot, window2, done)
    assert window2.reading_view.page_text(0) == "corrected by hand"
    assert "edited" in window2.reading_view.stats_text()
    restored = window2.splitter.sizes()
    assert restored[0] / sum(restored) == pytest.approx(sizes[0] / sum(sizes), abs=0.02)
    # THEN the unfinished document is resumed and read
    with qtbot.waitSignal(
        window2.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as finished:
        pass
    assert finished.args == [JobFinished(waiting, JobStatus.DONE)]


def test_paste_image_from_clipboard(qtbot: QtBot, make_window: WindowFactory) -> None:
    # GIVEN an image on the clipboard
    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.setPixelColor(10, 10, QColor("black"))  # a page of one colour is refused as blank
    QGuiApplication.clipboard().setImage(image)
    window = make_window(ScriptedBackend())

    # WHEN it is pasted (Ctrl+V)
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ) as finished:
        window.window_actions.paste_action.trigger()

    # THEN it was saved as a PNG in the data dir and read as a one-page document
    [row] = window.queue_model.rows()
    assert row.job_id == finished.args[0].job_id
    assert row.name.startswith("Pasted image") and row.name.endswith(".png")
    assert Path(row.source).parent == paths.data_dir() / "pasted"
    assert row.pages_done == {0}


def test_paste_without_an_image_says_what_to_do(make_window: WindowFactory) -> None:
    QGuiApplication.clipboard().clear()
    window = make_window(ScriptedBackend())
    window.window_actions.paste_action.trigger()
    assert window.notice.isVisible()
    assert "Copy an image" in window.notice.text()


def test_uncaught_exception_shows_traceback_and_log_path(qtbot: QtBot, make_window: WindowFactory) -> None:
    # GIVEN the crash reporter installed on a window
    window = make_window(ScriptedBackend())
    reporter = CrashReporter(lambda: window, window)
    reporter.install()
    try:
        # WHEN an exception escapes a slot
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            with qtbot.waitSignal(reporter.crashed):
                sys.excepthook(*sys.exc_info())
    finally:
        reporter.uninstall()

    # THEN a dialog shows the traceback and the log file, and the window still works
    assert reporter.dialog is not None and reporter.dialog.isVisible()
    assert "RuntimeError: boom in a slot" in reporter.dialog.details.toPlainText()
    assert str(paths.log_file()) in reporter.dialog.intro.text()
    reporter.dialog.close()
    assert window.isVisible()


def test_export_writes_files_and_offers_to_open_the_folder(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two finished documents
    window = make_window(ScriptedBackend())
    finished: list[str] = []
    window.bridge.pipeline_event.connect(on_event(JobFinished, lambda e: finished.append(e.job_id)))
    window.add_paths([make_pdf(tmp_path / "a.pdf", 2), make_pdf(tmp_path / "b.pdf", 1)])
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=TIMEOUT_MS)
    opened: list[Path] = []
    monkeypatch.setattr(window_dialogs, "open_folder_url", opened.append)

    # WHEN both are selected and exported as txt, md and json into a folder
    window.queue_view.selectAll()
    out = tmp_path / "out"
    written = export_all(qtbot, window, out, ["txt", "md", "json"])

    # THEN six files hold the pages' text, and a notice offers to open the folder
    assert sorted(p.name for p in written) == ["a.json", "a.md", "a.txt", "b.json", "b.md", "b.txt"]
    result = window.store.document_result(finished[0])
    text = (out / "a.txt").read_text(encoding="utf-8")
    assert all(page.text.strip() in text for page in result.pages)
    assert window.notice.text() == f"Saved 6 files to {out}"
    assert window.notice.action_text() == "Open Folder"
    window.notice.trigger_action()
    assert opened == [out]

    # WHEN exported again without "Overwrite existing"
    again = export_all(qtbot, window, out, ["md"])

    # THEN the files, already up to date, are left alone (the same rules as `ocr-desktop ocr`)
    assert again == []
    assert window.notice.text() == "2 file(s) were already up to date"
    assert len(list(out.iterdir())) == 6

    # WHEN a file of that name is someone else's
    (out / "a.md").write_text("my notes", encoding="utf-8")
    again = export_all(qtbot, window, out, ["md"])

    # THEN the other document is still exported, and the notice names the file kept and why
    assert again == []
    assert (out / "a.md").read_text(encoding="utf-8") == "my notes"
    assert "1 file(s) were already up to date. 1 file(s) could not be written: " in window.notice.text()
    assert f"{out / 'a.md'} already exists and was not written by OCR Desktop" in window.notice.text()


def test_every_main_action_has_a_shortcut_a_tooltip_and_a_menu(make_window: WindowFactory) -> None:
    window = make_window(ScriptedBackend())
    in_menus = {a for menu in window.menuBar().actions() if menu.menu() for a in menu.menu().actions()}
    acts = window.window_actions
    main = [
        acts.open_action, acts.open_folder_action, acts.paste_action, acts.export_action,
        acts.history_action, acts.quit_action, acts.copy_page_action, acts.copy_document_action,
        acts.settings_action, acts.pause_action, acts.cancel_page_action, acts.cancel_job_action,
        acts.retry_action, acts.remove_action, acts.clear_action, acts.move_up_action,
        acts.move_down_action, acts.zoom_in_action, acts.zoom_out_action, acts.fit_width_action,
        acts.next_page_action, acts.previous_page_action, acts.compare_action,
    ]  # fmt: skip
    shortcuts = [a.shortcut().toString() for a in main]
    assert all(shortcuts), [a.text() for a in main if not a.shortcut().toString()]
    assert len(set(shortcuts)) == len(shortcuts), "two actions share a shortcut"
    assert all(a.toolTip() and a in in_menus for a in main)


def test_tools_compare_backends_opens_the_compare_view(make_window: WindowFactory) -> None:
    window = make_window(ScriptedBackend())
    window.window_actions.compare_action.trigger()
    assert window.compare_dialog.isVisible()
    window.compare_dialog.reject()
