"""Loop detection while the model streams: a policy of the read loop.

Greedy decoding of a small model sometimes falls into a loop, repeating one row or phrase until
``max_tokens`` (ollama#17113, vllm#42016); :class:`RepetitionGuard` notices that early so the page
can be cut, flagged and retried (docs/pipeline.md, "Repetition loops").
"""

from __future__ import annotations

import re

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
