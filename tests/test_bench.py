"""The benchmark: logic and report schema with a scripted backend, then the real runtimes (tiny model)."""

from __future__ import annotations

import _thread
import argparse
import dataclasses
import functools
import hashlib
import json
import math
import threading
from pathlib import Path
from typing import Any

import pytest

from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import Backend, BackendError
from ocr_desktop.backends.registry import create_backend
from ocr_desktop.bench import cli as bench_cli
from ocr_desktop.bench import report, samples
from ocr_desktop.bench.runner import (
    VARIANTS_PER_PAGE,
    BenchConfig,
    BenchError,
    BenchResults,
    bench_settings,
    load_pages,
    page_variant,
    run_benchmark,
)
from ocr_desktop.core.tasks import Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.model import TestModel, build_cache, llamacpp_settings_for

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROUND_KEYS = {
    "pages",
    "wall_s",
    "completion_tokens",
    "pages_per_min",
    "output_tokens_per_s",
    "ttft_p50_s",
    "ttft_p95_s",
    "itl_p50_s",
    "itl_p95_s",
    "decode_tokens_per_s",
    "peak_rss_bytes",
    "system_ram_peak_bytes",
    "gpu_load_mean_percent",
    "requests",
}
BACKEND_KEYS = {
    "id",
    "label",
    "model",
    "max_in_flight",
    "load_s",
    "warmup_s",
    "baseline_rss_bytes",
    "loaded_rss_bytes",
    "peak_rss_bytes",
    "available_after_load_bytes",
    "memory_per_page_bytes",
    "max_in_flight_within_budget",
    "levels",
    "notes",
    "error",
}
SMALL_PAGES = 50_176  # 64 image tokens: the tiny model reads such a page in milliseconds


class Factory:
    """Backend factory for the runner: scripted backends named like the real ones."""

    def __init__(self, **per_id: dict[str, Any]) -> None:
        self.per_id = per_id
        self.made: dict[str, ScriptedBackend] = {}

    def __call__(self, settings: Settings, backend_id: str) -> Backend:
        backend = ScriptedBackend(id=backend_id, **self.per_id[backend_id])
        self.made[backend_id] = backend
        return backend


def no_progress(_message: str, _fraction: float) -> None:
    pass


def run(config: BenchConfig, factory: Any, settings: Settings | None = None) -> BenchResults:
    return run_benchmark(config, settings or Settings(), no_progress, threading.Event(), factory)


def check_report(out: Path, results: BenchResults) -> dict[str, Any]:
    """Schema, positivity and internal consistency of everything written for a finished run."""
    files = report.write_report(results, out)
    data = json.loads(files.results.read_text(encoding="utf-8"))
    assert data["schema_version"] == report.SCHEMA_VERSION
    assert set(data) == {
        "schema_version",
        "started_at",
        "finished_at",
        "cancelled",
        "config",
        "machine",
        "backends",
        "recommendation",
    }
    assert data["config"]["in_flight"] == list(results.config.in_flight)
    for backend in data["backends"]:
        assert set(backend) == BACKEND_KEYS
        assert backend["error"] is None, backend["error"]
        assert backend["load_s"] >= 0 and backend["warmup_s"] > 0
        assert 0 < backend["baseline_rss_bytes"] <= backend["peak_rss_bytes"]
        assert 0 < backend["loaded_rss_bytes"] <= backend["peak_rss_bytes"]
        assert backend["max_in_flight_within_budget"] >= 1
        measured = [lv for lv in backend["levels"] if lv["measured"]]
        assert measured and measured[0]["in_flight"] == 1
        for level in measured:
            assert len(level["rounds"]) == results.config.repeats
            for metric in ("pages_per_min", "output_tokens_per_s", "decode_tokens_per_s", "ttft_p50_s"):
                stat = level["summary"][metric]
                assert 0 < stat["min"] <= stat["median"] <= stat["max"]
            for rnd in level["rounds"]:
                assert set(rnd) == ROUND_KEYS
                assert rnd["pages"] == len(rnd["requests"])
                if results.config.mode == "page":
                    assert rnd["pages"] == max(results.config.pages, level["in_flight"])
                # tok/s × time ≈ tokens, pages/min × time ≈ pages
                assert math.isclose(
                    rnd["output_tokens_per_s"] * rnd["wall_s"], rnd["completion_tokens"], rel_tol=1e-6
                )
                shares = sum(r["page_share"] for r in rnd["requests"])
                assert math.isclose(rnd["pages_per_min"] * rnd["wall_s"] / 60, shares, rel_tol=1e-6)
                assert rnd["completion_tokens"] == sum(r["completion_tokens"] for r in rnd["requests"])
                assert 0 < rnd["ttft_p50_s"] <= rnd["ttft_p95_s"] < rnd["wall_s"]
                assert 0 < rnd["itl_p50_s"] <= rnd["itl_p95_s"]
                assert rnd["peak_rss_bytes"] >= backend["baseline_rss_bytes"]
                for req in rnd["requests"]:
                    assert req["completion_tokens"] >= 2 and req["image_tokens"] > 0
                    assert 0 < req["ttft_s"] < req["total_s"] <= rnd["wall_s"]
                    rate = (req["completion_tokens"] - 1) / req["decode_s"]
                    assert rate * req["decode_s"] == pytest.approx(req["completion_tokens"] - 1)
                    assert req["decode_s"] <= req["total_s"] - req["ttft_s"] + 1e-6
    table = files.table.read_text(encoding="utf-8")
    for backend in results.backends:
        assert backend.label in table
    for in_flight in results.config.in_flight:
        assert f"pages/min at {in_flight} in flight" in table
    for chart in files.charts:
        assert chart.read_bytes().startswith(PNG_MAGIC) and chart.stat().st_size > 5000
    return data


