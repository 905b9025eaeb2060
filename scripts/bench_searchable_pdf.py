"""What the searchable PDF costs beyond reading: a 100-page PDF whose pages are "read" by
replaying the GLM-OCR SDK's region outputs of ``code.png`` (no model runs), exported as a
searchable PDF through the app's own export (``exporters.export_documents``).

    .venv/bin/python scripts/bench_searchable_pdf.py [--pages 100] [--line-pages 10] [--example code]

Prints, per page:

- the baseline, measured in the same run: rendering each page of the original again with poppler
  (what any export laid over the page starts from) and a plain copy of the file;
- the line reader at read time, on the first ``--line-pages`` pages (a layout read renders the
  page at 200 DPI, detects its lines for the plan, then recognises them with character boxes
  beside the region reads): detection, recognition;
- the export of the read pages (their recognised lines stored, as a layout read leaves them):
  placing the text on the pages, then drawing and grafting the layer (OCRmyPDF's renderer +
  pikepdf) and writing the file, split by the export's own progress steps; the ratio to the
  rendering baseline; and the size the layer adds;
- the export as it was before the lines were recognised at read time (the lines read during the
  export), on the first ``--line-pages`` pages.

Numbers for docs/searchable-pdf.md (Cost).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocr_desktop.core.results import DocumentResult, PageLines  # noqa: E402
from ocr_desktop.documents.document import open_document  # noqa: E402
from ocr_desktop.exporters import ExportProgress, export_documents  # noqa: E402
from ocr_desktop.layout.plan import LAYOUT_DPI, detect_lines  # noqa: E402
from ocr_desktop.settings import ExportSettings  # noqa: E402
from ocr_desktop.textlines import shared_reader  # noqa: E402
from tests.test_searchable_pdf import EXAMPLES, document, layout_page  # noqa: E402


def ms(seconds: float, pages: int) -> str:
    return f"{seconds / pages * 1000:8.1f} ms/page"


def timed_export(doc: DocumentResult, out: Path) -> tuple[float, float, int]:
    """Export ``doc`` as a searchable PDF into ``out``: (seconds placing the text, seconds drawing,
    grafting and writing, file size), split where the export's progress passes the last page laid."""
    pages = len(doc.pages)
    marks: dict[int, float] = {}
    progress = ExportProgress(report=lambda done, _total: marks.setdefault(done, time.perf_counter()))
    start = time.perf_counter()
    report = export_documents([doc], ExportSettings(formats=("pdf",), out_dir=str(out)), progress=progress)
    end = time.perf_counter()
    assert not report.failed, [o.message for o in report.failed]
    (path,) = report.written
    return marks[pages] - start, end - marks[pages], path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--line-pages", type=int, default=10, help="pages the line reader is timed on")
    parser.add_argument("--example", default="code", choices=("code", "page", "table", "handwritten"))
    args = parser.parse_args()
    import img2pdf

    n, k = args.pages, min(args.line_pages, args.pages)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "scan.pdf"
        image = (EXAMPLES / "source" / f"{args.example}.png").read_bytes()
        source.write_bytes(img2pdf.convert([image] * n))
        size = source.stat().st_size

        # The baseline: the original rendered again page by page (as the export does), a copy
        start = time.perf_counter()
        shutil.copyfile(source, Path(folder) / "copy.pdf")
        copy_s = time.perf_counter() - start
        opened = open_document(source)
        start = time.perf_counter()
        for index in range(n):
            rendered = opened.render_page(index)
        render_s = time.perf_counter() - start
        opened.close()
        width, height = rendered.image.size

        # The line reader at read time, as a layout read runs it (200 DPI)
        reader = shared_reader()
        at_layout = open_document(source, dpi=LAYOUT_DPI)
        reader.recognise_lines(at_layout.render_page(0).image, reader.detect(at_layout.render_page(0).image))
        detect_s: list[float] = []
        recognise_s: list[float] = []
        stored: list[PageLines] = []
        for index in range(k):
            page_image = at_layout.render_page(index).image
            start = time.perf_counter()
            found = detect_lines(page_image)
            detect_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            lines = reader.recognise_lines(page_image, list(found.lines))
            recognise_s.append(time.perf_counter() - start)
            stored.append(dataclasses.replace(found, lines=tuple(lines)))
        at_layout.close()

        # The export of the read pages: their recognised lines stored with them
        pages = [
            layout_page(i, args.example, (1000, 1000), width=0, height=0, lines=stored[i % k])
            for i in range(n)
        ]
        doc = dataclasses.replace(document(source, pages), page_count=n)
        place_s, draw_s, out_size = timed_export(doc, Path(folder) / "out")

        # Before: no recognised lines stored, so the export reads them (k pages)
        before_pages = [layout_page(i, args.example, (1000, 1000), width=0, height=0) for i in range(k)]
        before_doc = dataclasses.replace(document(source, before_pages), page_count=n)
        before_place_s, before_draw_s, _size = timed_export(before_doc, Path(folder) / "before")

    words = sum(len(line.text.split()) for line in stored[0].lines)
    print(f"{n} pages of {args.example}.png ({len(stored[0].lines)} lines, {words} words a page), "
          f"exported from a {width}x{height} rendering")  # fmt: skip
    print("baseline")
    print(f"  copy the PDF          {ms(copy_s, n)}")
    print(f"  render each page      {ms(render_s, n)} (poppler, as the export does)")
    print(f"line reader at read time ({k} pages at {LAYOUT_DPI} DPI; the layout stage)")
    print(f"  detection             {statistics.mean(detect_s) * 1000:8.1f} ms/page "
          f"(median {statistics.median(detect_s) * 1000:.1f})")  # fmt: skip
    print(f"  recognition + chars   {statistics.mean(recognise_s) * 1000:8.1f} ms/page "
          f"(median {statistics.median(recognise_s) * 1000:.1f})")  # fmt: skip
    print(f"export of the {n} read pages (lines stored at read time)")
    print(f"  render + place text   {ms(place_s, n)}")
    print(f"  draw, graft, write    {ms(draw_s, n)}")
    total = place_s + draw_s
    print(f"  total                 {ms(total, n)} = {total:.1f} s for the document, "
          f"{total / render_s:.1f}x rendering the pages")  # fmt: skip
    print(f"  size                  {size / 1e6:.2f} MB -> {out_size / 1e6:.2f} MB: "
          f"+{(out_size - size) / n / 1024:.1f} KiB a page")  # fmt: skip
    print(f"before: export with the lines read during it ({k} pages)")
    print(f"  total                 {ms(before_place_s + before_draw_s, k)}")


if __name__ == "__main__":
    main()
