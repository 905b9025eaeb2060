"""What a benchmark run leaves behind: results.json, a Markdown table, PNG charts, a recommendation.

``results.json`` (``schema_version`` 1)::

    schema_version   1
    started_at, finished_at   ISO 8601, UTC
    cancelled        true when the run was stopped early (what was measured is still there)
    config           backends, in_flight, pages, repeats, max_tokens, max_pixels, documents
    machine          hostname, machine, system, cpu_count, ram_total_bytes, ram_available_bytes, …
    backends[]       one per backend, in run order:
        id, label, model, max_in_flight, error (null or the message), notes[]
        load_s, warmup_s                       seconds, measured once (the warm-up is excluded below)
        baseline_rss_bytes                     this process before loading
        loaded_rss_bytes                       this process + server tree, loaded and idle
        peak_rss_bytes                         highest sample during the backend's whole run
        available_after_load_bytes             free system memory with the backend loaded
        memory_per_page_bytes                  worst growth above idle per page in flight
        max_in_flight_within_budget            most pages in flight that fit (capped by the runtime)
        levels[]                               one per requested in-flight level:
            in_flight, effective_in_flight, measured (false: above the runtime's limit, not run)
            summary    {metric: {median, min, max}} over the rounds, metric one of ROUND_METRICS
                       (null when not measured, e.g. jtop figures off a Jetson)
            rounds[]   pages, wall_s, completion_tokens, pages_per_min, output_tokens_per_s,
                       ttft_p50_s, ttft_p95_s, itl_p50_s, itl_p95_s, decode_tokens_per_s,
                       peak_rss_bytes, system_ram_peak_bytes, gpu_load_mean_percent,
                       requests[] {source_page, variant, started_s, ttft_s, decode_s, total_s,
                                   prompt_tokens, image_tokens, completion_tokens, finish_reason,
                                   page_share}
    recommendation   null, or {backend, in_flight, settings {dotted key: value}, text}

Invariants a reader can check: ``pages_per_min × wall_s / 60`` = the sum of the requests'
``page_share`` (= ``pages`` in page mode; in layout mode ``config.mode`` is "layout", each request
is one region and counts as 1 / the regions read on its page);
``output_tokens_per_s × wall_s = completion_tokens``; per request
``(completion_tokens − 1) / decode_s`` is its decode rate.

Charts are drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI backend), so
a worker thread can draw them while a Qt window is open; matplotlib is imported only here, lazily.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocr_desktop.bench.runner import ROUND_METRICS, BackendResult, BenchResults, LevelResult, Stat
from ocr_desktop.files import write_atomic
from ocr_desktop.formats import format_bytes
from ocr_desktop.settings import Settings

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SCHEMA_VERSION = 1
RESULTS_FILE = "results.json"
TABLE_FILE = "table.md"
THROUGHPUT_CHART = "pages_per_min.png"
MEMORY_CHART = "memory.png"

#: Another backend (or level) must read this many times the pages/min of the lightest backend
#: to be recommended over it: a smaller gain does not pay for more memory and a slower start.
THROUGHPUT_GAIN = 1.5


@dataclass(frozen=True)
class Recommendation:
    backend: str
    in_flight: int
    settings: dict[str, object]  # dotted settings key -> value, applied with Settings.with_value
    text: str


@dataclass(frozen=True)
class ReportFiles:
    results: Path
    table: Path
    charts: tuple[Path, ...]  # pages/min chart, memory chart
    recommendation: Recommendation | None


def write_report(results: BenchResults, out_dir: Path) -> ReportFiles:
    """Write results.json, table.md and the charts into ``out_dir`` (created)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    recommendation = recommend(results)
    data = results_dict(results, recommendation)
    results_path = write_atomic(out_dir / RESULTS_FILE, json.dumps(data, indent=2) + "\n")
    table_path = write_atomic(out_dir / TABLE_FILE, markdown(results, recommendation))
    return ReportFiles(results_path, table_path, write_charts(results, out_dir), recommendation)


def results_dict(results: BenchResults, recommendation: Recommendation | None) -> dict[str, Any]:
    config = dataclasses.asdict(results.config)
    config["documents"] = [str(p) for p in results.config.documents]
    return {
        "schema_version": SCHEMA_VERSION,
        "started_at": results.started_at,
        "finished_at": results.finished_at,
        "cancelled": results.cancelled,
        "config": config,
        "machine": results.machine,
        "backends": [_backend_dict(b) for b in results.backends],
        "recommendation": dataclasses.asdict(recommendation) if recommendation else None,
    }


