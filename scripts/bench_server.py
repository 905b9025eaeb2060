"""Load numbers for the API (docs/server.md, Load): ``ocr-desktop serve`` in a subprocess reading
with llama.cpp and the generated test model, on 127.0.0.1 only.

Measures, in one run: requests/s and p50/p95 latency of ``GET /health`` while 8 jobs read;
pages/min through the API (8 PDFs sent as jobs, polled to the end) against ``ocr-desktop ocr`` on
the same 8 files; the server's RSS idle (before and after the model loaded) and its peak under
load. Every loop is bounded in count and time.

    .venv/bin/python scripts/bench_server.py [--pages 3] [--health-seconds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop import settings as settings_mod  # noqa: E402
from tests.fixtures.files import make_pdf  # noqa: E402
from tests.fixtures.model import build_test_model, llamacpp_settings_for  # noqa: E402

JOBS = 8


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def wait_done(client: httpx.Client, ids: list[str], deadline: float) -> None:
    pending = set(ids)
    while pending:
        assert time.monotonic() < deadline, f"jobs not done in time: {pending}"
        for job_id in list(pending):
            if client.get(f"/v1/jobs/{job_id}").json()["status"] in ("done", "failed", "cancelled"):
                pending.discard(job_id)
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3, help="pages per PDF (8 PDFs)")
    parser.add_argument("--max-tokens", type=int, default=24)
    parser.add_argument("--health-seconds", type=float, default=20.0, help="most seconds of /health load")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-server-"))
    env = {
        **os.environ,
        **{v: str(work / v.lower()) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")},
    }
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        Path(env[var]).mkdir(parents=True)
    settings = (
        llamacpp_settings_for(build_test_model())
        .with_value("generation.max_tokens", args.max_tokens)
        .with_value("reading.mode", "page")
        .with_value("documents.dpi", 72)
        .with_value("server.max_queued_jobs", JOBS)
    )
    settings_mod.save(settings, Path(env["XDG_CONFIG_HOME"]) / "ocr-desktop" / "settings.toml")
    pdfs = [make_pdf(work / f"doc{n}.pdf", args.pages) for n in range(JOBS)]

    server = subprocess.Popen(
        [sys.executable, "-m", "ocr_desktop", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ", 1)[1].strip()
        time.sleep(1.0)
        idle_mb = rss_mb(server.pid)
        with httpx.Client(base_url=url, timeout=120) as client:
            # warm-up: one page loads the model, so the jobs below measure reading only
            warm = client.post(
                "/v1/jobs", files={"file": ("warm.pdf", make_pdf(work / "warm.pdf", 1).read_bytes())}
            )
            wait_done(client, [warm.json()["id"]], time.monotonic() + 300)
            loaded_mb = rss_mb(server.pid)

            peak = [loaded_mb]
            latencies: list[float] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    peak.append(rss_mb(server.pid))
                    time.sleep(0.2)

            def health(into: list[float] = latencies, seconds: float = args.health_seconds) -> None:
                with httpx.Client(base_url=url, timeout=30) as h:
                    end = time.monotonic() + seconds
                    while not stop.is_set() and time.monotonic() < end and len(into) < 100_000:
                        started = time.perf_counter()
                        assert h.get("/health").status_code == 200
                        into.append(time.perf_counter() - started)

            idle_latencies: list[float] = []
            health(idle_latencies, 5.0)  # the same loop with nothing reading, for comparison

            started = time.monotonic()
            ids = [
                client.post("/v1/jobs", files={"file": (p.name, p.read_bytes(), "application/pdf")}).json()[
                    "id"
                ]
                for p in pdfs
            ]
            threads = [threading.Thread(target=sample), threading.Thread(target=health)]
            health_started = time.monotonic()
            for t in threads:
                t.start()
            wait_done(client, ids, time.monotonic() + 900)
            api_s = time.monotonic() - started
            stop.set()
            for t in threads:
                t.join()
            health_s = min(time.monotonic() - health_started, args.health_seconds)
    finally:
        server.terminate()
        server.wait(60)

    cli_started = time.monotonic()
    out = work / "cli-out"
    subprocess.run(
        [sys.executable, "-m", "ocr_desktop", "ocr", *map(str, pdfs), "--format", "md", "--out", str(out),
         "--no-resume"],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    cli_s = time.monotonic() - cli_started  # includes the CLI's model load (~1 s for the tiny model)

    pages = JOBS * args.pages
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"/health while {JOBS} jobs read: {len(latencies)} requests in {health_s:.1f} s = "
          f"{len(latencies) / health_s:.0f} req/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")  # fmt: skip
    idle_latencies.sort()
    print(f"/health idle: {len(idle_latencies) / 5.0:.0f} req/s, "
          f"p95 {idle_latencies[int(0.95 * (len(idle_latencies) - 1))] * 1000:.1f} ms")  # fmt: skip
    print(f"pages/min: API {pages / api_s * 60:.1f} ({pages} pages in {api_s:.1f} s, model loaded) vs "
          f"CLI {pages / cli_s * 60:.1f} ({cli_s:.1f} s, including its model load)")  # fmt: skip
    print(f"server RSS: idle {idle_mb:.0f} MB before the model, {loaded_mb:.0f} MB with it; "
          f"peak under load {max(peak):.0f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
