"""The one result formatter: GLM-OCR's output (a whole page, or layout regions with their labels)
as clean Markdown and as plain text, in one pass (:func:`format_page`, :func:`assemble_regions`).
A page is formatted once, when it is committed, and again when the user edits it
(``core/page_format.py``); the Markdown tab, the ``.md``, the ``.txt`` and the JSON export all
read that result. Rules, and every difference from the GLM-OCR SDK's ``ResultFormatter``, are in
docs/formatting.md.

How it works: the raw text is cut into blocks — fenced code, HTML tables, pipe tables, display
math, headings and text paragraphs — and each block is written twice, as Markdown and as plain
text. Code is never changed; tables are always blocks of their own (text the model wrote on the
same line as a table becomes its own paragraph); unclosed fences, tables and ``$$`` are closed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ocr_desktop.core.results import FormattedPage
from ocr_desktop.core.tables import (
    Table,
    grid_text,
    parse_table,
    table_grid,
    table_html,
    table_markdown,
)
from ocr_desktop.messages import Message

__all__ = [
    "FORMAT_VERSION",
    "FormattedPage",
    "RegionContent",
    "assemble_regions",
    "format_page",
    "latex_to_text",
    "reading_problem",
]

#: Bumped whenever a rule changes what a page formats to: a stored formatted result of another
#: version is formatted again when read (the store keeps the model's output, so a document read
#: by an older version exports by today's rules).
FORMAT_VERSION = 2

# --- what goes in and out ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegionContent:
    """One layout region's recognised content, in reading order. ``label`` is the layout label
    as the GLM-OCR SDK writes it (``text``, ``table``, ``formula``, ``image``, or a native
    PP-DocLayoutV3 class such as ``doc_title``, ``paragraph_title``, ``formula_number``)."""

    label: str
    content: str


# --- blocks -----------------------------------------------------------------------------------


@dataclass
class _Code:
    fence: str  # the opening line, e.g. "```xml"
    body: str
    closer: str  # "```" or "~~~" (of the opening's length)


@dataclass
class _HtmlTable:
    table: Table


@dataclass
class _PipeTable:
    rows: list[list[str]]


@dataclass
class _Math:
    latex: str


@dataclass
class _Heading:
    level: int
    text: str


@dataclass
class _Lines:
    """A paragraph of text lines (Markdown inline markup, inline math, inline HTML)."""

    lines: list[str]


_Block = _Code | _HtmlTable | _PipeTable | _Math | _Heading | _Lines

# --- raw cleanup ------------------------------------------------------------------------------

_SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z_/]+\|>")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$")
#: Languages that mean "this fence wraps the whole answer", not "this is code".
_WRAPPER_LANGUAGES = {"", "markdown", "md", "text"}


def _clean(raw: str) -> str:
    text = _SPECIAL_TOKEN.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return _unwrap(text).strip("\n")


def _unwrap(text: str) -> str:
    """An answer wrapped in one ```` ```markdown ```` fence (GLM-OCR does this now and then) is
    unwrapped, whether or not the closing fence came; a closing fence is only the wrapper's if
    the fence lines inside are balanced, so a wrapped page holding its own code keeps it."""
    lines = text.strip().split("\n")
    opening = _FENCE_OPEN.match(lines[0])
    if not opening or opening.group(2).lower() not in _WRAPPER_LANGUAGES:
        if (
            opening
            and opening.group(2).lower() == "html"
            and _TABLE_OPEN.match("\n".join(lines[1:]).lstrip())
        ):
            return _unwrap_body(lines, opening.group(1))  # a table "written as HTML code"
        return text
    if opening.group(2) == "" and not _looks_like_document(lines[1:]):
        return text  # a plain ``` fence around code stays code
    return _unwrap_body(lines, opening.group(1))


