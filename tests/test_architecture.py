"""The architecture rules of DESIGN.md, checked on the source: Qt only in ``gui/``, heavy runtimes
only imported lazily (inside the function that needs them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ocr_desktop"
#: Runtimes that cost seconds and hundreds of MB to import, or exist only on some machines.
HEAVY = ("llama_cpp", "vllm", "torch", "jtop", "pynvml")


def imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    return []


def all_imports(tree: ast.AST) -> list[tuple[int, str]]:
    return [(n.lineno, m) for n in ast.walk(tree) for m in imported_modules(n)]


def module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports that run when the module is imported: everything outside function bodies and
    outside ``if TYPE_CHECKING:`` blocks (class bodies and module-level if/try do run)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        found.extend((node.lineno, m) for m in imported_modules(node))  # type: ignore[attr-defined]
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return found


def root(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20, "the scan must see the package"
    return files


def test_only_the_gui_package_imports_qt() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in sources()
        if "gui" not in path.relative_to(PACKAGE).parts[:1]
        for line, module in all_imports(ast.parse(path.read_text(encoding="utf-8")))
        if root(module) in ("PySide6", "shiboken6", "PyQt5", "PyQt6")
    ]
    assert offenders == []


def test_heavy_runtimes_are_never_imported_at_module_level() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module} at module level"
        for path in sources()
        for line, module in module_level_imports(ast.parse(path.read_text(encoding="utf-8")))
        if root(module) in HEAVY
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import llama_cpp", ["llama_cpp"]),
        ("from vllm.engine import x", ["vllm.engine"]),
        ("try:\n    import torch\nexcept ImportError:\n    pass", ["torch"]),
        ("class A:\n    import jtop", ["jtop"]),
        ("def f():\n    import llama_cpp", []),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import torch", ["typing"]),
        ("from . import sibling", []),
    ],
)
def test_the_scan_sees_what_runs_at_import_time(source: str, expected: list[str]) -> None:
    assert [m for _, m in module_level_imports(ast.parse(source))] == expected


def test_importing_the_core_and_cli_loads_no_heavy_runtime_and_no_qt() -> None:
    # What actually lands in sys.modules, including through third-party packages.
    code = (
        "import sys\n"
        "import ocr_desktop.cli, ocr_desktop.core.pipeline, ocr_desktop.core.store\n"
        "import ocr_desktop.backends.registry, ocr_desktop.logs\n"
        "import ocr_desktop.backends.llamacpp, ocr_desktop.backends.vllm, ocr_desktop.telemetry.sources\n"
        f"heavy = {(*HEAVY, 'PySide6')!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout.strip() == "[]"
