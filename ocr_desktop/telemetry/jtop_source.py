"""jtop (jetson-stats): the Jetson's RAM and its GPU share, swap, GPU, CPU, temperatures and power.

jetson-stats is AGPL-3.0 and optional (the ``[jetson]`` extra); it is imported only here, when
the source opens. Units as jtop gives them (docs/telemetry.md): ``memory[…]`` values in kB,
GPU load in %, GPU frequency in kHz, temperatures in °C, power in mW; ``power`` is ``{}`` on
boards without INA sensors. The client talks to the root ``jtop.service`` over /run/jtop.sock.
"""

from __future__ import annotations

import multiprocessing
from types import ModuleType
from typing import Any

from ocr_desktop.telemetry.source import Source, SourceReading, SourceUnavailableError

KB = 1024
OFFLINE_TEMPERATURE = -256  # jtop's value for an offline thermal zone


def import_jtop() -> ModuleType:
    """Import jtop without letting it change how this process starts subprocesses.

    ``jtop/service.py`` calls ``multiprocessing.set_start_method("fork", force=True)`` at import
    time; the app (and the libraries it loads, which may use threads) keeps its own default.
    """
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        import jtop
    finally:
        multiprocessing.set_start_method(method, force=True)
    return jtop


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class JtopSource(Source):
    name = "jtop"
    fields = frozenset(
        {
            "ram_total_bytes",
            "ram_used_bytes",
            "ram_gpu_shared_bytes",
            "swap_total_bytes",
            "swap_used_bytes",
            "cpu_percent",
            "gpu_load_percent",
            "gpu_freq_hz",
            "temperatures_c",
            "power_mw",
        }
    )

    def __init__(self, interval_s: float = 1.0) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._client: Any = None
        self._error: type[Exception] = Exception  # jtop.JtopException once imported

    def _open(self) -> None:
        try:
            jtop = import_jtop()
        except ImportError:
            raise SourceUnavailableError(
                "jetson-stats is not installed (on a Jetson: pip install 'ocr-desktop[jetson]')",
                permanent=True,
            ) from None
        client = jtop.jtop(interval=self._interval_s)
        try:
            client.start()
        except jtop.JtopException as exc:
            # e.g. "The jtop.service is not active. Please run: sudo jtop --install-service"
            raise SourceUnavailableError(_one_line(exc)) from None
        except OSError as exc:  # errno values jtop passes through unchanged
            raise SourceUnavailableError(
                f"cannot reach jtop.service at /run/jtop.sock: {_one_line(exc)}"
            ) from None
        self._client, self._error = client, jtop.JtopException

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def read(self) -> SourceReading:
        client = self._client
        try:
            alive = client is not None and client.ok(spin=True)  # re-raises the reader thread's error
        except self._error as exc:  # "Lost connection with jtop server", "Error connection"
            raise SourceUnavailableError(_one_line(exc)) from None
        if not alive:
            raise SourceUnavailableError("the jtop client stopped")
        values: dict[str, Any] = {}
        missing: dict[str, str] = {}
        stats = client.stats
        ram = client.memory["RAM"]
        values["ram_total_bytes"] = ram["tot"] * KB
        values["ram_used_bytes"] = ram["used"] * KB
        values["ram_gpu_shared_bytes"] = ram["shared"] * KB
        swap = client.memory["SWAP"]
        values["swap_total_bytes"] = swap["tot"] * KB
        values["swap_used_bytes"] = swap["used"] * KB
        cores = [v for k, v in stats.items() if k.startswith("CPU") and isinstance(v, (int, float))]
        if cores:
            values["cpu_percent"] = sum(cores) / len(cores)
        else:
            missing["cpu_percent"] = "jtop reports every CPU core offline"
        gpus = client.gpu
        if gpus:
            gpu = next(iter(gpus.values()))
            values["gpu_load_percent"] = float(gpu["status"]["load"])
            freq = gpu["freq"].get("cur")
            if freq is not None:
                # sysfs boards report kHz; jtop's NVML path (Thor, JetPack 7) reports MHz.
                values["gpu_freq_hz"] = int(freq) * (
                    1_000_000 if gpu.get("power_control") == "nvml" else 1000
                )
            else:
                missing["gpu_freq_hz"] = "jtop reports no GPU frequency"
        else:
            missing["gpu_load_percent"] = missing["gpu_freq_hz"] = "jtop found no integrated GPU"
        temperatures = {
            name: float(t["temp"])
            for name, t in client.temperature.items()
            if t.get("online", True) and t["temp"] > OFFLINE_TEMPERATURE
        }
        if temperatures:
            values["temperatures_c"] = temperatures
        else:
            missing["temperatures_c"] = "jtop reports no online thermal zone"
        power = client.power
        if power:
            values["power_mw"] = float(power["tot"]["power"])
        else:
            missing["power_mw"] = "this board has no power monitor (INA3221) jtop can read"
        return SourceReading(values, missing)
