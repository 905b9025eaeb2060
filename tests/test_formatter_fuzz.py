"""Fuzzing the formatter with truncated, nested and garbled HTML/Markdown/LaTeX (hypothesis,
derandomised so every run tries the same inputs): it never raises and never loses a word that
was outside markup. Speed is a benchmark (scripts/bench_formatter.py), not a test."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ocr_desktop.core.formatter import RegionContent, assemble_regions, format_page

#: Words that occur in no markup fragment below, so each one in the input is text to keep.
WORDS = ["apple", "river", "Zephyr", "表格", "数据", "42", "naïve", "x7", "façade", "œuvre"]
MARKUP = [
    "<table>", "</table>", "<table border=1>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>",
    '<td colspan="2">', '<td rowspan="3">', "<thead>", "</thead>", "<tbody>", "<br>", "<b>", "</b>",
    "<sup>", "</sup>", "<table-name>", "</table-name>", "<comp_fi1-1d>", "&amp;", "&lt;", "&#169;",
    "\n```\n", "\n```markdown\n", "\n```html\n", "\n~~~\n", "`", "``", "$", "$$", "\n$$\n", "\\(",
    "\\)", "\\[", "\\]", "\\frac{", "}{", "}", "{", "^", "_", "\\mathrm{", "\\alpha", "\\left(",
    "\n", "\n\n", " ", "# ", "## ", "- ", "* ", "• ", "(1)", "2.", "| ", " |", "\n|---|---|\n",
    "**", "....", "________", "-\n", "<|endoftext|>", "<|user|>", "Text Recognition:", ">", "<",
]  # fmt: skip

fragments = st.lists(st.sampled_from(WORDS + MARKUP), min_size=0, max_size=80)


#: A fence's info string (```apple) names a language: markup, shown by no renderer.
FENCE_INFO = re.compile(r"(`{3,}|~{3,})[^\n`~]*")


def words_in(text: str) -> list[str]:
    text = FENCE_INFO.sub("", text)
    return [word for word in WORDS if word in text]


def check(raw: str, markdown: str, text: str) -> None:
    for word in words_in(raw):
        assert word in text, f"{word!r} lost from the text of {raw!r}:\n{text}"
        assert word in markdown, f"{word!r} lost from the Markdown of {raw!r}:\n{markdown}"


@settings(derandomize=True, max_examples=400, deadline=None)
@given(fragments, st.integers(min_value=0, max_value=400))
def test_garbled_pages_never_raise_or_lose_words(parts: list[str], cut: int) -> None:
    # GIVEN a page of fragments, truncated anywhere (as by the token limit or the loop guard)
    raw = "".join(parts)
    raw = raw[: len(raw) - min(cut, len(raw) // 2)]
    for task in ("text", "table", "formula"):
        # WHEN it is formatted
        page = format_page(raw, task)
        # THEN every word outside markup is still there, in both outputs
        check(raw, page.markdown, page.text)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["text", "table", "formula", "doc_title", "paragraph_title", "formula_number", "image"]
            ),
            fragments,
        ),
        max_size=8,
    )
)
def test_garbled_regions_never_raise_or_lose_words(regions: list[tuple[str, list[str]]]) -> None:
    items = [RegionContent(label, "".join(parts)) for label, parts in regions]
    page = assemble_regions(items)
    shown = "".join(region.content for region in items if region.label != "image")
    check(shown, page.markdown, page.text)
