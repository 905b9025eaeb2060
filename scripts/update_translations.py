"""Refresh the translation source from the GUI code and compile it.

    .venv/bin/python scripts/update_translations.py

Runs ``pyside6-lupdate`` over ``ocr_desktop/gui`` and the settings schema's labels, help texts
and word choices (written to ``build/settings_strings.py`` as ``translate`` calls, since lupdate
cannot read them from the schema) — new strings appear untranslated in the ``.ts``, kept strings
keep their translation — and the templates of the core's ``Message("…")`` calls (written to
``build/message_strings.py``, found by an AST scan of ``ocr_desktop``), then ``pyside6-lrelease``
to write the ``.qm`` the app loads. Both files are committed, so running the app needs neither
tool. Translate the ``.ts``
with Qt Linguist (``pyside6-linguist``) or any editor.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ocr_desktop" / "resources" / "translations"
LANGUAGES = ("zh_CN",)
BIN = Path(sys.executable).parent


def schema_strings() -> Path:
    """The settings dialog shows the schema's labels, help and choices, the backends' names and
    the catalog's descriptions through ``QCoreApplication.translate``; write those calls where
    lupdate reads them."""
    sys.path.insert(0, str(ROOT))
    from ocr_desktop import settings
    from ocr_desktop.backends.registry import BACKEND_LABELS
    from ocr_desktop.gui import settings_dialog as sd
    from ocr_desktop.models.catalog import CATALOG

    texts: list[tuple[str, str]] = []
    for info, _value in settings.iter_fields(settings.Settings()):
        texts += [(sd.SCHEMA_CONTEXT, info.label), (sd.SCHEMA_CONTEXT, info.help)]
        if info.key in sd.TRANSLATED_CHOICES and info.choices:
            texts += [(sd.SCHEMA_CONTEXT, str(c)) for c in info.choices]
    texts += [(sd.BACKENDS_CONTEXT, label) for label in BACKEND_LABELS.values()]
    texts += [(sd.CATALOG_CONTEXT, entry.description) for entry in CATALOG]
    lines = [f"QCoreApplication.translate({c!r}, {t!r})" for c, t in dict.fromkeys(texts)]
    path = ROOT / "build" / "settings_strings.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def message_templates() -> list[str]:
    """Every template of a ``Message("…", …)`` call in the package, in source order (the core's
    failure reasons the window shows through ``gui.errors.translated``)."""
    templates: list[str] = []
    for path in sorted((ROOT / "ocr_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"
            ):
                continue
            templates += _literals(node.args[0]) if node.args else []
    return list(dict.fromkeys(templates))


def _literals(node: ast.expr) -> list[str]:
    """A template literal, or both of a conditional's (``Message("a" if x else "b")``); a template
    from a variable is none (``messages.loads`` rebuilding a stored message)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def message_strings() -> Path:
    sys.path.insert(0, str(ROOT))
    from ocr_desktop.gui.errors import MESSAGES_CONTEXT

    lines = [f"QCoreApplication.translate({MESSAGES_CONTEXT!r}, {t!r})" for t in message_templates()]
    path = ROOT / "build" / "message_strings.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    sources = sorted(str(p) for p in (ROOT / "ocr_desktop" / "gui").glob("*.py"))
    sources += [str(schema_strings()), str(message_strings())]
    for language in LANGUAGES:
        ts = TRANSLATIONS / f"ocr_desktop_{language}.ts"
        subprocess.run(
            [BIN / "pyside6-lupdate", *sources, "-no-obsolete", "-source-language", "en",
             "-target-language", language, "-ts", ts],
            check=True,
        )  # fmt: skip
        subprocess.run([BIN / "pyside6-lrelease", ts, "-qm", ts.with_suffix(".qm")], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