def _backend_dict(backend: BackendResult) -> dict[str, Any]:
    data = dataclasses.asdict(backend)
    data["levels"] = [
        {
            "in_flight": level.in_flight,
            "effective_in_flight": level.effective_in_flight,
            "measured": level.measured,
            "summary": {m: _stat_dict(level.stat(m)) for m in ROUND_METRICS} if level.rounds else None,
            "rounds": [dataclasses.asdict(r) for r in level.rounds],
        }
        for level in backend.levels
    ]
    return data


def _stat_dict(stat: Stat | None) -> dict[str, float] | None:
    return dataclasses.asdict(stat) if stat is not None else None


# --- recommendation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    backend: BackendResult
    level: LevelResult
    pages_per_min: float


def _measured(backend: BackendResult) -> list[LevelResult]:
    return [lv for lv in backend.levels if lv.measured and lv.rounds]


def _best_level(backend: BackendResult) -> _Choice | None:
    """The measured level with the most pages/min among those within the memory budget."""
    fit = backend.max_in_flight_within_budget or 0
    choices = [
        _Choice(backend, lv, _median(lv, "pages_per_min")) for lv in _measured(backend) if lv.in_flight <= fit
    ]
    return max(choices, key=lambda c: c.pages_per_min, default=None)


def _median(level: LevelResult, metric: str) -> float:
    stat = level.stat(metric)
    return stat.median if stat is not None else 0.0


def recommend(results: BenchResults) -> Recommendation | None:
    """Pick the backend (and pages in flight) for this device from the measured figures.

    The lightest backend (least peak memory; it also starts fastest) at its best level within
    the memory budget, unless another backend or level reads at least THROUGHPUT_GAIN times as
    many pages per minute: extra memory and a slow start have to buy a real gain.
    """
    usable = [b for b in results.backends if b.error is None and _measured_at_1(b)]
    if not usable:
        return None
    light = min(usable, key=lambda b: b.peak_rss_bytes)
    light_choice = _best_level(light) or _Choice(
        light, _level1(light), _median(_level1(light), "pages_per_min")
    )
    best = max(
        (c for b in usable if (c := _best_level(b)) is not None),
        key=lambda c: c.pages_per_min,
        default=light_choice,
    )
    chosen = best if best.pages_per_min >= THROUGHPUT_GAIN * light_choice.pages_per_min else light_choice
    backend, in_flight = chosen.backend, chosen.level.in_flight
    if backend is light:
        verdict = f"for one user, {light.label}" + (f" at {in_flight} in flight" if in_flight > 1 else "")
    elif in_flight > 1:
        verdict = (
            f"for batches of pages, {backend.label} at {in_flight} in flight; for one user, {light.label}"
        )
    else:
        verdict = f"on this device, {backend.label}"
    baseline = _median(_level1(light), "pages_per_min")
    summary = "; ".join(_summary(b, baseline) for b in usable)
    return Recommendation(
        backend=backend.id,
        in_flight=in_flight,
        settings=_settings_change(backend.id, in_flight),
        text=f"{summary} — {verdict}",
    )


def _measured_at_1(backend: BackendResult) -> bool:
    level = backend.level(1)
    return level is not None and bool(level.rounds)


def _level1(backend: BackendResult) -> LevelResult:
    level = backend.level(1)
    assert level is not None  # recommend() only passes backends measured at 1 in flight
    return level


def _summary(backend: BackendResult, baseline_ppm: float) -> str:
    """``label: peak memory, single-stream tok/s[, gain in pages/min over the baseline at N]``."""
    single = _level1(backend)
    tokens_per_s = _median(single, "decode_tokens_per_s")
    text = f"{backend.label}: {format_bytes(backend.peak_rss_bytes)}, {tokens_per_s:.0f} tok/s"
    best = _best_level(backend)
    if best is not None and best.level.in_flight > 1 and baseline_ppm > 0:
        text += f", {best.pages_per_min / baseline_ppm:.1f}× pages/min at {best.level.in_flight} in flight"
    return text


def _settings_change(backend_id: str, in_flight: int) -> dict[str, object]:
    change: dict[str, object] = {"backend": backend_id}
    if hasattr(getattr(Settings(), backend_id, None), "max_in_flight"):
        change[f"{backend_id}.max_in_flight"] = in_flight
    return change


def apply_recommendation(settings: Settings, recommendation: Recommendation) -> Settings:
    """A copy of ``settings`` with the recommendation's changes (raises SettingsError if invalid)."""
    changed = settings
    for key, value in recommendation.settings.items():
        changed = changed.with_value(key, value)
    return changed


# --- Markdown ------------------------------------------------------------------------------------


def _fmt(stat: Stat | None, unit: str = "", digits: int = 1) -> str:
    if stat is None:
        return "n/a"
    if unit == "B":
        return f"{format_bytes(stat.median)} ({format_bytes(stat.min)}–{format_bytes(stat.max)})"
    if unit == "ms":
        return f"{stat.median * 1000:.0f} ms ({stat.min * 1000:.0f}–{stat.max * 1000:.0f})"
    suffix = f" {unit}" if unit else ""
    return f"{stat.median:.{digits}f}{suffix} ({stat.min:.{digits}f}–{stat.max:.{digits}f})"


