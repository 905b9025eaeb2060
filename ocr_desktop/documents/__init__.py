"""Opening documents and producing their pages one at a time, fitted to GLM-OCR's pixel budget.

The package has one module per concern, and nothing is re-exported here: importing
``documents.pages`` (what the backends need for :class:`~ocr_desktop.documents.pages.PageImage`)
must not load the poppler and Pillow decoding code.

- ``errors``: :class:`DocumentError` and :class:`PageRangeError`, whose messages say what to do
- ``sniff``: the type of a file judged from its bytes, and how a path is named for people
- ``pages``: :class:`PageImage`, page ranges, the pixel budget (``fit_to_budget``), blank pages
- ``pdf``: ``pdfinfo`` pre-flight and the streaming ``pdftoppm`` renderer
- ``images``: Pillow pre-flight and decoding (EXIF orientation, transparency, bombs)
- ``document``: ``open_document`` (the pre-flight), :class:`Document` and its :class:`PageStream`
- ``folders``: ``scan_paths`` (folders walked, each entry read or skipped with the reason)
"""