# --- scripted backend: logic, schema, consistency -------------------------------------------------


def test_report_schema_and_figures_are_consistent(tmp_path: Path) -> None:
    # GIVEN an in-process-like backend (1 page at a time) and a server-like one (8 at a time)
    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.002, "tokens_per_page": 12},
        vllm={"in_flight": 8, "token_delay_s": 0.002, "tokens_per_page": 12},
    )
    config = BenchConfig(in_flight=(1, 2, 4), pages=2, repeats=2, max_tokens=64, max_pixels=SMALL_PAGES)

    # WHEN the benchmark runs and the report is written
    results = run(config, factory)
    data = check_report(tmp_path, results)

    # THEN levels above the in-process runtime's limit are reported, not faked
    llama = data["backends"][0]
    assert [lv["measured"] for lv in llama["levels"]] == [True, False, False]
    assert [lv["effective_in_flight"] for lv in llama["levels"]] == [1, 1, 1]
    assert llama["max_in_flight_within_budget"] == 1
    assert factory.made["llamacpp"].max_concurrent_seen == 1
    # the server-like backend really had 4 pages in flight at the top level
    assert factory.made["vllm"].max_concurrent_seen == 4
    assert all(lv["measured"] for lv in data["backends"][1]["levels"])
    table = (tmp_path / report.TABLE_FILE).read_text(encoding="utf-8")
    assert "same as 1 in flight (runtime limit)" in table


def test_warm_up_is_excluded_and_every_request_gets_distinct_pixels() -> None:
    # GIVEN a backend that fingerprints every page it is sent
    seen: list[str] = []
    lock = threading.Lock()

    def fingerprint(page: PageImage) -> None:
        with lock:
            seen.append(hashlib.sha256(page.image.tobytes()).hexdigest())

    factory = Factory(vllm={"in_flight": 4, "on_page": fingerprint})
    config = BenchConfig(backends=("vllm",), in_flight=(1, 2), pages=3, repeats=2, max_pixels=SMALL_PAGES)

    # WHEN it runs
    results = run(config, factory)

    # THEN no two requests carried the same image, and the warm-up page is in no round
    assert len(seen) == len(set(seen))
    counted = sum(r.pages for lv in results.backends[0].levels for r in lv.rounds)
    assert len(seen) == counted + 1
    assert counted == config.repeats * (config.pages_at(1) + config.pages_at(2))


def test_page_variants_keep_the_size_and_change_the_pixels() -> None:
    settings = Settings()
    page = load_pages(BenchConfig(pages=1, max_pixels=SMALL_PAGES), settings)[0].page
    first, second = page_variant(page, 0), page_variant(page, VARIANTS_PER_PAGE - 1)
    assert first.image.size == second.image.size == page.image.size
    assert first.image.tobytes() != second.image.tobytes()
    with pytest.raises(BenchError):
        page_variant(page, VARIANTS_PER_PAGE)


def test_bundled_samples_are_small_pngs_one_per_task() -> None:
    assert [s.task for s in samples.SAMPLES] == [Task.TEXT, Task.TABLE, Task.FORMULA]
    for sample in samples.SAMPLES:
        data = sample.path.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) < 100_000
    pages = load_pages(BenchConfig(pages=10, max_pixels=SMALL_PAGES), Settings())
    assert [p.task for p in pages] == [s.task for s in samples.SAMPLES]
    assert all(p.page.image.width * p.page.image.height <= SMALL_PAGES for p in pages)


