"""The pipeline's own behaviour, with the scripted backend and an in-memory document opener.

Documents here are fakes so each test controls page counts and counts renders; the real
document code is exercised end to end by tests/test_cli.py.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from ocr_desktop.backends.base import BackendCrashed, BackendError, BackendState, ProgressFn, Recognition
from ocr_desktop.backends.memory import MIB
from ocr_desktop.core.results import (
    FLAG_REPETITION_LOOP,
    FLAG_RETRIED,
    FLAG_TRUNCATED,
    GenerationStats,
    PageResult,
)
from ocr_desktop.core.store import JobStatus, JobStore, PageStatus
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.pipeline import Pipeline, PipelineListener
from ocr_desktop.settings import GenerationSettings, ReadingSettings, Settings
from tests.backends import ScriptedBackend

GIB = 1 << 30

TIMEOUT = 20.0


# -- fakes ---------------------------------------------------------------------------------------


@dataclass
class FakeDocument:
    path: Path
    page_count: int
    renders: list[tuple[str, int]]
    closed: bool = False

    @property
    def page_indices(self) -> list[int]:
        return list(range(self.page_count))

    def render_page(self, index: int) -> PageImage:
        self.renders.append((self.path.name, index))
        image = Image.new("RGB", (280 + 28 * index, 392), "white")
        return PageImage(image, index, self.path, image.size)

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeOpener:
    """Opens files made by ``make``; a file named bad* is damaged, any other is missing."""

    renders: list[tuple[str, int]] = field(default_factory=list)
    page_counts: dict[str, int] = field(default_factory=dict)
    opened: list[FakeDocument] = field(default_factory=list)

    def make(self, folder: Path, name: str, pages: int) -> Path:
        path = folder / name
        path.write_bytes(b"%PDF-fake " + name.encode())
        self.page_counts[name] = pages
        return path

    def __call__(self, path: Path, *, dpi: int, max_pixels: int, pages: str) -> FakeDocument:
        if path.name not in self.page_counts:
            raise DocumentError(f"{path.name} does not exist")
        if path.name.startswith("bad"):
            raise DocumentError(f"{path.name} is damaged: re-save it from the program that made it")
        doc = FakeDocument(path, self.page_counts[path.name], self.renders)
        self.opened.append(doc)
        return doc


class Recorder(PipelineListener):
    """Records every event; ``on`` hooks run a callback when an event matches."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.hooks: list[tuple[str, Callable[..., bool], Callable[[], None]]] = []
        self._lock = threading.Lock()

    def on(self, event: str, match: Callable[..., bool], action: Callable[[], None]) -> None:
        self.hooks.append((event, match, action))

    def _record(self, event: str, *args: object) -> None:
        with self._lock:
            self.events.append((event, *args))
            hooks = [h for h in self.hooks if h[0] == event and h[1](*args)]
            for hook in hooks:
                self.hooks.remove(hook)  # each hook fires once
        for _, _, action in hooks:
            action()

    def of(self, event: str) -> list[tuple]:
        with self._lock:
            return [e[1:] for e in self.events if e[0] == event]

    def job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        self._record("job_added", job_id, name, page_count, source)

    def job_started(
        self, job_id: str, page_count: int, page_indices: tuple[int, ...], pending: tuple[int, ...]
    ) -> None:
        self._record("job_started", job_id, page_count, page_indices, pending)

    def page_started(self, job_id: str, page_index: int) -> None:
        self._record("page_started", job_id, page_index)

    def text_delta(self, job_id: str, page_index: int, text: str) -> None:
        self._record("text_delta", job_id, page_index, text)

    def page_finished(self, job_id: str, result: PageResult) -> None:
        self._record("page_finished", job_id, result)

    def page_failed(self, job_id: str, page_index: int, message: str) -> None:
        self._record("page_failed", job_id, page_index, message)

    def job_finished(self, job_id: str, status: JobStatus) -> None:
        self._record("job_finished", job_id, status)

    def job_failed(self, job_id: str, message: str) -> None:
        self._record("job_failed", job_id, message)

    def backend_state_changed(self, state: BackendState, message: str) -> None:
        self._record("backend_state", state, message)

    def backend_ready(self, backend_id: str, model_name: str, load_seconds: float | None) -> None:
        self._record("backend_ready", backend_id, model_name, load_seconds)

    def backend_retired(self, backend_id: str) -> None:
        self._record("backend_retired", backend_id)

    def backend_kept(self, backend_id: str, model_name: str, message: str) -> None:
        self._record("backend_kept", backend_id, model_name, message)


def page_settings() -> Settings:
    """Whole-page reading: these tests are about how pages are scheduled (layout reading has
    tests/test_layout_pipeline.py)."""
    return Settings().with_value("reading.mode", "page")


