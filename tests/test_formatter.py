"""The result formatter on real GLM-OCR output: golden pages (tests/data/formatter), the SDK's
region outputs assembled (tests/data/glm-ocr-examples), bad outputs, the loops quoted in public
issues (tests/data/loops), the .md rendered by markdown-it-py, and re-export from an old store.
Sources of every data file: tests/data/README.md."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ocr_desktop.core.formatter import (
    RegionContent,
    assemble_regions,
    format_page,
    latex_to_text,
    reading_problem,
)
from ocr_desktop.core.results import DocumentResult, PageResult
from ocr_desktop.core.store import JobOptions, JobStore
from ocr_desktop.core.tables import parse_table, table_grid
from ocr_desktop.exporters import render, render_combined
from ocr_desktop.pipeline.repetition import RepetitionGuard

DATA = Path(__file__).parent / "data"
GOLDEN = sorted((DATA / "formatter").glob("*.raw"))
EXAMPLES = ["page", "code", "table", "handwritten"]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def task_of(path: Path) -> str:
    return "formula" if path.stem.startswith("formula-task") else "text"


# --- golden pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", GOLDEN, ids=lambda p: p.stem)
def test_golden_page(raw: Path) -> None:
    page = format_page(read(raw), task_of(raw))
    assert page.markdown + "\n" == read(raw.with_suffix(".md"))
    assert page.text + "\n" == read(raw.with_suffix(".txt"))


def test_a_fenced_answer_is_unwrapped_and_never_leaves_a_fence_open() -> None:
    # GIVEN a page wrapped in ```markdown whose closing fence never came, and one closed
    for name in ("wrapped-markdown-unclosed", "wrapped-markdown-closed"):
        markdown = format_page(read(DATA / "formatter" / f"{name}.raw")).markdown
        # THEN no fence line is left at all
        assert "```" not in markdown
    # a wrapper followed by more text, and one holding a code block of its own
    assert format_page("```markdown\n# A\nbody\n```\nmore text").markdown == "# A\n\nbody\n\nmore text"
    assert format_page("```markdown\n# A\n```xml\n<a/>\n```\nafter\n```").markdown == (
        "# A\n\n```xml\n<a/>\n```\n\nafter"
    )


def test_a_table_on_the_same_line_as_text_stays_a_table() -> None:
    page = format_page(read(DATA / "formatter" / "table-same-line.raw"))
    lines = page.markdown.split("\n")
    # the text before the table is its own paragraph, the header row holds only column titles
    assert lines[0] == "非经常性损益项目" and lines[1] == ""
    assert lines[2] == "| 项目 | 本期金额 | 上期金额 | 说明 |"
    assert "单位：元" in lines[-3] and lines[-4] == ""


def test_an_unclosed_table_is_closed_and_swallows_nothing() -> None:
    # GIVEN a spanned table cut off by the token limit, then (on the next read) more text
    raw = '<table><tr><td colspan="2">A</td></tr><tr><td>cut</td><td>of'
    page = format_page(raw)
    assert page.markdown == '<table><tr><td colspan="2">A</td></tr><tr><td>cut</td><td>of</td></tr></table>'
    assert page.text == "A\ncut  of"


def test_code_is_left_untouched() -> None:
    raw = read(DATA / "formatter" / "code-xml.raw")
    page = format_page(raw)
    # every line of every code block is in both outputs exactly, tags and all
    for block in re.findall(r"```html\n(.*?)\n```", raw, re.DOTALL):
        assert block in page.markdown and block in page.text
    assert "<table-name>ADDRESS</table-name>" in page.text
    assert "the tag is <local-jndi-name> rather than <jndi-name>" in page.text


def test_only_real_html_tags_are_stripped_from_text() -> None:
    page = format_page(read(DATA / "formatter" / "entities-and-tags.raw"))
    assert "Tag text: <table-name>ADDRESS</table-name>" in page.text
    assert "R&D costs <5% of revenue, area 3 m2." in page.text
    # in the .md, a tag-like word that is no HTML element is escaped so a renderer shows it
    assert "&lt;table-name>ADDRESS&lt;/table-name>" in page.markdown


def test_a_comment_or_declaration_in_text_is_shown_and_kept_in_the_txt() -> None:
    # GIVEN a scanned XML listing read line by line (the lite engine writes no code fence)
    raw = '<?xml version="1.0"?>\n<!DOCTYPE beans>\n<!-- generate the ID -->\na <![CDATA[ x ]]> b'
    page = format_page(raw)
    # THEN the .md escapes each opening so that a renderer shows it instead of hiding it
    assert page.markdown == (
        '&lt;?xml version="1.0"?>\n\n&lt;!DOCTYPE beans>\n\n'
        "&lt;!-- generate the ID -->\n\na &lt;![CDATA[ x ]]> b"
    )
    # and the .txt keeps the lines as read; inside code nothing changes
    assert page.text == raw
    assert format_page("`<!-- c -->`").markdown == "`<!-- c -->`"


def test_money_is_not_math_and_loose_math_is_tightened() -> None:
    page = format_page("pay $5 and $10; area $ x_{1} $ and\\( y \\)")
    assert page.markdown == "pay $5 and $10; area $x_{1}$ and $y$"
    assert page.text == "pay $5 and $10; area x_1 and y"


def test_nested_lists_keep_their_levels_and_indented_prose_is_no_code_block() -> None:
    page = format_page("- a\n  - b\n    • c\n    indented prose")
    assert page.markdown == "- a\n\n  - b\n\n    - c\n\nindented prose"
    assert page.text == "- a\n  - b\n    - c\nindented prose"


def test_latex_is_readable_in_text() -> None:
    assert latex_to_text(r"\frac {q l}{2 t _ {1}} \leqslant f _ {1}") == "(q l)/(2 t_1) ≤ f_1"
    assert (
        latex_to_text(r"\sigma_ {\mathrm {E x}} = \sqrt{x^{2}} \times \alpha \tag{3}")
        == "σ_(Ex) = √(x^2) × α (3)"
    )
    # broken LaTeX never raises and keeps its text
    assert latex_to_text(r"\frac{a}{") == "a/"
    assert latex_to_text("\\unknown{x} \\") == "\\unknownx \\"


def test_pipe_tables_the_model_writes_become_grids_in_text() -> None:
    page = format_page(read(DATA / "formatter" / "pipe-table.raw"))
    assert page.text.split("\n")[2:4] == [
        "项目                          本期金额     上期金额",
        "非流动性资产处置损益          -342,273.79  -828,932.00",
    ]


# --- the SDK's region outputs -----------------------------------------------------------------


def regions(name: str) -> list[RegionContent]:
    data = json.loads(read(DATA / "glm-ocr-examples" / f"{name}.json"))
    return [RegionContent(region["label"], region["content"]) for region in data[0]]


@pytest.mark.parametrize("name", EXAMPLES)
def test_assembled_regions_match_golden(name: str) -> None:
    page = assemble_regions(regions(name))
    assert page.markdown + "\n" == read(DATA / "glm-ocr-examples" / f"{name}.expected.md")
    assert page.text + "\n" == read(DATA / "glm-ocr-examples" / f"{name}.expected.txt")


@pytest.mark.parametrize("name", EXAMPLES)
def test_assembled_regions_match_the_sdk_but_for_documented_differences(name: str) -> None:
    # GIVEN the SDK's own assembled Markdown for the same regions
    sdk = read(DATA / "glm-ocr-examples" / f"{name}.md")
    ours = assemble_regions(regions(name)).markdown
    if name == "table":
        # difference 1 (docs/formatting.md): a simple HTML table is written as a GFM table
        assert sdk.startswith("<table") and ours.startswith("| 项目 |")
        assert table_grid(parse_table(sdk)) == [
            [cell.strip() for cell in line.strip("|").split(" | ")]
            for k, line in enumerate(ours.split("\n"))
            if k != 1
        ]
        return
    # difference 2: "$ x $" is tightened everywhere (the SDK left two of them)
    tightened = re.sub(r"\$ ([\w\\{}_^]+) \$", r"$\1$", sdk)
    assert ours == tightened
    assert (ours != sdk) == (name == "page")


def test_titles_formula_numbers_hyphens_and_empty_regions() -> None:
    page = assemble_regions(
        [
            RegionContent("doc_title", "# Glass curtain walls"),
            RegionContent("paragraph_title", "- 7.4 Joints"),
            RegionContent("text", "The joint carries the load when the ply-"),
            RegionContent("text", "wood panel is fixed."),
            RegionContent("formula", r"\frac{ql}{2t} \leq f"),
            RegionContent("formula_number", "(7.4.2)"),
            RegionContent("formula_number", "（3）"),
            RegionContent("display_formula", "$$ a = b $$"),
            RegionContent("image", ""),
            RegionContent("text", "   "),
            RegionContent("table", "<table><tr><td>x</td></tr>"),
        ]
    )
    assert page.markdown == (
        "# Glass curtain walls\n\n## 7.4 Joints\n\n"
        "The joint carries the load when the plywood panel is fixed."
        "\n\n$$\n\\frac{ql}{2t} \\leq f \\tag{7.4.2}\n$$\n\n$$\na = b \\tag{3}\n$$\n\n| x |\n| --- |"
    )


# --- outputs that are no reading ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "nothing"),
        ("\n  \n", "nothing"),
        ("<|endoftext|><|user|>", "special tokens"),
        ("```markdown\n```", "empty code fence"),
        ("```\n\n```\n", "empty code fence"),
        ("Text Recognition:", "repeated the prompt"),
        ("```markdown\nTable Recognition:\n```", "repeated the prompt"),
    ],
)
def test_bad_outputs_are_recognised(raw: str, reason: str) -> None:
    problem = reading_problem(raw)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("raw", [*GOLDEN, *(DATA / "loops").glob("*.txt")], ids=lambda p: p.stem)
def test_real_outputs_are_readings(raw: Path) -> None:
    assert reading_problem(read(raw)) is None


# --- loops ------------------------------------------------------------------------------------


def stream(guard: RepetitionGuard, text: str, chunk: int = 4) -> bool:
    return any(guard.feed(text[i : i + chunk]) for i in range(0, len(text), chunk))


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        # GLM-OCR#220: the whole answer loops; one copy is the reading
        ("glm-ocr-220", "YOU DIDN'T COME THIS\nFAR TO ONLY COME\nTHIS FAR\n"),
        # ollama#16892: three real lines, then the last one forever
        ("ollama-16892", None),
        # vllm#42016: a five-line recipe unit
        (
            "vllm-42016",
            "1 teaspoon garlic\n1 teaspoon onion\n1 teaspoon garlic powder\n"
            "1 teaspoon salt\n1 teaspoon pepper\n",
        ),
    ],
)
def test_quoted_loops_are_caught_and_cut_where_they_began(name: str, kept: str | None) -> None:
    text = read(DATA / "loops" / f"{name}.txt")
    guard = RepetitionGuard()
    assert stream(guard, text)
    assert guard.loop_start is not None
    cut = guard.text[: guard.loop_start]
    if kept is not None:
        assert cut == kept
        assert guard.unit == kept  # what the loop retry sizes its penalty window by
    else:
        assert cut.endswith("birthday. Happy birthday to you!🎂\n")


#: mlx-vlm#1021 describes (the output is not quoted in the issue) ~500 correct characters of
#: prose, then one short paragraph re-emitted dozens of times: the same shape, own words.
PROSE = (
    "The harbour was quiet that morning. Fishing boats lay against the wall, their nets drying in "
    "the sun, and the gulls had given up on the empty quay. Down the hill the market was opening: "
    "crates of lemons, a cart of bread, a man arguing about the price of salt. Nobody noticed the "
    "stranger who came down the steps with a suitcase and a letter he did not mean to deliver. He "
    "asked for the inn, was shown the way by a boy, and paid him with a coin from another country.\n\n"
)
LOOPING_PARAGRAPH = "He asked for the inn, was shown the way by a boy, and paid him with a coin.\n\n"


def test_a_prose_paragraph_loop_is_caught_after_the_correct_text() -> None:
    guard = RepetitionGuard()
    assert stream(guard, PROSE + LOOPING_PARAGRAPH * 40)
    assert guard.text[: guard.loop_start].rstrip() == (PROSE + LOOPING_PARAGRAPH).rstrip()


@pytest.mark.parametrize(
    "page",
    [
        # a form: forty identical empty rows of a 4-column table
        "<table><tr><th>Date</th><th>Item</th><th>Qty</th><th>Signed</th></tr>"
        + "<tr><td></td><td></td><td></td><td></td></tr>" * 40
        + "</table>",
        # repeated form lines
        "Attendance sheet\n\n" + "Name: ______________________  Signature: ______________\n" * 40,
        # a long dot leader and rules
        "Contents\n\n1 Introduction " + "." * 1500 + " 1\n" + "-" * 1200 + "\n",
    ],
    ids=["empty-table-rows", "form-lines", "dot-leaders"],
)
def test_repeated_structure_is_no_loop(page: str) -> None:
    assert not stream(RepetitionGuard(), page)


# --- the .md rendered -------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in ("br",):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_rendered_markdown_shows_every_page_outside_code_and_tables_as_tables() -> None:
    # GIVEN a combined export of every golden page, each its own document, in one .md; the page
    # whose ```markdown fence never closed comes first, so it could turn the others into code
    order = sorted(GOLDEN, key=lambda path: path.stem != "wrapped-markdown-unclosed")
    pages = [(path, read(path)) for path in order]
    documents = [
        DocumentResult(
            f"job-{k}",
            f"/in/{path.stem}.png",
            path.name,
            1,
            (PageResult(0, raw, task_of(path), "llamacpp", "m"),),
        )
        for k, (path, raw) in enumerate(pages)
    ]
    markdown = render_combined(documents, "md")
    # WHEN markdown-it-py renders it (CommonMark + GFM tables)
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    code: list[str] = []
    visible: list[str] = []
    tables = 0
    for token in tokens:
        if token.type in ("fence", "code_block"):
            code.append(token.content)
        elif token.type == "table_open":
            tables += 1
        elif token.type == "html_block":
            parser = _Visible()
            parser.feed(token.content)
            visible.extend(parser.text)
            if "<table" in token.content:
                tables += 1
                assert parser.open == [], "an HTML table is left open"
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "code_inline":
                    code.append(child.content)
                elif child.type in ("text", "html_inline"):
                    visible.append(child.content)
    shown = squeeze("".join(visible))
    # THEN every line of every page's text that was in the model's output outside its own code
    # blocks is shown as text, not inside a code block (the page with an unclosed fence is first)
    checked = 0
    for path, raw in pages:
        page = format_page(raw, task_of(path))
        own_code = squeeze("".join(t.content for t in MarkdownIt().parse(page.markdown) if t.type == "fence"))
        for line in page.text.split("\n"):
            # a list marker is shown as the list's numbering or bullet, not as text
            key = squeeze(re.sub(r"^(?:\d+[.)]|[-*+])\s+", "", line.split("  ")[0]))
            if len(key) >= 4 and key in squeeze(raw) and key not in own_code:
                assert key in shown, f"{path.stem}: {line!r} is not shown as text"
                checked += 1
    assert checked >= 40
    # AND every table of every page rendered as a table
    expected_tables = sum(
        len(re.findall(r"^\| .* \|\n\| --- ", format_page(raw).markdown, re.MULTILINE)) for _, raw in pages
    )
    expected_tables += sum(format_page(raw).markdown.count("<table>") for _, raw in pages)
    assert tables == expected_tables >= 3
    assert all("</table>" not in block or "<table" in block for block in code)


# --- documents read before this change ----------------------------------------------------------


def test_re_export_from_a_store_written_before_the_formatter(tmp_path: Path) -> None:
    # GIVEN a store holding raw model output, as every earlier version stored it
    store = JobStore(tmp_path / "jobs.sqlite3")
    try:
        job = store.create_job(tmp_path / "old.pdf", "old.pdf", 1, None, JobOptions())
        raw = read(DATA / "formatter" / "wrapped-markdown-unclosed.raw")
        store.save_page_result(job, PageResult(0, raw, "text", "llamacpp", "GLM-OCR-Q8_0"))
        document = store.document_result(job)
    finally:
        store.close()
    # WHEN it is exported again
    markdown = render(document, "md")
    text = render(document, "txt")
    # THEN the exports hold the formatted page (no fence left open) and the store kept the raw text
    assert document.pages[0].text == raw
    assert (
        markdown.count("```") == 0
        and read(DATA / "formatter" / "wrapped-markdown-unclosed.md").strip() in markdown
    )
    assert read(DATA / "formatter" / "wrapped-markdown-unclosed.txt").strip() in text