def _unwrap_body(lines: list[str], fence: str) -> str:
    """The wrapper's lines without its fences. Its closing fence is the first bare fence line
    that closes no code block of its own; text after it (the model went on) stays text."""
    body = lines[1:]
    inner: str | None = None  # the fence of a code block open inside the wrapper
    for k, line in enumerate(body):
        opening = _FENCE_OPEN.match(line)
        if opening is None:
            continue
        if inner is not None:
            if _closes(line, inner):
                inner = None
        elif opening.group(2) or not _closes(line, fence):
            inner = opening.group(1)
        else:
            return "\n".join(body[:k] + body[k + 1 :])
    return "\n".join(body)


def _looks_like_document(lines: list[str]) -> bool:
    """A bare ``` wrapper holds a document (headings, tables, math), not code."""
    text = "\n".join(lines)
    return bool(re.search(r"^#{1,6} |<table[\s>]|^\$\$|^\|.*\|\s*$", text, re.MULTILINE | re.IGNORECASE))


# --- splitting into blocks --------------------------------------------------------------------

_TABLE_OPEN = re.compile(r"<table(?=[\s/>])[^>]*>", re.IGNORECASE)
_TABLE_TAG = re.compile(r"<(/?)table(?=[\s/>])[^>]*>", re.IGNORECASE)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines = text.split("\n")
    i = 0
    pending: list[str] = []
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if not opening:
            pending.append(lines[i])
            i += 1
            continue
        blocks.extend(_prose_blocks("\n".join(pending)))
        pending = []
        fence = opening.group(1)
        end = i + 1
        while end < len(lines) and not _closes(lines[end], fence):
            end += 1
        blocks.append(_Code(lines[i].strip(), "\n".join(lines[i + 1 : end]), fence))
        i = end + 1
    blocks.extend(_prose_blocks("\n".join(pending)))
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def _prose_blocks(text: str) -> list[_Block]:
    """Text outside code: HTML tables cut out wherever they start (even mid-line), then display
    math standing on its own lines, then paragraphs."""
    blocks: list[_Block] = []
    position = 0
    for start, end in _table_spans(text):
        blocks.extend(_math_blocks(text[position:start]))
        table = parse_table(text[start:end])
        if table.stray:
            blocks.append(_Lines([table.stray]))
        if table.rows:
            blocks.append(_HtmlTable(table))
        position = end
    blocks.extend(_math_blocks(text[position:]))
    return blocks


def _table_spans(text: str) -> Iterable[tuple[int, int]]:
    """Top-level ``<table>…</table>`` spans; an unclosed table (cut off by the token limit or
    the loop guard) runs to the end of the text and is closed when written."""
    depth = 0
    start = 0
    for match in _TABLE_TAG.finditer(text):
        if match.group(1) == "":
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                yield start, match.end()
    if depth > 0:
        yield start, len(text)


def _math_blocks(text: str) -> list[_Block]:
    """``$$…$$`` or ``\\[…\\]`` standing on lines of their own become display-math blocks (an
    unclosed one runs to the next blank line); ones inside a line stay inline."""
    blocks: list[_Block] = []
    lines = text.split("\n")
    pending: list[str] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        opener = "$$" if stripped.startswith("$$") else "\\[" if stripped.startswith("\\[") else None
        if opener is None:
            pending.append(lines[i])
            i += 1
            continue
        closer = "$$" if opener == "$$" else "\\]"
        body = stripped[2:]
        end = i
        found = body.find(closer)
        while found < 0 and end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
            body += "\n" + lines[end]
            found = body.find(closer)
        rest = body[found + 2 :].strip() if found >= 0 else ""
        if found >= 0 and rest:
            # "$$a$$ and more" is inline math in a sentence, not a block.
            pending.extend(lines[i : end + 1])
            i = end + 1
            continue
        blocks.extend(_paragraphs("\n".join(pending)))
        pending = []
        blocks.append(_Math((body[:found] if found >= 0 else body).strip()))
        i = end + 1
    blocks.extend(_paragraphs("\n".join(pending)))
    return blocks