@dataclass
class Rig:
    pipeline: Pipeline
    store: JobStore
    backend: ScriptedBackend
    opener: FakeOpener
    events: Recorder
    folder: Path
    factory_calls: list[str]

    def doc(self, name: str, pages: int) -> Path:
        return self.opener.make(self.folder, name, pages)

    def idle(self) -> None:
        assert self.pipeline.wait_idle(TIMEOUT), "the pipeline did not become idle"


@pytest.fixture
def make_rig(tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(
        backend: ScriptedBackend | None = None,
        settings: Settings | None = None,
        memory_guard: Callable[[], str | None] | None = None,
        factory: Callable[[Settings], ScriptedBackend] | None = None,
        start: bool = True,
        store: JobStore | None = None,
        free_memory: Callable[[], int] = lambda: 64 * GIB,
    ) -> Rig:
        backend = backend or ScriptedBackend()
        store = store or JobStore(tmp_path / "jobs.sqlite3")
        opener = FakeOpener()
        events = Recorder()
        calls: list[str] = []

        def default_factory(s: Settings) -> ScriptedBackend:
            calls.append(s.backend)
            return backend

        pipeline = Pipeline(
            store,
            settings or page_settings(),
            events,
            backend_factory=factory or default_factory,
            memory_guard=memory_guard,
            open_document=opener,
            free_memory=free_memory,
            retry_backoff_s=(0.0, 0.0, 0.0),
        )
        rig = Rig(pipeline, store, backend, opener, events, tmp_path, calls)
        made.append(rig)
        if start:
            pipeline.start()
        return rig

    yield make
    for rig in made:
        assert rig.pipeline.shutdown(TIMEOUT)


def texts(rig: Rig, job_id: str) -> dict[int, str]:
    return {p.page_index: p.text for p in rig.store.document_result(job_id).pages}


def statuses(rig: Rig, job_id: str) -> dict[int, PageStatus]:
    return {p.page_index: p.status for p in rig.store.pages(job_id)}


# -- order and streaming -------------------------------------------------------------------------


def test_jobs_run_in_order_and_stream_their_text(make_rig: Callable[..., Rig]) -> None:
    # GIVEN two documents
    rig = make_rig()
    a, b = rig.doc("a.pdf", 2), rig.doc("b.pdf", 3)
    # WHEN both are submitted
    job_a = rig.pipeline.submit(a)
    job_b = rig.pipeline.submit(b)
    rig.idle()
    # THEN pages were read in order and each page's deltas add up to its stored text
    assert rig.backend.calls == [0, 1, 0, 1, 2]
    lifecycle = [e[:2] for e in rig.events.events if e[0] in ("job_added", "job_started")]
    for job_id in (job_a, job_b):
        assert lifecycle.index(("job_added", job_id)) < lifecycle.index(("job_started", job_id))
    # the events carry what they report: source, page counts, how each job ended
    assert [e[3] for e in rig.events.of("job_added")] == [str(a.absolute()), str(b.absolute())]
    assert rig.events.of("job_started") == [(job_a, 2, (0, 1), (0, 1)), (job_b, 3, (0, 1, 2), (0, 1, 2))]
    assert rig.events.of("job_finished") == [(job_a, JobStatus.DONE), (job_b, JobStatus.DONE)]
    for job_id, count in ((job_a, 2), (job_b, 3)):
        streamed = {
            i: "".join(d[2] for d in rig.events.of("text_delta") if d[0] == job_id and d[1] == i)
            for i in range(count)
        }
        assert texts(rig, job_id) == streamed
        assert streamed[count - 1].startswith(f"page {count} (")
        assert rig.store.job(job_id).status is JobStatus.DONE
    finished = [r for _, r in rig.events.of("page_finished")]
    assert all(r.backend == "scripted" and r.model == "scripted-model" and r.task == "text" for r in finished)
    assert finished[0].stats.completion_tokens == 8
    # AND each document was closed when its job ended (a PDF's renderer process is let go)
    assert [d.closed for d in rig.opener.opened] == [True, True]


def test_task_and_page_size_reach_the_backend(make_rig: Callable[..., Rig]) -> None:
    seen: list[tuple[Task, tuple[int, int]]] = []

    class Recording(ScriptedBackend):
        def recognize(self, page, task, options, cancel) -> Recognition:  # type: ignore[no-untyped-def]
            seen.append((task, page.image.size))
            return (yield from super().recognize(page, task, options, cancel))

    rig = make_rig(backend=Recording())
    job = rig.pipeline.submit(rig.doc("t.pdf", 2), task="table")
    rig.idle()
    assert seen == [(Task.TABLE, (280, 392)), (Task.TABLE, (308, 392))]
    assert {r.task for _, r in rig.events.of("page_finished")} == {"table"}
    assert (
        rig.store.document_result(job).pages[1].width,
        rig.store.document_result(job).pages[1].height,
    ) == (
        308,
        392,
    )


def test_a_bad_document_does_not_block_the_queue(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    a, bad, c = rig.doc("a.pdf", 1), rig.doc("bad.pdf", 1), rig.doc("c.pdf", 2)
    ids = [rig.pipeline.submit(p) for p in (a, bad, c)]
    rig.idle()
    assert rig.events.of("job_failed") == [
        (ids[1], "bad.pdf is damaged: re-save it from the program that made it")
    ]
    assert rig.store.job(ids[1]).status is JobStatus.FAILED
    assert rig.store.job(ids[1]).error.startswith("bad.pdf is damaged")
    assert [e[0] for e in rig.events.of("job_finished")] == [ids[0], ids[2]]
    # job_added came for the bad one too, before it failed
    assert [e[0] for e in rig.events.of("job_added")] == ids


def test_a_missing_file_fails_its_job_with_the_reason(make_rig: Callable[..., Rig], tmp_path: Path) -> None:
    rig = make_rig()
    job = rig.pipeline.submit(tmp_path / "gone.pdf")
    rig.idle()
    assert rig.events.of("job_failed") == [(job, "gone.pdf does not exist")]


# -- cancel, pause, retry ------------------------------------------------------------------------


def test_cancel_page_skips_it_and_retry_reads_it(make_rig: Callable[..., Rig]) -> None:
    # GIVEN a slow 3-page document
    rig = make_rig(backend=ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    # WHEN page 2 is cancelled at its first token
    rig.events.on("text_delta", lambda j, i, _t: i == 1, rig.pipeline.cancel_page)
    rig.idle()
    # THEN it failed as cancelled, the others are done, and the job went on
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.FAILED, 2: PageStatus.DONE}
    assert rig.events.of("page_failed") == [(job, 1, "cancelled; retry the page to read it again")]
    assert rig.store.job(job).status is JobStatus.DONE
    # WHEN the failed page is retried
    assert rig.pipeline.retry_failed(job)
    rig.idle()
    # THEN it is read (again) and the job is complete
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.DONE, 2: PageStatus.DONE}
    assert rig.backend.calls == [0, 1, 2, 1]
    assert [p.attempts for p in rig.store.pages(job)] == [1, 2, 1]


def test_cancel_job_keeps_finished_pages_and_leaves_the_rest_pending(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    a = rig.pipeline.submit(rig.doc("a.pdf", 4))
    b = rig.pipeline.submit(rig.doc("b.pdf", 1))
    rig.events.on("text_delta", lambda j, i, _t: j == a and i == 1, lambda: rig.pipeline.cancel_job(a))
    rig.idle()
    assert statuses(rig, a) == {
        0: PageStatus.DONE,
        1: PageStatus.PENDING,
        2: PageStatus.PENDING,
        3: PageStatus.PENDING,
    }
    assert rig.store.job(a).status is JobStatus.CANCELLED
    assert rig.store.job(b).status is JobStatus.DONE
    assert rig.events.of("page_failed") == []
    assert rig.events.of("job_finished") == [(a, JobStatus.CANCELLED), (b, JobStatus.DONE)]
    assert a not in [j.id for j in rig.store.unfinished_jobs()]


def test_an_error_the_backend_raises_because_of_a_cancel_is_not_a_page_failure(
    make_rig: Callable[..., Rig],
) -> None:
    class AbortingBackend(ScriptedBackend):
        """Like an HTTP client whose stream is closed by the cancel: it raises instead of returning."""

        def recognize(self, page, task, options, cancel) -> Recognition:  # type: ignore[no-untyped-def]
            yield from super().recognize(page, task, options, cancel)
            if cancel.is_set():
                raise BackendError("the response stream was closed")
            return GenerationStats(finish_reason="stop")

    rig = make_rig(backend=AbortingBackend(token_delay_s=0.01, tokens_per_page=30))
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    rig.events.on("text_delta", lambda j, i, _t: i == 0, lambda: rig.pipeline.cancel_job(job))
    rig.idle()
    assert rig.events.of("page_failed") == []
    assert statuses(rig, job) == {0: PageStatus.PENDING, 1: PageStatus.PENDING}


def test_pause_starts_no_new_page_until_resumed(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    # WHEN paused as page 1 finishes
    rig.events.on("page_finished", lambda j, r: r.page_index == 0, rig.pipeline.pause)
    # THEN nothing more starts
    assert not rig.pipeline.wait_idle(0.5)
    assert rig.backend.calls == [0]
    assert rig.pipeline.paused
    assert rig.store.job(job).status is JobStatus.PAUSED
    # WHEN resumed, the job completes
    rig.pipeline.unpause()
    rig.idle()
    assert rig.backend.calls == [0, 1, 2]
    assert rig.store.job(job).status is JobStatus.DONE


def test_a_failed_page_is_reported_and_the_job_goes_on(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=ScriptedBackend(failures={1: [BackendError("the page image is too large")]}))
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    rig.idle()
    assert rig.events.of("page_failed") == [(job, 1, "the page image is too large")]
    record = rig.store.job(job)
    assert (record.status, record.pages_done, record.pages_failed) == (JobStatus.DONE, 2, 1)
    assert rig.store.document_result(job).failed == {1: "the page image is too large"}


def test_a_job_whose_pages_all_fail_fails(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=ScriptedBackend(failures={0: [BackendError("no")], 1: [BackendError("no")]}))
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    rig.idle()
    assert rig.events.of("job_failed") == [(job, "none of the 2 pages could be read; see each page's error")]
    assert rig.store.job(job).status is JobStatus.FAILED
    # retry_failed resumes a job that had ended
    assert rig.pipeline.retry_failed(job)
    rig.idle()
    assert rig.store.job(job).status is JobStatus.DONE
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.DONE}


def test_transient_errors_are_retried_with_backoff(make_rig: Callable[..., Rig]) -> None:
    flaky = [BackendError("server busy (503)", retryable=True) for _ in range(3)]
    rig = make_rig(backend=ScriptedBackend(failures={0: flaky}))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    assert rig.backend.calls == [0, 0, 0, 0]
    assert statuses(rig, job) == {0: PageStatus.DONE}
    assert [i for _, i in rig.events.of("page_started")] == [0, 0, 0, 0]


def test_transient_errors_give_up_after_the_backoff_steps(make_rig: Callable[..., Rig]) -> None:
    flaky = [BackendError("server busy (503)", retryable=True) for _ in range(4)]
    rig = make_rig(backend=ScriptedBackend(failures={0: flaky}))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    assert len(rig.backend.calls) == 4
    assert rig.events.of("page_failed") == [(job, 0, "server busy (503)")]


def test_a_crashed_backend_is_reloaded_once_and_the_page_read_again(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(
        backend=ScriptedBackend(failures={1: [BackendCrashed("the vLLM server exited (code -9)")]})
    )
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    rig.idle()
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.DONE, 2: PageStatus.DONE}
    assert rig.factory_calls == ["llamacpp", "llamacpp"]
    states = [s for s, _ in rig.events.of("backend_state")]
    assert states == [
        BackendState.LOADING,
        BackendState.LOADING,  # the backend's own progress message
        BackendState.READY,
        BackendState.UNLOADED,
        BackendState.LOADING,
        BackendState.LOADING,
        BackendState.READY,
    ]
    assert [p.attempts for p in rig.store.pages(job)] == [1, 2, 1]


def test_a_backend_that_crashes_again_fails_only_that_page(make_rig: Callable[..., Rig]) -> None:
    crashes = [BackendCrashed("the vLLM server exited"), BackendCrashed("the vLLM server exited")]
    rig = make_rig(backend=ScriptedBackend(failures={0: crashes}))
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    rig.idle()
    assert rig.events.of("page_failed") == [
        (job, 0, "the vLLM server exited (again after a restart of the backend)")
    ]
    assert statuses(rig, job) == {0: PageStatus.FAILED, 1: PageStatus.DONE}


# -- repetition loops and truncation ---------------------------------------------------------------

LOOP = ["# Title\n", "Some text.\n"] + ["| a | b |\n"] * 300
CLEAN = ["# Title\n", "Some text.\n", "| a | b |\n", "| c | d |\n"]


class LoopingBackend(ScriptedBackend):
    """Loops without a repetition penalty; with one, loops only if ``loops_with_penalty``."""

    loops_with_penalty: bool = False
    penalties: list[float] = []  # noqa: RUF012 - replaced per instance below

    def recognize(self, page, task, options: GenerationOptions, cancel) -> Recognition:  # type: ignore[no-untyped-def]
        self.penalties.append(options.repetition_penalty)
        looping = options.repetition_penalty == 1.0 or self.loops_with_penalty
        self.scripts = {page.index: LOOP if looping else CLEAN}
        return (yield from super().recognize(page, task, options, cancel))


def looping_backend(loops_with_penalty: bool = False) -> LoopingBackend:
    backend = LoopingBackend()
    backend.penalties = []
    backend.loops_with_penalty = loops_with_penalty
    return backend


def loop_settings(retry: bool) -> Settings:
    return page_settings().with_value("generation.loop_retry", retry)


def test_a_loop_is_stopped_cut_and_flagged(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=looping_backend(), settings=loop_settings(retry=False))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    (page,) = rig.store.document_result(job).pages
    assert page.flags == {FLAG_REPETITION_LOOP}
    assert page.text.startswith("# Title\nSome text.\n| a | b |")
    assert page.text.count("| a | b |") <= 2  # cut where the loop began
    assert page.stats.finish_reason == "loop"
    assert page.stats.completion_tokens < 100  # stopped early, not after all 302 tokens
    assert rig.backend.penalties == [1.0]


def test_a_looping_page_is_retried_with_a_penalty_and_the_clean_retry_kept(
    make_rig: Callable[..., Rig],
) -> None:
    rig = make_rig(backend=looping_backend(), settings=loop_settings(retry=True))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    (page,) = rig.store.document_result(job).pages
    assert rig.backend.penalties == [1.0, 1.1]
    assert page.flags == {FLAG_RETRIED}
    assert page.text == "".join(CLEAN)
    assert page.stats.finish_reason == "stop"
    # the live view was told to restart the page
    assert rig.events.of("page_started") == [(job, 0), (job, 0)]


def test_when_the_retry_loops_too_the_page_keeps_both_flags(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=looping_backend(loops_with_penalty=True), settings=loop_settings(retry=True))
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    (page,) = rig.store.document_result(job).pages
    assert page.flags == {FLAG_REPETITION_LOOP, FLAG_RETRIED}
    assert page.text.startswith("# Title\nSome text.\n")
    assert rig.backend.penalties == [1.0, 1.1]


def test_hitting_max_tokens_flags_the_page_truncated(make_rig: Callable[..., Rig]) -> None:
    settings = page_settings().with_value("generation.max_tokens", 16)
    rig = make_rig(backend=ScriptedBackend(tokens_per_page=40), settings=settings)
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    (page,) = rig.store.document_result(job).pages
    assert page.flags == {FLAG_TRUNCATED}
    assert page.stats.completion_tokens == 16


# -- concurrency, memory guard, render-ahead -------------------------------------------------------


def test_pages_in_flight_reach_the_backend_limit_across_documents(make_rig: Callable[..., Rig]) -> None:
    # Three single-page documents: a backend taking 3 pages at once must get all three together.
    barrier = threading.Barrier(3, timeout=10)
    rig = make_rig(backend=ScriptedBackend(in_flight=3, on_page=lambda _p: barrier.wait()))
    ids = [rig.pipeline.submit(rig.doc(f"{n}.png", 1)) for n in "abc"]
    rig.idle()
    assert rig.backend.max_concurrent_seen == 3
    assert all(rig.store.job(j).status is JobStatus.DONE for j in ids)
    assert rig.events.of("page_failed") == []


def test_in_flight_never_exceeds_the_backend_limit(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=ScriptedBackend(in_flight=2, token_delay_s=0.005))
    job = rig.pipeline.submit(rig.doc("a.pdf", 6))
    rig.idle()
    assert rig.backend.max_concurrent_seen <= 2
    assert rig.store.job(job).pages_done == 6


def test_the_memory_guard_holds_back_additional_pages(make_rig: Callable[..., Rig]) -> None:
    asked: list[int] = []

    def guard() -> str | None:
        asked.append(1)
        return "free memory 300 MB is below the 700 MB threshold"

    rig = make_rig(backend=ScriptedBackend(in_flight=3, token_delay_s=0.005), memory_guard=guard)
    job = rig.pipeline.submit(rig.doc("a.pdf", 4))
    rig.idle()
    assert rig.backend.max_concurrent_seen == 1  # one page may always run
    assert rig.store.job(job).pages_done == 4
    assert asked  # consulted before additional pages


def test_the_memory_guard_lets_pages_start_once_memory_recovers(make_rig: Callable[..., Rig]) -> None:
    barrier = threading.Barrier(2, timeout=10)
    answers = ["low memory", None]

    def guard() -> str | None:
        return answers.pop(0) if answers else None

    rig = make_rig(
        backend=ScriptedBackend(in_flight=2, on_page=lambda p: p.index < 2 and barrier.wait()),
        memory_guard=guard,
    )
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    rig.idle()
    assert rig.backend.max_concurrent_seen == 2
    assert rig.store.job(job).pages_done == 3


@pytest.mark.parametrize("in_flight", [1, 3])
def test_at_most_one_page_is_rendered_ahead(make_rig: Callable[..., Rig], in_flight: int) -> None:
    ahead: list[int] = []

    def check(_page: PageImage) -> None:
        # pages rendered but not yet handed to the backend (the one being handed over counts)
        ahead.append(len(rig.opener.renders) - len(rig.backend.calls))

    rig = make_rig(backend=ScriptedBackend(in_flight=in_flight, token_delay_s=0.01, on_page=check))
    rig.pipeline.submit(rig.doc("a.pdf", 6))
    rig.idle()
    assert len(rig.opener.renders) == 6
    assert max(ahead) <= 1


# -- backend lifecycle -----------------------------------------------------------------------------


def test_the_backend_loads_lazily_and_a_load_error_fails_the_job_with_the_fix(
    make_rig: Callable[..., Rig],
) -> None:
    message = "model file not found: /models/glm-ocr.gguf — download it in Settings → llama.cpp"
    model_present = False
    working = ScriptedBackend()

    def factory(_s: Settings) -> ScriptedBackend:
        if not model_present:
            raise BackendError(message)
        return working

    rig = make_rig(factory=factory)
    assert rig.events.of("backend_state") == []  # nothing loaded before there is work
    a = rig.pipeline.submit(rig.doc("a.pdf", 2))
    b = rig.pipeline.submit(rig.doc("b.pdf", 1))
    rig.idle()
    assert rig.events.of("job_failed") == [(a, message), (b, message)]
    assert (BackendState.ERROR, message) in rig.events.of("backend_state")
    assert statuses(rig, a) == {0: PageStatus.PENDING, 1: PageStatus.PENDING}  # nothing lost for a retry
    # WHEN the backend is fixed and the job retried, THEN its pages are read
    model_present = True
    assert rig.pipeline.retry_failed(a)
    rig.idle()
    assert rig.store.job(a).status is JobStatus.DONE
    assert not rig.pipeline.retry_failed(a)  # nothing left to read


def test_switching_backend_mid_page_reads_the_page_again_with_the_new_one(
    make_rig: Callable[..., Rig],
) -> None:
    old = ScriptedBackend(id="old", token_delay_s=0.01, tokens_per_page=40)
    new = ScriptedBackend(id="new")
    backends = {"llamacpp": old, "vllm": new}
    rig = make_rig(factory=lambda s: backends[s.backend])
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    other = Settings(backend="vllm")
    rig.events.on(
        "text_delta", lambda j, i, _t: i == 0, lambda: rig.pipeline.switch_backend(other, finish_page=False)
    )
    rig.idle()
    assert not old.loaded and new.loaded
    assert {r.page_index: r.backend for _, r in rig.events.of("page_finished")} == {0: "new", 1: "new"}
    assert rig.events.of("backend_retired") == [("old",)]  # both fit: unloaded once new was ready
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.DONE}


# -- switching with both backends in memory, or the old one first --------------------------------


class FailingLoad(ScriptedBackend):
    def load(self, progress: ProgressFn) -> None:
        raise BackendError("the vLLM server exited: no GPU")


def switch_when_idle(
    make_rig: Callable[..., Rig], new: ScriptedBackend, free_memory: int
) -> tuple[Rig, ScriptedBackend, list[bool]]:
    """The old backend reads a page; once idle, the pipeline switches to ``new`` with
    ``free_memory`` bytes free. Returns the rig, the old backend, and whether the old one was
    loaded at each of the new one's load stages."""
    old = ScriptedBackend(id="old")
    backends = {"llamacpp": old, "vllm": new}
    rig = make_rig(factory=lambda s: backends[s.backend], free_memory=lambda: free_memory)
    rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    old_loaded: list[bool] = []
    rig.events.on(
        "backend_state",
        lambda state, _message: state is BackendState.LOADING,  # the first, the new one's
        lambda: old_loaded.append(old.loaded),
    )
    start = len(rig.events.events)
    rig.pipeline.switch_backend(dataclasses.replace(page_settings(), backend="vllm"), finish_page=True)
    rig.idle()
    del rig.events.events[:start]  # the switch's events only
    return rig, old, old_loaded


def backend_events(rig: Rig) -> list[tuple]:
    return [
        (e[0], e[1]) if e[0] == "backend_state" else e[:2]
        for e in rig.events.events
        if e[0].startswith("backend_")
    ]


def test_a_switch_that_fits_beside_the_old_backend_unloads_the_old_one_after_the_new_is_ready(
    make_rig: Callable[..., Rig],
) -> None:
    # GIVEN 8 GiB free and backends of 1 MiB each
    new = ScriptedBackend(id="new")
    rig, old, old_loaded = switch_when_idle(make_rig, new, 8 * GIB)
    # THEN the old one stayed loaded while the new one loaded, and went once the new was READY
    assert old_loaded == [True]
    assert backend_events(rig) == [
        ("backend_state", BackendState.LOADING),
        ("backend_state", BackendState.LOADING),  # the new backend's own stage
        ("backend_state", BackendState.READY),
        ("backend_ready", "new"),
        ("backend_retired", "old"),
    ]
    assert not old.loaded and new.loaded and rig.pipeline.backend is new
    (load_seconds,) = [e[-1] for e in rig.events.events if e[0] == "backend_ready"]
    assert isinstance(load_seconds, float) and load_seconds >= 0  # timed where it loaded


def test_a_switch_that_does_not_fit_beside_the_old_backend_unloads_the_old_one_first(
    make_rig: Callable[..., Rig],
) -> None:
    # GIVEN less free memory than the new backend's estimate plus the headroom
    new = ScriptedBackend(id="new")
    rig, old, old_loaded = switch_when_idle(make_rig, new, 100 * MIB)
    # THEN the old one was unloaded before the new one began loading
    assert old_loaded == [False]
    assert backend_events(rig) == [
        ("backend_state", BackendState.UNLOADED),
        ("backend_state", BackendState.LOADING),
        ("backend_state", BackendState.LOADING),
        ("backend_state", BackendState.READY),
        ("backend_ready", "new"),
    ]
    assert not old.loaded and new.loaded


def test_a_new_backend_that_fails_to_load_beside_the_old_one_leaves_the_old_one_reading(
    make_rig: Callable[..., Rig],
) -> None:
    # GIVEN room for both, and a new backend that cannot load
    rig, old, _ = switch_when_idle(make_rig, FailingLoad(id="new"), 8 * GIB)
    # THEN the user is told, the old one is READY again without a reload, and no job failed
    assert rig.events.of("backend_kept") == [("old", "scripted-model", "the vLLM server exited: no GPU")]
    assert BackendState.ERROR not in [state for state, _ in rig.events.of("backend_state")]
    assert rig.events.of("backend_ready") == [("old", "scripted-model", None)]
    assert old.loaded and rig.pipeline.backend is old
    # AND the next page is read by the old backend, loaded once only
    job = rig.pipeline.submit(rig.doc("b.pdf", 1))
    rig.idle()
    assert [r.backend for _, r in rig.events.of("page_finished")] == ["old"]
    assert rig.store.job(job).status is JobStatus.DONE
    assert old.calls == [0, 0]
    loads = [message for state, message in rig.events.of("backend_state") if state is BackendState.LOADING]
    assert len(loads) == 1  # the failed one's; the old one was never loaded again
    assert rig.events.of("backend_state")[-1][0] is BackendState.READY


def test_switching_backend_after_the_page_finishes_keeps_its_result(make_rig: Callable[..., Rig]) -> None:
    old = ScriptedBackend(id="old", token_delay_s=0.01, tokens_per_page=20)
    new = ScriptedBackend(id="new")
    backends = {"llamacpp": old, "vllm": new}
    rig = make_rig(factory=lambda s: backends[s.backend])
    rig.pipeline.submit(rig.doc("a.pdf", 2))
    other = Settings(backend="vllm")
    rig.events.on(
        "text_delta", lambda j, i, _t: i == 0, lambda: rig.pipeline.switch_backend(other, finish_page=True)
    )
    rig.idle()
    assert {r.page_index: r.backend for _, r in rig.events.of("page_finished")} == {0: "old", 1: "new"}
    assert old.calls == [0]


def test_settings_updated_while_the_old_backend_finishes_its_page_hold_after_the_switch(
    make_rig: Callable[..., Rig],
) -> None:
    # GIVEN the old backend reading page 1 of 2, and a switch asked to finish that page first
    old = ScriptedBackend(id="old", token_delay_s=0.01, tokens_per_page=20)
    new = ScriptedBackend(id="new", tokens_per_page=8)
    backends = {"llamacpp": old, "vllm": new}
    rig = make_rig(factory=lambda s: backends[s.backend])
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    switched = Settings(backend="vllm")
    updated = Settings(backend="vllm", generation=GenerationSettings(max_tokens=5))

    def switch_then_update() -> None:
        rig.pipeline.switch_backend(switched, finish_page=True)
        # WHEN max tokens is changed while the old backend still finishes its page (this hook
        # runs on the page's thread, between two of its deltas)
        rig.pipeline.update_settings(updated)

    rig.events.on("text_delta", lambda j, i, _t: i == 0, switch_then_update)
    rig.idle()
    # THEN the old page kept the settings it started with, and the new value holds after the switch
    pages = {p.page_index: p for p in rig.store.document_result(job).pages}
    assert (pages[0].backend, pages[0].stats.completion_tokens) == ("old", 20)
    assert (pages[1].backend, pages[1].stats.completion_tokens) == ("new", 5)
    assert FLAG_TRUNCATED in pages[1].flags


def test_the_caller_cannot_change_the_settings_the_pipeline_holds(make_rig: Callable[..., Rig]) -> None:
    # GIVEN a running pipeline (nothing loaded yet) given settings with max tokens 16
    backend = ScriptedBackend(tokens_per_page=40)
    loaded_with: list[Settings] = []

    def factory(s: Settings) -> ScriptedBackend:
        loaded_with.append(s)
        return backend

    rig = make_rig(factory=factory)
    given = Settings().with_value("generation.max_tokens", 16)
    rig.pipeline.update_settings(given)
    # WHEN the caller then tries to change the object it handed over, and derives a changed copy
    with pytest.raises(FrozenInstanceError):
        given.generation.max_tokens = 64  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        given.generation = GenerationSettings(max_tokens=64)  # type: ignore[misc]
    given.with_value("generation.max_tokens", 64)
    job = rig.pipeline.submit(rig.doc("a.pdf", 1))
    rig.idle()
    # THEN the pipeline holds that very object (no copy is needed) and reads with its value
    assert len(loaded_with) == 1 and loaded_with[0] is given
    (page,) = rig.store.document_result(job).pages
    assert (page.stats.completion_tokens, page.flags) == (16, {FLAG_TRUNCATED})


# -- queue management and resume -------------------------------------------------------------------


def test_move_and_remove_change_the_queue(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(start=False)
    a, b, c = (rig.pipeline.submit(rig.doc(f"{n}.pdf", 1)) for n in "abc")
    rig.pipeline.move_job(c, 0)
    rig.pipeline.remove_job(b)
    rig.pipeline.start()
    rig.idle()
    assert [e[0] for e in rig.events.of("job_started")] == [c, a]
    assert rig.store.job(b) is None
    assert [j.id for j in rig.store.list_jobs()] == [c, a]


def test_remove_a_running_job_deletes_it_once_it_stops(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(backend=ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    rig.events.on("text_delta", lambda j, i, _t: True, lambda: rig.pipeline.remove_job(job))
    rig.idle()
    assert rig.store.job(job) is None
    assert rig.events.of("job_finished") == []


def test_shutdown_mid_job_keeps_finished_pages_and_resume_reads_only_the_rest(
    make_rig: Callable[..., Rig], tmp_path: Path
) -> None:
    # GIVEN a job shut down while its second page is being read
    rig = make_rig(backend=ScriptedBackend(token_delay_s=0.01, tokens_per_page=30))
    job = rig.pipeline.submit(rig.doc("a.pdf", 3))
    stopped = threading.Event()
    rig.events.on("text_delta", lambda j, i, _t: i == 1, stopped.set)
    assert stopped.wait(TIMEOUT)
    assert rig.pipeline.shutdown(TIMEOUT)
    assert statuses(rig, job) == {0: PageStatus.DONE, 1: PageStatus.PENDING, 2: PageStatus.PENDING}
    assert rig.store.job(job).status is JobStatus.QUEUED
    first_text = texts(rig, job)[0]
    # WHEN a new pipeline resumes unfinished jobs
    again = make_rig(store=rig.store)
    again.opener.page_counts["a.pdf"] = 3
    assert again.pipeline.resume_unfinished() == [job]
    again.idle()
    # THEN only the missing pages were read, and nothing was lost
    assert again.backend.calls == [1, 2]
    assert texts(again, job)[0] == first_text
    assert [p.attempts for p in again.store.pages(job)] == [1, 2, 1]
    assert again.store.job(job).status is JobStatus.DONE


def test_a_file_changed_since_it_was_queued_is_not_mixed_with_old_results(
    make_rig: Callable[..., Rig],
) -> None:
    rig = make_rig(start=False)
    path = rig.doc("a.pdf", 1)
    job = rig.pipeline.submit(path)
    path.write_bytes(b"%PDF- a different, longer document")
    rig.pipeline.start()
    rig.idle()
    ((failed_id, message),) = rig.events.of("job_failed")
    assert failed_id == job
    assert "changed since it was queued" in message


def test_a_listener_that_raises_does_not_stop_the_pipeline(
    make_rig: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    rig = make_rig()

    def boom() -> None:
        raise RuntimeError("listener bug")

    rig.events.on("page_started", lambda j, i: True, boom)
    job = rig.pipeline.submit(rig.doc("a.pdf", 2))
    rig.idle()
    assert rig.store.job(job).pages_done == 2
    assert "listener bug" in caplog.text


def test_real_documents_are_opened_rendered_and_read(sample_pdf: Path, tmp_path: Path) -> None:
    # GIVEN the pipeline with its default document opener (poppler) and a real 3-page PDF, reading
    # whole pages (layout mode renders PDFs at 200 DPI at least, whatever the DPI asked: docs/layout.md)
    backend = ScriptedBackend()
    store = JobStore(tmp_path / "jobs.sqlite3")
    events = Recorder()
    settings = Settings(reading=ReadingSettings(mode="page"))
    pipeline = Pipeline(store, settings, events, backend_factory=lambda _s: backend)
    pipeline.start()
    try:
        # WHEN pages 2-3 are asked for at 50 DPI, next to a file that is no document
        job = pipeline.submit(sample_pdf, pages="2-3", dpi=50)
        junk = tmp_path / "notes.pdf"
        junk.write_bytes(b"not a pdf at all")
        bad = pipeline.submit(junk)
        assert pipeline.wait_idle(TIMEOUT)
    finally:
        assert pipeline.shutdown(TIMEOUT)
    # THEN the two pages were rendered to the model's size and read; the junk file failed alone
    assert backend.calls == [1, 2]
    record = store.job(job)
    assert (record.page_count, record.page_indices, record.pages_done) == (3, (1, 2), 2)
    widths = {p.width for p in store.document_result(job).pages}
    assert widths and all(w % 28 == 0 and w < 595 for w in widths)  # 50 DPI A4 ≈ 413 px wide
    ((failed_id, message),) = events.of("job_failed")
    assert failed_id == bad and "notes.pdf" in message
    store.close()
