"""What happens to GLM-OCR's text after the model: loop detection while it streams, and the HTML
tables the result formatter (core/formatter.py) turns into GFM, balanced HTML or aligned text.

GLM-OCR writes Markdown for text, HTML ``<table>`` for tables and LaTeX for formulas
(research/glm_ocr.md, "Output formats"). Greedy decoding of a small model sometimes falls into a
loop, repeating one row or phrase until ``max_tokens`` (ollama#17113, vllm#42016);
:class:`RepetitionGuard` notices that early so the page can be cut, flagged and retried.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

# --- repetition loops ---------------------------------------------------------------------------

#: A loop is a tail of at least this many characters that repeats one unit exactly...
LOOP_MIN_CHARS = 800
#: ... at least this many times in a row (so one long paragraph said twice is not a loop).
LOOP_MIN_COPIES = 4
#: A unit that is page structure rather than reading — no letter or digit outside tags (empty
#: table rows, rules, dot leaders) or fill-in blanks (``Name: ______``) — must repeat this long
#: before it counts: a form legitimately has dozens of identical empty rows or blank lines.
STRUCTURE_MIN_CHARS = 4000
#: Longest unit looked for: ~8 table rows or a long paragraph. Longer loops hit max_tokens.
LOOP_MAX_PERIOD = 2000
#: Characters at the tail used to find earlier occurrences (candidate periods).
_KEY_CHARS = 24
#: Nearest earlier occurrences tried as periods; a unit containing the key twice needs > 1.
_CANDIDATES = 8


class RepetitionGuard:
    """Fed a page's text deltas as they stream; says when the tail has become a loop.

    ``feed(delta)`` returns True once the text ends in one unit (a character, a phrase, a table
    row, a paragraph of up to ``LOOP_MAX_PERIOD`` characters) repeated exactly at least
    ``LOOP_MIN_COPIES`` times over at least ``LOOP_MIN_CHARS`` characters. ``loop_start`` is then
    the index in the accumulated text right after the first copy of the unit: ``text[:loop_start]``
    keeps everything the model read before it started repeating, plus the unit once.

    Why these numbers: real pages repeat too (dot leaders, ``----`` rules, empty table rows,
    bullets), but reading does not repeat one unit with words in it over 800 characters. Units
    that are only structure (no letter or digit outside tags) or fill-in blanks are held to
    ``STRUCTURE_MIN_CHARS``: a form with forty identical empty 4-column rows is ~1800 characters
    and must not be cut (GLM-OCR's loops on such tables still end at max_tokens, flagged
    truncated). A loop reaches 800 characters within ~200-400 tokens, while an unguarded
    loop runs to ``max_tokens`` (4096). Each call costs one ``rfind`` over the last few KB and a
    few slice comparisons (C speed, microseconds), not a scan of the whole text.
    """

    def __init__(
        self,
        *,
        min_chars: int = LOOP_MIN_CHARS,
        min_copies: int = LOOP_MIN_COPIES,
        max_period: int = LOOP_MAX_PERIOD,
    ) -> None:
        self.min_chars = min_chars
        self.min_copies = min_copies
        self.max_period = max_period
        self._parts: list[str] = []
        self._text = ""
        self._pending = 0  # characters fed since the text was last joined
        self.loop_start: int | None = None
        self.period: int | None = None  # length of the repeated unit, once detected

    @property
    def text(self) -> str:
        """Everything fed so far."""
        self._join()
        return self._text

    @property
    def detected(self) -> bool:
        return self.loop_start is not None

    @property
    def unit(self) -> str:
        """One copy of the repeated unit (as it stands just before the cut); "" before a loop."""
        if self.loop_start is None or self.period is None:
            return ""
        self._join()
        return self._text[self.loop_start - self.period : self.loop_start]

    def feed(self, delta: str) -> bool:
        """Add the next piece of model output; True when the text has turned into a loop."""
        if self.loop_start is not None:
            self._parts.append(delta)
            return True
        if not delta:
            return False
        self._parts.append(delta)
        self._pending += len(delta)
        # Checking every 16 new characters is plenty: a loop is reported within 16 characters
        # of crossing the thresholds, and the cost per token stays tiny.
        if self._pending < 16:
            return False
        self._join()
        self._check()
        return self.loop_start is not None

    def _join(self) -> None:
        if self._parts:
            self._text += "".join(self._parts)
            self._parts.clear()
        self._pending = 0

    def _check(self) -> None:
        text = self._text
        n = len(text)
        if n < self.min_chars:
            return
        key = text[n - _KEY_CHARS :]
        window_start = max(0, n - self.max_period - _KEY_CHARS)
        end = n - 1
        for _ in range(_CANDIDATES):
            found = text.rfind(key, window_start, end)
            if found < 0:
                return
            period = n - _KEY_CHARS - found
            end = found + _KEY_CHARS - 1
            minimum = STRUCTURE_MIN_CHARS if _is_structure(text[n - period :]) else self.min_chars
            span = max(minimum, self.min_copies * period)
            if span > n:
                continue
            # The tail of length ``span`` is a loop iff it equals itself shifted by ``period``.
            if text[n - span + period :] == text[n - span : n - period]:
                self.period = period
                self.loop_start = self._boundary(self._run_start(period) + period, period)
                return

    def _boundary(self, first_copy_end: int, period: int) -> int:
        """Where to cut: any ``period`` characters of the loop are one copy of its unit, so the cut
        may move up to one period on, to just after a line break, a table row, a tag or a space,
        in that order of preference, instead of mid-word."""
        text = self._text
        for ending in ("\n", "</tr>", ">", " "):
            # An ending right at the end of the first copy counts: that is where the loop began.
            found = text.find(ending, first_copy_end - len(ending), first_copy_end + period)
            if found >= 0:
                return found + len(ending)
        return first_copy_end

    def _run_start(self, period: int) -> int:
        """Start of the longest tail of the text that has period ``period`` (binary search on
        the length of the matching shifted tails; equality is monotone in that length)."""
        text = self._text
        n = len(text)
        lo, hi = period, n  # a tail of length ``lo`` is periodic; one of ``hi`` may not be
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text[n - mid + period :] == text[n - mid : n - period]:
                lo = mid
            else:
                hi = mid - 1
        return n - lo


#: A tag, or a tag cut in half at either end of a unit (a unit is any rotation of the loop).
_TAG = re.compile(r"<[^<>]*>|^[^<>]*>|<[^<>]*$")
_BLANKS = re.compile(r"_{3,}|\.{4,}|…{2,}|·{3,}|-{3,}")


def _is_structure(unit: str) -> bool:
    visible = _TAG.sub("", unit)
    return not any(char.isalnum() for char in visible) or _BLANKS.search(visible) is not None


# --- HTML tables ---------------------------------------------------------------------------------


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