def _paragraphs(text: str) -> list[_Block]:
    """Headings, pipe tables (a run of ``|…|`` lines with a separator row) and text lines."""
    blocks: list[_Block] = []
    lines = [line.rstrip() for line in text.split("\n")]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(_Lines(list(pending)))
            pending.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            flush()
            blocks.append(_Heading(len(heading.group(1)), heading.group(2)))
            i += 1
            continue
        end = i
        while end < len(lines) and _PIPE_ROW.match(lines[end]):
            end += 1
        if end - i >= 2 and _PIPE_SEPARATOR.match(lines[i + 1]):
            flush()
            blocks.append(_PipeTable([_pipe_cells(row) for k, row in enumerate(lines[i:end]) if k != 1]))
            i = end
            continue
        # Not a table: the whole run of lines is text (each line looked at once, not per start).
        end = max(end, i + 1)
        pending.extend(lines[i:end])
        i = end
    flush()
    return blocks


def _pipe_cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]


# --- inline text: Markdown --------------------------------------------------------------------

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
#: GLM-OCR's ``$ x $``; a ``$`` followed by a digit after the closing one is money, not math.
_INLINE_MATH = re.compile(r"(?<![$\\])\$(?!\$)\s*((?:[^$\\\n]|\\.)+?)\s*(?<!\\)\$(?![$\d])")
_PAREN_MATH = re.compile(r"\\\((.+?)\\\)")
_BRACKET_MATH = re.compile(r"\\\[(.+?)\\\]")
_INLINE_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]")
_LATEX_HINT = re.compile(r"[\\^_{}=]|^[A-Za-z]$")
_BULLET = re.compile(r"^([·•●▪◦]|\*(?=\s))\s*")
_PAREN_NUMBER = re.compile(r"^[(（](\d+|[A-Za-z])[)）]\s*")
_NUMBER = re.compile(r"^(\d+)([.)）])(?=[^\d\s.)）])")
_LEADER = re.compile(r"(\.|·|…|(?:\\_)|_)\1{3,}")
#: Names of the HTML elements GLM-OCR writes or a Markdown renderer understands; anything else
#: in angle brackets (``<table-name>``, ``<comp_fi1-1d>``) is text and stays.
_HTML_NAMES = (
    "a|abbr|b|big|blockquote|br|caption|center|cite|code|col|colgroup|dd|del|div|dl|dt|em|font|"
    "h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|"
    "tfoot|th|thead|tr|tt|u|ul|var"
)
_HTML_TAG = re.compile(rf"</?(?:{_HTML_NAMES})(?![\w:.-])(?:\s[^<>]*)?/?>", re.IGNORECASE)
#: A tag-like word a Markdown renderer would swallow as raw HTML (CommonMark tag names are
#: letters, digits and hyphens), but that is no HTML element: shown as text.
_CUSTOM_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
#: ``<!--``, ``<!DOCTYPE``, ``<![CDATA[``, ``<?xml``: a renderer hides them, but in a text line they
#: are what the page shows (a scanned XML listing read line by line by the lite engine): shown too.
_HIDDEN_MARKUP = re.compile(r"<(?=[!?])")


def _outside_code(line: str, convert: Callable[[str], str], code: Callable[[str], str] = lambda s: s) -> str:
    """``convert`` applied to the parts of ``line`` that are not inline code spans."""
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(line):
        out.append(convert(line[position : match.start()]))
        out.append(code(match.group(0)))
        position = match.end()
    out.append(convert(line[position:]))
    return "".join(out)


