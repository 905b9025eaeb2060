"""vLLM's own gauges (KV-cache usage, requests), read through a callable the vLLM backend provides.

Telemetry does not import the backends: the app passes ``VllmBackend.metrics`` in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ocr_desktop.telemetry.source import Source, SourceReading


class VllmMetricsLike(Protocol):
    """Read-only, so that the backends' frozen ``VllmMetrics`` matches."""

    @property
    def kv_cache_usage(self) -> float: ...  # 0..1
    @property
    def requests_running(self) -> int: ...
    @property
    def requests_waiting(self) -> int: ...


class VllmMetricsSource(Source):
    name = "vllm"
    fields = frozenset({"kv_cache_percent", "requests_running", "requests_waiting"})

    def __init__(self, metrics: Callable[[], VllmMetricsLike | None] | None = None) -> None:
        super().__init__()
        self._metrics = metrics

    def read(self) -> SourceReading:
        metrics = self._metrics() if self._metrics is not None else None
        if metrics is None:
            reason = (
                "the vLLM backend is not in use"
                if self._metrics is None
                else "vLLM is not loaded, or its /metrics did not answer"
            )
            return SourceReading({}, dict.fromkeys(self.fields, reason))
        values: dict[str, Any] = {
            "kv_cache_percent": 100.0 * metrics.kv_cache_usage,
            "requests_running": metrics.requests_running,
            "requests_waiting": metrics.requests_waiting,
        }
        return SourceReading(values, {})