def _level_cell(backend: BackendResult, in_flight: int, metric: str, unit: str, digits: int = 1) -> str:
    if backend.error is not None:
        return "failed"
    level = backend.level(in_flight)
    if level is None:
        return "not run"
    if not level.measured:
        return f"same as {level.effective_in_flight} in flight (runtime limit)"
    return _fmt(level.stat(metric), unit, digits)


def _row(label: str, cells: list[str]) -> str:
    return "| " + " | ".join([label, *cells]) + " |"


def markdown(results: BenchResults, recommendation: Recommendation | None = None) -> str:
    """The comparison table (rows: metric, columns: backends) and the per-level table."""
    backends = results.backends
    config = results.config
    lines = [
        "Figures: median over rounds (min–max). Memory: peak RSS of this app + the vLLM server tree.",
        "",
        _row("", [b.label for b in backends]),
        _row("---", ["---" for _ in backends]),
        _row("model", [b.model or "n/a" for b in backends]),
        _row(
            "load / start time (once)",
            [f"{b.load_s:.1f} s" if b.load_s is not None else "n/a" for b in backends],
        ),
        _row(
            "memory loaded, idle",
            [format_bytes(b.loaded_rss_bytes) if b.loaded_rss_bytes else "n/a" for b in backends],
        ),
        _row(
            "peak memory", [format_bytes(b.peak_rss_bytes) if b.peak_rss_bytes else "n/a" for b in backends]
        ),
        _row(
            "memory per page in flight",
            [
                format_bytes(b.memory_per_page_bytes) if b.memory_per_page_bytes is not None else "n/a"
                for b in backends
            ],
        ),
        _row("pages in flight within memory budget", [_fit_cell(b) for b in backends]),
        _row(
            "single stream decode tok/s", [_level_cell(b, 1, "decode_tokens_per_s", "", 1) for b in backends]
        ),
        _row(
            "time to first token p50 (1 in flight)",
            [_level_cell(b, 1, "ttft_p50_s", "s", 2) for b in backends],
        ),
        _row(
            "time to first token p95 (1 in flight)",
            [_level_cell(b, 1, "ttft_p95_s", "s", 2) for b in backends],
        ),
        _row(
            "inter-token latency p50 (1 in flight)", [_level_cell(b, 1, "itl_p50_s", "ms") for b in backends]
        ),
    ]
    for in_flight in config.in_flight:
        lines.append(
            _row(
                f"pages/min at {in_flight} in flight",
                [_level_cell(b, in_flight, "pages_per_min", "") for b in backends],
            )
        )
    if any(_jtop_cell(b, "system_ram_peak_bytes", "B") != "n/a" for b in backends):
        lines.append(
            _row(
                "Jetson RAM used, peak (jtop)",
                [_jtop_cell(b, "system_ram_peak_bytes", "B") for b in backends],
            )
        )
        lines.append(
            _row("GPU load, mean (jtop)", [_jtop_cell(b, "gpu_load_mean_percent", "%") for b in backends])
        )
    errors = [f"- {b.label} failed: {b.error}" for b in backends if b.error]
    notes = [f"- {b.label}: {note}" for b in backends for note in b.notes]
    lines += ["", *errors, *notes]
    lines += ["", "By pages in flight (median over rounds, min–max):", ""]
    lines += [_row("", [b.label for b in backends]), _row("---", ["---" for _ in backends])]
    for in_flight in config.in_flight:
        for label, metric, unit, digits in (
            ("pages/min", "pages_per_min", "", 1),
            ("output tok/s, all streams", "output_tokens_per_s", "", 1),
            ("decode tok/s per stream", "decode_tokens_per_s", "", 1),
            ("time to first token p50", "ttft_p50_s", "s", 2),
            ("time to first token p95", "ttft_p95_s", "s", 2),
            ("inter-token latency p50", "itl_p50_s", "ms", 0),
            ("inter-token latency p95", "itl_p95_s", "ms", 0),
            ("peak memory", "peak_rss_bytes", "B", 0),
        ):
            lines.append(
                _row(
                    f"{in_flight} in flight: {label}",
                    [_level_cell(b, in_flight, metric, unit, digits) for b in backends],
                )
            )
    lines += [
        "",
        f"Pages: {_pages_text(results)}; {config.repeats} round(s) per level, at most "
        f"{config.max_tokens} tokens per page, one warm-up page per backend excluded, every request "
        "a page variant never sent before.",
    ]
    if results.cancelled:
        lines.append("The run was cancelled: the table shows what was measured before.")
    if recommendation is not None:
        lines += ["", f"**Recommendation:** {recommendation.text}"]
    return "\n".join(lines) + "\n"


