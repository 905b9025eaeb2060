"""One telemetry sample in normalized units: bytes, percent, °C, milliwatts, hertz.

Every measured field is optional: ``None`` means "not available here", and ``unavailable``
maps such a field's name to the reason (shown as the gauge's tooltip).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Reading:
    timestamp: float  # seconds since the epoch (time.time())
    ram_total_bytes: int | None = None
    ram_used_bytes: int | None = None
    ram_available_bytes: int | None = None
    ram_gpu_shared_bytes: int | None = None  # Jetson: memory the GPU holds (NvMapMemUsed) inside RAM
    swap_total_bytes: int | None = None
    swap_used_bytes: int | None = None
    cpu_percent: float | None = None  # average over online cores
    gpu_load_percent: float | None = None
    gpu_freq_hz: int | None = None
    gpu_memory_total_bytes: int | None = None  # discrete GPUs only (NVML); a Jetson's GPU uses RAM
    gpu_memory_used_bytes: int | None = None
    temperatures_c: dict[str, float] | None = None  # sensor name -> °C, online sensors only
    power_mw: float | None = None  # whole board / GPU
    app_rss_bytes: int | None = None  # this process (an in-process llama.cpp model counts here)
    server_rss_bytes: int | None = None  # the managed vLLM server's process tree
    kv_cache_percent: float | None = None  # vLLM KV-cache usage
    requests_running: int | None = None  # vLLM
    requests_waiting: int | None = None  # vLLM
    sources: tuple[str, ...] = ()  # names of the sources that contributed, best first
    unavailable: dict[str, str] = field(default_factory=dict)  # field name -> why it is None

    @property
    def ram_percent(self) -> float | None:
        return _percent(self.ram_used_bytes, self.ram_total_bytes)

    @property
    def swap_percent(self) -> float | None:
        return _percent(self.swap_used_bytes, self.swap_total_bytes)

    @property
    def temperature_c(self) -> float | None:
        """The hottest sensor: the one that throttles first."""
        return max(self.temperatures_c.values()) if self.temperatures_c else None

    def ram_segments(self) -> RamSegments | None:
        """Used RAM split into the model runtime, this app and everything else.

        "model" is what the runtime holds outside this process: the managed vLLM server's RSS
        plus, on a Jetson, the GPU's share of RAM (weights and KV cache offloaded by llama.cpp
        or vLLM). A CPU-only llama.cpp model is mapped into this process and counts as "app".
        """
        if self.ram_total_bytes is None or self.ram_used_bytes is None:
            return None
        used = self.ram_used_bytes
        model = min((self.server_rss_bytes or 0) + (self.ram_gpu_shared_bytes or 0), used)
        app = min(self.app_rss_bytes or 0, used - model)
        return RamSegments(model=model, app=app, other=used - model - app, total=self.ram_total_bytes)


class RamSegments(NamedTuple):
    model: int
    app: int
    other: int
    total: int


#: The fields a source can measure (everything but the bookkeeping).
METRIC_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Reading) if f.name not in {"timestamp", "sources", "unavailable"}
)


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return 100.0 * part / whole
