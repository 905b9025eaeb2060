"""Shared test set-up: no display, no real user folders, no leaked threads or processes."""

from __future__ import annotations

import os

# Before anything imports Qt (STYLE.md §10).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytest_plugins = [
    "tests.fixtures.files",
    "tests.fixtures.model",
    "tests.fixtures.layout",  # after model: it imports model's build-cache helpers
    "tests.fixtures.vllm",
]


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config, data, state, cache and the Hugging Face cache at a temp dir."""
    home = tmp_path / "user"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("HF_HOME", "hf"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return home


def child_processes() -> dict[int, psutil.Process]:
    """The test process's live descendants (a zombie holds nothing but its pid: not counted)."""
    found = {}
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                found[child.pid] = child
        except psutil.NoSuchProcess:
            continue
    return found


def leaks(threads_before: set[threading.Thread], children_before: set[int]) -> list[str]:
    """Threads (executor workers included) and child processes started since the snapshot and
    still running. A session-scoped fixture's thread sets ``session_scoped``; its processes
    exist before the tests that use it start (session fixtures are set up first)."""
    threads = [
        f"thread {t.name}"
        for t in threading.enumerate()
        if t not in threads_before and t.is_alive() and not getattr(t, "session_scoped", False)
    ]
    processes = []
    for pid, child in child_processes().items():
        if pid in children_before:
            continue
        try:
            processes.append(f"process {pid} {' '.join(child.cmdline()[:3])}")
        except psutil.NoSuchProcess:
            continue
    return threads + processes


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """For a backend that holds a page until the test lets it go (set at the end whatever
    happens, before the window's shutdown waits for the page: no thread is left)."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture(autouse=True)
def no_leaked_threads_or_processes() -> Iterator[None]:
    """Fail a test that leaves one of its threads, executor workers or child processes running
    (napari's _dangling_qthreads idea, widened to executors and subprocesses)."""
    threads_before = set(threading.enumerate())
    children_before = set(child_processes())
    yield
    deadline = time.monotonic() + 5.0
    while (leaked := leaks(threads_before, children_before)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not leaked, f"test left running: {leaked}"
