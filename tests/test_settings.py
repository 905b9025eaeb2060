"""The one settings schema: defaults, conversion and validation naming the key, the TOML file."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ocr_desktop import paths, settings
from ocr_desktop.settings import Settings, SettingsError


def test_defaults_are_valid_and_every_leaf_is_described() -> None:
    settings.validate(Settings())
    fields = list(settings.iter_fields())
    keys = [info.key for info, _ in fields]
    assert len(keys) == len(set(keys))
    assert {
        "backend",
        "documents.dpi",
        "generation.loop_retry",
        "llamacpp.model_path",
        "export.formats",
    } <= set(keys)
    for info, value in fields:
        assert info.help, f"{info.key} has no help text"
        assert info.label
        assert isinstance(value, info.type), info.key
        if info.choices is not None and not isinstance(value, tuple):
            assert value in info.choices, info.key


def test_field_info_and_get_value() -> None:
    info = settings.field_info("documents.dpi")
    assert (info.type, info.minimum, info.maximum, info.label) == (int, 50, 600, "PDF resolution (DPI)")
    assert settings.get_value(Settings(), "documents.dpi") == 150
    with pytest.raises(SettingsError, match=r"unknown setting 'documents\.colour'"):
        settings.field_info("documents.colour")


def test_settings_cannot_be_changed_in_place() -> None:
    # GIVEN settings
    s = Settings()
    # WHEN a value, a section or a section's value is assigned THEN each refuses
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.backend = "vllm"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.generation = settings.GenerationSettings(max_tokens=32)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.generation.max_tokens = 32  # type: ignore[misc]
    # AND the list values are tuples, which have no append; so the whole value is hashable
    assert isinstance(s.export.formats, tuple) and isinstance(s.reading.keep_furniture, tuple)
    assert not hasattr(s.export.formats, "append")
    assert s == Settings() and hash(s) == hash(Settings())


def test_with_value_derives_a_changed_copy_and_leaves_the_original() -> None:
    s = Settings()
    changed = s.with_value("generation.max_tokens", "32").with_value("backend", "vllm")
    assert (changed.generation.max_tokens, changed.backend) == (32, "vllm")
    assert s == Settings()  # the original is untouched
    assert changed.documents is s.documents  # sections the key is not in are shared, safely
    assert changed.generation.task == s.generation.task


@pytest.mark.parametrize(
    ("key", "given", "stored"),
    [
        ("generation.loop_retry", "off", False),
        ("generation.loop_retry", "YES", True),
        ("generation.loop_retry", False, False),
        ("documents.dpi", "300", 300),
        ("documents.dpi", 200.0, 200),
        ("generation.repetition_penalty", "1.1", 1.1),
        ("generation.repetition_penalty", 1, 1.0),
        ("export.formats", "txt, json", ("txt", "json")),
        ("export.formats", ["md"], ("md",)),
        ("export.formats", ("txt",), ("txt",)),
        ("backend", "vllm", "vllm"),
        ("documents.pages", "1-3,7", "1-3,7"),
    ],
)
def test_with_value_converts(key: str, given: object, stored: object) -> None:
    s = Settings().with_value(key, given)
    assert settings.get_value(s, key) == stored
    assert type(settings.get_value(s, key)) is type(stored)


@pytest.mark.parametrize(
    ("key", "given", "message"),
    [
        ("documents.dpi", "many", "setting 'documents.dpi': 'many' is not a valid int"),
        ("documents.dpi", True, "is not a valid int"),
        ("documents.dpi", 150.5, "is not a valid int"),
        ("documents.dpi", 10, "setting 'documents.dpi': 10 is below the minimum 50"),
        ("documents.dpi", 601, "is above the maximum 600"),
        ("generation.loop_retry", "maybe", "setting 'generation.loop_retry': 'maybe' is not a valid bool"),
        ("generation.loop_retry", 1, "is not a valid bool"),
        ("backend", "ollama", "setting 'backend': 'ollama' is not one of 'llamacpp', 'vllm'"),
        ("export.formats", "txt,docx", "'docx' is not one of 'txt', 'md', 'json'"),
        ("export.formats", [1], "is not a valid list"),
        ("llamacpp.model_path", 3, "is not a valid str"),
        ("generation.repetition_penalty", True, "is not a valid float"),
    ],
)
def test_with_value_rejects_with_the_key_named(key: str, given: object, message: str) -> None:
    s = Settings()
    with pytest.raises(SettingsError) as caught:
        s.with_value(key, given)
    assert message in str(caught.value)
    assert s == Settings()  # unchanged


def test_a_bad_type_error_includes_the_help_text() -> None:
    with pytest.raises(SettingsError, match="Resolution PDF pages are rendered at"):
        Settings().with_value("documents.dpi", "lots")


def test_validate_catches_values_set_directly() -> None:
    s = Settings(vllm=settings.VllmSettings(gpu_memory_utilization=0.99))
    with pytest.raises(SettingsError, match=r"vllm\.gpu_memory_utilization"):
        settings.validate(s)


def test_a_missing_file_gives_the_defaults() -> None:
    assert not paths.settings_file().exists()
    assert settings.load() == Settings()


def test_save_and_load_round_trip_in_the_user_config_dir() -> None:
    s = (
        Settings()
        .with_value("backend", "vllm")
        .with_value("documents.pages", "2-")
        .with_value("export.formats", ["txt", "json"])
        .with_value("vllm.gpu_memory_utilization", 0.4)
        .with_value("generation.loop_retry", False)
    )
    written = settings.save(s)
    assert written == paths.settings_file()
    assert written.parent == paths.config_dir()
    assert settings.load() == s
    assert settings.from_dict(settings.to_dict(s)) == s


def test_a_partial_file_keeps_defaults_for_the_rest() -> None:
    paths.settings_file().write_text("[documents]\ndpi = 300\n\n[llamacpp]\nn_ctx = 4096\n", encoding="utf-8")
    loaded = settings.load()
    assert loaded == Settings().with_value("documents.dpi", 300).with_value("llamacpp.n_ctx", 4096)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[documents\ndpi = 3", "cannot be read"),
        ("[documents]\ndpi = 'lots'\n", "documents.dpi"),
        ("[documents]\ncolour = 'red'\n", "unknown setting 'documents.colour'"),
        ("backend = 'ollama'\n", "'ollama' is not one of"),
    ],
)
def test_a_broken_file_names_the_file_and_the_problem(content: str, message: str) -> None:
    path = paths.settings_file()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        settings.load()
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_file_that_is_not_utf8_is_reported() -> None:
    paths.settings_file().write_bytes(b"backend = '\xff'\n")
    with pytest.raises(SettingsError, match="fix or delete it"):
        settings.load()


def test_save_refuses_invalid_settings_and_keeps_the_old_file() -> None:
    settings.save(Settings())
    before = paths.settings_file().read_bytes()
    bad = dataclasses.replace(Settings(), backend="ollama")
    with pytest.raises(SettingsError, match="backend"):
        settings.save(bad)
    assert paths.settings_file().read_bytes() == before


USER_FILE = """\
# my settings, written by hand
schema_version = 1
backend = "ollama"   # a typo: not a backend
colour = "red"

