"""Layout reading of one page (docs/layout.md, docs/pipeline.md "Layout reading"): plan the page
once (committed, so a resumed run reads the same regions), read the regions not read yet in
reading order, up to the backend's in-flight limit at once, each committed as it finishes, then
assemble the page from the results held in hand and commit it, with a line engine's region lines
put on the page as its lines. The store is written, never read back: only a resumed page's plan,
region states and detected lines are read, once, before its regions start.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocr_desktop.core import page_format
from ocr_desktop.core.results import GenerationStats, PageLines, RegionResult
from ocr_desktop.core.store import JobStore, StoreError
from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.pages import PageImage, fit_page
from ocr_desktop.messages import Message
from ocr_desktop.pipeline.events import (
    Notify,
    PagePlanned,
    PageStarted,
    RegionFinished,
    RegionStarted,
    TextDelta,
)
from ocr_desktop.pipeline.page_reader import PageReader
from ocr_desktop.pipeline.run import REQUEUE, PageRun, PausedError, RunStoppedError

if TYPE_CHECKING:
    from ocr_desktop.layout import LayoutDetector
    from ocr_desktop.textlines import TextLine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Plan:
    layout: str  # the layout model's id
    regions: tuple[RegionResult, ...]
    lines: PageLines  # the page's text lines, as detected for the plan
    note: str = ""  # why the page is read whole although layout ran ("" when read by regions)


class _Started:
    """Set once a region thread has taken its slot and started reading (or ended without)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def wait_started(self, run: PageRun) -> bool:
        """Wait for it; False when the page was stopped meanwhile (start no further region)."""
        self._event.wait()
        return run.reason is None


class _LiveText:
    """A page's streamed text in reading order while its regions are read, possibly several at
    once: the first unfinished region streams through, later ones are held back and passed on
    (after a blank line) once every region before them is done. Regions read before (a resumed
    page) are passed on first. Thread-safe."""

    def __init__(
        self, regions: Sequence[RegionResult], pending: set[int], emit: Callable[[str], None]
    ) -> None:
        self._lock = threading.Lock()
        self._orders = [r.order for r in regions if r.read]
        self._parts: dict[int, list[str]] = {r.order: [r.text] for r in regions if r.read}
        self._done = {order for order in self._orders if order not in pending}
        self._head = 0
        self._emit = emit
        self._first = True
        with self._lock:
            self._open_head()

    def restart(self, order: int) -> None:
        """A region is read (again): what it streamed before is dropped if it was held back."""
        with self._lock:
            self._parts[order] = []

    def feed(self, order: int, delta: str) -> None:
        with self._lock:
            if self._head < len(self._orders) and self._orders[self._head] == order:
                self._emit(delta)
            else:
                self._parts[order].append(delta)

    def finish(self, order: int) -> None:
        with self._lock:
            self._done.add(order)
            if self._head < len(self._orders) and self._orders[self._head] == order:
                self._head += 1
                self._open_head()

    def _open_head(self) -> None:
        """Pass on the new first unfinished region's held text, and of every finished one before it."""
        while self._head < len(self._orders):
            order = self._orders[self._head]
            text = ("" if self._first else "\n\n") + "".join(self._parts[order])
            self._parts[order] = []
            self._first = False
            if text:
                self._emit(text)
            if order not in self._done:
                return
            self._head += 1


