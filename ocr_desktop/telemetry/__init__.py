"""Telemetry: what the machine and the model runtime use, read without Qt.

``Sampler`` reads the sources (jtop on a Jetson, NVML on a desktop NVIDIA GPU, psutil always)
on its own thread into ``Reading`` objects in normalized units. Whether a backend fits in memory
and when the pipeline holds back pages is policy, in ``backends.memory``. See docs/telemetry.md.
"""

from ocr_desktop.telemetry.reading import Reading
from ocr_desktop.telemetry.sampler import Sampler

__all__ = ["Reading", "Sampler"]
