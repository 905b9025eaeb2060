"""The architecture rules of DESIGN.md, checked on the source: Qt only in ``gui/``, heavy runtimes
only imported lazily (inside the function that needs them), and the layers of
docs/architecture.md: a module imports only from its own layer or the layers below, with no
cycles."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ocr_desktop"
#: Runtimes that cost seconds and hundreds of MB to import, or exist only on some machines.
HEAVY = ("llama_cpp", "vllm", "torch", "jtop", "pynvml")

#: The layers of docs/architecture.md, lowest first: module-name prefixes (the longest match
#: places a module). A module of the package that no prefix places fails the test: put a new
#: module in its layer here and in the docs.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "leaf",
        (
            "ocr_desktop",
            "ocr_desktop.paths",
            "ocr_desktop.formats",
            "ocr_desktop.files",
            "ocr_desktop.logs",
            "ocr_desktop.messages",
        ),
    ),
    ("settings", ("ocr_desktop.settings",)),
    # The middle of the stack, in its own order: what a page is, what was read of it, how it is
    # formatted, where it is kept; then the models, and the features built on them.
    (
        "page values",
        (
            "ocr_desktop.documents",
            "ocr_desktop.textlines",
            "ocr_desktop.core.tasks",
            "ocr_desktop.core.tables",
        ),
    ),
    ("results", ("ocr_desktop.core.results",)),
    ("formatter", ("ocr_desktop.core.formatter",)),
    ("store", ("ocr_desktop.core",)),  # core.store and its helpers: every core module not placed above
    ("models", ("ocr_desktop.models",)),
    ("layout, telemetry", ("ocr_desktop.layout", "ocr_desktop.telemetry")),
    ("backends", ("ocr_desktop.backends",)),
    ("pipeline", ("ocr_desktop.pipeline",)),
    ("exporters", ("ocr_desktop.exporters",)),
    ("bench", ("ocr_desktop.bench",)),
    ("server", ("ocr_desktop.server",)),
    (
        "cli / gui",
        ("ocr_desktop.cli", "ocr_desktop.__main__", "ocr_desktop.gui", "ocr_desktop.ocrmypdf_plugin"),
    ),
)


#: Layers whose packages are siblings: none of them imports another (layout does not measure
#: memory, telemetry knows no layout).
SIBLINGS = ("layout, telemetry",)
ARCHITECTURE_DOC = PACKAGE.parent / "docs" / "architecture.md"


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


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(path: Path, known: set[str]) -> set[str]:
    """The package's own modules ``path`` imports anywhere (lazy and type-only imports too: an
    upward import inside a function is still an upward dependency)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # ``from ocr_desktop import settings`` imports the module ocr_desktop.settings
            found.update(
                f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names
            )
    return {m for m in found if m in known} - {name}


def import_graph() -> dict[str, set[str]]:
    files = sources()
    known = {module_name(path) for path in files}
    return {module_name(path): package_imports(path, known) for path in files}


def layer_of(module: str) -> int | None:
    matches = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        # the package itself is placed alone, not everything under it
        if module == prefix or (prefix != PACKAGE.name and module.startswith(prefix + "."))
    ]
    return max(matches)[1] if matches else None


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = [f"{module} is in no layer of LAYERS" for module in graph if layer_of(module) is None]
    for module, imports in sorted(graph.items()):
        own = layer_of(module)
        for target in sorted(imports):
            other = layer_of(target)
            if own is not None and other is not None and other > own:
                found.append(
                    f"{module} ({LAYERS[own][0]}) imports {target} from a higher layer ({LAYERS[other][0]})"
                )
    return found


def placing_prefix(module: str) -> str:
    """The LAYERS prefix that places ``module`` (its package, for the siblings rule)."""
    return max(
        (p for _, prefixes in LAYERS for p in prefixes if module == p or module.startswith(p + ".")),
        key=len,
    )


def sibling_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imports in sorted(graph.items()):
        own = layer_of(module)
        if own is None or LAYERS[own][0] not in SIBLINGS:
            continue
        for target in sorted(imports):
            if layer_of(target) == own and placing_prefix(target) != placing_prefix(module):
                found.append(f"{module} imports its sibling {target} ({LAYERS[own][0]})")
    return found


