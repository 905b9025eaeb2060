"""What the searchable PDF costs beyond reading: a 100-page PDF, its pages "read" by replaying the
GLM-OCR SDK's region outputs of ``code.png`` (no model runs), exported as a searchable PDF.

    .venv/bin/python scripts/bench_searchable_pdf.py [--pages 100] [--example code]

Prints per page: rendering the original again, line detection (PP-OCRv6 detection + recognition
with character boxes, as the export runs it; detection alone for comparison), placing the text,
drawing and grafting the layer (OCRmyPDF's renderer + pikepdf), and the size the layer adds.
Numbers for docs/searchable-pdf.md (Cost).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocr_desktop.documents.document import open_document  # noqa: E402
from ocr_desktop.exporters import pdf as pdf_export  # noqa: E402
from ocr_desktop.exporters.textlayer import page_layer  # noqa: E402
from ocr_desktop.textlines import shared_reader  # noqa: E402
from tests.test_searchable_pdf import EXAMPLES, document, layout_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--example", default="code", choices=("code", "page", "table", "handwritten"))
    args = parser.parse_args()
    import img2pdf

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "scan.pdf"
        image = (EXAMPLES / "source" / f"{args.example}.png").read_bytes()
        source.write_bytes(img2pdf.convert([image] * args.pages))
        pages = [layout_page(i, args.example, (1000, 1000), width=0, height=0) for i in range(args.pages)]
        doc = dataclasses.replace(document(source, pages), page_count=args.pages)
        reader = shared_reader()
        opened = open_document(source)
        reader.read(opened.render_page(0).image)  # load the ONNX sessions outside the timing
        times: dict[str, list[float]] = {"render": [], "lines": [], "detect only": [], "place": []}
        layers = {}
        for page in doc.pages:
            start = time.perf_counter()
            rendered = opened.render_page(page.page_index)
            times["render"].append(time.perf_counter() - start)
            start = time.perf_counter()
            lines = reader.read(rendered.image, char_boxes=True)
            times["lines"].append(time.perf_counter() - start)
            if page.page_index < 10:
                start = time.perf_counter()
                reader.detect(rendered.image)
                times["detect only"].append(time.perf_counter() - start)
            start = time.perf_counter()
            layers[page.page_index] = page_layer(page, rendered.image, lines, None)
            times["place"].append(time.perf_counter() - start)
        opened.close()
        start = time.perf_counter()
        out = pdf_export.searchable_pdf(doc, layers)
        draw = time.perf_counter() - start
        size = source.stat().st_size
        words = sum(len(line.words) for layer in layers.values() for line in layer.lines)
        print(f"{args.pages} pages of {args.example}.png ({words / args.pages:.0f} words a page), "
              f"rendered at {rendered.image.size[0]}x{rendered.image.size[1]}")  # fmt: skip
        for name, values in times.items():
            mean, median = statistics.mean(values) * 1000, statistics.median(values) * 1000
            print(f"  {name:12s} {mean:8.1f} ms/page (median {median:.1f})")
        print(f"  {'draw+graft':12s} {draw / args.pages * 1000:8.1f} ms/page ({draw:.1f} s for the document)")
        total = sum(statistics.mean(times[k]) for k in ("render", "lines", "place")) + draw / args.pages
        print(f"  {'total':12s} {total * 1000:8.1f} ms/page, excluding reading")
        added = (len(out) - size) / args.pages / 1024
        print(f"  size: {size / 1e6:.2f} MB -> {len(out) / 1e6:.2f} MB: +{added:.1f} KiB a page")


if __name__ == "__main__":
    main()
