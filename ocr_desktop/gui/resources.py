"""Files shipped inside the package: the app icon, the .desktop entry and the translations.

They live in ``ocr_desktop/resources/`` so an installed app finds them; the top-level
``resources/`` folder of the repository links to the same files (one copy, no drift).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon

from ocr_desktop import APP_ID

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICON_FILE = RESOURCES / "icons" / f"{APP_ID}.svg"
DESKTOP_FILE = RESOURCES / f"{APP_ID}.desktop"
TRANSLATIONS = RESOURCES / "translations"
#: Interface languages besides English (the source language).
LANGUAGES = ("zh_CN",)


def app_icon() -> QIcon:
    # The themed icon wins when the .desktop entry and icon were installed (packaging/install.sh).
    return QIcon.fromTheme(APP_ID, QIcon(str(ICON_FILE)))


def interface_language(setting: str) -> str:
    """The language to show: the setting, else the system's when translated, else English."""
    if setting:
        return setting
    for name in QLocale.system().uiLanguages():
        candidate = name.replace("-", "_")
        for language in LANGUAGES:
            if candidate == language or candidate.startswith(language.split("_")[0] + "_Hans"):
                return language
            if candidate == language.split("_")[0]:
                return language
    return "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the app's and Qt's own translations for ``language`` (English needs none).

    Returns the translators, which must stay referenced as long as the app runs.
    """
    if language == "en":
        return []
    installed: list[QTranslator] = []
    app_translator = QTranslator(app)
    if app_translator.load(str(TRANSLATIONS / f"ocr_desktop_{language}.qm")):
        app.installTranslator(app_translator)
        installed.append(app_translator)
    else:
        log.warning("no translation for %s in %s; the interface stays in English", language, TRANSLATIONS)
    qt_translator = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_translator.load(f"qtbase_{language}", qt_dir):  # standard buttons, file dialogs
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    return installed