def _tighten_math(text: str) -> str:
    """``$ x $`` → ``$x$`` and ``\\( x \\)`` → ``$x$`` (the SDK's ``normalize_inline_formula``),
    with a space kept between the formula and a word touching it."""

    def tight(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        touching_space = match.group(0) != f"${match.group(1)}$"
        if not _LATEX_HINT.search(body) and touching_space:
            return match.group(0)  # "$5 and $" is prose with dollar signs
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        return (" " if before.isalnum() else "") + f"${body}$" + (" " if after.isalnum() else "")

    text = _PAREN_MATH.sub(lambda m: f"${m.group(1).strip()}$", text)
    return _sub_math(text, tight)


def _sub_math(text: str, convert: Callable[[re.Match[str]], str]) -> str:
    """``_INLINE_MATH.sub(convert, text)``, except that a match that is no math (``convert``
    returns it unchanged) consumes only its opening ``$``: in ``$5 and $ x $`` the second ``$``
    may still open a formula."""
    out: list[str] = []
    position = 0
    search_from = 0
    while (match := _INLINE_MATH.search(text, search_from)) is not None:
        converted = convert(match)
        if converted == match.group(0):
            search_from = match.start() + 1
            continue
        out.append(text[position : match.start()])
        out.append(converted)
        position = search_from = match.end()
    out.append(text[position:])
    return "".join(out)


def _escape_custom_tags(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        name = match.group(1).lstrip("/")
        if re.fullmatch(_HTML_NAMES, name, re.IGNORECASE):
            return match.group(0)
        return "&lt;" + match.group(1)

    return _CUSTOM_TAG.sub(escape, _HIDDEN_MARKUP.sub("&lt;", text))


def _normalise_markers(line: str) -> str:
    """Bullets ``·`` ``•`` ``*`` as ``- ``; ``(1)text`` / ``（a）`` as ``(1) text``; ``2.Next`` as
    ``2. Next`` (a number followed by a digit, ``7.4``, is a section number and stays)."""
    line = _BULLET.sub("- ", line)
    line = _PAREN_NUMBER.sub(lambda m: f"({m.group(1)}) ", line)
    return _NUMBER.sub(lambda m: m.group(1) + (")" if m.group(2) == "）" else m.group(2)) + " ", line)


def _markdown_line(line: str) -> str:
    line = _normalise_markers(line)

    def prose(part: str) -> str:
        part = _LEADER.sub(lambda m: m.group(1) * 3, part)
        part = _BRACKET_MATH.sub(lambda m: f"$${m.group(1).strip()}$$", part)
        return _escape_custom_tags(_tighten_math(part))

    return _outside_code(line, prose)


_HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})-$")


def _join_hyphenated(lines: list[str]) -> list[str]:
    """A word split over two lines with a hyphen (``exam-`` / ``ple``) is joined when the next
    line starts with a lowercase letter."""
    out: list[list[str]] = []  # pieces of each output line (no quadratic re-joining)
    for line in lines:
        stripped = line.lstrip()
        if out and _HYPHEN_BREAK.search(out[-1][-1][-64:]) and stripped[:1].islower():
            out[-1][-1] = out[-1][-1][:-1]
            out[-1].append(stripped)
        else:
            out.append([line])
    return ["".join(pieces) for pieces in out]


_LIST_ITEM = re.compile(r"^(?:[-*+·•●▪◦]|\d+[.)）]|[(（](?:\d+|[A-Za-z])[)）])\s*")


def _with_list_indent(line: str, convert: Callable[[str], str]) -> str:
    """``convert`` of the line's text; a list item keeps its indentation (its nesting level),
    any other line loses it (four spaces would make a Markdown code block of it)."""
    text = line.strip()
    indent = line[: len(line) - len(line.lstrip())].replace("\t", "    ")
    return (indent if indent and _LIST_ITEM.match(text) else "") + convert(text)


def _lines_markdown(block: _Lines) -> str:
    # Each line of GLM-OCR's output is a line of the page; a single newline would join them
    # into one paragraph in Markdown, so every line becomes a paragraph (as the SDK does).
    lines = _join_hyphenated(block.lines)
    return "\n\n".join(_with_list_indent(line, _markdown_line) for line in lines if line.strip())


