"""The gauge panel and strip, fed by a real Sampler thread reading a scripted source."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDockWidget, QMainWindow
from pytestqt.qtbot import QtBot

from ocr_desktop.gui.gauges import (
    APP_COLOR,
    CRITICAL_COLOR,
    MODEL_COLOR,
    OK_COLOR,
    OTHER_COLOR,
    WARNING_COLOR,
    GaugePanel,
    GaugeStrip,
    Level,
)
from ocr_desktop.settings import TelemetrySettings
from ocr_desktop.telemetry.sampler import Sampler
from ocr_desktop.telemetry.source import Source, SourceReading

pytestmark = pytest.mark.gui

GIB = 1 << 30
TIMEOUT_MS = 5000


class ScriptedBoard(Source):
    """A hardware source whose values the test sets; each sample reads the current ones."""

    name = "scripted"
    fields = frozenset(
        {
            "ram_total_bytes",
            "ram_used_bytes",
            "ram_gpu_shared_bytes",
            "gpu_load_percent",
            "temperatures_c",
            "power_mw",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {
            "ram_total_bytes": 8 * GIB,
            "ram_used_bytes": 4 * GIB,
            "ram_gpu_shared_bytes": 2 * GIB,
            "gpu_load_percent": 40.0,
            "temperatures_c": {"cpu": 50.0, "gpu": 55.0},
        }
        self.missing = {"power_mw": "no INA3221 power monitor on this board"}

    def read(self) -> SourceReading:
        return SourceReading(dict(self.values), dict(self.missing))


class Kv:
    def __init__(self, usage: float) -> None:
        self.kv_cache_usage, self.requests_running, self.requests_waiting = usage, 3, 1


@pytest.fixture
def board() -> ScriptedBoard:
    return ScriptedBoard()


@pytest.fixture
def kv() -> list[Kv | None]:
    return [None]


@pytest.fixture
def sampler(board: ScriptedBoard, kv: list[Kv | None]) -> Iterator[Sampler]:
    s = Sampler(TelemetrySettings(interval_s=0.2, history_s=60), sources=[board], vllm_metrics=lambda: kv[0])
    s.start()
    yield s
    s.stop()


def pixel(widget: Any, x_fraction: float) -> QColor:
    image = widget.grab().toImage()
    return image.pixelColor(int(image.width() * x_fraction), image.height() // 2)


def test_panel_shows_values_and_warns_near_the_limits(
    qtbot: QtBot, sampler: Sampler, board: ScriptedBoard, kv: list[Kv | None]
) -> None:
    # GIVEN a visible panel on 8 GiB with 4 GiB used
    panel = GaugePanel(sampler)
    qtbot.addWidget(panel)
    panel.show()
    ram = panel.rows["ram"]
    qtbot.waitUntil(lambda: ram.value.text() == "4.0 GiB / 8.0 GiB", timeout=TIMEOUT_MS)
    # THEN RAM is normal and stacked: model (the GPU's 2 GiB) / this app / other
    assert panel.values["ram"].level is Level.OK and ram.bar.alert is None
    model, app, other = ram.bar.segments
    assert (model.color, app.color, other.color) == (MODEL_COLOR, APP_COLOR, OTHER_COLOR)
    assert model.fraction == 0.25
    assert model.fraction + app.fraction + other.fraction == pytest.approx(0.5)
    assert pixel(ram.bar, 0.1) == MODEL_COLOR
    assert pixel(panel.rows["gpu"].bar, 0.2) == OK_COLOR
    # WHEN RAM reaches 87.5 % and the hottest sensor 85 °C THEN both turn amber
    board.values["ram_used_bytes"] = 7 * GIB
    board.values["temperatures_c"] = {"cpu": 85.0, "gpu": 70.0}
    qtbot.waitUntil(lambda: panel.values["ram"].level is Level.WARNING, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.values["temperature"].level is Level.WARNING, timeout=TIMEOUT_MS)
    assert ram.bar.alert == WARNING_COLOR
    assert WARNING_COLOR.name().lower() in ram.value.styleSheet().lower()
    assert pixel(panel.rows["temperature"].bar, 0.5) == WARNING_COLOR
    assert panel.rows["temperature"].value.text() == "85 °C"
    assert panel.rows["temperature"].bar.accessibleDescription() == "Temperature: 85 °C (near the limit)"
    # WHEN RAM reaches 97.5 %, 92 °C and the KV cache 96 % THEN red
    board.values["ram_used_bytes"] = int(7.8 * GIB)
    board.values["temperatures_c"] = {"cpu": 92.0}
    kv[0] = Kv(0.96)
    qtbot.waitUntil(lambda: panel.values["kv"].level is Level.CRITICAL, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.values["ram"].level is Level.CRITICAL, timeout=TIMEOUT_MS)
    assert panel.values["temperature"].level is Level.CRITICAL
    assert ram.bar.alert == CRITICAL_COLOR
    assert pixel(panel.rows["kv"].bar, 0.5) == CRITICAL_COLOR
    assert panel.rows["kv"].value.text() == "96 %"
    assert "3 pages running, 1 waiting" in panel.rows["kv"].bar.toolTip()
    # WHEN GPU load is at 100 % THEN it stays green: a busy GPU is the point, not a danger
    board.values["gpu_load_percent"] = 100.0
    qtbot.waitUntil(lambda: panel.rows["gpu"].value.text() == "100 %", timeout=TIMEOUT_MS)
    assert panel.values["gpu"].level is Level.OK


def test_missing_values_show_na_with_the_reason(qtbot: QtBot, sampler: Sampler, board: ScriptedBoard) -> None:
    # GIVEN a board without power sensors, no swap source, no vLLM
    panel = GaugePanel(sampler)
    qtbot.addWidget(panel)
    panel.show()
    power = panel.rows["power"]
    qtbot.waitUntil(lambda: power.value.toolTip().startswith("scripted:"), timeout=TIMEOUT_MS)
    # THEN each says "n/a" and the tooltip says why
    assert power.value.text() == "n/a"
    assert power.value.toolTip() == "scripted: no INA3221 power monitor on this board"
    assert panel.values["power"].level is Level.UNAVAILABLE and power.bar.segments == ()
    assert panel.rows["kv"].bar.toolTip() == "vllm: vLLM is not loaded, or its /metrics did not answer"
    assert panel.rows["swap"].value.text() == "n/a"
    assert panel.rows["swap"].value.toolTip() == "no source measures this on this machine"
    # WHEN the GPU source loses its value THEN that gauge goes n/a too, and its history has a gap
    del board.values["gpu_load_percent"]
    board.missing["gpu_load_percent"] = "GPU is rail-gated"
    qtbot.waitUntil(lambda: panel.rows["gpu"].value.text() == "n/a", timeout=TIMEOUT_MS)
    assert panel.rows["gpu"].value.toolTip() == "scripted: GPU is rail-gated"
    assert panel.rows["gpu"].sparkline.values[-1] is None
    assert 40.0 in panel.rows["gpu"].sparkline.values


def test_power_bar_scales_to_the_recent_peak(qtbot: QtBot, sampler: Sampler, board: ScriptedBoard) -> None:
    panel = GaugePanel(sampler)
    qtbot.addWidget(panel)
    panel.show()
    board.missing.clear()
    board.values["power_mw"] = 8000.0
    qtbot.waitUntil(lambda: panel.rows["power"].value.text() == "8.0 W", timeout=TIMEOUT_MS)
    board.values["power_mw"] = 4000.0
    qtbot.waitUntil(lambda: panel.rows["power"].value.text() == "4.0 W", timeout=TIMEOUT_MS)
    assert panel.rows["power"].bar.segments[0].fraction == 0.5


def test_gauges_poll_only_while_visible(qtbot: QtBot, sampler: Sampler) -> None:
    # GIVEN a panel and a strip, neither shown yet
    panel = GaugePanel(sampler)
    strip = GaugeStrip(sampler)
    qtbot.addWidget(panel)
    qtbot.addWidget(strip)
    # THEN the sampler does not poll
    assert sampler.paused and sampler.listeners() == []
    # WHEN the panel is shown THEN it polls and the panel listens
    panel.show()
    assert not sampler.paused and len(sampler.listeners()) == 1
    qtbot.waitUntil(lambda: panel.rows["ram"].value.text() != "n/a", timeout=TIMEOUT_MS)
    # WHEN the strip is shown and the panel hidden THEN it still polls, for the strip only
    strip.show()
    panel.hide()
    assert not sampler.paused and len(sampler.listeners()) == 1
    # WHEN both are hidden THEN polling stops
    strip.hide()
    assert sampler.paused and sampler.listeners() == []
    # (that a paused sampler reads nothing is tested in test_telemetry.py)
    # WHEN shown again THEN polling resumes
    strip.show()
    assert not sampler.paused


def test_hiding_the_dock_pauses_polling(qtbot: QtBot, sampler: Sampler) -> None:
    # GIVEN the panel in a dock of a shown window
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = QDockWidget("Gauges", window)
    dock.setWidget(GaugePanel(sampler, dock))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.show()
    assert not sampler.paused
    # WHEN the dock is closed (View → Gauges) THEN polling stops; reopened, it resumes
    dock.toggleViewAction().trigger()
    assert sampler.paused
    dock.toggleViewAction().trigger()
    assert not sampler.paused


def test_showing_again_fills_the_sparklines_from_the_history(
    qtbot: QtBot, sampler: Sampler, board: ScriptedBoard
) -> None:
    # GIVEN readings taken while no gauge was visible
    panel = GaugePanel(sampler)
    qtbot.addWidget(panel)
    for load in (10.0, 20.0, 30.0):
        board.values["gpu_load_percent"] = load
        sampler.sample()
    # WHEN the panel is shown
    panel.show()
    # THEN its sparklines show them, and the latest value at once
    assert panel.rows["gpu"].sparkline.values[-3:] == [10.0, 20.0, 30.0]
    assert panel.rows["gpu"].value.text() == "30 %"


def test_strip_shows_ram_gpu_and_kv_in_one_line(qtbot: QtBot, sampler: Sampler, kv: list[Kv | None]) -> None:
    kv[0] = Kv(0.5)
    strip = GaugeStrip(sampler)
    qtbot.addWidget(strip)
    strip.show()
    qtbot.waitUntil(lambda: strip.items["kv"].value.text() == "50 %", timeout=TIMEOUT_MS)
    assert list(strip.items) == ["ram", "gpu", "kv"]
    assert strip.items["ram"].value.text() == "4.0 GiB / 8.0 GiB"
    assert strip.items["gpu"].value.text() == "40 %"
    assert strip.items["ram"].bar.toolTip().startswith("RAM\nModel runtime: 2.0 GiB")
    assert strip.accessibleName() == "Resource gauges (compact)"


def test_repainting_the_gauges_does_not_leak_references_to_none(qtbot: QtBot, sampler: Sampler) -> None:
    # PySide6 6.12.0 on Python < 3.12 drops a reference to None on every call of a C++ method
    # returning void; None is not immortal there, so a GUI that repaints gauges every second
    # dies with "Fatal Python error: none_dealloc" within a minute. 6.11.3 does not.
    # GIVEN both gauges visible
    panel, strip = GaugePanel(sampler), GaugeStrip(sampler)
    qtbot.addWidget(panel)
    qtbot.addWidget(strip)
    panel.show()
    strip.show()
    reading = sampler.sample()
    before = sys.getrefcount(None)
    # WHEN they show and paint 20 readings
    for _ in range(20):
        panel._on_reading(reading)
        strip._on_reading(reading)
        panel.repaint()
        strip.repaint()
    # THEN None's reference count has not fallen (on 3.12+ it is immortal and constant)
    assert sys.getrefcount(None) >= before
