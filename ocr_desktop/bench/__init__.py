"""Benchmark of the backends on this device with these documents (``ocr-desktop bench``, Compare view).

``runner`` measures (Qt-free), ``report`` writes results.json, the Markdown table, the charts and
the recommendation, ``samples`` holds the bundled sample pages used when no document is given.
"""
