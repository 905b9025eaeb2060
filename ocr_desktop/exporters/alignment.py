"""Placing recognised text on the text lines the detector found: the positions of the searchable
PDF and hOCR exports (docs/searchable-pdf.md).

GLM-OCR gives text per layout region (or per page) with no line or word positions; the shared
line detector (``ocr_desktop.textlines``) gives line boxes with no text of ours. This module joins
the two: a region's text is cut into tokens (words, and single characters in scripts written
without spaces) and every token goes to one of the lines found inside the region:

* when the lines carry the recogniser's own reading: a character-level alignment of the region's
  text against that reading (``difflib``'s matching blocks, the longest-common-subsequence family
  Needleman–Wunsch belongs to) says which line each character sits on;
* otherwise, as many text lines (or table cells) as detected lines: one to one, in reading order;
* otherwise by lengths: the text is laid along the lines in reading order, each line taking a
  share proportional to its width.

Within a line, word boxes are estimated from character widths and snapped to the gaps in the
line's ink, so a selection highlights the visible words. Pure Python over PIL images; no runtime.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocr_desktop.textlines import Box, TextLine

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "PlacedLine",
    "PlacedWord",
    "Token",
    "assign_tokens",
    "lines_in_box",
    "place_units",
    "reading_order",
    "tokenize",
    "word_boxes",
]


@dataclass(frozen=True)
class Token:
    """A piece of text placed as a whole: a word, or one character of a script without spaces."""

    text: str
    spaced: bool  # a space separates it from the token before it


@dataclass(frozen=True)
class PlacedWord:
    text: str
    box: Box


@dataclass(frozen=True)
class PlacedLine:
    """One line of the text layer: its text, its box on the page and its words' boxes."""

    text: str
    box: Box
    words: tuple[PlacedWord, ...]