def _block_markdown(block: _Block) -> str:
    match block:
        case _Code(fence, body, closer):
            return f"{fence}\n{body}\n{closer}" if body else f"{fence}\n{closer}"
        case _HtmlTable(table):
            return table_markdown(table) or table_html(table)
        case _PipeTable(rows):
            return _pipe_markdown(rows)
        case _Math(latex):
            return f"$$\n{latex}\n$$" if latex else ""
        case _Heading(level, text):
            return "#" * level + " " + _markdown_line(text)
        case _Lines():
            return _lines_markdown(block)


def _pipe_markdown(rows: list[list[str]]) -> str:
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join(
        [line(rows[0]), "| " + " | ".join("---" for _ in range(width)) + " |", *map(line, rows[1:])]
    )


# --- inline text: plain -----------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)\)")
_BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def _plain_line(line: str) -> str:
    line = _normalise_markers(line)
    line = re.sub(r"^>\s?", "", line)

    def prose(part: str) -> str:
        part = _LEADER.sub(lambda m: m.group(1).lstrip("\\") * 3, part)
        part = _INLINE_DISPLAY.sub(lambda m: latex_to_text(m.group(1) or m.group(2)), part)
        part = _sub_math(_tighten_math(part), _plain_math)
        part = _BOLD.sub(r"\1", part)
        part = _LINK.sub(
            lambda m: m.group(1) + (f" ({m.group(2)})" if m.group(2) and m.group(0)[0] != "!" else ""), part
        )
        part = _HTML_TAG.sub(lambda m: "\n" if m.group(0).lower().startswith("<br") else "", part)
        part = _BACKSLASH_ESCAPE.sub(r"\1", part)
        return html.unescape(part)

    return _outside_code(line, prose, code=lambda span: span.strip("`").strip() or span)


def _plain_math(match: re.Match[str]) -> str:
    body = match.group(1)
    touching_space = match.group(0) != f"${body}$"
    if not _LATEX_HINT.search(body.strip()) and touching_space:
        return match.group(0)
    return latex_to_text(body)


def _block_text(block: _Block) -> str:
    match block:
        case _Code(_, body, _):
            return body
        case _HtmlTable(table):
            return grid_text(table_grid(table))
        case _PipeTable(rows):
            return grid_text([[_plain_line(cell) for cell in row] for row in rows])
        case _Math(latex):
            return latex_to_text(latex)
        case _Heading(_, text):
            return _plain_line(text)
        case _Lines():
            lines = _join_hyphenated(block.lines)
            return "\n".join(_with_list_indent(line, _plain_line) for line in lines if line.strip())


# --- LaTeX as readable text -------------------------------------------------------------------

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "leq": "≤", "le": "≤", "leqslant": "≤", "geq": "≥", "ge": "≥", "geqslant": "≥", "neq": "≠",
    "ne": "≠", "approx": "≈", "equiv": "≡", "sim": "~", "times": "×", "cdot": "·", "div": "÷",
    "pm": "±", "mp": "∓", "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π",
    "int": "∫", "oint": "∮", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪",
    "cap": "∩", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "Leftrightarrow": "⇔", "degree": "°", "circ": "∘", "ldots": "…", "cdots": "⋯", "dots": "…",
    "prime": "′", "angle": "∠", "perp": "⊥", "parallel": "∥", "forall": "∀", "exists": "∃",
    "quad": " ", "qquad": " ", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}",
    ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "\\": "\n",
}  # fmt: skip
#: Commands whose argument is shown as it is (fonts, text, decorations).
_WRAPPERS = {
    "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb", "boldsymbol", "text",
    "textrm", "textbf", "textit", "operatorname", "mbox", "hat", "bar", "vec", "tilde", "dot",
    "overline", "underline", "widehat", "mathscr",
}  # fmt: skip
_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
_SIZES = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle"}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def latex_to_text(latex: str) -> str:
    """LaTeX as text a person can read: Greek letters and operators as symbols, ``\\frac{a}{b}``
    as ``a/b``, fonts and ``\\text`` unwrapped, ``x^{2}`` as ``x^2``. Unknown commands stay as
    written; it never raises on broken LaTeX."""
    if _brace_depth(latex) > _MAX_LATEX_DEPTH:
        return latex.strip()  # garbage, not a formula: shown as written, not converted
    text, _ = _latex(latex.strip(), 0, top=True)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


