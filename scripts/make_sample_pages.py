#!/usr/bin/env python3
"""Draw the benchmark's bundled sample pages: a text page, a table and a formula.

    .venv/bin/python scripts/make_sample_pages.py [OUT_DIR]   (default: ocr_desktop/resources/samples)

Deterministic (fixed text, DejaVu fonts when installed, else Pillow's bundled font). The pages
are small on purpose: the benchmark fits them to its pixel budget, and the package stays light.
Each file must stay under 100 KB.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr_desktop.bench.samples import SAMPLES, SAMPLES_DIR

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MAX_BYTES = 100_000
INK = (20, 20, 20)
PAPER = (255, 255, 255)

PARAGRAPHS = (
    "OCR Desktop reads scanned pages with GLM-OCR, a 0.9B vision-language model, on a Jetson "
    "or any Linux machine. Each page is fitted to a pixel budget, encoded by the vision tower "
    "and decoded token by token.",
    "The vision encoder dominates the time per page: halving the pixel budget roughly halves "
    "the time to the first token, while the decoder's speed depends on the runtime and on how "
    "many pages are in flight.",
    "llama.cpp maps the weights and starts in seconds; vLLM pre-allocates its memory and batches "
    "pages that are read at the same time.",
)

TABLE = (
    ("Paper size", "Width mm", "Height mm", "Width px", "Height px"),
    ("A4", "210", "297", "1240", "1754"),
    ("A5", "148", "210", "874", "1240"),
    ("US Letter", "216", "279", "1275", "1650"),
    ("US Legal", "216", "356", "1275", "2100"),
)  # pixels at 150 DPI, the app's default PDF resolution

FORMULAS = (
    "x = (−b ± √(b² − 4ac)) / 2a",
    "∫₀¹ x² dx = 1/3",
    "Σᵢ₌₁ⁿ i = n(n + 1) / 2",
)


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=face) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line]


def text_page() -> Image.Image:
    image = Image.new("RGB", (784, 1008), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((56, 56), "Reading pages on a small computer", font=font(30, bold=True), fill=INK)
    body = font(19)
    y = 120
    for paragraph in PARAGRAPHS:
        for line in wrap(draw, paragraph, body, 784 - 112):
            draw.text((56, y), line, font=body, fill=INK)
            y += 30
        y += 18
    return image


def table_page() -> Image.Image:
    image = Image.new("RGB", (784, 392), PAPER)
    draw = ImageDraw.Draw(image)
    widths = (170, 130, 130, 120, 120)
    x0, y0, row_h = 57, 60, 52
    for r, row in enumerate(TABLE):
        x = x0
        face = font(18, bold=r == 0)
        for c, cell in enumerate(row):
            draw.rectangle((x, y0 + r * row_h, x + widths[c], y0 + (r + 1) * row_h), outline=INK, width=2)
            draw.text((x + 12, y0 + r * row_h + 14), cell, font=face, fill=INK)
            x += widths[c]
    return image


def formula_page() -> Image.Image:
    image = Image.new("RGB", (784, 336), PAPER)
    draw = ImageDraw.Draw(image)
    face = font(32)
    for i, formula in enumerate(FORMULAS):
        width = draw.textlength(formula, font=face)
        draw.text(((784 - width) / 2, 48 + i * 90), formula, font=face, fill=INK)
    return image


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else SAMPLES_DIR
    out.mkdir(parents=True, exist_ok=True)
    makers = {"text": text_page, "table": table_page, "formula": formula_page}
    for sample in SAMPLES:
        path = out / sample.path.name
        makers[sample.name]().save(path, optimize=True)
        size = path.stat().st_size
        if size >= MAX_BYTES:
            raise SystemExit(f"{path} is {size} bytes; keep samples under {MAX_BYTES}")
        print(f"{path} {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