[documents]
dpi = 'lots'
pages = "1-3"  # only the start

[generation]
max_tokens = 99999

[export]
formats = ["txt", "docx"]
from_a_newer_version = 3

[plugins]
enabled = true
"""


def loaded_from(text: str) -> settings.LoadedSettings:
    """Write ``text`` as the user's settings file and load it as the app does."""
    paths.settings_file().write_text(text, encoding="utf-8")
    return settings.load_file()


def test_every_problem_is_listed_and_each_bad_key_alone_falls_back() -> None:
    # GIVEN a file with three bad values, three unknown keys and two good values
    paths.settings_file().write_text(USER_FILE, encoding="utf-8")
    # WHEN it is loaded
    loaded = settings.load_file()
    # THEN the good values are used and each bad one is at its default ...
    assert loaded.settings == Settings().with_value("documents.pages", "1-3")
    # ... and every problem is listed with its key and the fix
    assert [(p.key, p.unknown) for p in loaded.problems] == [
        ("backend", False),
        ("colour", True),
        ("documents.dpi", False),
        ("generation.max_tokens", False),
        ("export.formats", False),
        ("export.from_a_newer_version", True),
        ("plugins", True),
    ]
    by_key = {p.key: str(p) for p in loaded.problems}
    assert by_key["backend"].endswith(
        "use one of 'llamacpp', 'vllm', 'lite'; until then the default 'llamacpp' is used"
    )
    assert "use a whole number from 50 to 600; until then the default 150 is used" in by_key["documents.dpi"]
    assert "above the maximum 16384" in by_key["generation.max_tokens"]
    assert "'docx' is not one of" in by_key["export.formats"]
    assert "kept in the file but not used" in by_key["plugins"]
    assert len(loaded.invalid) == 4
    # AND the strict load refuses, naming all of them at once
    with pytest.raises(SettingsError) as caught:
        settings.load()
    assert all(p.key in str(caught.value) for p in loaded.problems)


