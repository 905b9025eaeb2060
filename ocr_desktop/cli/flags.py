"""Flags that override one setting each (``ocr``, ``serve``): their help text comes from the
settings schema, and their values are checked by it, so the CLI and the settings dialog agree."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from ocr_desktop import settings as settings_mod


def setting_help(key: str) -> str:
    return settings_mod.field_info(key).help.replace("%", "%%")


def settings_from_flags(
    args: argparse.Namespace, overrides: Mapping[str, str]
) -> tuple[settings_mod.Settings, list[settings_mod.SettingsProblem], list[str]]:
    """The settings file overridden by the flags given (``overrides``: flag dest → settings key),
    the file's problems and the bad flags.

    A bad value in the file falls back to its default for that key alone (as in the window): its
    problem is a warning. A bad flag is an error. Every one of both is returned, so that one run
    lists every mistake."""
    loaded = settings_mod.load_file()
    settings = loaded.settings
    bad_flags: list[str] = []
    for dest, key in overrides.items():
        value = getattr(args, dest)
        if value is None:
            continue
        try:
            settings = settings.with_value(key, value)
        except settings_mod.SettingsError as exc:
            flag = "--format" if dest == "formats" else f"--{dest.replace('_', '-')}"
            bad_flags.append(f"{flag}: {exc} — {settings_mod.allowed_values(key)}")
    return settings, loaded.problems, bad_flags
