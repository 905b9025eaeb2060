"""The leak check of conftest.py sees what a test leaves running: a thread, an executor worker,
a child process; and stops seeing each once it has ended."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import child_processes, leaks


def test_a_running_thread_executor_worker_and_child_process_are_reported() -> None:
    # GIVEN a snapshot, then a thread, an executor worker and a child process started after it
    threads_before, children_before = set(threading.enumerate()), set(child_processes())
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="left-behind")
    thread.start()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pool-left-behind")
    pool.submit(stop.wait)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # WHEN the check runs, THEN it names each of them
        found = leaks(threads_before, children_before)
        assert "thread left-behind" in found
        assert any(f.startswith("thread pool-left-behind") for f in found)
        assert any(f.startswith(f"process {child.pid} ") for f in found)
    finally:
        stop.set()
        thread.join()
        pool.shutdown(wait=True)
        child.kill()
        child.wait()
    # AND once they have ended, nothing is reported
    assert leaks(threads_before, children_before) == []
