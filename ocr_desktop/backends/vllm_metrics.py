"""vLLM's Prometheus ``/metrics`` text → the few numbers the pipeline and the gauges show.

Metric names changed across vLLM versions (``vllm:gpu_cache_usage_perc`` became
``vllm:kv_cache_usage_perc`` in 0.9 and is gone in current releases), so every value is looked up
under its current name first and its old one second. A server with several engines (data
parallel) labels each series with ``engine``; counts are summed, the cache usage is the highest.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# One sample line: name, optional {labels}, value (timestamps, which vLLM does not emit, are ignored).
_SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')

Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse_prometheus(text: str) -> Samples:
    """Parse the Prometheus text format into ``name -> [(labels, value), …]``."""
    samples: Samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match is None:
            continue
        name, labels, value = match.groups()
        try:
            number = float(value)
        except ValueError:
            continue
        samples.setdefault(name, []).append((dict(_LABEL.findall(labels or "")), number))
    return samples


def _values(samples: Samples, *names: str) -> list[float]:
    for name in names:
        if name in samples:
            return [v for _, v in samples[name] if not math.isnan(v)]
    return []


@dataclass(frozen=True)
class VllmMetrics:
    """A snapshot of a vLLM server's load (names kept stable for the telemetry gauges)."""

    kv_cache_usage: float  # 0..1 share of the KV cache in use
    requests_running: int
    requests_waiting: int
    prompt_tokens_total: int  # counters since the server started
    generation_tokens_total: int
    #: Requests of ``--max-model-len`` tokens the KV cache holds at once (``cache_config_info``);
    #: 0 when the server does not say.
    kv_cache_max_concurrency: float = 0.0

    @classmethod
    def from_prometheus(cls, text: str) -> VllmMetrics:
        samples = parse_prometheus(text)
        usage = _values(samples, "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc")
        return cls(
            kv_cache_usage=max(usage, default=0.0),
            requests_running=int(sum(_values(samples, "vllm:num_requests_running"))),
            requests_waiting=int(sum(_values(samples, "vllm:num_requests_waiting"))),
            prompt_tokens_total=int(sum(_values(samples, "vllm:prompt_tokens_total", "vllm:prompt_tokens"))),
            generation_tokens_total=int(
                sum(_values(samples, "vllm:generation_tokens_total", "vllm:generation_tokens"))
            ),
            kv_cache_max_concurrency=_max_concurrency(samples),
        )


def _max_concurrency(samples: Samples) -> float:
    """How many full-length requests fit in the KV cache (``vllm:cache_config_info`` label).

    Servers older than the label give 0, and the caller falls back to its own default.
    """
    best = 0.0
    for labels, _ in samples.get("vllm:cache_config_info", []):
        try:
            best = max(best, float(labels.get("kv_cache_max_concurrency", "0")))
        except ValueError:
            continue
    return best
