"""How numbers are written for people (log lines, error messages, the gauges, reports)."""

from __future__ import annotations


def format_bytes(n: float) -> str:
    """Binary units, three significant figures at most: ``906 MiB``, ``5.2 GiB``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" or abs(value) >= 100 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
