"""Benchmark of the result formatter: a 20,000-character page of real GLM-OCR output (the SDK
examples in tests/data: prose, display and inline formulas, an HTML table, XML code blocks,
repeated until the size is reached) formatted as Markdown and text.

Target: under 50 ms per page (both outputs). Baselines measured in the same run, on the same page:
- the post-processing this formatter replaced (``to_markdown`` + ``to_plain_text`` of
  ``core/postprocess.py`` at commit 9c1ace9, loaded from git; skipped when git cannot show it),
- parsing the page with markdown-it-py (CommonMark + tables), a yardstick for "one pass of a
  Markdown parser over the same text".
Each is run ``--repeats`` times, interleaved; the best run counts (the machine is shared).
Then garbled pages of the same size (what the fuzz test feeds, at its worst: thousands of
unclosed tables, ``$`` signs, pipe rows, hyphenated line ends, nested braces) are timed too,
as the formatter must not be slow on bad output either.

Run from the repository root: ``.venv/bin/python scripts/bench_formatter.py``.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ocr_desktop.core.formatter import format_page  # noqa: E402

EXAMPLES = ROOT / "tests" / "data" / "glm-ocr-examples"
BASELINE_COMMIT = "9c1ace9"
TARGET_MS = 50.0


def real_page(size: int) -> str:
    """Whole-page model output built from the SDK's real region outputs, ``size`` characters."""
    parts: list[str] = []
    for name in ("page", "table", "code", "handwritten"):
        regions = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))[0]
        parts.extend(region["content"] for region in regions)
    block = "\n".join(parts)
    return (block * (size // len(block) + 1))[:size]


#: Garbled 20,000-character pages, each stressing one rule.
GARBLED = {
    "unclosed tables": "<table><tr><td>a",
    "nested tables": "<table><tr><td>",
    "dollar signs": "pay $5 and ",
    "pipe rows, no separator": "| a | b |\n",
    "hyphenated line ends": "ab-\n",
    "open fences": "```\n",
    "nested braces": "$$\n\\frac{",
    "tag-like words": "<ab-c ",
}


def old_postprocess() -> types.ModuleType | None:
    """The replaced core/postprocess.py, as a module, or None when git cannot show it."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE_COMMIT}:ocr_desktop/core/postprocess.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("postprocess_9c1ace9")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, "postprocess@9c1ace9", "exec"), module.__dict__)
    return module


def best_ms(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=20_000, help="characters of the page (default 20000)")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    page = real_page(args.size)
    candidates: dict[str, Callable[[], object]] = {"formatter (md + txt)": lambda: format_page(page)}
    old = old_postprocess()
    if old is not None:
        candidates[f"postprocess@{BASELINE_COMMIT} (md + txt)"] = lambda: (
            old.to_markdown(page),
            old.to_plain_text(page),
        )
    try:
        from markdown_it import MarkdownIt

        parser_md = MarkdownIt("commonmark").enable("table")
        candidates["markdown-it-py parse"] = lambda: parser_md.parse(page)
    except ImportError:
        pass

    results = {name: float("inf") for name in candidates}
    for _ in range(args.repeats):  # interleaved, so a busy moment hits every candidate alike
        for name, run in candidates.items():
            results[name] = min(results[name], best_ms(run, 1))

    ours = results["formatter (md + txt)"]
    print(f"page: {len(page)} characters of real GLM-OCR output, best of {args.repeats} runs")
    for name, ms in results.items():
        print(f"  {name:<34} {ms:8.2f} ms   ratio to formatter {ms / ours:5.2f}")
    print("garbled pages (formatter, best of 3):")
    worst = 0.0
    for name, unit in GARBLED.items():
        garbled = (unit * (args.size // len(unit) + 1))[: args.size]
        ms = best_ms(functools.partial(format_page, garbled), 3)
        worst = max(worst, ms)
        print(f"  {name:<34} {ms:8.2f} ms")
    ours = max(ours, worst)
    verdict = "PASS" if ours < TARGET_MS else "FAIL"
    print(f"target: every page under {TARGET_MS:.0f} ms: {verdict} (slowest {ours:.2f} ms)")
    return 0 if ours < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
