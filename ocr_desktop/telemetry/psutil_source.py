"""psutil: RAM, swap, CPU and temperatures on every machine, and the RSS of the app and its server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psutil

from ocr_desktop.telemetry.source import Source, SourceReading


class PsutilSource(Source):
    """The source that is always there; the fallback for everything jtop and NVML don't give."""

    name = "psutil"
    fields = frozenset(
        {
            "ram_total_bytes",
            "ram_used_bytes",
            "ram_available_bytes",
            "swap_total_bytes",
            "swap_used_bytes",
            "cpu_percent",
            "temperatures_c",
        }
    )

    def _open(self) -> None:
        psutil.cpu_percent(interval=None)  # the first call only sets the baseline for the next

    def read(self) -> SourceReading:
        vm = psutil.virtual_memory()
        swap = psutil.swap_memory()
        values: dict[str, Any] = {
            "ram_total_bytes": vm.total,
            # What cannot be reclaimed: the same notion as the memory guard's "available".
            "ram_used_bytes": vm.total - vm.available,
            "ram_available_bytes": vm.available,
            "swap_total_bytes": swap.total,
            "swap_used_bytes": swap.used,
            "cpu_percent": psutil.cpu_percent(interval=None),
        }
        missing: dict[str, str] = {}
        temperatures = read_temperatures()
        if temperatures:
            values["temperatures_c"] = temperatures
        else:
            missing["temperatures_c"] = "no temperature sensor is readable (/sys/class/hwmon)"
        return SourceReading(values, missing)


def read_temperatures() -> dict[str, float]:
    """Every readable sensor as ``"chip/label": °C``."""
    sensors = getattr(psutil, "sensors_temperatures", None)  # absent on some platforms
    if sensors is None:
        return {}
    return {
        f"{chip}/{entry.label}" if entry.label else chip: float(entry.current)
        for chip, entries in sensors().items()
        for entry in entries
    }


class ProcessSource(Source):
    """The app's own RSS, and the managed vLLM server's process tree (summed RSS)."""

    name = "processes"
    fields = frozenset({"app_rss_bytes", "server_rss_bytes"})

    def __init__(self, server_pids: Callable[[], list[int]] | None = None) -> None:
        super().__init__()
        self._server_pids = server_pids
        self._me = psutil.Process()

    def read(self) -> SourceReading:
        values: dict[str, Any] = {"app_rss_bytes": self._me.memory_info().rss}
        missing: dict[str, str] = {}
        pids = self._server_pids() if self._server_pids is not None else []
        if pids:
            values["server_rss_bytes"] = tree_rss(pids)
        else:
            missing["server_rss_bytes"] = "no vLLM server is running under this app"
        return SourceReading(values, missing)


def tree_rss(pids: list[int]) -> int:
    """Summed RSS of the processes and all their descendants (pages shared between them count twice)."""
    seen: dict[int, int] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for proc in tree:
            try:
                seen.setdefault(proc.pid, proc.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    return sum(seen.values())
