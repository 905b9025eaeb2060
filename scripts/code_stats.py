"""Print the ten longest functions and the ten longest modules of the package, in lines.

Run from the repository root: ``python scripts/code_stats.py`` (stdlib only). A function's
length is its source lines from ``def`` (decorators included) to its last line; methods count
on their own, and a nested function counts inside its parent too.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def function_lengths(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = path.relative_to(root).as_posix()
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                assert child.end_lineno is not None
                found.append((child.end_lineno - first + 1, f"{module}:{child.lineno} {prefix}{child.name}"))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default=str(ROOT / "ocr_desktop"))
    parser.add_argument("-n", type=int, default=10, help="how many of each to print (default 10)")
    args = parser.parse_args()
    package = Path(args.package).resolve()
    files = sorted(package.rglob("*.py"))
    functions = sorted((f for path in files for f in function_lengths(path, package.parent)), reverse=True)
    modules = sorted(
        (
            (len(p.read_text(encoding="utf-8").splitlines()), p.relative_to(package.parent).as_posix())
            for p in files
        ),
        reverse=True,
    )
    print(f"longest functions (lines), of {len(functions)}:")
    for lines, name in functions[: args.n]:
        print(f"  {lines:5d}  {name}")
    print(f"longest modules (lines), of {len(modules)}:")
    for lines, name in modules[: args.n]:
        print(f"  {lines:5d}  {name}")


if __name__ == "__main__":
    main()