#: Conversion recurses once per ``{``; the model never nests this deep, garbage may.
_MAX_LATEX_DEPTH = 64


def _brace_depth(latex: str) -> int:
    depth = deepest = 0
    for char in latex:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth = max(0, depth - 1)
    return deepest


def _latex(source: str, i: int, *, top: bool = False) -> tuple[str, int]:
    """Converts ``source`` from ``i`` to the end of the current group (a ``}`` or the end)."""
    out: list[str] = []
    while i < len(source):
        char = source[i]
        if char == "}":
            if not top:
                return "".join(out), i + 1
            i += 1
        elif char == "{":
            inner, i = _latex(source, i + 1)
            out.append(inner)
        elif char in "^_":
            while out and out[-1] == " ":
                out.pop()  # GLM-OCR writes "t _ {1}": the script belongs to the "t"
            argument, i = _argument(source, i + 1)
            out.append(char + (argument if len(argument) <= 1 else f"({argument})"))
        elif char == "&":
            out.append(" ")
            i += 1
        elif char == "\\":
            match = _COMMAND.match(source, i)
            if match is None:  # a lone backslash at the end
                out.append("\\")
                break
            name = match.group(1)
            i = match.end()
            if name in _FRACTIONS:
                numerator, i = _argument(source, i)
                denominator, i = _argument(source, i)
                out.append(f"{_paren(numerator)}/{_paren(denominator)}")
            elif name == "sqrt":
                radicand, i = _argument(source, i)
                out.append(f"√{_paren(radicand)}")
            elif name in _WRAPPERS:
                argument, i = _argument(source, i)
                out.append(argument.replace(" ", "") if name.startswith("math") else argument)
            elif name == "tag":
                argument, i = _argument(source, i)
                out.append(f"  ({argument})")
            elif name in _SIZES:
                if source.startswith(".", i):
                    i += 1  # \left. is an invisible delimiter
            elif name in ("begin", "end"):
                _, i = _argument(source, i)
                out.append("\n")
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            else:
                out.append(match.group(0))
        else:
            out.append(char)
            i += 1
    return "".join(out), i


def _argument(source: str, i: int) -> tuple[str, int]:
    while i < len(source) and source[i] == " ":
        i += 1
    if i >= len(source):
        return "", i
    if source[i] == "{":
        text, end = _latex(source, i + 1)
        return text.strip(), end
    if source[i] == "\\":
        match = _COMMAND.match(source, i)
        if match is not None:
            return _latex(match.group(0), 0, top=True)[0], match.end()
    return source[i], i + 1