class _Recognition:
    """A page's detected lines recognised on a thread of their own (text, confidence, character
    boxes: ``LineReader.recognise_lines``, no second detection) and stored with the page."""

    def __init__(self, store: JobStore, run: PageRun, stored: PageLines) -> None:
        self._store, self._stored = store, stored
        self._job_id, self._index, self._image = run.job.id, run.index, run.page.image
        self._result: PageLines | None = None
        self._thread = threading.Thread(target=self._run, name=f"ocr-page-{run.index + 1}-lines", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from ocr_desktop.textlines import TextLineError, shared_reader

        index = self._index
        try:
            lines = shared_reader().recognise_lines(self._image, list(self._stored.lines))
            result = dataclasses.replace(self._stored, lines=tuple(lines))
            self._store.save_page_lines(self._job_id, index, result)
            self._result = result
        except TextLineError as exc:  # an export reads them then; the page is read all the same
            log.warning("page %d: its text lines could not be recognised: %s", index + 1, exc.message)
        except StoreError as exc:  # the job was removed meanwhile
            log.info("page %d: its recognised lines were not kept: %s", index + 1, exc)

    def wait(self) -> PageLines | None:
        """The recognised lines once stored; None when they could not be."""
        self._thread.join()
        return self._result


def _wait(recognition: _Recognition | None) -> None:
    if recognition is not None:
        recognition.wait()


@dataclass
class _PageRegions:
    """One page's regions while they are read: the plan, the results as they come in (by
    order; a resumed page starts with those read before), and what stopped the page."""

    layout: str
    regions: dict[int, RegionResult]
    failures: list[BaseException]
    detected: PageLines | None  # the page's lines as detected for the plan (stored with the page)
    recognition: _Recognition | None = None  # those lines being recognised meanwhile
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def done(self, region: RegionResult) -> None:
        with self.lock:
            self.regions[region.order] = region

    def in_order(self) -> tuple[RegionResult, ...]:
        with self.lock:
            return tuple(self.regions[order] for order in sorted(self.regions))


class LayoutReader:
    """Reads pages region by region; whole-page reads and commits go through the :class:`PageReader`."""

    def __init__(
        self,
        cv: threading.Condition,
        reader: PageReader,
        store: JobStore,
        notify: Notify,
        *,
        paused: Callable[[], bool],
        detector_factory: Callable[[str], LayoutDetector] | None = None,
    ) -> None:
        self._cv = cv  # the pipeline's lock: a run's stop reason and the pause are read under it
        self._reader = reader
        self._store = store
        self._notify = notify
        self._paused = paused
        self._layout_lock = threading.Lock()  # one detection at a time; guards _layout
        self._layout: tuple[str, LayoutDetector] | None = None  # (setting, its detector)
        #: ``reading.layout_model`` → its detector; the registry's unless a caller brings its own
        #: (a benchmark giving the GLM-OCR SDK's own boxes as the layout model's).
        self._detector_factory = detector_factory

    def read(self, run: PageRun) -> None:
        """Read the page by its layout (planned now, or as planned by an earlier run), or whole
        when layout finds no regions to read or cannot run."""
        job, index = run.job, run.index
        planned = self._store.page_regions(job.id, index)
        plan = self._plan(run) if planned is None else None
        # The page's lines are recognised while its regions are read (the plan needs only their
        # boxes); the page is committed with them, and done once they are stored.
        recognition = self._recognise_lines(run)
        try:
            self._read_planned(run, planned, plan, recognition)
        finally:
            if recognition is not None:
                recognition.wait()

    def _read_planned(
        self,
        run: PageRun,
        planned: tuple[str, tuple[RegionResult, ...]] | None,
        plan: _Plan | tuple[str, str] | None,
        recognition: _Recognition | None,
    ) -> None:
        job, index = run.job, run.index
        detected: PageLines | None
        if planned is None:
            assert plan is not None
            if isinstance(plan, tuple):
                _wait(recognition)
                self._read_whole(run, *plan)
                return
            layout, regions, note, detected = plan.layout, plan.regions, plan.note, plan.lines
            self._store.save_page_plan(job.id, index, layout, regions)
            pending = {r.order for r in regions if r.read}  # as saved: the read ones pending
        else:
            (layout, regions), note = planned, ""
            pending = {r.order for r in self._store.region_records(job.id, index) if r.status == "pending"}
            detected = self._store.page_lines(job.id, index)
        self._notify(PagePlanned(job.id, index, layout, regions))
        if not any(r.read for r in regions):
            # Layout found nothing to read: the page is read whole, its regions kept to be shown.
            _wait(recognition)
            self._read_whole(run, layout, note or Message("layout found no region to read"))
            return
        self._notify(PageStarted(job.id, index))
        page = _PageRegions(layout, {r.order: r for r in regions}, [], detected, recognition)
        self._read_regions(run, page, [r for r in regions if r.order in pending])
        self._finish(run, page)

    def _read_whole(self, run: PageRun, layout: str, reason: str) -> None:
        """Read the page whole after all, at the GLM-OCR SDK's image limit where the backend's
        settings allow it (``backends.limits``); the note says why and what size was sent."""
        from ocr_desktop.backends.limits import TOKEN_PIXELS, whole_page_limit

        limit = whole_page_limit(run.settings, run.job.max_pixels)
        page = fit_page(run.page, limit.pixels)
        width, height = page.image.size
        note = Message(
            "{reason}; read whole at {width}×{height} px, {tokens} image tokens (limit: {bound})",
            reason=reason,
            width=width,
            height=height,
            tokens=width * height // TOKEN_PIXELS,
            bound=limit.bound,
        )
        log.info("page %d read whole: %s", run.index + 1, note)
        self._reader.read_whole(run, page, layout, note, max_tokens=limit.max_tokens)

    def _read_regions(self, run: PageRun, page: _PageRegions, pending: list[RegionResult]) -> None:
        """Start a thread per pending region in reading order, each once the one before has its
        read slot; wait for all; raise what stopped the page."""
        job, index = run.job, run.index
        live = _LiveText(
            page.in_order(),
            {r.order for r in pending},
            lambda delta: self._notify(TextDelta(job.id, index, delta)),
        )
        threads: list[threading.Thread] = []
        paused = False
        try:
            for region in pending:
                with self._cv:
                    # Pause between regions: those in flight finish, the rest waits in the store.
                    paused = self._paused()
                    if paused or page.failures or run.reason is not None:
                        break
                ready = _Started()
                thread = threading.Thread(
                    target=self._region_thread,
                    args=(run, region, live, ready, page),
                    name=f"ocr-page-{index + 1}-region-{region.order + 1}",
                    daemon=True,
                )
                thread.start()
                threads.append(thread)
                # Regions take their slots in reading order: the next starts once this one has one.
                if not ready.wait_started(run):
                    break
        finally:
            for thread in threads:
                thread.join()
        # The failure that stopped the page comes first; its other regions then ended as stopped.
        errors = sorted(
            (f for f in page.failures if not isinstance(f, PausedError)),
            key=lambda f: isinstance(f, RunStoppedError),
        )
        if errors:
            raise errors[0]
        with self._cv:
            if (paused or page.failures) and run.reason is None:
                run.reason = REQUEUE
        if run.reason is not None:
            raise RunStoppedError

    def _plan(self, run: PageRun) -> _Plan | tuple[str, str]:
        """The page's regions to record, or (layout model, why the page is read whole)."""
        from ocr_desktop.layout import LayoutError, plan_page
        from ocr_desktop.layout.plan import crop_region, detect_lines
        from ocr_desktop.textlines import TextLineError

        reading = run.settings.reading
        try:
            detector = self._detector(reading.layout_model)
            with self._layout_lock:
                found = detector.detect(run.page.image)
            # The page's text lines, kept with the page (the searchable PDF reuses them).
            lines = self._store.page_lines(run.job.id, run.index)
            if lines is None:
                lines = detect_lines(run.page.image)
                self._store.save_page_lines(run.job.id, run.index, lines)
        except (LayoutError, TextLineError) as exc:
            log.warning("page %d: %s", run.index + 1, exc.message)
            return "", Message("layout could not run: {reason}", reason=exc.message)
        plan = plan_page(run.page.image, found, reading.keep_furniture, lines)
        tasks = {region.order: task for region, task in plan.read}
        figures = {region.order for region in plan.figures}
        regions = []
        for region in plan.regions:
            png = b""
            if region.order in figures and not plan.whole_page:
                buffer = io.BytesIO()
                crop_region(run.page.image, region.box_1000, None).save(buffer, format="PNG")
                png = buffer.getvalue()
            task = tasks.get(region.order)
            regions.append(
                RegionResult(
                    order=region.order,
                    label=region.label,
                    kind=region.action.value,
                    box=region.box,
                    box_1000=region.box_1000,
                    score=region.score,
                    task=task.value if task is not None else "",
                    image_png=png,
                )
            )
        return _Plan(detector.id, tuple(regions), lines, plan.reason if plan.whole_page else "")

    def _recognise_lines(self, run: PageRun) -> _Recognition | None:
        """Start reading the page's stored lines with the line recogniser when they were stored
        by detection alone; they are stored again with their text and character boxes: the
        searchable PDF and hOCR place each word by them (docs/searchable-pdf.md), so an export
        of a read page never runs the recogniser. None when there is nothing to do."""
        stored = self._store.page_lines(run.job.id, run.index)
        if stored is None or all(line.confidence is not None for line in stored.lines):
            return None
        return _Recognition(self._store, run, stored)

    def _detector(self, layout_model: str) -> LayoutDetector:
        """The layout detector of the setting, created once (its model loads on first use)."""
        from ocr_desktop.layout import registry

        create = self._detector_factory or registry.create_detector
        with self._layout_lock:
            if self._layout is None or self._layout[0] != layout_model:
                self._layout = (layout_model, create(layout_model))
            return self._layout[1]

    def _region_thread(
        self, run: PageRun, region: RegionResult, live: _LiveText, ready: _Started, page: _PageRegions
    ) -> None:
        job, index = run.job, run.index
        try:
            from ocr_desktop.layout.plan import REGION_MAX_TOKENS, crop_region, lines_on_page

            crop = crop_region(run.page.image, region.box_1000, job.max_pixels)
            image = PageImage(crop, index, run.page.source, crop.size)

            def started() -> None:
                ready.set()
                self._store.region_started(job.id, index, region.order)
                live.restart(region.order)
                self._notify(RegionStarted(job.id, index, region.order))

            attempt, flags = self._reader.read(
                run,
                image,
                Task(region.task),
                min(run.settings.generation.max_tokens, REGION_MAX_TOKENS),
                what=Message("region {number} ({label}): ", number=region.order + 1, label=region.label),
                started=started,
                sink=lambda delta: live.feed(region.order, delta),
            )
            # A line engine's lines (the lite one's) are in the crop's pixels: put them on the page.
            on_page = lines_on_page(attempt.stats.lines, run.page.image.size, region.box_1000, crop.size)
            stats = dataclasses.replace(attempt.stats, lines=on_page)
            done = dataclasses.replace(region, text=attempt.text, stats=stats, flags=flags)
            self._store.save_region_result(job.id, index, done)
            page.done(done)
            live.finish(region.order)
            self._notify(RegionFinished(job.id, index, done))
        except BaseException as exc:  # handed to the page thread, which handles it as a page's
            with self._cv:
                page.failures.append(exc)
                if run.reason is None and not isinstance(exc, (RunStoppedError, PausedError)):
                    run.stop.set()  # the page fails: stop its other regions too
        finally:
            ready.set()

    def _finish(self, run: PageRun, page: _PageRegions) -> None:
        """Commit the page with its regions (as read, held in hand); the commit formats it
        (``page_format.committed``: the regions assembled, figures as placeholders)."""
        regions = page.in_order()
        read = [r for r in regions if r.read]
        text = page_format.regions_model_text(regions)
        stats = GenerationStats(
            prompt_tokens=sum(r.stats.prompt_tokens for r in read),
            image_tokens=sum(r.stats.image_tokens for r in read),
            completion_tokens=sum(r.stats.completion_tokens for r in read),
            time_to_first_token_s=min((r.stats.time_to_first_token_s for r in read), default=0.0),
            total_s=sum(r.stats.total_s for r in read),
            finish_reason="length" if any(r.stats.finish_reason == "length" for r in read) else "stop",
        )
        flags = frozenset().union(*(r.flags for r in read))
        # The lines as recognised meanwhile, before the commit: a line engine's page lines keep
        # them outside its regions, and nothing replaces what the commit stores.
        recognised = page.recognition.wait() if page.recognition is not None else None
        lines = self._engine_lines(run, recognised or page.detected, read)
        self._reader.commit(run, text, stats, flags, run.page, regions=regions, layout=page.layout, **lines)

    @staticmethod
    def _engine_lines(
        run: PageRun, detected: PageLines | None, read: Sequence[RegionResult]
    ) -> dict[str, PageLines]:
        """The page's lines when a line engine (the lite one) read its regions: its own lines,
        with text and confidence, inside the regions it read, the detected ones elsewhere
        (docs/lite.md); ``{}`` when no region brought lines (GLM-OCR): the detected ones stay."""
        from ocr_desktop.layout.plan import page_lines_with

        engine = [(r.box_1000, r.stats.lines) for r in read if r.stats.lines]
        if not engine:
            return {}
        width, height = run.page.image.size
        others: tuple[TextLine, ...] = ()
        source = run.backend.model_name
        if detected is not None and detected.width and detected.height:
            # Stored lines may come from another rendering of the page (an export's): rescale.
            fx, fy = width / detected.width, height / detected.height
            others = tuple(line.scaled(fx, fy) for line in detected.lines)
            source += f" + {detected.detector}"
        found = page_lines_with((width, height), others, engine)
        return {"lines": PageLines(width, height, found, source)}
