"""Post-processing: the repetition guard on loops and on ordinary pages, and HTML tables (the
formatter's own rules are in test_formatter*.py)."""

from __future__ import annotations

import random
import time

import pytest

from ocr_desktop.core.tables import (
    display_width,
    grid_text,
    parse_table,
    table_grid,
    table_html,
    table_markdown,
)
from ocr_desktop.pipeline.repetition import LOOP_MIN_CHARS, RepetitionGuard


def stream(guard: RepetitionGuard, text: str, chunk: int = 3) -> int | None:
    """Feed ``text`` in token-sized pieces; the number of characters fed when the guard fired."""
    for i in range(0, len(text), chunk):
        if guard.feed(text[i : i + chunk]):
            return i + chunk
    return None


PREFIX = "# Report\n\nThe results of the quarter are below.\n\n"
PARAGRAPH = (
    "Revenue grew by 12 % in the third quarter, driven by exports to three new markets, while costs "
    "stayed flat thanks to the energy contracts signed last spring; the board expects the trend to "
    "hold, subject to the exchange rate, and proposes a dividend of 0.40 per share. The paragraph "
    "ends here.\n\n"
)


@pytest.mark.parametrize(
    "unit",
    [
        "<tr><td>1</td><td>x</td></tr>",  # a table row
        "<tr>" + "<td>0</td>" * 12 + "</tr>",  # a row that repeats inside itself too
        "0",  # one character
        "的",  # CJK
        "- the same bullet\n",  # a line
        "and so on, ",  # a phrase
        PARAGRAPH,
    ],
)
def test_loops_are_caught_early_and_cut_after_one_copy(unit: str) -> None:
    # GIVEN a page that starts normally, then repeats one unit over 4000 characters
    guard = RepetitionGuard()
    text = PREFIX + unit * (4000 // len(unit) + 1)
    # WHEN it streams through the guard
    fired_at = stream(guard, text)
    # THEN the loop is reported soon after it passes the thresholds, not at the end
    assert fired_at is not None
    loop_chars = fired_at - len(PREFIX)
    assert loop_chars <= max(LOOP_MIN_CHARS, 4 * len(unit)) + len(unit) + 32
    # AND cutting at loop_start keeps the prefix and about one copy of the unit, cut after a
    # line break, a tag or a space where the unit has one
    assert guard.loop_start is not None
    kept = guard.text[: guard.loop_start]
    assert text.startswith(kept)
    assert len(PREFIX) + len(unit.rstrip()) <= len(kept) <= len(PREFIX) + 2 * len(unit)
    if len(unit) > 1:
        assert kept[-1] in "\n> "


def test_guard_stays_fired_and_keeps_the_text() -> None:
    guard = RepetitionGuard()
    assert stream(guard, "ab" * 1000) is not None
    assert guard.feed("more") is True
    assert guard.text.endswith("more") and guard.detected


def _ordinary_page(seed: int) -> str:
    rng = random.Random(seed)
    words = ["".join(rng.choice("etaoinshrdlu") for _ in range(rng.randint(2, 9))) for _ in range(400)]
    parts = ["# Annual report\n\n## Contents\n"]
    # a table of contents with dot leaders
    parts += [f"{rng.choice(words).title()} {'.' * 60} {i + 3}\n" for i in range(25)]
    # bullets that start alike
    parts += [f"- Item {i}: {' '.join(rng.choices(words, k=6))}\n" for i in range(40)]
    # a long table whose rows share their structure, and ten identical empty rows
    parts.append("<table><thead><tr><th>Name</th><th>Q1</th><th>Q2</th></tr></thead><tbody>")
    parts += [
        f"<tr><td>{rng.choice(words)}</td><td>{rng.randint(0, 999)}</td><td>{rng.randint(0, 999)}</td></tr>"
        for _ in range(120)
    ]
    parts += ["<tr><td></td><td></td><td></td></tr>"] * 10
    parts.append("</tbody></table>\n\n")
    parts.append("-" * 120 + "\n")
    # the same short paragraph twice (a header repeated on a page)
    repeated = " ".join(rng.choices(words, k=40)) + "\n\n"
    parts += [repeated, " ".join(rng.choices(words, k=2000)), "\n\n", repeated]
    return "".join(parts)


@pytest.mark.parametrize("seed", range(5))
def test_ordinary_pages_are_not_flagged(seed: int) -> None:
    page = _ordinary_page(seed)
    assert len(page) > 15_000
    guard = RepetitionGuard()
    assert stream(guard, page) is None
    assert guard.loop_start is None and guard.text == page


def test_units_longer_than_the_window_are_not_looked_for() -> None:
    rng = random.Random(3)
    unit = "".join(rng.choice("abcdefgh ") for _ in range(2500))
    guard = RepetitionGuard()
    assert stream(guard, unit * 5) is None


def test_guard_is_cheap_per_token() -> None:
    page = _ordinary_page(9) * 3
    guard = RepetitionGuard()
    start = time.perf_counter()
    stream(guard, page, chunk=4)
    per_token = (time.perf_counter() - start) / (len(page) / 4)
    # a token takes ≥ 10 ms to generate on the target devices; the guard must be negligible
    assert per_token < 100e-6


# --- tables -------------------------------------------------------------------------------------

SIMPLE = (
    '<table class="table table-bordered"><thead><tr><th>名前</th><th>Qty</th></tr></thead>'
    "<tbody><tr><td>りんご</td><td>3</td></tr><tr><td>Pear | big</td><td>12<br>pcs</td></tr>"
    "<tr><td>A &amp; B</td><td></td></tr></tbody></table>"
)
SPANNED = (
    '<table><tr><th colspan="2">Total</th></tr><tr><td rowspan="2">A</td><td>1</td></tr>'
    "<tr><td>2</td></tr></table>"
)
NESTED = "<table><tr><td><table><tr><td>in</td><td>side</td></tr></table></td><td>out</td></tr></table>"


def text_grid(markup: str) -> list[str]:
    return grid_text(table_grid(parse_table(markup))).split("\n")


def test_simple_table_to_gfm() -> None:
    # "&" written back as an entity so a renderer shows it as text; "|" escaped; <br> kept
    assert table_markdown(parse_table(SIMPLE)) == (
        "| 名前 | Qty |\n| --- | --- |\n| りんご | 3 |\n| Pear \\| big | 12<br>pcs |\n| A &amp; B |  |"
    )


def test_table_without_header_uses_its_first_row() -> None:
    markup = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
    assert table_markdown(parse_table(markup)) == "| a | b |\n| --- | --- |\n| c | d |"


@pytest.mark.parametrize("markup", [SPANNED, NESTED])
def test_complex_tables_are_no_gfm(markup: str) -> None:
    assert table_markdown(parse_table(markup)) is None


def test_tables_are_written_back_balanced() -> None:
    # GIVEN a spanned table and one cut off mid-cell
    cut = '<table><tr><td colspan="2">head</td></tr><tr><td>a &lt; b</td><td>cut of'
    # THEN both come back as HTML with every tag closed and the spans and text kept
    assert table_html(parse_table(SPANNED)) == (
        '<table><tr><th colspan="2">Total</th></tr><tr><td rowspan="2">A</td><td>1</td></tr>'
        "<tr><td>2</td></tr></table>"
    )
    assert table_html(parse_table(cut)) == (
        '<table><tr><td colspan="2">head</td></tr><tr><td>a &lt; b</td><td>cut of</td></tr></table>'
    )


def test_nested_table_text_stays_in_its_cell_and_stray_text_is_kept() -> None:
    assert table_grid(parse_table(NESTED)) == [["in side", "out"]]
    table = parse_table("<table>caption words<tr><td>x</td></tr></table>")
    assert table.stray == "caption words" and table_grid(table) == [["x"]]


def test_table_to_aligned_text_by_display_width() -> None:
    assert text_grid(SIMPLE) == [
        "名前        Qty",
        "りんご      3",
        "Pear | big  12",
        "            pcs",
        "A & B",
    ]
    assert display_width("りんご") == 6 and display_width("e\u0301") == 1


def test_spanned_table_to_text_writes_each_cell_once() -> None:
    assert text_grid(SPANNED) == ["Total", "A      1", "       2"]