def _paren(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 1 or re.fullmatch(r"\w+", text) else f"({text})"


# --- pages and regions ------------------------------------------------------------------------


def _render(blocks: Sequence[_Block]) -> FormattedPage:
    markdown = [part for part in map(_block_markdown, blocks) if part.strip()]
    text = [part for part in map(_block_text, blocks) if part.strip()]
    return FormattedPage("\n\n".join(markdown), "\n\n".join(text))


def _formula_latex(content: str) -> str:
    body = content.strip()
    for opening, closing in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if body.startswith(opening) and body.endswith(closing) and len(body) >= len(opening) + len(closing):
            return body[len(opening) : -len(closing)].strip()
    if body.startswith(("$$", "\\[")):  # opened, cut off before it closed
        return body[2:].strip()
    return body


def _page_blocks(raw: str, task: str) -> list[_Block]:
    text = _clean(raw)
    if task == "formula":
        return [_Math(_formula_latex(text))] if text.strip() else []
    return _blocks(text)


def format_page(raw: str, task: str = "text") -> FormattedPage:
    """One page of model output (the answer to a ``Text/Table/Formula Recognition:`` prompt)
    as Markdown and plain text. ``task`` is the Task value the page was read with."""
    return _render(_page_blocks(raw, task))


#: Native layout labels (PP-DocLayoutV3 via the SDK) that carry no text to show.
_IMAGE_LABELS = {"image", "chart", "figure", "seal_image"}
_FORMULA_LABELS = {"formula", "display_formula", "inline_formula"}
_TITLE_LEVELS = {"doc_title": 1, "paragraph_title": 2}


def assemble_regions(regions: Sequence[RegionContent]) -> FormattedPage:
    """A page assembled from its layout regions in reading order, as the SDK's ``ResultFormatter``
    does: titles become headings, formulas display math (a ``formula_number`` region next to a
    formula becomes its ``\\tag{n}``), a text region ending in a hyphen joins the next one when
    that starts in lowercase, images and empty regions are left out."""
    blocks: list[_Block] = []
    pending_number: str | None = None  # a formula_number waiting for the formula after it
    previous_label = ""
    for region in _join_hyphenated_regions(regions):
        label = region.label
        content = _clean(region.content)
        if label in _IMAGE_LABELS or not content.strip():
            continue
        if label not in _FORMULA_LABELS and pending_number is not None:
            blocks.append(_Lines([pending_number]))  # a number beside no formula stays as text
            pending_number = None
        if label == "formula_number":
            last = blocks[-1] if blocks else None
            if isinstance(last, _Math) and previous_label in _FORMULA_LABELS:
                blocks[-1] = _Math(_with_tag(last.latex, _formula_number(content)))
                pending_number = None
            else:
                pending_number = content.strip()
        elif label in _FORMULA_LABELS:
            latex = _formula_latex(content)
            if pending_number is not None:
                latex = _with_tag(latex, _formula_number(pending_number))
            blocks.append(_Math(latex))
            pending_number = None
        elif label in _TITLE_LEVELS:
            title = re.sub(r"^(?:[-*]\s+|#+\s*)", "", content.strip())
            blocks.append(_Heading(_TITLE_LEVELS[label], " ".join(title.split())))
            pending_number = None
        else:
            blocks.extend(_blocks(content))
            pending_number = None
        previous_label = label
    if pending_number is not None:
        blocks.append(_Lines([pending_number]))
    return _render(blocks)


def _join_hyphenated_regions(regions: Sequence[RegionContent]) -> list[RegionContent]:
    out: list[RegionContent] = []
    for region in regions:
        last = out[-1] if out else None
        if (
            last is not None
            and last.label == "text"
            and region.label == "text"
            and _HYPHEN_BREAK.search(last.content.rstrip())
            and region.content.lstrip()[:1].islower()
        ):
            out[-1] = RegionContent("text", last.content.rstrip()[:-1] + region.content.lstrip())
        else:
            out.append(region)
    return out


def _formula_number(content: str) -> str:
    number = content.strip()
    for opening, closing in (("(", ")"), ("（", "）")):
        if number.startswith(opening) and number.endswith(closing):
            return number[1:-1].strip()
    return number


def _with_tag(latex: str, number: str) -> str:
    return latex if "\\tag" in latex or not number else f"{latex} \\tag{{{number}}}"


# --- outputs that are not a reading of the page -----------------------------------------------

_PROMPTS = ("text recognition:", "table recognition:", "formula recognition:")


def reading_problem(raw: str) -> str | None:
    """Why ``raw`` is not a reading of the page, or None when it is one: nothing at all, only
    special tokens, only code fences, or the prompt said back. These happen when the image never
    reached the model (a missing or mismatched vision projector, an image the server dropped)."""
    if not raw.strip():
        return Message("the model returned nothing")
    text = _SPECIAL_TOKEN.sub("", raw)
    if not text.strip():
        return Message("the model returned only special tokens")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if all(_FENCE_OPEN.match(line) for line in lines):
        return Message("the model returned an empty code fence")
    words = [line for line in lines if not _FENCE_OPEN.match(line)]
    if all(line.lower() in _PROMPTS for line in words):
        return Message("the model repeated the prompt instead of reading the page")
    return None
