"""Where the app keeps its files: the user config, data, state (logs) and cache folders.

platformdirs follows the XDG variables on Linux, so tests point ``XDG_*_HOME`` at a temp dir.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from ocr_desktop import APP_NAME


def _dirs() -> platformdirs.PlatformDirs:
    # Built on each call so that tests (and users) changing XDG_* at run time are honoured.
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False, ensure_exists=True)


def config_dir() -> Path:
    return _dirs().user_config_path


def data_dir() -> Path:
    return _dirs().user_data_path


def state_dir() -> Path:
    return _dirs().user_state_path


def cache_dir() -> Path:
    return _dirs().user_cache_path


def settings_file() -> Path:
    return config_dir() / "settings.toml"


def store_file() -> Path:
    return data_dir() / "jobs.sqlite3"


def log_file() -> Path:
    return state_dir() / "ocr-desktop.log"
