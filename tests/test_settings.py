"""The one settings schema: defaults, conversion and validation naming the key, the TOML file."""

from __future__ import annotations

import dataclasses

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
        if info.choices is not None and not isinstance(value, list):
            assert value in info.choices, info.key


def test_field_info_and_get_value() -> None:
    info = settings.field_info("documents.dpi")
    assert (info.type, info.minimum, info.maximum, info.label) == (int, 50, 600, "PDF resolution (DPI)")
    assert settings.get_value(Settings(), "documents.dpi") == 150
    with pytest.raises(SettingsError, match=r"unknown setting 'documents\.colour'"):
        settings.field_info("documents.colour")


def test_each_instance_has_its_own_lists() -> None:
    a, b = Settings(), Settings()
    a.export.formats.append("txt")
    assert b.export.formats == ["md"]


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
        ("export.formats", "txt, json", ["txt", "json"]),
        ("export.formats", ["md"], ["md"]),
        ("backend", "vllm", "vllm"),
        ("documents.pages", "1-3,7", "1-3,7"),
    ],
)
def test_set_value_converts(key: str, given: object, stored: object) -> None:
    s = Settings()
    settings.set_value(s, key, given)
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
def test_set_value_rejects_with_the_key_named(key: str, given: object, message: str) -> None:
    s = Settings()
    with pytest.raises(SettingsError) as caught:
        settings.set_value(s, key, given)
    assert message in str(caught.value)
    assert settings.get_value(s, key) == settings.get_value(Settings(), key)  # unchanged


def test_a_bad_type_error_includes_the_help_text() -> None:
    with pytest.raises(SettingsError, match="Resolution PDF pages are rendered at"):
        settings.set_value(Settings(), "documents.dpi", "lots")


def test_validate_catches_values_set_directly() -> None:
    s = Settings()
    s.vllm.gpu_memory_utilization = 0.99
    with pytest.raises(SettingsError, match=r"vllm\.gpu_memory_utilization"):
        settings.validate(s)


def test_a_missing_file_gives_the_defaults() -> None:
    assert not paths.settings_file().exists()
    assert settings.load() == Settings()


def test_save_and_load_round_trip_in_the_user_config_dir() -> None:
    s = Settings()
    s.backend = "vllm"
    s.documents.pages = "2-"
    s.export.formats = ["txt", "json"]
    s.vllm.gpu_memory_utilization = 0.4
    s.generation.loop_retry = False
    written = settings.save(s)
    assert written == paths.settings_file()
    assert written.parent == paths.config_dir()
    assert settings.load() == s
    assert settings.from_dict(settings.to_dict(s)) == s


def test_a_partial_file_keeps_defaults_for_the_rest() -> None:
    paths.settings_file().write_text("[documents]\ndpi = 300\n\n[llamacpp]\nn_ctx = 4096\n", encoding="utf-8")
    loaded = settings.load()
    expected = Settings()
    expected.documents.dpi = 300
    expected.llamacpp.n_ctx = 4096
    assert loaded == expected


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