def _pages_text(results: BenchResults) -> str:
    config = results.config
    where = ", ".join(p.name for p in config.documents) if config.documents else "the bundled sample pages"
    budget = f"{config.max_pixels:,} px budget" if config.max_pixels else "the settings' pixel budget"
    text = f"{config.pages} per level (at least one per slot) from {where}, {budget}"
    if config.mode == "layout":
        text += (
            "; layout mode: each request is one region of a page with its own prompt, and counts as "
            "its share of the page in pages/min"
        )
    return text


def _fit_cell(backend: BackendResult) -> str:
    fit = backend.max_in_flight_within_budget
    if fit is None:
        return "n/a"
    if backend.max_in_flight <= 1:
        return f"{fit} (runs one page at a time)"
    return str(fit)


def _jtop_cell(backend: BackendResult, metric: str, unit: str) -> str:
    stats = [s for lv in _measured(backend) if (s := lv.stat(metric)) is not None]
    if not stats:
        return "n/a"
    peak = max(stats, key=lambda s: s.median)
    return _fmt(peak, unit, 0)


# --- charts --------------------------------------------------------------------------------------


def write_charts(results: BenchResults, out_dir: Path) -> tuple[Path, ...]:
    """pages/min vs pages in flight per backend, and memory per backend, as PNGs."""
    paths = (out_dir / THROUGHPUT_CHART, out_dir / MEMORY_CHART)
    _throughput_figure(results).savefig(paths[0], dpi=110)
    _memory_figure(results).savefig(paths[1], dpi=110)
    return paths


def _figure() -> Figure:
    from matplotlib.figure import Figure  # lazy: matplotlib is only needed for charts

    return Figure(figsize=(6.4, 4.0), layout="constrained")


def _throughput_figure(results: BenchResults) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    for backend in results.backends:
        levels = _measured(backend)
        if not levels:
            continue
        xs = [lv.in_flight for lv in levels]
        stats = [lv.stat("pages_per_min") for lv in levels]
        medians = [s.median for s in stats if s is not None]
        errors = [
            [s.median - s.min for s in stats if s is not None],
            [s.max - s.median for s in stats if s is not None],
        ]
        line = ax.errorbar(xs, medians, yerr=errors, marker="o", capsize=3, label=backend.label)
        capped = [lv.in_flight for lv in backend.levels if not lv.measured]
        if capped:
            # Same pages/min as its limit: the runtime runs one page at a time, shown as a flat line.
            ax.plot(
                [xs[-1], *capped],
                [medians[-1]] * (len(capped) + 1),
                linestyle="--",
                color=line.lines[0].get_color(),
                label=f"{backend.label}: runtime limit, {backend.max_in_flight} at a time",
            )
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(results.config.in_flight), [str(n) for n in results.config.in_flight])
    ax.set_xlabel("pages in flight")
    ax.set_ylabel("pages/min (median, min–max)")
    ax.set_ylim(bottom=0)
    ax.set_title("Throughput by pages in flight")
    ax.grid(alpha=0.3)
    _legend_or_note(ax)
    return fig


def _memory_figure(results: BenchResults) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    gib = float(1 << 30)
    backends = [b for b in results.backends if b.loaded_rss_bytes]
    series: list[tuple[str, list[float | None]]] = [
        ("loaded, idle", [b.loaded_rss_bytes / gib for b in backends])
    ]
    for in_flight in results.config.in_flight:
        values: list[float | None] = []
        for b in backends:
            level = b.level(in_flight)
            stat = level.stat("peak_rss_bytes") if level is not None and level.measured else None
            values.append(stat.median / gib if stat is not None else None)
        if any(v is not None for v in values):
            series.append((f"peak, {in_flight} in flight", values))
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        drawn = [(x + offset, v) for x, v in enumerate(values) if v is not None]  # None: level not run
        bars = ax.bar([x for x, _ in drawn], [v for _, v in drawn], width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize="x-small")
    available = results.machine.get("ram_available_bytes")
    if isinstance(available, int):
        ax.axhline(available / gib, color="grey", linestyle=":", label="free memory before the run")
    ax.set_xticks(range(len(backends)), [b.label for b in backends])
    ax.set_ylabel("RSS, app + server (GiB)")
    ax.set_title("Memory per backend")
    ax.grid(axis="y", alpha=0.3)
    _legend_or_note(ax)
    return fig


def _legend_or_note(ax: Axes) -> None:
    """A legend, or a note in the middle when no backend measured anything (e.g. cancelled early)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    else:
        ax.text(0.5, 0.5, "nothing measured", transform=ax.transAxes, ha="center", va="center")
