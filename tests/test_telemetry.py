"""Telemetry sources and the sampler.

psutil and NVML are the real libraries (NVML really fails here: no NVIDIA driver). jtop cannot
run without a Jetson, so ``FakeJtop`` mirrors the real client's surface (jtop 7.2, see
research/runtime_apis.md §1): ``start/close/ok``, ``stats`` (flat dict, ``RAM`` a 0-1
fraction), ``memory`` and ``gpu`` (dict-like ``GenericInterface`` objects, values in kB / % /
kHz), ``power`` (``{}`` without INA sensors), ``temperature`` (offline zones at -256 °C), and the
exact ``JtopException`` messages. It is imported through a real ``jtop`` module written to a
temp dir, so the import-time ``multiprocessing.set_start_method("fork", force=True)`` of the
real package runs too.
"""

from __future__ import annotations

import datetime
import itertools
import multiprocessing
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import psutil
import pytest

from ocr_desktop.formats import format_bytes
from ocr_desktop.settings import TelemetrySettings
from ocr_desktop.telemetry import sampler as sampler_module
from ocr_desktop.telemetry.jtop_source import JtopSource
from ocr_desktop.telemetry.nvml_source import NvmlSource
from ocr_desktop.telemetry.psutil_source import ProcessSource, PsutilSource
from ocr_desktop.telemetry.reading import Reading
from ocr_desktop.telemetry.sampler import Sampler
from ocr_desktop.telemetry.source import Source, SourceReading

KB = 1024

# --- the fake jtop ------------------------------------------------------------------------------

# jtop 7.2 jtop/jtop.py, verbatim messages.
SERVICE_NOT_ACTIVE = "The jtop.service is not active. Please run:\nsudo jtop --install-service"
NO_ACCESS = "I can't access jtop.service.\nPlease logout or reboot this board."
VERSION_MISMATCH = (
    "Mismatch version jtop service: [7.1.0] and client: [7.2.2]. Please run:\n\nsudo jtop --install-service"
)
LOST_CONNECTION = "Lost connection with jtop server"


class JtopException(Exception):
    """jtop.core.exceptions.JtopException."""


class GenericInterface:
    """jtop.core.common.GenericInterface: dict-like, but not a dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def items(self) -> Any:
        return self._data.items()

    def keys(self) -> Any:
        return self._data.keys()

    def values(self) -> Any:
        return self._data.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)


def orin_nano_memory() -> dict[str, Any]:
    return {
        "RAM": {
            "tot": 7_620_000,
            "used": 3_900_000,
            "free": 1_200_000,
            "buffers": 120_000,
            "cached": 2_400_000,
            "shared": 1_500_000,  # NvMapMemUsed: what the GPU holds
            "lfb": 120,
            "shared_label": "Shared",
        },
        "SWAP": {
            "tot": 3_810_000,
            "used": 120_000,
            "cached": 0,
            "table": {
                "/dev/zram0": {"type": "zram", "prio": 5, "size": 635_000, "used": 20_000, "boot": False}
            },
        },
        "EMC": {"online": True, "val": 21, "cur": 2_133_000, "max": 2_133_000, "min": 204_000},
    }


def orin_nano_gpu(load: float = 45.0) -> dict[str, Any]:
    return {
        "gpu": {
            "type": "integrated",
            "status": {"railgate": False, "tpc_pg_mask": False, "3d_scaling": True, "load": load},
            "freq": {
                "governor": "nvhost_podgov",
                "cur": 624_750,
                "max": 624_750,
                "min": 306_000,
                "GPC": [624_750],
            },
            "power_control": "auto",
        }
    }


def orin_nano_power() -> dict[str, Any]:
    rail = {
        "online": True,
        "type": "INA3221",
        "status": "ok",
        "volt": 5000,
        "curr": 600,
        "power": 3000,
        "avg": 2900,
    }
    return {
        "rail": {"VDD_CPU_GPU_CV": rail, "VDD_SOC": {**rail, "power": 1500, "avg": 1400}},
        "tot": {"power": 6120, "avg": 5900, "name": "VDD_IN"},
    }


def orin_nano_temperature() -> dict[str, Any]:
    return {
        "cpu": {"online": True, "temp": 51.5},
        "gpu": {"online": True, "temp": 49.8},
        "soc0": {"online": False, "temp": -256},
        "tj": {"online": True, "temp": 52.3},
    }


@dataclass
class Board:
    """What the fake jtop service answers, in jtop's shapes and units."""

    start_error: BaseException | None = None
    memory: dict[str, Any] = field(default_factory=orin_nano_memory)
    gpu: dict[str, Any] = field(default_factory=orin_nano_gpu)
    power: dict[str, Any] = field(default_factory=orin_nano_power)
    temperature: dict[str, Any] = field(default_factory=orin_nano_temperature)
    cpu_loads: tuple[int | str, ...] = (12, 30, "OFF", 18)
    reader_error: BaseException | None = None  # raised by ok(), as from jtop's reader thread
    clients: list[FakeJtop] = field(default_factory=list)