def test_cancel_stops_early_and_keeps_what_was_measured(tmp_path: Path) -> None:
    # GIVEN a run that is cancelled during the second round of the first backend
    cancel = threading.Event()
    pages_read = []

    def count(page: PageImage) -> None:
        pages_read.append(page.index)
        if len(pages_read) == 1 + 2 + 1:  # warm-up, one round of 2 pages, first page of round 2
            cancel.set()

    factory = Factory(
        llamacpp={"in_flight": 1, "on_page": count, "token_delay_s": 0.001},
        vllm={"in_flight": 4},
    )
    config = BenchConfig(in_flight=(1, 2, 4), pages=2, repeats=2, max_pixels=SMALL_PAGES)

    # WHEN it runs
    results = run_benchmark(config, Settings(), no_progress, cancel, factory)

    # THEN the second backend never started, the cut round is dropped and the report still written
    assert results.cancelled
    assert [b.id for b in results.backends] == ["llamacpp"]
    assert "vllm" not in factory.made
    assert factory.made["llamacpp"].loaded is False  # unloaded after the cancel
    level1 = results.backends[0].level(1)
    assert level1 is not None and len(level1.rounds) == 1
    files = report.write_report(results, tmp_path)
    assert json.loads(files.results.read_text(encoding="utf-8"))["cancelled"] is True
    assert "cancelled" in files.table.read_text(encoding="utf-8")


def test_a_failing_backend_is_reported_and_the_other_recommended(tmp_path: Path) -> None:
    # GIVEN a server backend whose pages all fail
    factory = Factory(
        llamacpp={"in_flight": 1},
        vllm={"in_flight": 4, "failures": {i: [BackendError("server said 500")] * 50 for i in range(3)}},
    )
    config = BenchConfig(in_flight=(1, 2), pages=1, repeats=1, max_pixels=SMALL_PAGES)

    # WHEN it runs
    results = run(config, factory)

    # THEN the failure is a value in the results, the backend was unloaded, llama.cpp is advised
    vllm = results.backends[1]
    assert vllm.error == "server said 500"
    assert factory.made["vllm"].loaded is False
    recommendation = report.recommend(results)
    assert recommendation is not None and recommendation.backend == "llamacpp"
    assert "vLLM (server) failed: server said 500" in report.markdown(results, recommendation)


def heavy() -> Any:
    """An ``on_page`` hook that makes a scripted backend hold 64 MiB more (RSS) from its first page on."""
    ballast: list[bytes] = []

    def hold(_page: PageImage) -> None:
        if not ballast:  # the warm-up page: excluded from the timings
            ballast.append(b"x" * (64 << 20))

    return hold


def test_recommends_the_server_when_its_throughput_grows_with_pages_in_flight() -> None:
    # GIVEN equal single-stream speed, but only the (heavier) server reads several pages at once
    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.003, "tokens_per_page": 10},
        vllm={"in_flight": 8, "token_delay_s": 0.003, "tokens_per_page": 10, "on_page": heavy()},
    )
    config = BenchConfig(in_flight=(1, 2, 4), pages=4, repeats=1, max_pixels=SMALL_PAGES)

    # WHEN it runs
    results = run(config, factory)
    recommendation = report.recommend(results)

    # THEN vLLM at the level with the most pages/min is advised, and applying it sets exactly that
    assert recommendation is not None
    assert recommendation.backend == "vllm" and recommendation.in_flight == 4
    assert recommendation.settings == {"backend": "vllm", "vllm.max_in_flight": 4}
    assert "pages/min at 4 in flight" in recommendation.text
    assert recommendation.text.endswith(
        "for batches of pages, vLLM (server) at 4 in flight; for one user, llama.cpp (in-process)"
    )
    applied = report.apply_recommendation(Settings(), recommendation)
    assert applied.backend == "vllm" and applied.vllm.max_in_flight == 4


def test_recommends_llamacpp_when_the_server_does_not_scale() -> None:
    # GIVEN a heavier server that is no faster per page and gains nothing from concurrency
    factory = Factory(
        llamacpp={"in_flight": 1, "token_delay_s": 0.002, "tokens_per_page": 10},
        vllm={"in_flight": 1, "token_delay_s": 0.002, "tokens_per_page": 10, "on_page": heavy()},
    )
    config = BenchConfig(in_flight=(1, 2), pages=2, repeats=1, max_pixels=SMALL_PAGES)

    recommendation = report.recommend(run(config, factory))

    assert recommendation is not None
    assert recommendation.backend == "llamacpp" and recommendation.settings == {"backend": "llamacpp"}
    assert recommendation.text.endswith("for one user, llama.cpp (in-process)")


