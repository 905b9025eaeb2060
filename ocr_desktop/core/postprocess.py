"""What happens to GLM-OCR's text after the model: loop detection while it streams, and the
conversions the exporters need (HTML tables to GFM or aligned text, formulas, light cleanup).

GLM-OCR writes Markdown for text, HTML ``<table>`` for tables and LaTeX for formulas
(research/glm_ocr.md, "Output formats"). Greedy decoding of a small model sometimes falls into a
loop, repeating one row or phrase until ``max_tokens`` (ollama#17113, vllm#42016);
:class:`RepetitionGuard` notices that early so the page can be cut, flagged and retried.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

# --- repetition loops ---------------------------------------------------------------------------

#: A loop is a tail of at least this many characters that repeats one unit exactly...
LOOP_MIN_CHARS = 800
#: ... at least this many times in a row (so one long paragraph said twice is not a loop).
LOOP_MIN_COPIES = 4
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
    bullets), but not as one exact unit over 800 characters; ten identical empty ``<tr>`` rows
    are ~400 characters. A loop reaches 800 characters within ~200-400 tokens, while an unguarded
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
            span = max(self.min_chars, self.min_copies * period)
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
        copy = self._text[first_copy_end : first_copy_end + period]
        for ending in ("\n", "</tr>", ">", " "):
            found = copy.find(ending)
            if found >= 0:
                return first_copy_end + found + len(ending)
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


# --- HTML tables ---------------------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    nested: bool = False
    header_rows: int = 0  # rows inside <thead>


class _TableParser(HTMLParser):
    """Reads one ``<table>``: its rows and cells, spans, and whether a table is nested in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.table = _Table()
        self._depth = 0
        self._cell: _Cell | None = None
        self._buffer: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth > 1:
                self.table.nested = True
            return
        if self._depth != 1:
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
            self._cell = _Cell("", _span(values.get("rowspan")), _span(values.get("colspan")), tag == "th")
            self.table.rows[-1].append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._buffer.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._end_cell()
        elif self._depth == 1 and tag in ("td", "th", "tr"):
            self._end_cell()
        elif self._depth == 1 and tag == "thead":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._end_cell()  # a table cut off mid-cell (by a loop or max_tokens) keeps its last text

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


def _parse_table(markup: str) -> _Table:
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    parser.table.rows = [row for row in parser.table.rows if row]
    return parser.table


def _grid(table: _Table) -> list[list[str]]:
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


def html_table_to_markdown(markup: str) -> str | None:
    """A GFM pipe table for a simple HTML table; None when it has row/column spans or a nested
    table, which a pipe table cannot show (keep the HTML then)."""
    table = _parse_table(markup)
    if table.nested or not table.rows:
        return None
    if any(cell.rowspan > 1 or cell.colspan > 1 for row in table.rows for cell in row):
        return None
    if table.header_rows > 1:
        return None
    grid = _grid(table)

    def line(cells: list[str]) -> str:
        escaped = [c.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>") for c in cells]
        return "| " + " | ".join(escaped) + " |"

    # GFM needs a header row; a table without one uses its first row, as GLM-OCR's tables
    # almost always start with the column titles.
    out = [line(grid[0]), "| " + " | ".join("---" for _ in grid[0]) + " |"]
    out.extend(line(row) for row in grid[1:])
    return "\n".join(out)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: CJK wide and full-width characters take two,
    combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def html_table_to_text(markup: str) -> str:
    """An HTML table as aligned plain text (columns padded by display width, so CJK lines up);
    spanned cells are written once, in their first row and column."""
    grid = _grid(_parse_table(markup))
    if not grid:
        return ""
    # Cells with <br> become several physical lines within one table row.
    split = [[cell.split("\n") for cell in row] for row in grid]
    widths = [max(display_width(line) for row in split for line in row[c]) for c in range(len(grid[0]))]
    lines: list[str] = []
    for row in split:
        for i in range(max(len(cell) for cell in row)):
            parts = []
            for c, cell in enumerate(row):
                value = cell[i] if i < len(cell) else ""
                parts.append(value + " " * (widths[c] - display_width(value)))
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)