class FakeJtop:
    """jtop.jtop: the client surface the app uses."""

    board: ClassVar[Board] = Board()

    def __init__(self, interval: float = 1.0) -> None:
        self.interval_user = interval
        self.interval = interval
        self.started = False
        self.closed = False
        self._observers: list[Any] = []
        self.board.clients.append(self)

    def attach(self, observer: Any) -> None:
        self._observers.append(observer)

    def start(self) -> None:
        if self.board.start_error is not None:
            raise self.board.start_error
        self.started = True

    def close(self) -> None:
        self.closed = True

    def ok(self, spin: bool = False) -> bool:
        if self.board.reader_error is not None:
            raise self.board.reader_error
        return self.started and not self.closed

    def __enter__(self) -> FakeJtop:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def stats(self) -> dict[str, Any]:
        ram, swap = self.board.memory["RAM"], self.board.memory["SWAP"]
        stats: dict[str, Any] = {"time": datetime.datetime.now(), "uptime": datetime.timedelta(hours=3)}
        stats.update({f"CPU{i + 1}": load for i, load in enumerate(self.board.cpu_loads)})
        stats["RAM"] = ram["used"] / ram["tot"]
        stats["SWAP"] = swap["used"] / swap["tot"]
        stats["EMC"] = self.board.memory["EMC"]["val"]
        for name, gpu in self.board.gpu.items():
            stats["GPU"] = gpu["status"]["load"]
            stats[name.upper()] = gpu["freq"]["cur"]
        stats.update({f"Temp {n}": t["temp"] for n, t in self.board.temperature.items()})
        if self.board.power:
            stats.update({f"Power {n}": r["power"] for n, r in self.board.power["rail"].items()})
            stats["Power TOT"] = self.board.power["tot"]["power"]
        stats["jetson_clocks"] = "OFF"
        stats["nvp model"] = "15W"
        return stats

    @property
    def memory(self) -> GenericInterface:
        return GenericInterface(self.board.memory)

    @property
    def gpu(self) -> GenericInterface:
        return GenericInterface(self.board.gpu)

    @property
    def power(self) -> dict[str, Any]:
        return self.board.power

    @property
    def temperature(self) -> dict[str, Any]:
        return self.board.temperature


FAKE_JTOP_MODULE = textwrap.dedent(
    """
    import multiprocessing

    # What jtop/service.py does when `import jtop` runs.
    multiprocessing.set_start_method("fork", force=True)
    START_METHOD_AFTER_IMPORT = multiprocessing.get_start_method()

    from tests.test_telemetry import FakeJtop as jtop, JtopException
    """
)


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Board:
    """A fake jtop module on sys.path (ahead of any installed jetson-stats) and its board."""
    (tmp_path / "fakejtop").mkdir()
    (tmp_path / "fakejtop" / "jtop.py").write_text(FAKE_JTOP_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path / "fakejtop"))
    monkeypatch.delitem(sys.modules, "jtop", raising=False)
    b = Board()
    monkeypatch.setattr(FakeJtop, "board", b)
    return b


