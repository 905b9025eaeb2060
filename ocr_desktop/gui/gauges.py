"""Resource gauges: a dockable panel and a compact status-bar strip over the telemetry Sampler.

The widgets are thin (STYLE.md §9): the Qt-free :class:`~ocr_desktop.telemetry.Sampler` reads
the machine on its own thread; each reading hops to the GUI thread through a queued signal on a
small bridge object. The gauges listen only while they are visible, and the sampler is paused
while no gauge on it is visible (a hidden dock and status bar cost no polling).
A value a source lacks shows "n/a" with the reason as its tooltip; it never raises.
"""

from __future__ import annotations

import collections
import enum
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ocr_desktop.formats import format_bytes
from ocr_desktop.telemetry.reading import Reading
from ocr_desktop.telemetry.sampler import Sampler

# Okabe-Ito colours (readable with colour-blindness), plus a red for the critical level.
OK_COLOR = QColor("#009E73")
WARNING_COLOR = QColor("#E69F00")
CRITICAL_COLOR = QColor("#D32F2F")
MODEL_COLOR = QColor("#CC79A7")
APP_COLOR = QColor("#0072B2")
OTHER_COLOR = QColor("#999999")

#: Percent of RAM, swap or KV cache at which a gauge turns amber, and red.
PERCENT_WARNING, PERCENT_CRITICAL = 85.0, 95.0
#: Jetson modules throttle near 95-100 °C (tj); amber and red come before that.
TEMPERATURE_WARNING, TEMPERATURE_CRITICAL = 80.0, 90.0
#: The sparkline spans at least this many readings, growing to the whole history as it fills,
#: so a freshly started app shows a line rather than a sliver at the right edge.
SPARKLINE_MIN_READINGS = 60


