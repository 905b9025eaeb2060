"""Telemetry: what the machine and the model runtime use, read without Qt.

``Sampler`` reads the sources (jtop on a Jetson, NVML on a desktop NVIDIA GPU, psutil always)
on its own thread into ``Reading`` objects in normalized units; ``budget`` decides whether a
backend fits in memory and when the pipeline should stop taking new pages. See docs/telemetry.md.
"""

from ocr_desktop.telemetry.budget import MemoryBudgetError, MemoryGuard, available_memory_bytes, check_fits
from ocr_desktop.telemetry.reading import Reading, format_bytes
from ocr_desktop.telemetry.sampler import Sampler

__all__ = [
    "MemoryBudgetError",
    "MemoryGuard",
    "Reading",
    "Sampler",
    "available_memory_bytes",
    "check_fits",
    "format_bytes",
]