@pytest.fixture
def keep_start_method() -> Iterator[None]:
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def make_sampler(*sources: Source, interval_s: float = 1.0, history_s: int = 300, **kw: Any) -> Sampler:
    return Sampler(TelemetrySettings(interval_s=interval_s, history_s=history_s), sources=list(sources), **kw)


# --- jtop ---------------------------------------------------------------------------------------


def test_jtop_readings_are_normalized_to_bytes_hz_and_milliwatts(board: Board) -> None:
    # GIVEN an Orin Nano's jtop data
    source = JtopSource(interval_s=0.5)
    # WHEN the source opens and reads
    source.open()
    part = source.read()
    # THEN kB became bytes, kHz became Hz, offline CPUs and thermal zones are left out
    assert source.available and source.reason is None
    assert board.clients[0].interval_user == 0.5
    assert part.values == {
        "ram_total_bytes": 7_620_000 * KB,
        "ram_used_bytes": 3_900_000 * KB,
        "ram_gpu_shared_bytes": 1_500_000 * KB,
        "swap_total_bytes": 3_810_000 * KB,
        "swap_used_bytes": 120_000 * KB,
        "cpu_percent": 20.0,
        "gpu_load_percent": 45.0,
        "gpu_freq_hz": 624_750_000,
        "temperatures_c": {"cpu": 51.5, "gpu": 49.8, "tj": 52.3},
        "power_mw": 6120.0,
    }
    assert part.missing == {}
    # WHEN it closes THEN the client is closed
    source.close()
    assert board.clients[0].closed


def test_jtop_nvml_path_reports_gpu_frequency_in_mhz(board: Board) -> None:
    # GIVEN a Thor, whose GPU jtop reads through NVML (frequency in MHz, power_control "nvml")
    board.gpu = {"Thor": {**orin_nano_gpu()["gpu"], "freq": {"cur": 1575}, "power_control": "nvml"}}
    source = JtopSource()
    source.open()
    # WHEN read THEN the frequency is still in Hz
    assert source.read().values["gpu_freq_hz"] == 1_575_000_000


def test_jtop_without_power_sensors_reports_power_na_with_reason(board: Board) -> None:
    # GIVEN a board without INA sensors: jtop's power is {}
    board.power = {}
    sampler = make_sampler(JtopSource(), PsutilSource())
    # WHEN sampled
    reading = sampler.sample()
    # THEN power is n/a with the reason, and everything else still comes from jtop
    assert reading.power_mw is None
    assert reading.unavailable["power_mw"] == "jtop: this board has no power monitor (INA3221) jtop can read"
    assert reading.gpu_load_percent == 45.0
    assert reading.ram_total_bytes == 7_620_000 * KB
    sampler.stop()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            JtopException(SERVICE_NOT_ACTIVE),
            "jtop: The jtop.service is not active. Please run: sudo jtop --install-service",
        ),
        (JtopException(NO_ACCESS), "jtop: I can't access jtop.service. Please logout or reboot this board."),
        (
            JtopException(VERSION_MISMATCH),
            "jtop: Mismatch version jtop service: [7.1.0] and client: [7.2.2]. "
            "Please run: sudo jtop --install-service",
        ),
        (
            PermissionError(1, "Operation not permitted"),
            "jtop: cannot reach jtop.service at /run/jtop.sock: ",
        ),
    ],
)
def test_jtop_service_errors_fall_back_to_psutil_and_say_why(
    board: Board, error: BaseException, reason: str
) -> None:
    # GIVEN jtop.service cannot be used
    board.start_error = error
    sampler = make_sampler(JtopSource(), NvmlSource(), PsutilSource())
    # WHEN sampled
    reading = sampler.sample()
    # THEN RAM comes from psutil (the real numbers) and the GPU gauge says why it is n/a
    assert reading.sources == ("psutil", "processes")
    assert reading.ram_total_bytes == psutil.virtual_memory().total
    assert reading.gpu_load_percent is None
    assert reading.unavailable["gpu_load_percent"].startswith(reason)
    assert "NVML Shared Library Not Found" in reading.unavailable["gpu_load_percent"]
    sampler.stop()