def documented_layers(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The table of the "Layers" section of docs/architecture.md as LAYERS writes it: a cell's
    modules are its backticked names outside parentheses (``core.tasks``, ``layout/``)."""
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.MULTILINE)
    layers = []
    for name, cell in rows:
        if (name, cell) == ("layer", "modules"):  # the header
            continue
        names = re.findall(r"`([^`]+)`", re.sub(r"\([^()]*\)", "", cell))
        modules = tuple(n if n.startswith(PACKAGE.name) else f"{PACKAGE.name}.{n.rstrip('/')}" for n in names)
        layers.append((name, modules))
    return layers


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path ``[a, b, …, a]``, or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return []


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
        "import ocr_desktop.cli, ocr_desktop.pipeline, ocr_desktop.core.store\n"
        "import ocr_desktop.backends.registry, ocr_desktop.logs\n"
        "import ocr_desktop.backends.llamacpp, ocr_desktop.backends.vllm, ocr_desktop.telemetry.sources\n"
        f"heavy = {(*HEAVY, 'PySide6')!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout.strip() == "[]"


def test_the_backend_contract_loads_no_document_decoding() -> None:
    # PageImage is all the backends need of the documents: importing their contract must not load
    # poppler's runner or Pillow's decoding code (documents/ re-exports nothing for this reason).
    code = (
        "import sys\n"
        "import ocr_desktop.backends.base\n"
        "print(sorted(m for m in sys.modules if m.startswith('ocr_desktop.documents')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout.strip() == str(
        ["ocr_desktop.documents", "ocr_desktop.documents.errors", "ocr_desktop.documents.pages"]
    )


def test_every_module_imports_only_from_its_own_layer_or_below() -> None:
    violations = layer_violations(import_graph())
    assert not violations, "\n".join(violations)


def test_sibling_packages_do_not_import_each_other() -> None:
    violations = sibling_violations(import_graph())
    assert not violations, "\n".join(violations)


def test_the_layer_table_of_the_architecture_doc_is_the_one_checked_here() -> None:
    documented = documented_layers(ARCHITECTURE_DOC.read_text(encoding="utf-8"))
    assert [(name, sorted(modules)) for name, modules in documented] == [
        (name, sorted(prefixes)) for name, prefixes in LAYERS
    ]


def test_the_doc_and_sibling_checks_see_a_drift_and_a_sibling_import() -> None:
    doc = (
        "# A\n\n## Layers\n\n| layer | modules |\n|---|---|\n"
        "| leaf | `ocr_desktop` (names), `paths` |\n\n## Next\n"
    )
    assert documented_layers(doc) == [("leaf", ("ocr_desktop", "ocr_desktop.paths"))]
    graph = {"ocr_desktop.layout.plan": {"ocr_desktop.telemetry.sampler", "ocr_desktop.layout.base"}}
    assert sibling_violations(graph) == [
        "ocr_desktop.layout.plan imports its sibling ocr_desktop.telemetry.sampler (layout, telemetry)"
    ]


def test_the_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert not cycle, " -> ".join(cycle)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph folded into packages (``ocr_desktop.core``); a top-level module is its own node."""

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    folded: dict[str, set[str]] = {}
    for module, imports in graph.items():
        folded.setdefault(package(module), set()).update(package(t) for t in imports)
    return {name: targets - {name} for name, targets in folded.items()}


def test_the_packages_have_no_import_cycle() -> None:
    cycle = find_cycle(package_graph(import_graph()))
    assert not cycle, " -> ".join(cycle)


def test_the_layer_check_sees_an_upward_import_and_a_cycle() -> None:
    graph = {
        "ocr_desktop.settings": {"ocr_desktop.pipeline"},
        "ocr_desktop.pipeline": {"ocr_desktop.backends.base"},
        "ocr_desktop.backends.base": {"ocr_desktop.pipeline"},
        "ocr_desktop.stray": set(),
    }
    assert layer_violations(graph) == [
        "ocr_desktop.stray is in no layer of LAYERS",
        "ocr_desktop.backends.base (backends) imports ocr_desktop.pipeline from a higher layer (pipeline)",
        "ocr_desktop.settings (settings) imports ocr_desktop.pipeline from a higher layer (pipeline)",
    ]
    assert find_cycle(graph) == [
        "ocr_desktop.backends.base",
        "ocr_desktop.pipeline",
        "ocr_desktop.backends.base",
    ]


def test_the_import_scan_resolves_modules_imported_by_name() -> None:
    graph = import_graph()
    assert "ocr_desktop.settings" in graph["ocr_desktop.cli.ocr"]  # from ocr_desktop import settings as …
    assert (
        "ocr_desktop.backends.registry" in graph["ocr_desktop.pipeline.worker"]
    )  # from …backends import registry
    assert "ocr_desktop.backends.llamacpp" in graph["ocr_desktop.backends.registry"]  # lazy, in a function
