"""Refresh the translation source from the GUI code and compile it.

    .venv/bin/python scripts/update_translations.py

Runs ``pyside6-lupdate`` over ``ocr_desktop/gui`` (new strings appear untranslated in the ``.ts``,
kept strings keep their translation), then ``pyside6-lrelease`` to write the ``.qm`` the app
loads. Both files are committed, so running the app needs neither tool. Translate the ``.ts``
with Qt Linguist (``pyside6-linguist``) or any editor.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "ocr_desktop" / "resources" / "translations"
LANGUAGES = ("zh_CN",)
BIN = Path(sys.executable).parent


def main() -> int:
    sources = sorted(str(p) for p in (ROOT / "ocr_desktop" / "gui").glob("*.py"))
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
