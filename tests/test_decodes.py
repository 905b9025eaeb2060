"""A single-image page is decoded once by the pipeline and once by the viewer, not four times:
the pre-flight's decode of a one-image document is the page its first render hands out, and the
viewer does not render a page again while that page is being rendered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFile
from pytestqt.qtbot import QtBot

from ocr_desktop.documents.document import open_document
from ocr_desktop.gui.page_renderer import PageKey, PageRenderer


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pillow decodes (a ``load`` with tiles left to decode; reading a header is no decode)."""
    counted: list[str] = []
    original = ImageFile.ImageFile.load

    def load(image: ImageFile.ImageFile) -> object:
        if image.tile:
            counted.append(str(image.filename))
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return counted


@pytest.fixture
def page_png(tmp_path: Path) -> Iterator[Path]:
    image = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(image)
    for y in range(100, 900, 40):
        draw.rectangle((80, y, 720, y + 10), fill="black")
    path = tmp_path / "page.png"
    image.save(path)
    yield path


def test_opening_and_rendering_a_single_image_decodes_it_once(page_png: Path, decodes: list[str]) -> None:
    # WHEN a one-image document is opened (its pre-flight decodes it) and its page rendered
    document = open_document(page_png)
    page = document.render_page(0)
    # THEN the image was decoded once, and the page is the whole image (sized to 28-pixel patches)
    assert decodes == [str(page_png)]
    width, height = page.image.size
    assert page.index == 0 and abs(width - 800) < 28 and abs(height - 1000) < 28
    # AND a later render of the page decodes it again (the document keeps no pixels)
    assert document.render_page(0).image.tobytes() == page.image.tobytes()
    assert len(decodes) == 2


@pytest.mark.gui
def test_the_viewer_renders_a_page_asked_for_twice_once(
    qtbot: QtBot, page_png: Path, decodes: list[str]
) -> None:
    # GIVEN the viewer's renderer asked for a page, and asked again before it answered (the
    # reading view asks when it shows a document and again when its page starts streaming)
    renderer = PageRenderer()
    key = PageKey(str(page_png), 0, 150, 2_408_448)
    answers: list[PageKey] = []
    renderer.rendered.connect(lambda k, _image: answers.append(k))
    try:
        renderer.request(key)
        renderer.request(key)
        # THEN it answers, having decoded the image once
        qtbot.waitUntil(lambda: len(answers) >= 1, timeout=20_000)
        qtbot.wait(200)
        assert answers == [key]
        assert decodes == [str(page_png)]
        # AND asked once more, it answers from its cache
        renderer.request(key)
        assert answers == [key, key] and len(decodes) == 1
    finally:
        renderer.shutdown()
