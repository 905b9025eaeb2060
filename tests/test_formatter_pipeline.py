"""The pipeline's policies around the formatter: an answer that is no reading of the page is
read once more and then fails with advice; a loop retry's penalty window covers the unit and
reaches llama.cpp's sampler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ocr_desktop.backends.base import Recognition
from ocr_desktop.backends.llamacpp import LlamaCppBackend
from ocr_desktop.core.results import FLAG_RETRIED
from ocr_desktop.core.store import PageStatus
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.pipeline.page_reader import NO_READING_ADVICE
from tests.backends import ScriptedBackend
from tests.fixtures.files import draw_page
from tests.test_pipeline import (
    Rig,
    loop_settings,
    make_rig,  # the pipeline tests' fixture, used here
)

__all__ = ["make_rig"]


class AnswersInTurn(ScriptedBackend):
    """Answers the n-th read of any page with ``answers[n]`` and records the options it got."""

    def __init__(self, answers: list[list[str]]) -> None:
        super().__init__()
        self.answers = answers
        self.options: list[GenerationOptions] = []

    def recognize(self, page, task, options: GenerationOptions, cancel) -> Recognition:  # type: ignore[no-untyped-def]
        self.scripts = {page.index: self.answers[min(len(self.options), len(self.answers) - 1)]}
        self.options.append(options)
        return (yield from super().recognize(page, task, options, cancel))


def test_an_empty_fence_is_read_again_and_then_fails_with_advice(make_rig: Callable[..., Rig]) -> None:
    # GIVEN a backend that answers an empty ```markdown fence every time (the image never arrived)
    rig = make_rig(backend=AnswersInTurn([["```markdown\n", "```"]]))
    # WHEN a one-page document is read
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    # THEN the page was read twice, is failed (not saved as an empty success), with what to try
    assert len(rig.backend.options) == 2
    assert rig.store.document_result(job).pages == ()
    assert {p.page_index: p.status for p in rig.store.pages(job)} == {0: PageStatus.FAILED}
    ((_, _, message),) = rig.events.of("page_failed")
    assert message == f"the model returned an empty code fence, twice — {NO_READING_ADVICE}"


def test_a_prompt_echo_then_a_reading_keeps_the_reading_flagged_retried(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=AnswersInTurn([["Text ", "Recognition:"], ["# Title\n", "Body text."]]))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    (page,) = rig.store.document_result(job).pages
    assert page.text == "# Title\nBody text."
    assert page.flags == {FLAG_RETRIED}
    assert rig.events.of("page_started") == [(job, 0), (job, 0)]


LONG_ROW = "<tr>" + "".join(f"<td>cell {n} of a long repeated row</td>" for n in range(8)) + "</tr>\n"


def test_the_loop_retry_penalty_window_covers_the_repeated_unit(make_rig: Callable[..., Rig]) -> None:
    # GIVEN a page that loops on a table row longer than llama.cpp's 64-token default window
    looping = ["<table>\n"] + [LONG_ROW] * 40
    rig = make_rig(
        backend=AnswersInTurn([looping, ["<table>\n", LONG_ROW, "</table>"]]), settings=loop_settings(True)
    )
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    # THEN the first read used the defaults and the retry a penalty over a window >= the unit
    first, retry = rig.backend.options
    assert (first.repetition_penalty, first.penalty_window) == (1.0, 64)
    assert retry.repetition_penalty == 1.1
    assert retry.penalty_window >= len(LONG_ROW) > 64
    (page,) = rig.store.document_result(job).pages
    assert page.flags == {FLAG_RETRIED}


@pytest.mark.llamacpp
def test_the_penalty_window_reaches_llama_cpp(llamacpp_backend: LlamaCppBackend) -> None:
    # GIVEN the real runtime and the test model, which repeats itself on any page (random weights)
    size = (280, 336)
    page = PageImage(draw_page(size, "Invoice 1000"), 0, Path("page.png"), size)

    def read(window: int) -> str:
        options = GenerationOptions(max_tokens=120, repetition_penalty=1.1, penalty_window=window)
        return "".join(llamacpp_backend.recognize(page, Task.TEXT, options, threading.Event()))

    # WHEN the same page is read with the same penalty over different windows
    narrow, default, wide = read(1), read(64), read(1024)
    # THEN llama.cpp decoded differently: the window is really what its sampler used
    assert narrow != default
    assert read(64) == default  # greedy: the same options give the same text
    assert wide != narrow
