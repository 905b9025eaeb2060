"""``ocr-desktop serve``: GLM-OCR's API for the network, headless (docs/server.md).

The same pipeline, store and settings as the window and ``ocr``: the settings file's backend,
memory policy and reading mode, the shared job store (the window's history shows what was sent),
unfinished jobs resumed. Listens on 127.0.0.1 unless ``--host`` says otherwise; any other
address needs ``--token-file`` (made, mode 0600, when it does not exist yet).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from ocr_desktop.cli.flags import setting_help, settings_from_flags
from ocr_desktop.cli.terminal import EXIT_FAILED, EXIT_OK, EXIT_USAGE, shown
from ocr_desktop.core.store import JobStatus, JobStore, StoreError
from ocr_desktop.pipeline import Pipeline, PipelineListener

log = logging.getLogger(__name__)

#: flag dest → settings key
SERVE_OVERRIDES = {
    "host": "server.host",
    "port": "server.port",
    "allow_urls": "server.allow_urls",
    "backend": "backend",
    "mode": "reading.mode",
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ocr_desktop.backends.registry import BACKEND_IDS

    p = subparsers.add_parser(
        "serve",
        help="serve GLM-OCR's API (/glmocr/parse, layout_parsing, jobs) to the network",
        description="Answer GLM-OCR's SDK server and cloud API requests and long-document jobs with this "
        "machine's backend, until Ctrl-C. Listens on 127.0.0.1 unless --host names another address, "
        "which requires --token-file. See docs/server.md.",
    )
    p.add_argument("--host", help=setting_help("server.host"))
    p.add_argument("--port", type=int, help=setting_help("server.port"))
    p.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="file holding the access token clients send as 'Authorization: Bearer TOKEN' (made with a new "
        "random token, mode 0600, if it does not exist); required for any address but loopback",
    )
    p.add_argument("--allow-urls", action="store_const", const=True, help=setting_help("server.allow_urls"))
    p.add_argument("--backend", choices=BACKEND_IDS, help=setting_help("backend"))
    p.add_argument("--mode", choices=("layout", "page"), help=setting_help("reading.mode"))
    p.set_defaults(func=run_serve)


class _LoggedJobs(PipelineListener):
    """The headless server's record of its jobs: the log (the window shows them in its queue)."""

    def job_added(self, job_id: str, name: str, page_count: int, source: str) -> None:
        log.info("job %s queued: %s", job_id, name)

    def job_finished(self, job_id: str, status: JobStatus) -> None:
        log.info("job %s %s", job_id, status.value)

    def job_failed(self, job_id: str, message: str) -> None:
        log.warning("job %s failed: %s", job_id, message)


def _error(text: str) -> None:
    sys.stderr.write(f"error: {shown(text)}\n")


def _announce(url: str) -> None:
    sys.stdout.write(f"serving GLM-OCR's API on {url}\n")
    sys.stdout.flush()


def run_serve(args: argparse.Namespace) -> int:
    from ocr_desktop.backends.memory import MemoryGuard
    from ocr_desktop.server.runner import ServerConfig, ServerError, ServerThread
    from ocr_desktop.server.security import TokenError, ensure_token

    settings, problems, bad = settings_from_flags(args, SERVE_OVERRIDES)
    for warning in problems:
        log.warning("settings: %s", warning)
    for problem in bad:
        _error(problem)
    if bad:
        return EXIT_USAGE
    try:
        token = ensure_token(args.token_file) if args.token_file is not None else None
    except TokenError as exc:
        _error(str(exc))
        return EXIT_USAGE
    config = ServerConfig.from_settings(settings.server, token)
    try:
        store = JobStore()
    except StoreError as exc:
        _error(str(exc))
        return EXIT_FAILED
    guard = MemoryGuard.from_megabytes(settings.telemetry.low_memory_mb)
    pipeline = Pipeline(store, settings, _LoggedJobs(), memory_guard=guard)
    try:
        server = ServerThread(pipeline, store, lambda: settings, config)
        resumed = pipeline.resume_unfinished()
        if resumed:
            log.info("resuming %d unfinished job(s)", len(resumed))
        pipeline.start()
        # uvicorn finishes the requests under way on SIGINT/SIGTERM, then raises the signal again
        # with the handlers it found: both become KeyboardInterrupt here, so the pipeline is shut
        # down below either way (SIGTERM's default would kill the process first).
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            server.serve_forever(_announce)
        except KeyboardInterrupt:
            log.info("stopping: the pages in flight stay pending and are read on the next start")
        finally:
            signal.signal(signal.SIGTERM, previous)
    except ServerError as exc:
        _error(str(exc))
        return EXIT_USAGE
    finally:
        pipeline.shutdown()
        store.close()
    return EXIT_OK
