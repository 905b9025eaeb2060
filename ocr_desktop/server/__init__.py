"""GLM-OCR's HTTP API, served by the app (docs/server.md, ADR 7): the SDK server's
``/glmocr/parse``, the cloud's ``layout_parsing``, jobs for long documents; secure by default.

Layer: above the pipeline and the exporters, below the CLI and the window, which both run it
(``ocr-desktop serve``; Settings → Server). Starlette and uvicorn are imported by ``app`` and
``runner`` only, so importing this package costs nothing.
"""