def _unspaced(char: str) -> bool:
    """A character of a script written without spaces between words (CJK, kana, Thai)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return True
    return "\u0e00" <= char <= "\u0eff"


_TOKEN = re.compile(r"\s+|\S")


def tokenize(text: str) -> list[Token]:
    """``text`` as tokens: runs of non-space characters, each character of an unspaced script
    on its own (so a Chinese sentence can be cut at any character where a line wraps)."""
    tokens: list[Token] = []
    current = ""
    spaced = False
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece.isspace():
            if current:
                tokens.append(Token(current, spaced))
                current = ""
            spaced = bool(tokens)
            continue
        if _unspaced(piece):
            if current:
                tokens.append(Token(current, spaced))
                current, spaced = "", False
            tokens.append(Token(piece, spaced))
            spaced = False
            continue
        current += piece
    if current:
        tokens.append(Token(current, spaced))
    return tokens


def join_tokens(tokens: Sequence[Token]) -> str:
    return "".join((" " if i and token.spaced else "") + token.text for i, token in enumerate(tokens))


def _overlap(a: Box, b: Box) -> int:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def lines_in_box(lines: Sequence[TextLine], boxes: Sequence[Box]) -> list[list[TextLine]]:
    """Each line given to the box that holds most of it (at least half of the line), per box in
    reading order; lines outside every box are left out."""
    out: list[list[TextLine]] = [[] for _ in boxes]
    for line in lines:
        area = _area(line.box)
        if area == 0 or not boxes:
            continue
        best = max(range(len(boxes)), key=lambda i: _overlap(line.box, boxes[i]))
        if _overlap(line.box, boxes[best]) * 2 >= area:
            out[best].append(line)
    return [reading_order(group) for group in out]


def reading_order(lines: Sequence[TextLine]) -> list[TextLine]:
    """Lines top to bottom and left to right on a page that may be photographed askew: rows are
    found after turning the line centres by the page's median slant (the detector's polygons
    follow the slant), and a row holds lines whose centres are within half a line's height."""
    if len(lines) < 2:
        return list(lines)
    slopes = sorted(math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]) for q in (line.quad for line in lines))
    angle = slopes[len(slopes) // 2]
    cos, sin = math.cos(angle), math.sin(angle)

    def along(line: TextLine) -> tuple[float, float, float]:
        cx = sum(p[0] for p in line.quad) / 4
        cy = sum(p[1] for p in line.quad) / 4
        q = line.quad
        height = math.dist(q[0], q[3]) or float(line.height)
        return cos * cx + sin * cy, -sin * cx + cos * cy, height

    placed = sorted(((along(line), line) for line in lines), key=lambda item: item[0][1])
    rows: list[list[tuple[tuple[float, float, float], TextLine]]] = []
    for item in placed:
        (_x, y, height) = item[0]
        if rows:
            (_lx, ly, lheight) = rows[-1][-1][0]
            if abs(y - ly) < max(4.0, min(height, lheight) / 2):
                rows[-1].append(item)
                continue
        rows.append([item])
    return [line for row in rows for _key, line in sorted(row, key=lambda item: item[0][0])]


def _comparable(char: str) -> str:
    """A character as the alignment compares it: letters and digits folded, the rest ignored."""
    folded = unicodedata.normalize("NFKC", char).lower()
    return "".join(c for c in folded if c.isalnum())


def _by_reading(tokens: Sequence[Token], lines: Sequence[TextLine]) -> list[int] | None:
    """The line of each token from a character alignment against the lines' recognised text,
    or None when the lines have no text to align with."""
    if not any(line.text for line in lines):
        return None
    ours: list[str] = []
    owner: list[int] = []
    for index, token in enumerate(tokens):
        for char in token.text:
            for c in _comparable(char):
                ours.append(c)
                owner.append(index)
    if not ours:
        return None
    order = _text_order(ours, lines)
    theirs: list[str] = []
    line_of: list[int] = []  # the rank in ``order`` of the line each character is on
    for rank, index in enumerate(order):
        for char in lines[index].text:
            for c in _comparable(char):
                theirs.append(c)
                line_of.append(rank)
    if not theirs:
        return None
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    char_line: list[int | None] = [None] * len(ours)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            char_line[a + k] = line_of[b + k]
    if all(value is None for value in char_line):
        return None
    votes: list[Counter[int]] = [Counter() for _ in tokens]
    for position, line in enumerate(char_line):
        if line is not None:
            votes[owner[position]][line] += 1
    ranks = _fill([vote.most_common(1)[0][0] if vote else None for vote in votes], len(lines))
    return [order[rank] for rank in ranks]


def _text_order(ours: Sequence[str], lines: Sequence[TextLine]) -> list[int]:
    """Line indices in the order their recognised text appears in ours (the model's text).

    The page's reading order and the model's can differ: a table row's wrapped cell has its lines
    before and after the row's numbers on the page, the model writes the whole cell first. Each
    line is put where its longest run of characters matches; a line with no such run keeps its
    place after the line before it."""
    text = "".join(ours)
    keys: list[float] = []
    last = -1.0
    for line in lines:
        theirs = "".join(_comparable(c) for c in line.text)
        matcher = difflib.SequenceMatcher(None, text, theirs, autojunk=False)
        best = matcher.find_longest_match(0, len(text), 0, len(theirs))
        # A line that repeats (a closing tag, a table's "-"): its next occurrence after the line
        # before it, when that matches about as well as the best one anywhere.
        after = matcher.find_longest_match(max(0, int(last)), len(text), 0, len(theirs))
        match = after if after.size * 5 >= best.size * 4 else best
        key = float(match.a - match.b) if theirs and match.size >= min(3, len(theirs)) else last + 0.001
        keys.append(key)
        last = max(last, key)
    return sorted(range(len(lines)), key=lambda i: (keys[i], i))


def _fill(assigned: list[int | None], count: int) -> list[int]:
    """Tokens the alignment could not place go with the token before them; the result never goes
    back to an earlier line (both texts are in the same order)."""
    out: list[int] = []
    last = 0
    for value in assigned:
        last = max(last, min(count - 1, last if value is None else value))
        out.append(last)
    return out


def _by_length(tokens: Sequence[Token], lines: Sequence[TextLine]) -> list[int]:
    """The line of each token when the text is laid along the lines, each line taking a share of
    the characters proportional to its width."""
    weights = [_width_em(token.text) + (0.3 if token.spaced else 0.0) for token in tokens]
    total = sum(weights) or 1.0
    widths = [max(1, line.box[2] - line.box[0]) for line in lines]
    edges = []
    running = 0.0
    for width in widths:
        running += width
        edges.append(running / sum(widths))
    out = []
    position = 0.0
    line = 0
    for weight in weights:
        centre = (position + weight / 2) / total
        while line < len(edges) - 1 and centre > edges[line]:
            line += 1
        out.append(line)
        position += weight
    return out


def assign_tokens(units: Sequence[str], lines: Sequence[TextLine]) -> list[tuple[int, list[Token]]]:
    """The tokens of ``units`` (a region's text lines, or a table's cells, in the model's order)
    that go on each of ``lines``: ``(line index, tokens)`` in the order of the text, so the layer
    reads as the model wrote (a table cell wrapped over two lines stays whole, not split by the
    numbers beside it). Every token is placed; lines that get none are left out."""
    units = [unit for unit in units if unit.strip()]
    if not lines or not units:
        return []
    if len(units) == len(lines) and not any(line.text for line in lines):
        return [(i, tokenize(unit)) for i, unit in enumerate(units)]
    tokens: list[Token] = []
    for unit in units:
        unit_tokens = tokenize(unit)
        if unit_tokens and tokens:
            unit_tokens[0] = Token(unit_tokens[0].text, True)
        tokens.extend(unit_tokens)
    where = _by_reading(tokens, lines) or _by_length(tokens, lines)
    per_line: dict[int, list[Token]] = {}  # insertion order: the order of each line's first token
    for token, line in zip(tokens, where, strict=True):
        got = per_line.setdefault(line, [])
        got.append(token if got else Token(token.text, False))
    return list(per_line.items())


# --- words within a line --------------------------------------------------------------------------

_NARROW = set("ilj.,:;!|'`()[]{}\"-ftr1")
_WIDE = set("mwMW@%")


def _width_em(text: str) -> float:
    """An estimate of ``text``'s width in ems (no font at hand: classes of characters)."""
    total = 0.0
    for char in text:
        if _unspaced(char):
            total += 1.0
        elif char in _NARROW:
            total += 0.3
        elif char in _WIDE:
            total += 0.85
        elif char.isupper():
            total += 0.68
        else:
            total += 0.55
    return total


def _ink_gaps(image: Image.Image | None, box: Box) -> list[tuple[int, int]]:
    """Runs of blank columns inside ``box`` of ``image`` (page x coordinates), widest gaps that
    could separate words; [] without an image."""
    if image is None:
        return []
    x1, y1, x2, y2 = box
    if x2 - x1 < 4 or y2 - y1 < 4:
        return []
    import numpy as np

    gray = np.asarray(image.crop(box).convert("L"), dtype=np.int16)
    low, high = int(gray.min()), int(gray.max())
    if high - low < 40:
        return []
    columns = np.asarray((gray < (low + high) / 2).any(axis=0), dtype=bool)
    ink: list[bool] = [bool(v) for v in columns.tolist()]
    width = len(ink)
    gaps = []
    start: int | None = None
    for x, inked in enumerate([*ink, True]):
        if not inked and start is None:
            start = x
        elif inked and start is not None:
            if start > 0 and x < width:  # margins of the box are not gaps between words
                gaps.append((x1 + start, x1 + x))
            start = None
    return gaps


def word_boxes(words: Sequence[str], box: Box, image: Image.Image | None = None) -> list[Box]:
    """Boxes of ``words`` (in order, on one line) inside the line's ``box``: widths estimated from
    the characters, each cut between two words moved to the blank gap in the ink nearest to it."""
    if not words:
        return []
    x1, y1, x2, y2 = box
    space = 0.3
    widths = [_width_em(word) for word in words]
    total = sum(widths) + space * (len(words) - 1)
    scale = (x2 - x1) / total if total else 0.0
    cuts: list[tuple[float, float]] = []  # (end of word i, start of word i + 1)
    position = float(x1)
    for width in widths[:-1]:
        position += width * scale
        cuts.append((position, position + space * scale))
        position += space * scale
    gaps = _ink_gaps(image, box)
    height = y2 - y1
    wide = [gap for gap in gaps if gap[1] - gap[0] >= max(2, height * 0.12)]
    if cuts and len(wide) == len(cuts):
        cuts = [(float(a), float(b)) for a, b in wide]
    elif cuts and gaps:
        snapped = []
        floor = float(x1)
        for estimated_end, estimated_start in cuts:
            centre = (estimated_end + estimated_start) / 2
            reach = max(scale * 1.5, height * 0.5)
            near = [g for g in gaps if g[0] >= floor and abs((g[0] + g[1]) / 2 - centre) <= reach]
            end, start = estimated_end, estimated_start
            if near:
                gap = min(near, key=lambda g: (abs((g[0] + g[1]) / 2 - centre), -(g[1] - g[0])))
                end, start = float(gap[0]), float(gap[1])
            snapped.append((max(end, floor), max(start, floor)))
            floor = max(start, floor)
        cuts = snapped
    boxes = []
    left = float(x1)
    for end, start in cuts:
        boxes.append((round(left), y1, max(round(left) + 1, round(end)), y2))
        left = start
    boxes.append((round(left), y1, max(round(left) + 1, x2), y2))
    return boxes


def _boxes_from_chars(words: Sequence[str], line: TextLine) -> list[Box] | None:
    """Boxes of ``words`` on ``line`` from the recogniser's own characters: each word aligned to
    the characters it was read as, its box theirs; a word the recogniser did not see (the model
    read more than it) shares the room between its neighbours. None without character boxes."""
    if not line.chars:
        return None
    theirs: list[str] = []
    owner: list[int] = []
    for k, (char, _box) in enumerate(line.chars):
        for c in _comparable(char):
            theirs.append(c)
            owner.append(k)
    ours: list[str] = []
    word_of: list[int] = []
    for w, word in enumerate(words):
        for char in word:
            for c in _comparable(char):
                ours.append(c)
                word_of.append(w)
    if not ours or not theirs:
        return None
    matched: list[list[int]] = [[] for _ in words]
    for a, b, size in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_matching_blocks():
        for k in range(size):
            matched[word_of[a + k]].append(owner[b + k])
    lengths = Counter(word_of)
    x1, y1, x2, y2 = line.box
    spans: list[tuple[int, int] | None] = []
    for w, hits in enumerate(matched):
        if hits and len(hits) * 2 >= lengths[w]:
            spans.append((min(line.chars[k][1][0] for k in hits), max(line.chars[k][1][2] for k in hits)))
        else:
            spans.append(None)
    if all(span is None for span in spans):
        return None
    boxes: list[Box] = []
    w = 0
    left_edge = x1
    while w < len(words):
        span = spans[w]
        if span is not None:
            start = max(span[0], left_edge)
            boxes.append((start, y1, max(start + 1, span[1]), y2))
            left_edge = boxes[-1][2]
            w += 1
            continue
        # a run of unplaced words between the last placed one and the next
        end = w
        while end < len(words) and spans[end] is None:
            end += 1
        following = spans[end] if end < len(words) else None
        right_edge = following[0] if following is not None else x2
        # never squeezed to nothing: at least the room its characters take at the line's height
        least = round(sum(_width_em(word) for word in words[w:end]) * (y2 - y1) * 0.5)
        run = word_boxes(words[w:end], (left_edge, y1, max(left_edge + least, right_edge), y2))
        boxes.extend(run)
        left_edge = run[-1][2] if run else left_edge
        w = end
    return boxes


def place_units(
    units: Sequence[str], lines: Sequence[TextLine], image: Image.Image | None = None
) -> list[PlacedLine]:
    """``units`` placed on ``lines``: each line with the tokens it got, and its words' boxes."""
    placed = []
    for index, tokens in assign_tokens(units, lines):
        line = lines[index]
        text = join_tokens(tokens)
        words = text.split()
        boxes = _boxes_from_chars(words, line) or word_boxes(words, line.box, image)
        placed.append(
            PlacedLine(text, line.box, tuple(PlacedWord(w, b) for w, b in zip(words, boxes, strict=True)))
        )
    return placed


def spread_units(units: Sequence[str], box: Box) -> list[PlacedLine]:
    """``units`` as lines of equal height filling ``box``: where no line was detected (a formula,
    a region the detector saw nothing in), the text still lies over its region."""
    units = [" ".join(unit.split()) for unit in units if unit.strip()]
    if not units:
        return []
    x1, y1, x2, y2 = box
    step = (y2 - y1) / len(units)
    out = []
    for i, unit in enumerate(units):
        line_box = (x1, round(y1 + i * step), x2, max(round(y1 + i * step) + 1, round(y1 + (i + 1) * step)))
        words = unit.split()
        boxes = word_boxes(words, line_box)
        out.append(
            PlacedLine(unit, line_box, tuple(PlacedWord(w, b) for w, b in zip(words, boxes, strict=True)))
        )
    return out