class Level(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNAVAILABLE = "unavailable"


LEVEL_COLORS = {Level.OK: OK_COLOR, Level.WARNING: WARNING_COLOR, Level.CRITICAL: CRITICAL_COLOR}


@dataclass(frozen=True)
class Segment:
    fraction: float  # of the bar's full width
    color: QColor
    label: str


@dataclass(frozen=True)
class GaugeValue:
    """What one gauge shows for one reading."""

    text: str  # "3.7 / 7.3 GiB", or "n/a"
    level: Level
    tooltip: str  # details, or the reason it is n/a
    trend: float | None = None  # the value the sparkline plots
    segments: tuple[Segment, ...] = ()  # the bar; one segment unless stacked


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    describe: Callable[[Reading], GaugeValue]
    trend_max: float | None  # fixed top of the sparkline; None scales to the history's peak


def level_for(value: float, warning: float, critical: float) -> Level:
    if value >= critical:
        return Level.CRITICAL
    if value >= warning:
        return Level.WARNING
    return Level.OK


# -- painting ------------------------------------------------------------------------------------


class GaugeBar(QWidget):
    """A horizontal bar of one or more coloured segments on a track."""

    def __init__(self, height: int = 10, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._segments: tuple[Segment, ...] = ()
        self._alert: QColor | None = None
        self.setFixedHeight(height)
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self._segments

    @property
    def alert(self) -> QColor | None:
        return self._alert

    def set_state(self, segments: tuple[Segment, ...], alert: QColor | None) -> None:
        """Show ``segments``; an ``alert`` colour outlines the bar (a stacked bar keeps its colours)."""
        if segments != self._segments or alert != self._alert:
            self._segments, self._alert = segments, alert
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = min(3.0, rect.height() / 2)
        track = QPainterPath()
        track.addRoundedRect(rect, radius, radius)
        # A QColor by value: palette().mid() is a reference into a temporary palette.
        mid = self.palette().color(QPalette.ColorRole.Mid)
        painter.fillPath(track, mid.lighter(130))
        painter.setClipPath(track)
        x = rect.left()
        for segment in self._segments:
            width = rect.width() * max(0.0, min(segment.fraction, 1.0))
            painter.fillRect(QRectF(x, rect.top(), width, rect.height()), segment.color)
            x += width
        painter.setClipping(False)
        painter.setPen(QPen(self._alert, 2) if self._alert is not None else QPen(mid, 1))
        painter.drawPath(track)


class Sparkline(QWidget):
    """The recent history of one value as a line over a faint fill; ``None`` values leave gaps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[float | None] = []
        self._maximum: float | None = None
        self._capacity = 1
        self._color = OK_COLOR
        self.setFixedHeight(26)
        self.setMinimumWidth(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def values(self) -> list[float | None]:
        return list(self._values)

    def set_values(
        self, values: Iterable[float | None], capacity: int, maximum: float | None, color: QColor
    ) -> None:
        """Plot ``values`` (oldest first) across ``capacity`` slots, scaled to ``maximum`` or the peak."""
        self._values = list(values)
        self._capacity = max(capacity, 2)
        self._maximum = maximum
        self._color = color
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = QRectF(self.rect()).adjusted(1, 2, -1, -1)
        painter = QPainter(self)
        # The whole window of time as a faint baseline, so a short history reads as "recent".
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DotLine))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        present = [v for v in self._values if v is not None]
        if not present:
            return
        top = self._maximum or max(present) or 1.0
        step = rect.width() / (self._capacity - 1)
        start = self._capacity - len(self._values)  # the newest value is at the right edge
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(self._color)
        fill.setAlpha(50)
        for run in _runs(self._values):
            points = [
                QPointF(rect.left() + (start + i) * step, rect.bottom() - rect.height() * min(v / top, 1.0))
                for i, v in run
            ]
            area = QPainterPath(QPointF(points[0].x(), rect.bottom()))
            for point in points:
                area.lineTo(point)
            area.lineTo(QPointF(points[-1].x(), rect.bottom()))
            painter.fillPath(area, fill)
            painter.setPen(QPen(self._color, 1.5))
            painter.drawPolyline(points)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive non-None stretches as (index, value) lists."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, value))
    if current:
        runs.append(current)
    return runs


# -- shared behaviour ----------------------------------------------------------------------------


class _ReadingBridge(QObject):
    reading_arrived = Signal(object)  # Reading; emitted on the sampler thread


#: Per sampler, the gauges currently visible on it: the sampler runs while this is not empty.
_visible_gauges: weakref.WeakKeyDictionary[Sampler, set[int]] = weakref.WeakKeyDictionary()


def _set_gauge_visible(sampler: Sampler, gauge: QWidget, visible: bool) -> None:
    gauges = _visible_gauges.setdefault(sampler, set())
    if visible:
        gauges.add(id(gauge))
    else:
        gauges.discard(id(gauge))
    if gauges:
        sampler.resume()
    else:
        sampler.pause()


class _GaugeView(QWidget):
    """What the panel and the strip share: the metrics, the reading bridge and show/hide polling."""

    def __init__(self, sampler: Sampler, keys: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sampler = sampler
        every = {metric.key: metric for metric in self._metrics()}
        self.metrics = [every[key] for key in keys]
        self._history: dict[str, collections.deque[float | None]] = {
            m.key: collections.deque(maxlen=sampler.history_length) for m in self.metrics
        }
        self.values: dict[str, GaugeValue] = {}
        bridge = _ReadingBridge(self)
        bridge.reading_arrived.connect(self._on_reading, Qt.ConnectionType.QueuedConnection)

        def forward(reading: Reading) -> None:  # on the sampler thread
            try:
                bridge.reading_arrived.emit(reading)
            except RuntimeError:  # the gauge was deleted while visible
                sampler.remove_listener(forward)

        self._listener = forward
        self._listening = False
        _set_gauge_visible(sampler, self, False)

    # Subclasses lay out one view per metric and update it here.
    def _show_value(self, metric: Metric, value: GaugeValue, trend: collections.deque[float | None]) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._set_listening(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._set_listening(False)

    def _set_listening(self, listening: bool) -> None:
        if listening == self._listening:
            return
        self._listening = listening
        if listening:
            self.sampler.add_listener(self._listener)
            history = self.sampler.history()
            for metric in self.metrics:  # what happened while hidden
                trend = self._history[metric.key]
                trend.clear()
                trend.extend(metric.describe(r).trend for r in history)
            self._show(history[-1] if history else None, record=False)
        else:
            self.sampler.remove_listener(self._listener)
        _set_gauge_visible(self.sampler, self, listening)

    @Slot(object)
    def _on_reading(self, reading: Reading) -> None:
        if self._listening:
            self._show(reading, record=True)

    def _show(self, reading: Reading | None, *, record: bool) -> None:
        for metric in self.metrics:
            value = metric.describe(reading) if reading is not None else self._waiting()
            if record:
                self._history[metric.key].append(value.trend)
            self.values[metric.key] = value
            self._show_value(metric, value, self._history[metric.key])

    def _waiting(self) -> GaugeValue:
        return GaugeValue(self.tr("n/a"), Level.UNAVAILABLE, self.tr("Waiting for the first reading…"))

    # -- the metrics ---------------------------------------------------------------------------

    def _metrics(self) -> list[Metric]:
        return [
            Metric("ram", self.tr("RAM"), self._ram, 100.0),
            Metric("swap", self.tr("Swap"), self._swap, 100.0),
            Metric("cpu", self.tr("CPU"), self._cpu, 100.0),
            Metric("gpu", self.tr("GPU"), self._gpu, 100.0),
            Metric("temperature", self.tr("Temperature"), self._temperature, 100.0),
            Metric("power", self.tr("Power"), self._power, None),
            Metric("kv", self.tr("KV cache"), self._kv_cache, 100.0),
        ]

    def _unavailable(self, reading: Reading, field: str, fallback: str = "") -> GaugeValue:
        reason = reading.unavailable.get(field) or fallback or self.tr("Not measured on this machine")
        return GaugeValue(self.tr("n/a"), Level.UNAVAILABLE, reason)

    def _ram(self, r: Reading) -> GaugeValue:
        segments = r.ram_segments()
        percent = r.ram_percent
        if segments is None or percent is None:
            return self._unavailable(r, "ram_used_bytes")
        used = segments.model + segments.app + segments.other
        parts = (
            Segment(segments.model / segments.total, MODEL_COLOR, self.tr("Model runtime")),
            Segment(segments.app / segments.total, APP_COLOR, self.tr("This app")),
            Segment(segments.other / segments.total, OTHER_COLOR, self.tr("Other programs")),
        )
        level = level_for(percent, PERCENT_WARNING, PERCENT_CRITICAL)
        # An in-process runtime (llama.cpp) is part of this app's memory: no "model runtime: 0 B".
        shown = parts[1:] if segments.model == 0 else parts
        lines = [f"{p.label}: {format_bytes(p.fraction * segments.total)}" for p in shown]
        if segments.model == 0:
            lines[0] = self.tr("This app (with a model loaded in it, as llama.cpp is): {0}").format(
                format_bytes(segments.app)
            )
        lines.append(
            self.tr("Free: {0} of {1}").format(
                format_bytes(segments.total - used), format_bytes(segments.total)
            )
        )
        if r.ram_gpu_shared_bytes is not None:
            lines.append(
                self.tr("GPU share (in model runtime): {0}").format(format_bytes(r.ram_gpu_shared_bytes))
            )
        text = f"{format_bytes(used)} / {format_bytes(segments.total)}"
        return GaugeValue(text, level, self._with_sources(r, lines), percent, parts)

    def _swap(self, r: Reading) -> GaugeValue:
        if r.swap_total_bytes == 0:
            return self._unavailable(r, "swap_used_bytes", self.tr("No swap space is configured"))
        percent = r.swap_percent
        if percent is None or r.swap_used_bytes is None or r.swap_total_bytes is None:
            return self._unavailable(r, "swap_used_bytes")
        text = f"{format_bytes(r.swap_used_bytes)} / {format_bytes(r.swap_total_bytes)}"
        return self._percent_value(r, percent, text, [text], warn=True)

    def _cpu(self, r: Reading) -> GaugeValue:
        if r.cpu_percent is None:
            return self._unavailable(r, "cpu_percent")
        text = f"{r.cpu_percent:.0f} %"
        return self._percent_value(r, r.cpu_percent, text, [self.tr("Average over all cores")], warn=False)

    def _gpu(self, r: Reading) -> GaugeValue:
        # A busy GPU is the point of OCR, not a danger: load has no warning colour. VRAM does.
        if r.gpu_load_percent is None:
            return self._unavailable(r, "gpu_load_percent")
        text = f"{r.gpu_load_percent:.0f} %"
        lines = [self.tr("Load: {0}").format(text)]
        if r.gpu_freq_hz is not None:
            lines.append(self.tr("Frequency: {0} MHz").format(f"{r.gpu_freq_hz / 1e6:.0f}"))
        level = Level.OK
        if r.gpu_memory_used_bytes is not None and r.gpu_memory_total_bytes:
            vram = 100.0 * r.gpu_memory_used_bytes / r.gpu_memory_total_bytes
            level = level_for(vram, PERCENT_WARNING, PERCENT_CRITICAL)
            used, total = format_bytes(r.gpu_memory_used_bytes), format_bytes(r.gpu_memory_total_bytes)
            lines.append(self.tr("GPU memory: {0} / {1}").format(used, total))
        return self._bar_value(
            r, text, lines, fraction=r.gpu_load_percent / 100, level=level, trend=r.gpu_load_percent
        )

    def _temperature(self, r: Reading) -> GaugeValue:
        hottest = r.temperature_c
        if hottest is None or r.temperatures_c is None:
            return self._unavailable(r, "temperatures_c")
        level = level_for(hottest, TEMPERATURE_WARNING, TEMPERATURE_CRITICAL)
        lines = [f"{name}: {t:.1f} °C" for name, t in sorted(r.temperatures_c.items(), key=lambda kv: -kv[1])]
        text = f"{hottest:.0f} °C"
        return self._bar_value(r, text, lines, fraction=hottest / 100, level=level, trend=hottest)

    def _power(self, r: Reading) -> GaugeValue:
        if r.power_mw is None:
            return self._unavailable(r, "power_mw")
        text = f"{r.power_mw / 1000:.1f} W"
        peak = max([r.power_mw, *(v for v in self._history.get("power", ()) if v is not None)])
        lines = [
            self.tr("Now: {0}").format(text),
            self.tr("Bar scale: the recent peak, {0:.1f} W").format(peak / 1000),
        ]
        return self._bar_value(
            r, text, lines, fraction=r.power_mw / peak if peak else 0.0, level=Level.OK, trend=r.power_mw
        )

    def _kv_cache(self, r: Reading) -> GaugeValue:
        if r.kv_cache_percent is None:
            return self._unavailable(r, "kv_cache_percent")
        text = f"{r.kv_cache_percent:.0f} %"
        lines = [self.tr("vLLM KV cache in use: {0}").format(text)]
        if r.requests_running is not None and r.requests_waiting is not None:
            lines.append(
                self.tr("{0} pages running, {1} waiting").format(r.requests_running, r.requests_waiting)
            )
        return self._percent_value(r, r.kv_cache_percent, text, lines, warn=True)

    def _percent_value(
        self, r: Reading, percent: float, text: str, lines: list[str], *, warn: bool
    ) -> GaugeValue:
        level = level_for(percent, PERCENT_WARNING, PERCENT_CRITICAL) if warn else Level.OK
        return self._bar_value(r, text, lines, fraction=percent / 100, level=level, trend=percent)

    def _bar_value(
        self, r: Reading, text: str, lines: list[str], *, fraction: float, level: Level, trend: float
    ) -> GaugeValue:
        segment = Segment(fraction, LEVEL_COLORS[level], text)
        return GaugeValue(text, level, self._with_sources(r, lines), trend, (segment,))

    def _with_sources(self, r: Reading, lines: list[str]) -> str:
        return "\n".join([*lines, self.tr("Source: {0}").format(", ".join(r.sources))])

    def _paint_value(self, metric: Metric, value: GaugeValue, label: QLabel, bar: GaugeBar) -> None:
        """Text, bar and alert colour of one gauge; the level is said in words too (colour is not enough)."""
        alert = LEVEL_COLORS[value.level] if value.level in (Level.WARNING, Level.CRITICAL) else None
        label.setText(value.text)
        style = f"color: {alert.name()}; font-weight: bold;" if alert is not None else ""
        if label.styleSheet() != style:  # re-polishing is not free: only on a change of level
            label.setStyleSheet(style)
        bar.set_state(value.segments, alert)
        note = {Level.WARNING: self.tr("near the limit"), Level.CRITICAL: self.tr("at the limit")}.get(
            value.level
        )
        bar.setAccessibleDescription(f"{metric.label}: {value.text}" + (f" ({note})" if note else ""))


# -- the panel -----------------------------------------------------------------------------------


def available_for_backend(metric: Metric, value: GaugeValue) -> bool:
    """Whether to show a gauge: the KV cache only while the running backend reports one (vLLM);
    llama.cpp has none to show."""
    return metric.key != "kv" or value.level is not Level.UNAVAILABLE


@dataclass
class GaugeRow:
    """The widgets of one metric in the panel."""

    name: QLabel
    value: QLabel
    bar: GaugeBar
    sparkline: Sparkline


class GaugePanel(_GaugeView):
    """Every gauge, one block per metric (name and value, bar, history sparkline), for a dock."""

    KEYS = ("ram", "swap", "cpu", "gpu", "temperature", "power", "kv")

    def __init__(self, sampler: Sampler, parent: QWidget | None = None) -> None:
        super().__init__(sampler, self.KEYS, parent)
        self.setObjectName("gaugePanel")
        self.setAccessibleName(self.tr("Resource gauges"))
        self.rows: dict[str, GaugeRow] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(2)
        for i, metric in enumerate(self.metrics):
            row = GaugeRow(QLabel(metric.label), QLabel(), GaugeBar(), Sparkline())
            font = row.name.font()
            font.setBold(True)
            row.name.setFont(font)
            row.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row.bar.setAccessibleName(metric.label)
            row.sparkline.setAccessibleName(self.tr("{0} history").format(metric.label))
            top = i * 3
            layout.addWidget(row.name, top, 0)
            layout.addWidget(row.value, top, 1)
            layout.addWidget(row.bar, top + 1, 0, 1, 2)
            layout.addWidget(row.sparkline, top + 2, 0, 1, 2)
            layout.setRowMinimumHeight(top + 2, 30)
            self.rows[metric.key] = row
        layout.setRowStretch(len(self.metrics) * 3, 1)
        self._show(None, record=False)

    def sizeHint(self) -> QSize:
        return QSize(260, super().sizeHint().height())

    def _show_value(self, metric: Metric, value: GaugeValue, trend: collections.deque[float | None]) -> None:
        row = self.rows[metric.key]
        self._paint_value(metric, value, row.value, row.bar)
        color = LEVEL_COLORS.get(value.level, OTHER_COLOR)
        span = min(trend.maxlen or len(trend), max(len(trend), SPARKLINE_MIN_READINGS))
        row.sparkline.set_values(trend, span, metric.trend_max, color)
        shown = available_for_backend(metric, value)
        for widget in (row.name, row.value, row.bar, row.sparkline):
            widget.setToolTip(value.tooltip)
            widget.setVisible(shown)


# -- the status-bar strip ------------------------------------------------------------------------


@dataclass
class StripItem:
    name: QLabel
    bar: GaugeBar
    value: QLabel


class GaugeStrip(_GaugeView):
    """RAM, GPU and KV cache in one line for the status bar; the tooltip has the details."""

    KEYS = ("ram", "gpu", "kv")

    def __init__(self, sampler: Sampler, parent: QWidget | None = None) -> None:
        super().__init__(sampler, self.KEYS, parent)
        self.setObjectName("gaugeStrip")
        self.setAccessibleName(self.tr("Resource gauges (compact)"))
        self.items: dict[str, StripItem] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(4)
        for metric in self.metrics:
            item = StripItem(QLabel(metric.label), GaugeBar(height=8), QLabel())
            item.bar.setFixedWidth(48)
            item.bar.setAccessibleName(metric.label)
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(item.bar, 0, Qt.AlignmentFlag.AlignVCenter)
            layout.addWidget(item.name)
            layout.addLayout(box)
            layout.addWidget(item.value)
            layout.addSpacing(8)
            self.items[metric.key] = item
        self._show(None, record=False)

    def _show_value(self, metric: Metric, value: GaugeValue, trend: collections.deque[float | None]) -> None:
        item = self.items[metric.key]
        self._paint_value(metric, value, item.value, item.bar)
        shown = available_for_backend(metric, value)
        for widget in (item.name, item.bar, item.value):
            widget.setToolTip(f"{metric.label}\n{value.tooltip}")
            widget.setVisible(shown)
