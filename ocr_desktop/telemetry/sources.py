"""The hardware sources, best first: jtop on a Jetson, NVML for a desktop NVIDIA GPU, psutil always."""

from __future__ import annotations

from ocr_desktop.telemetry.jtop_source import JtopSource
from ocr_desktop.telemetry.nvml_source import NvmlSource
from ocr_desktop.telemetry.psutil_source import PsutilSource
from ocr_desktop.telemetry.source import Source


def default_sources(interval_s: float) -> list[Source]:
    """Every hardware source; those missing here report why and the sampler skips them."""
    return [JtopSource(interval_s), NvmlSource(), PsutilSource()]