def test_bench_settings_turn_vllm_caches_off_without_touching_the_user_settings() -> None:
    user = Settings().with_value("vllm.extra_args", "--max-num-seqs 4")
    run_settings = bench_settings(user, BenchConfig(in_flight=(1, 2, 8), max_tokens=32))
    assert run_settings.vllm.extra_args.split() == [
        "--max-num-seqs",
        "4",
        "--no-enable-prefix-caching",
        "--mm-processor-cache-gb",
        "0",
    ]
    assert run_settings.vllm.max_in_flight == 8 and run_settings.generation.max_tokens == 32
    assert user.vllm.extra_args == "--max-num-seqs 4" and user.vllm.max_in_flight == 0
    remote = user.with_value("vllm.mode", "remote")
    assert bench_settings(remote, BenchConfig()).vllm.extra_args == "--max-num-seqs 4"


@pytest.mark.parametrize(
    "kwargs",
    [{"in_flight": (2, 4)}, {"in_flight": (1, 4, 2)}, {"in_flight": (0, 1)}, {"backends": ()}, {"pages": 0}],
)
def test_bad_configs_say_what_to_change(kwargs: dict[str, Any]) -> None:
    with pytest.raises(BenchError):
        BenchConfig(**kwargs)


def test_an_unreadable_document_is_a_bench_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a page", encoding="utf-8")
    with pytest.raises(BenchError, match=r"notes\.txt"):
        run(BenchConfig(documents=(bad,), max_pixels=SMALL_PAGES), Factory())


# --- the real runtimes on the tiny generated model -------------------------------------------------


def vllm_managed_settings(model: TestModel, settings: Settings) -> Settings:
    """Select a managed vLLM server from the test-tools venv serving the tiny model's HF checkpoint."""
    vllm = dataclasses.replace(
        settings.vllm,
        mode="managed",
        command=f"{build_cache() / 'tools-venv' / 'bin' / 'vllm'} serve",
        model=str(model.hf_dir),
        enforce_eager=True,
        max_model_len=4096,
        extra_args="--skip-mm-profiling",
    )
    return dataclasses.replace(settings, vllm=vllm)


