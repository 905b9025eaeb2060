"""The Markdown tab shows what the .md export holds: a layout page's figure links (with the figure
drawn) and the notes of a flagged page, read from the page's one formatted result; typing into it
says that edits go to the Text tab. A real window reading a drawn layout page (the shipped CDLA
model) with the scripted backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from ocr_desktop import exporters
from ocr_desktop.core.results import FLAG_TRUNCATED
from ocr_desktop.pipeline.events import JobFinished
from ocr_desktop.settings import ExportSettings, Settings
from tests.backends import ScriptedBackend
from tests.fixtures.layout import draw_page
from tests.gui_helpers import WindowFactory, is_event, window_factory

pytestmark = pytest.mark.gui

TIMEOUT_MS = 60_000


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[WindowFactory]:
    yield from window_factory(qtbot)


def test_the_markdown_tab_shows_the_figure_links_and_notes_the_md_export_holds(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN the window reading a drawn layout page with a figure; every region runs into the
    # token limit (16 tokens, the scripted model writes 20)
    page, _parts = draw_page()
    path = tmp_path / "paper.png"
    page.save(path)
    settings = Settings().with_value("reading.layout_model", "cdla").with_value("generation.max_tokens", 16)
    window = make_window(ScriptedBackend(tokens_per_page=20), settings)
    view = window.reading_view
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        (job_id,) = window.add_paths([path])
    qtbot.waitUntil(lambda: view.job_id == job_id and view.revert_button.isVisible(), timeout=TIMEOUT_MS)
    document = window.store.document_result(job_id)
    (result,) = document.pages
    assert FLAG_TRUNCATED in result.flags
    (figure,) = [r for r in result.regions if r.image_png]
    # WHEN the page is exported as Markdown, and the Markdown tab is shown
    out = tmp_path / "out"
    report = exporters.export_documents([document], ExportSettings(formats=("md",), out_dir=str(out)))
    assert not report.failed
    exported = (out / "paper.md").read_text(encoding="utf-8")
    view.tabs.setCurrentWidget(view.markdown_view)
    shown = view.markdown_view.document()
    # THEN the tab links the figure where the .md does, and draws it from its crop
    link = f"paper_figures/page-1-figure-{figure.order + 1}.png"
    assert f"]({link})" in exported
    assert f"]({link})" in shown.toMarkdown()
    image = shown.resource(QTextDocument.ResourceType.ImageResource, QUrl(link))
    assert isinstance(image, QImage) and not image.isNull()
    assert image.size().toTuple() == QImage.fromData(figure.image_png).size().toTuple()
    # AND it shows the token-limit note the .md holds
    note = "the text reached the token limit and may be incomplete"
    assert note in exported and note in shown.toPlainText()


def test_typing_into_the_markdown_tab_says_where_edits_go(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN a finished page shown on the Markdown tab
    path = tmp_path / "page.png"
    draw_page()[0].save(path)
    window = make_window(ScriptedBackend())
    view = window.reading_view
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        window.add_paths([path])
    view.tabs.setCurrentWidget(view.markdown_view)
    view.show()
    assert not view.edit_hint.isVisible()
    before = view.markdown_view.toPlainText()
    # WHEN the user types into it
    view.markdown_view.setFocus()
    qtbot.keyClicks(view.markdown_view, "fix")
    # THEN nothing changed, and a hint says the Text tab is where edits go
    qtbot.waitUntil(view.edit_hint.isVisible, timeout=TIMEOUT_MS)
    assert view.markdown_view.toPlainText() == before
    assert "Text tab" in view.edit_hint.text()
    # AND its link opens the Text tab, and the hint goes
    view.edit_hint.linkActivated.emit("text")
    assert view.tabs.currentWidget() is view.text_edit
    assert not view.edit_hint.isVisible()
    # a shortcut (Ctrl+C) in the Markdown tab is no typing
    view.tabs.setCurrentWidget(view.markdown_view)
    qtbot.keyClick(view.markdown_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert not view.edit_hint.isVisible()


def test_an_edit_in_the_text_tab_keeps_the_figures_the_export_links(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    # GIVEN the window that read a drawn layout page with a figure
    path = tmp_path / "paper.png"
    draw_page()[0].save(path)
    window = make_window(ScriptedBackend(), Settings().with_value("reading.layout_model", "cdla"))
    view = window.reading_view
    with qtbot.waitSignal(
        window.bridge.pipeline_event, check_params_cb=is_event(JobFinished), timeout=TIMEOUT_MS
    ):
        (job_id,) = window.add_paths([path])
    qtbot.waitUntil(lambda: view.job_id == job_id and not view.text_edit.isReadOnly(), timeout=TIMEOUT_MS)
    (figure,) = [r for r in window.store.document_result(job_id).pages[0].regions if r.image_png]
    # WHEN the user types a correction at the end of the Text tab, and the edit is saved
    view.tabs.setCurrentWidget(view.text_edit)
    view.text_edit.setFocus()
    qtbot.keyClick(view.text_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.text_edit, " fixed by hand")
    qtbot.waitUntil(
        lambda: "fixed by hand" in window.store.document_result(job_id).pages[0].text, timeout=TIMEOUT_MS
    )
    # AND the document is exported as Markdown
    out = tmp_path / "out"
    report = exporters.export_documents(
        [window.store.document_result(job_id)], ExportSettings(formats=("md",), out_dir=str(out))
    )
    # THEN the .md holds the edit and still links the figure, whose crop is the one file saved
    assert not report.failed
    markdown = (out / "paper.md").read_text(encoding="utf-8")
    link = f"paper_figures/page-1-figure-{figure.order + 1}.png"
    assert "fixed by hand" in markdown and f"]({link})" in markdown
    assert [p.relative_to(out).as_posix() for p in (out / "paper_figures").iterdir()] == [link]
    # AND the Markdown tab shows the edited page with the figure too
    view.tabs.setCurrentWidget(view.markdown_view)
    assert f"]({link})" in view.markdown_view.document().toMarkdown()
    assert "fixed by hand" in view.markdown_view.toPlainText()