def test_saving_one_change_keeps_the_users_file_byte_for_byte_and_a_backup() -> None:
    # GIVEN the user's file with bad and unknown keys, loaded
    path = paths.settings_file()
    path.write_text(USER_FILE, encoding="utf-8")
    loaded = settings.load_file()
    # WHEN one setting is changed and saved (as Settings → OK does)
    settings.save(loaded.settings.with_value("llamacpp.n_threads", 4))
    # THEN the file is the user's, byte for byte, plus only that key ...
    assert path.read_text(encoding="utf-8") == USER_FILE + "\n[llamacpp]\nn_threads = 4\n"
    # ... the previous file is the backup ...
    assert settings.backup_file(path).read_text(encoding="utf-8") == USER_FILE
    assert path.stat().st_mode & 0o777 == 0o600  # it may hold an API key
    # WHEN a key that is in the file (even with a bad value) is changed THEN only its value changes
    again = settings.load_file().settings
    settings.save(again.with_value("documents.dpi", 300).with_value("documents.pages", ""))
    text = path.read_text(encoding="utf-8")
    assert (
        text
        == USER_FILE.replace("dpi = 'lots'", "dpi = 300").replace(
            'pages = "1-3"  # only the start', 'pages = ""  # only the start'
        )
        + "\n[llamacpp]\nn_threads = 4\n"
    )
    # AND the backup is the file as it was before this save
    assert "n_threads = 4" in settings.backup_file(path).read_text(encoding="utf-8")
    # AND saving unchanged settings changes nothing
    settings.save(settings.load_file().settings)
    assert path.read_text(encoding="utf-8") == text


def test_saving_defaults_writes_no_defaults() -> None:
    settings.save(Settings())
    assert paths.settings_file().read_text(encoding="utf-8") == "schema_version = 1\n"


def test_a_file_without_a_version_is_migrated_and_stamped_on_save() -> None:
    # GIVEN a file from before versioning
    path = paths.settings_file()
    path.write_text("[documents]\ndpi = 300\n", encoding="utf-8")
    # THEN it loads as version 1, without problems
    loaded = settings.load_file()
    assert loaded.problems == [] and loaded.settings.documents.dpi == 300
    # AND the next save writes the version in front of the sections
    settings.save(loaded.settings)
    assert path.read_text(encoding="utf-8") == "schema_version = 1\n\n[documents]\ndpi = 300\n"


def test_migrations_run_in_order_up_to_the_current_version(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a version 2 whose migration renames version 1's documents.resolution to documents.dpi
    # (made up, but through the real table: it proves the chain runs and what it gives is saved)
    def rename(doc: Any) -> None:
        doc["documents"]["dpi"] = doc["documents"].pop("resolution")

    monkeypatch.setattr(settings, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(settings.MIGRATIONS, 1, rename)
    path = paths.settings_file()
    path.write_text("[documents]\nresolution = 300\n", encoding="utf-8")  # version 0: no number
    # WHEN it is loaded THEN 0 → 1 → 2 ran: the old key is read under its new name, no problem
    loaded = settings.load_file()
    assert (loaded.settings.documents.dpi, loaded.problems) == (300, [])
    # AND a save writes the migrated file, stamped version 2
    settings.save(loaded.settings)
    assert path.read_text(encoding="utf-8") == "schema_version = 2\n\n[documents]\ndpi = 300\n"


def test_a_file_from_a_newer_version_is_used_and_its_version_kept() -> None:
    loaded = loaded_from("schema_version = 7\nbackend = 'vllm'\n")
    assert loaded.settings.backend == "vllm"
    [problem] = loaded.problems
    assert problem.unknown and "newer OCR Desktop" in problem.message
    settings.save(loaded.settings)
    assert paths.settings_file().read_text(encoding="utf-8") == "schema_version = 7\nbackend = 'vllm'\n"


def test_an_unreadable_file_gives_defaults_and_is_backed_up_before_a_save() -> None:
    loaded = loaded_from("[documents\ndpi = 3")
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert problem.key == "" and "cannot be read" in problem.message and "fix or delete it" in problem.fix
    changed = Settings(backend="vllm")
    settings.save(changed)
    assert settings.load() == changed
    assert settings.backup_file(paths.settings_file()).read_text(encoding="utf-8") == "[documents\ndpi = 3"