def test_jtop_lost_connection_falls_back_and_reconnects(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a sampler reading jtop
    monkeypatch.setattr(sampler_module, "REOPEN_AFTER_S", 0.0)
    source = JtopSource()
    sampler = make_sampler(source, PsutilSource())
    assert sampler.sample().sources[0] == "jtop"
    # WHEN the service goes away (ok() re-raises the reader thread's exception)
    board.reader_error = JtopException(LOST_CONNECTION)
    reading = sampler.sample()
    # THEN the sampler falls back to psutil, closes the client and says why
    assert reading.sources == ("psutil", "processes")
    assert reading.unavailable["ram_gpu_shared_bytes"] == f"jtop: {LOST_CONNECTION}"
    assert board.clients[0].closed
    # WHEN the service is back THEN the next sample reconnects
    board.reader_error = None
    assert sampler.sample().sources[0] == "jtop"
    assert len(board.clients) == 2
    sampler.stop()


def test_importing_jtop_keeps_the_apps_start_method(board: Board, keep_start_method: None) -> None:
    # GIVEN the app uses "spawn" for its subprocesses
    multiprocessing.set_start_method("spawn", force=True)
    # WHEN the jtop source imports jtop (which forces "fork" at import time)
    JtopSource().open()
    # THEN the import did switch to fork, and the source switched back
    assert sys.modules["jtop"].START_METHOD_AFTER_IMPORT == "fork"
    assert multiprocessing.get_start_method(allow_none=True) == "spawn"


def test_jtop_not_installed_is_permanent_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no jetson-stats (None in sys.modules makes `import jtop` raise ImportError)
    monkeypatch.setitem(sys.modules, "jtop", None)
    source = JtopSource()
    # WHEN opened
    source.open()
    # THEN it is unavailable for good, with the extra to install
    assert not source.available and source.permanent
    assert (
        source.reason
        == "jtop: jetson-stats is not installed (on a Jetson: pip install 'ocr-desktop[jetson]')"
    )


# --- NVML and psutil, for real ------------------------------------------------------------------


def test_nvml_without_a_driver_reports_library_not_found() -> None:
    # GIVEN the real nvidia-ml-py on a machine without libnvidia-ml.so
    source = NvmlSource()
    # WHEN opened
    source.open()
    # THEN nvmlInit's NVMLError_LibraryNotFound is the reason, and it is not retried
    assert not source.available and source.permanent
    assert source.reason == "NVML: NVML Shared Library Not Found (no NVIDIA driver)"
    source.close()


def test_psutil_source_reads_this_machine() -> None:
    # GIVEN the real psutil
    source = PsutilSource()
    source.open()
    # WHEN read
    part = source.read()
    # THEN memory adds up and each field is either measured or explained
    v = part.values
    assert v["ram_total_bytes"] == psutil.virtual_memory().total
    assert v["ram_used_bytes"] + v["ram_available_bytes"] == v["ram_total_bytes"]
    assert 0 <= v["swap_used_bytes"] <= v["swap_total_bytes"]
    assert 0.0 <= v["cpu_percent"] <= 100.0
    assert ("temperatures_c" in v) != ("temperatures_c" in part.missing)


def test_process_source_reports_app_and_server_tree_rss() -> None:
    # GIVEN a "server" process with a child, like vllm serve and its engine core
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print('ready', flush=True); time.sleep(60)"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as server:
        proc = psutil.Process(server.pid)
        try:
            assert server.stdout is not None and server.stdout.readline() == "ready\n"
            source = ProcessSource(lambda: [server.pid])
            # WHEN read
            values = source.read().values
            # THEN the app's RSS is this process's, and the server's includes its child
            assert len(proc.children(recursive=True)) == 1
            assert values["app_rss_bytes"] == pytest.approx(psutil.Process().memory_info().rss, rel=0.2)
            assert values["server_rss_bytes"] > proc.memory_info().rss
        finally:
            for child in proc.children(recursive=True):
                child.kill()
            server.kill()


def test_process_source_without_a_server_says_so() -> None:
    part = ProcessSource(list).read()
    assert "server_rss_bytes" not in part.values
    assert part.missing["server_rss_bytes"] == "no vLLM server is running under this app"


@dataclass
class Metrics:
    kv_cache_usage: float
    requests_running: int
    requests_waiting: int


def test_vllm_metrics_become_percent_and_absence_is_explained() -> None:
    current: list[Metrics | None] = [Metrics(0.25, 3, 1)]
    sampler = make_sampler(vllm_metrics=lambda: current[0])
    reading = sampler.sample()
    assert (reading.kv_cache_percent, reading.requests_running, reading.requests_waiting) == (25.0, 3, 1)
    current[0] = None
    assert (
        sampler.sample().unavailable["kv_cache_percent"]
        == "vllm: vLLM is not loaded, or its /metrics did not answer"
    )
    assert make_sampler().sample().unavailable["kv_cache_percent"] == "vllm: the vLLM backend is not in use"


# --- the sampler --------------------------------------------------------------------------------


class ScriptedSource(Source):
    """A hardware source returning fixed values (for merge order, threads and failures)."""

    fields = frozenset({"gpu_load_percent", "temperatures_c", "power_mw"})

    def __init__(self, name: str, values: dict[str, Any], missing: dict[str, str] | None = None) -> None:
        super().__init__()
        self.name = name  # type: ignore[misc]
        self.values = values
        self.missing = missing or {}
        self.reads = 0
        self.closed = False

    def read(self) -> SourceReading:
        self.reads += 1
        return SourceReading(dict(self.values), dict(self.missing))

    def close(self) -> None:
        self.closed = True


def test_sources_merge_best_first() -> None:
    # GIVEN a better and a worse source that overlap
    best = ScriptedSource(
        "best", {"gpu_load_percent": 10.0, "temperatures_c": {"gpu": 50.0}}, {"power_mw": "no INA"}
    )
    worse = ScriptedSource("worse", {"gpu_load_percent": 99.0, "temperatures_c": {"gpu": 70.0, "cpu": 60.0}})
    # WHEN sampled
    reading = make_sampler(best, worse).sample()
    # THEN a field comes from the best source that has it; temperature sensors are merged
    assert reading.gpu_load_percent == 10.0
    assert reading.temperatures_c == {"gpu": 50.0, "cpu": 60.0}
    assert reading.temperature_c == 60.0
    assert reading.sources == ("best", "worse", "processes")
    assert reading.power_mw is None
    assert reading.unavailable["power_mw"] == "best: no INA"
    assert reading.unavailable["gpu_freq_hz"] == sampler_module.NO_SOURCE


def test_a_source_that_raises_is_skipped_not_fatal() -> None:
    class Broken(ScriptedSource):
        def read(self) -> SourceReading:
            raise RuntimeError("sensor vanished")

    broken = Broken("broken", {})
    reading = make_sampler(broken, ScriptedSource("ok", {"gpu_load_percent": 5.0})).sample()
    assert reading.gpu_load_percent == 5.0
    assert not broken.available and broken.closed
    assert reading.unavailable["power_mw"] == "broken: RuntimeError: sensor vanished"


def test_history_is_bounded_by_history_s_over_interval() -> None:
    # GIVEN 1 s of history at 0.2 s: five readings
    sampler = make_sampler(ScriptedSource("s", {}), interval_s=0.2, history_s=1)
    # WHEN sampled eight times
    readings = [sampler.sample() for _ in range(8)]
    # THEN the last five are kept, oldest first
    assert sampler.history_length == 5
    assert sampler.history() == readings[3:]
    assert sampler.latest() is readings[-1]


def test_default_history_is_five_minutes_at_one_hertz() -> None:
    assert make_sampler().history_length == 300


def test_thread_samples_at_the_interval_and_stop_joins_it() -> None:
    # GIVEN a sampler at 0.2 s with a listener
    source = ScriptedSource("s", {"gpu_load_percent": 1.0})
    sampler = make_sampler(source, interval_s=0.2)
    got: list[Reading] = []
    three = threading.Event()

    def listener(reading: Reading) -> None:
        got.append(reading)
        if len(got) == 3:
            three.set()

    sampler.add_listener(listener)
    # WHEN started
    sampler.start()
    assert three.wait(5.0)
    threads = [t for t in threading.enumerate() if t.name == "telemetry-sampler"]
    sampler.stop()
    # THEN readings came about one interval apart, and stop joined the thread and closed the sources
    gaps = [b.timestamp - a.timestamp for a, b in itertools.pairwise(got)]
    assert all(0.15 < gap < 1.0 for gap in gaps[:2]), gaps
    assert len(threads) == 1 and not threads[0].is_alive()
    assert not sampler.running and source.closed


def test_pause_stops_sampling_until_resume() -> None:
    source = ScriptedSource("s", {})
    sampler = make_sampler(source, interval_s=0.2)
    arrived = threading.Event()
    sampler.add_listener(lambda _reading: arrived.set())
    sampler.start()
    assert arrived.wait(5.0)
    # WHEN paused
    sampler.pause()
    reads = source.reads
    arrived.clear()
    # THEN nothing is read for several intervals
    assert not arrived.wait(0.7)
    assert source.reads == reads
    # WHEN resumed THEN a reading comes at once
    sampler.resume()
    assert arrived.wait(1.0)
    sampler.stop()


def test_a_failing_listener_does_not_stop_the_thread() -> None:
    sampler = make_sampler(ScriptedSource("s", {}), interval_s=0.2)
    arrived = threading.Event()

    def bad(_reading: Reading) -> None:
        raise ValueError("listener bug")

    sampler.add_listener(bad)
    sampler.add_listener(lambda _reading: arrived.set() if len(sampler.history()) >= 2 else None)
    sampler.start()
    assert arrived.wait(5.0)
    assert sampler.running
    sampler.stop()


# --- Reading ------------------------------------------------------------------------------------


def test_ram_segments_split_used_memory_into_model_app_and_other() -> None:
    gib = 1 << 30
    reading = Reading(
        timestamp=0.0,
        ram_total_bytes=8 * gib,
        ram_used_bytes=6 * gib,
        ram_gpu_shared_bytes=2 * gib,
        server_rss_bytes=1 * gib,
        app_rss_bytes=gib // 2,
    )
    segments = reading.ram_segments()
    assert segments is not None
    assert (segments.model, segments.app, segments.other, segments.total) == (
        3 * gib,
        gib // 2,
        5 * gib // 2,
        8 * gib,
    )
    assert reading.ram_percent == 75.0
    assert Reading(timestamp=0.0).ram_segments() is None


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (512, 906 << 20, int(5.2 * (1 << 30)), 64 << 30)] == [
        "512 B",
        "906 MiB",
        "5.2 GiB",
        "64.0 GiB",
    ]


def test_telemetry_imports_neither_qt_nor_the_optional_runtimes() -> None:
    code = (
        "import sys, ocr_desktop.telemetry, ocr_desktop.telemetry.sources; "
        "print(sorted(m for m in ('PySide6', 'jtop', 'pynvml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