@pytest.mark.llamacpp
@pytest.mark.vllm
@pytest.mark.slow
def test_both_real_backends_on_the_tiny_model(
    test_model: TestModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the tiny GLM-OCR in llama.cpp (in-process) and in a vLLM server the benchmark starts
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    monkeypatch.setenv("VLLM_CACHE_ROOT", str(tmp_path / "vllm-cache"))
    settings = vllm_managed_settings(test_model, llamacpp_settings_for(test_model))
    config = BenchConfig(in_flight=(1, 2), pages=2, repeats=2, max_tokens=16, max_pixels=SMALL_PAGES)
    messages: list[str] = []

    # WHEN the benchmark runs both
    results = run_benchmark(
        config, settings, lambda m, _f: messages.append(m), threading.Event(), create_backend
    )

    # THEN every figure is there, positive and consistent, and the server's memory was measured
    data = check_report(tmp_path / "out", results)
    llama, vllm = data["backends"]
    assert llama["model"] and vllm["model"] == settings.vllm.served_model_name
    assert vllm["load_s"] > llama["load_s"]  # a server start against an mmap
    assert vllm["loaded_rss_bytes"] > llama["loaded_rss_bytes"]  # the server tree's RSS counts
    assert [lv["measured"] for lv in llama["levels"]] == [True, False]
    assert [lv["measured"] for lv in vllm["levels"]] == [True, True]
    for backend in (llama, vllm):
        for level in backend["levels"]:
            for rnd in level["rounds"]:
                # the random model never stops early: every page decodes exactly max_tokens
                assert {r["completion_tokens"] for r in rnd["requests"]} == {config.max_tokens}
                assert {r["finish_reason"] for r in rnd["requests"]} == {"length"}
    assert any("vLLM" in m for m in messages)
    assert data["recommendation"]["backend"] in {"llamacpp", "vllm"}


@pytest.mark.llamacpp
def test_cli_runs_llamacpp_and_writes_the_report(test_model: TestModel, tmp_path: Path) -> None:
    # GIVEN the bench subcommand registered on a parser, as ocr_desktop.cli does
    parser = argparse.ArgumentParser(prog="ocr-desktop")
    bench_cli.add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "out"
    args = parser.parse_args(
        [
            "bench",
            "--backends",
            "llamacpp",
            "--in-flight",
            "1,2",
            "--pages",
            "2",
            "--repeats",
            "1",
            "--max-tokens",
            "8",
            "--max-pixels",
            str(SMALL_PAGES),
            "--set",
            f"llamacpp.model_path={test_model.gguf}",
            "--set",
            f"llamacpp.mmproj_path={test_model.mmproj}",
            "--out",
            str(out),
        ]
    )

    # WHEN it runs
    code = args.func(args)

    # THEN it succeeded and wrote every file
    assert code == 0
    data = json.loads((out / report.RESULTS_FILE).read_text(encoding="utf-8"))
    assert data["backends"][0]["id"] == "llamacpp" and data["backends"][0]["error"] is None
    assert data["recommendation"]["settings"] == {"backend": "llamacpp"}
    assert (out / report.THROUGHPUT_CHART).is_file() and (out / report.MEMORY_CHART).is_file()


def test_cli_rejects_a_bad_setting_and_a_bad_backend(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="ocr-desktop")
    bench_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--set", "llamacpp.n_ctx=lots"])
    assert args.func(args) == bench_cli.EXIT_USAGE
    assert "llamacpp.n_ctx" in capsys.readouterr().err
    args = parser.parse_args(["bench", "--backends", "llamacpp,onnx"])
    assert args.func(args) == bench_cli.EXIT_USAGE
    assert "onnx" in capsys.readouterr().err
    assert settings_mod.load() == Settings()  # nothing was saved


def test_ctrl_c_cancels_and_still_writes_what_was_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the CLI on scripted backends, and a Ctrl-C arriving in the second round (warm-up + 2 pages + 1)
    pages: list[int] = []

    def ctrl_c_in_round_2(page: PageImage) -> None:
        pages.append(page.index)
        if len(pages) == 4:
            _thread.interrupt_main()  # what SIGINT does: KeyboardInterrupt in the main thread

    factory = Factory(
        llamacpp={
            "in_flight": 1,
            "token_delay_s": 0.01,
            "tokens_per_page": 20,
            "on_page": ctrl_c_in_round_2,
        },
        vllm={"in_flight": 4},
    )
    monkeypatch.setattr(bench_cli, "run_benchmark", functools.partial(run_benchmark, backend_factory=factory))
    parser = argparse.ArgumentParser(prog="ocr-desktop")
    bench_cli.add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "out"
    args = parser.parse_args(
        ["bench", "--pages", "2", "--repeats", "2", "--max-pixels", str(SMALL_PAGES), "--out", str(out)]
    )

    # WHEN it runs
    code = args.func(args)

    # THEN it stopped, unloaded, and wrote the measured round, marked as cancelled
    assert code == bench_cli.EXIT_CANCELLED
    assert factory.made["llamacpp"].loaded is False and "vllm" not in factory.made
    data = json.loads((out / report.RESULTS_FILE).read_text(encoding="utf-8"))
    assert data["cancelled"] is True
    assert len(data["backends"][0]["levels"][0]["rounds"]) == 1


def test_layout_mode_sends_each_region_with_its_prompt_and_counts_it_as_its_share(tmp_path: Path) -> None:
    from tests.fixtures.layout import draw_page

    # GIVEN the drawn layout page (title, columns, table, formula, figure, header, footer)
    page, _parts = draw_page()
    path = tmp_path / "paper.png"
    page.save(path)
    settings = Settings().with_value("reading.layout_model", "cdla")
    config = BenchConfig(
        backends=("vllm",),
        in_flight=(1, 4),
        pages=1,
        repeats=1,
        max_tokens=8,
        documents=(path,),
        mode="layout",
    )
    # WHEN its requests are prepared, THEN they are its regions read, with their own prompts,
    # each a share of the one page
    requests = load_pages(config, settings)
    assert len(requests) > 4
    assert {Task.TEXT, Task.TABLE, Task.FORMULA} <= {r.task for r in requests}
    assert sum(r.share for r in requests) == pytest.approx(1.0)
    assert all(r.page.image.size != page.size for r in requests)  # crops, not the page
    # AND the benchmark reads every region each round and reports pages/min from the shares
    factory = Factory(vllm={"in_flight": 4, "token_delay_s": 0.002, "tokens_per_page": 8})
    results = run(config, factory, settings)
    data = check_report(tmp_path / "report", results)
    assert data["config"]["mode"] == "layout"
    for level in data["backends"][0]["levels"]:
        (rnd,) = level["rounds"]
        assert len(rnd["requests"]) == len(requests)
        assert rnd["pages_per_min"] * rnd["wall_s"] / 60 == pytest.approx(1.0)
    assert factory.made["vllm"].max_concurrent_seen == 4
    assert "layout mode: each request is one region" in (tmp_path / "report" / report.TABLE_FILE).read_text(
        encoding="utf-8"
    )
