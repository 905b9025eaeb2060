"""NVML (nvidia-ml-py): load, clocks, VRAM, temperature and power of a desktop NVIDIA GPU.

Only the first GPU is read. On a Jetson, jtop comes first: NVML there reports NotSupported for
load, clocks and memory (the GPU shares RAM), and such values fall through as n/a.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocr_desktop.telemetry.source import Source, SourceReading, SourceUnavailableError


class NvmlSource(Source):
    name = "NVML"
    fields = frozenset(
        {
            "gpu_load_percent",
            "gpu_freq_hz",
            "gpu_memory_total_bytes",
            "gpu_memory_used_bytes",
            "temperatures_c",
            "power_mw",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self._nvml: Any = None
        self._handle: Any = None
        self._gpu_name = ""

    def _open(self) -> None:
        try:
            import pynvml
        except ImportError:
            raise SourceUnavailableError(
                "nvidia-ml-py is not installed (for an NVIDIA GPU: pip install 'ocr-desktop[nvidia]')",
                permanent=True,
            ) from None
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:
            # NVMLError_LibraryNotFound: "NVML Shared Library Not Found" on machines without the driver.
            raise SourceUnavailableError(f"{exc} (no NVIDIA driver)", permanent=True) from None
        try:
            count = pynvml.nvmlDeviceGetCount()
            handle = pynvml.nvmlDeviceGetHandleByIndex(0) if count else None
            name = pynvml.nvmlDeviceGetName(handle) if count else ""
        except pynvml.NVMLError as exc:
            pynvml.nvmlShutdown()
            raise SourceUnavailableError(str(exc), permanent=True) from None
        if handle is None:
            pynvml.nvmlShutdown()
            raise SourceUnavailableError("the NVIDIA driver reports no GPU", permanent=True)
        self._handle = handle
        self._gpu_name = name.decode() if isinstance(name, bytes) else name  # bytes before nvidia-ml-py 11
        self._nvml = pynvml

    def close(self) -> None:
        nvml, self._nvml = self._nvml, None
        if nvml is not None:
            nvml.nvmlShutdown()

    def read(self) -> SourceReading:
        nvml, handle = self._nvml, self._handle
        if nvml is None:
            raise SourceUnavailableError("not open")
        values: dict[str, Any] = {}
        missing: dict[str, str] = {}

        def query(fields: tuple[str, ...], call: Callable[[], tuple[Any, ...]]) -> None:
            try:
                values.update(zip(fields, call(), strict=True))
            except nvml.NVMLError as exc:  # typically NotSupported for one metric on one GPU
                missing.update(dict.fromkeys(fields, str(exc)))

        def memory() -> tuple[int, int]:
            info = nvml.nvmlDeviceGetMemoryInfo(handle)
            return info.total, info.used

        def temperature() -> tuple[dict[str, float]]:
            return (
                {self._gpu_name: float(nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))},
            )

        query(("gpu_load_percent",), lambda: (float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu),))
        query(
            ("gpu_freq_hz",), lambda: (nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM) * 1_000_000,)
        )
        query(("gpu_memory_total_bytes", "gpu_memory_used_bytes"), memory)
        query(("temperatures_c",), temperature)
        query(("power_mw",), lambda: (float(nvml.nvmlDeviceGetPowerUsage(handle)),))
        return SourceReading(values, missing)