def replace_tables(text: str, convert: Callable[[str], str | None]) -> str:
    """Replace every top-level ``<table>…</table>`` in ``text`` by ``convert(markup)``, or leave it
    when that returns None. Nested tables stay inside their outer table's markup; an unclosed
    table at the end runs to the end of the text."""
    out: list[str] = []
    depth = 0
    start = 0
    last = 0
    for match in _TABLE_TAG.finditer(text):
        if match.group(1) == "":
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                markup = text[start : match.end()]
                converted = convert(markup)
                out.append(text[last:start])
                out.append(markup if converted is None else converted)
                last = match.end()
    if depth > 0:
        # A table the model never closed (cut by a loop or by max_tokens) still converts.
        converted = convert(text[start:])
        out.append(text[last:start])
        out.append(text[start:] if converted is None else converted)
    else:
        out.append(text[last:])
    return "".join(out)


# --- formulas and cleanup ----------------------------------------------------------------------

_DISPLAY_MATH = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
_INLINE_MATH = re.compile(r"\\\((.+?)\\\)", re.DOTALL)
_SPECIAL_TOKEN = re.compile(r"<\|[a-z_]+\|>")
_WHOLE_FENCE = re.compile(r"\A\s*```(?:markdown|md|html|latex)?[ \t]*\n(.*?)\n```\s*\Z", re.DOTALL)


def normalize_formulas(text: str) -> str:
    """``\\[…\\]`` display math becomes ``$$…$$`` (a block of its own when it stands on its own
    line) and ``\\(…\\)`` becomes ``$…$``: the delimiters Markdown renderers and GLM-OCR's SDK use."""

    def display(match: re.Match[str]) -> str:
        before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        line_end = text.find("\n", match.end())
        after = text[match.end() : len(text) if line_end < 0 else line_end]
        body = match.group(1).strip()
        return f"$$\n{body}\n$$" if not before.strip() and not after.strip() else f"$${body}$$"

    text = _DISPLAY_MATH.sub(display, text)
    return _INLINE_MATH.sub(lambda m: f"${m.group(1).strip()}$", text)


def wrap_formula(latex: str) -> str:
    """A Formula Recognition answer (bare LaTeX) as a display-math block, unless already one."""
    body = latex.strip()
    for opening, closing in (("$$", "$$"), ("\\[", "\\]"), ("$", "$")):
        if body.startswith(opening) and body.endswith(closing) and len(body) > len(opening) + len(closing):
            body = body[len(opening) : -len(closing)].strip()
            break
    return f"$$\n{body}\n$$" if body else ""


def clean_text(text: str) -> str:
    """Light cleanup of one page of model output: special tokens that leaked through, a code
    fence wrapped around the whole answer, trailing spaces, runs of blank lines."""
    text = _SPECIAL_TOKEN.sub("", text)
    fenced = _WHOLE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_TAG = re.compile(r"<br\s*/?>|</?[a-zA-Z][^>]*>")
_PLAIN_MATH = re.compile(r"\\\[(.+?)\\\]|\\\((.+?)\\\)|\$\$(.+?)\$\$", re.DOTALL)


def to_plain_text(text: str) -> str:
    """One page as plain text: tables aligned, heading and bold markers and other HTML removed,
    entities decoded. Math stays as its LaTeX source, without ``\\(``, ``\\[`` or ``$$``."""
    text = replace_tables(clean_text(text), html_table_to_text)
    text = _HEADING.sub("", text)
    text = _BOLD.sub(r"\1", text)
    # Math keeps its LaTeX but loses the delimiters; single $ is left alone (it may be money).
    text = _PLAIN_MATH.sub(lambda m: next(g for g in m.groups() if g is not None).strip(), text)
    text = _TAG.sub(lambda m: "\n" if m.group(0).lower().startswith("<br") else "", text)
    return clean_text(html.unescape(text))


def to_markdown(text: str, *, formula: bool = False) -> str:
    """One page as Markdown: simple tables as GFM pipe tables (complex ones kept as HTML), display
    math as ``$$…$$``; ``formula`` marks a Formula Recognition answer, wrapped as one block."""
    text = clean_text(text)
    if formula:
        return wrap_formula(text)
    text = replace_tables(text, html_table_to_markdown)
    return normalize_formulas(text)
