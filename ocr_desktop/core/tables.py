"""The HTML tables GLM-OCR writes (research/glm_ocr.md, "Output formats"), as a model the result
formatter (core/formatter.py) turns into GFM, balanced HTML or aligned text."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Table:
    """One parsed ``<table>``. ``stray`` is text the model wrote inside the table but outside any
    cell (kept, shown before the table, so no word is lost)."""

    rows: list[list[Cell]] = field(default_factory=list)
    nested: bool = False
    header_rows: int = 0  # rows inside <thead>
    stray: str = ""


class _TableParser(HTMLParser):
    """Reads one ``<table>``: its rows and cells, spans, and whether a table is nested in it. A
    nested table's text goes into the outer cell (its structure is not kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.table = Table()
        self._depth = 0
        self._cell: Cell | None = None
        self._buffer: list[str] = []
        self._stray: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth > 1:
                self.table.nested = True
            return
        if tag == "br" and self._cell is not None:
            self._buffer.append("\n")
        if self._depth > 1:
            if tag in ("td", "th", "tr") and self._cell is not None:
                self._buffer.append(" ")  # cells of a nested table stay apart as words
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._end_cell()
            self.table.rows.append([])
            if self._in_head:
                self.table.header_rows += 1
        elif tag in ("td", "th"):
            self._end_cell()
            if not self.table.rows:
                self.table.rows.append([])
            values = dict(attrs)
            self._cell = Cell("", _span(values.get("rowspan")), _span(values.get("colspan")), tag == "th")
            self.table.rows[-1].append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._end_cell()
        elif self._depth == 1 and tag in ("td", "th", "tr"):
            self._end_cell()
        elif self._depth == 1 and tag == "thead":
            self._in_head = False
        elif self._depth > 1 and tag in ("td", "th") and self._cell is not None:
            self._buffer.append(" ")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._buffer.append(data)
        else:
            self._stray.append(data)

    def close(self) -> None:
        super().close()
        self._end_cell()  # a table cut off mid-cell (by a loop or max_tokens) keeps its last text
        self.table.stray = " ".join(" ".join(self._stray).split())

    def _end_cell(self) -> None:
        if self._cell is not None:
            lines = "".join(self._buffer).split("\n")
            self._cell.text = "\n".join(" ".join(line.split()) for line in lines).strip()
            self._cell = None
            self._buffer = []


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def parse_table(markup: str) -> Table:
    """The rows and cells of one ``<table>…</table>``, closed or cut off anywhere."""
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    parser.table.rows = [row for row in parser.table.rows if row]
    return parser.table


def table_grid(table: Table) -> list[list[str]]:
    """The table as a rectangle of cell texts; a spanned cell's text sits in its top-left slot."""
    grid: list[list[str | None]] = []
    for r, row in enumerate(table.rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < c + cell.colspan:
                    target.append(None)
                for dc in range(cell.colspan):
                    target[c + dc] = cell.text if (dr, dc) == (0, 0) else ""
            c += cell.colspan
    width = max((len(row) for row in grid), default=0)
    return [[value or "" for value in row] + [""] * (width - len(row)) for row in grid]


def _markdown_cell(text: str) -> str:
    # A cell's text came out of HTML: "<" and "&" written back as entities so the renderer shows
    # them as text; "|" would end the cell.
    return html.escape(text, quote=False).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def table_markdown(table: Table) -> str | None:
    """A GFM pipe table for a simple table; None when it has row/column spans, a nested table or
    several header rows, which a pipe table cannot show (write it as HTML then)."""
    if table.nested or not table.rows or table.header_rows > 1:
        return None
    if any(cell.rowspan > 1 or cell.colspan > 1 for row in table.rows for cell in row):
        return None
    grid = table_grid(table)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(_markdown_cell(c) for c in cells) + " |"

    # GFM needs a header row; a table without one uses its first row, as GLM-OCR's tables
    # almost always start with the column titles.
    out = [line(grid[0]), "| " + " | ".join("---" for _ in grid[0]) + " |"]
    out.extend(line(row) for row in grid[1:])
    return "\n".join(out)


def table_html(table: Table) -> str:
    """The table written back as balanced HTML (every tag closed, spans kept), whatever state
    the model left it in."""
    out = ["<table>"]
    for r, row in enumerate(table.rows):
        if r == 0 and table.header_rows:
            out.append("<thead>")
        if r == table.header_rows and table.header_rows:
            out.append("<tbody>")
        out.append("<tr>")
        for cell in row:
            tag = "th" if cell.header else "td"
            spans = "".join(
                f' {name}="{value}"'
                for name, value in (("rowspan", cell.rowspan), ("colspan", cell.colspan))
                if value > 1
            )
            text = html.escape(cell.text, quote=False).replace("\n", "<br>")
            out.append(f"<{tag}{spans}>{text}</{tag}>")
        out.append("</tr>")
        if r == table.header_rows - 1:
            out.append("</thead>")
    if table.header_rows and len(table.rows) > table.header_rows:
        out.append("</tbody>")
    out.append("</table>")
    return "".join(out)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: CJK wide and full-width characters take two,
    combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def grid_text(grid: list[list[str]]) -> str:
    """A table as aligned plain text (columns padded by display width, so CJK lines up); a cell
    with line breaks takes several physical lines within its row."""
    if not grid:
        return ""
    width = max(len(row) for row in grid)
    split = [[cell.split("\n") for cell in row] + [[""]] * (width - len(row)) for row in grid]
    widths = [max(display_width(line) for row in split for line in row[c]) for c in range(width)]
    lines: list[str] = []
    for row in split:
        for i in range(max(len(cell) for cell in row)):
            parts = []
            for c, cell in enumerate(row):
                value = cell[i] if i < len(cell) else ""
                parts.append(value + " " * (widths[c] - display_width(value)))
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
