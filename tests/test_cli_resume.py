"""A rerun reuses a result only when it was read with the settings that shape its text (issue
20): raising the token budget read the page again instead of answering "read earlier" with the
old, cut text; the summary says why a page was read again. The real llama.cpp runtime with the
generated test model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ocr_desktop import settings as settings_mod
from ocr_desktop.core.store import JobStore
from ocr_desktop.pipeline.run import job_options, text_settings
from ocr_desktop.settings import Settings
from tests.fixtures.files import make_image
from tests.test_cli import FAST, ocr_desktop
from tests.test_cli_summary import summary_rows


@pytest.mark.llamacpp
def test_a_rerun_after_a_setting_that_shapes_the_text_reads_again(
    llamacpp_settings: Settings, tmp_path: Path
) -> None:
    # GIVEN a page read with a budget of 16 tokens
    settings_mod.save(llamacpp_settings.with_value("generation.max_tokens", 16))
    make_image(tmp_path / "docs" / "note.png", "A note")
    run = ("ocr", str(tmp_path / "docs"), *FAST, "--format", "txt", "--out", str(tmp_path / "out"))
    first = ocr_desktop(*run)
    assert first.returncode == 0, first.stdout + first.stderr
    assert summary_rows(first.stdout)["docs/note.png"][0] == "read"
    # WHEN the budget is raised and the same command runs again
    settings_mod.save(llamacpp_settings.with_value("generation.max_tokens", 64))
    again = ocr_desktop(*run)
    # THEN the page is read again (not "read earlier") and the summary says why
    assert again.returncode == 0, again.stdout + again.stderr
    status = summary_rows(again.stdout)["docs/note.png"][0]
    assert status == "read again (generation.max_tokens 16 → 64)", again.stdout
    # WHEN it runs once more with the same settings THEN that result is reused
    third = ocr_desktop(*run)
    assert summary_rows(third.stdout)["docs/note.png"][0] == "read earlier", third.stdout


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("generation.max_tokens", 64),
        ("generation.repetition_penalty", 1.2),
        ("llamacpp.catalog_model", "glm-ocr-other"),
        ("llamacpp.model_path", "/models/other.gguf"),
        ("llamacpp.mmproj_path", "/models/other-mmproj.gguf"),
        ("reading.layout_model", "cdla"),
        ("reading.keep_furniture", ("header",)),
        ("documents.dpi", 200),
        ("documents.max_pixels", 1_000_000),
        ("reading.mode", "page"),
    ],
)
def test_every_setting_that_shapes_the_text_keeps_a_result_from_being_reused(
    tmp_path: Path, key: str, value: object
) -> None:
    # GIVEN a finished job of a file, read in layout mode with the default settings
    source = make_image(tmp_path / "page.png")
    base = Settings().with_value("reading.mode", "layout")
    store = JobStore()
    try:
        job_id = store.create_job(source, source.name, 1, [0], job_options(base))
        found = store.find_job(source, job_options(base))
        assert found is not None and found.id == job_id
        # WHEN one setting that shapes the text differs THEN that job is not found for reuse
        changed = base.with_value(key, value)
        assert job_options(changed) != job_options(base), key
        assert store.find_job(source, job_options(changed)) is None
        # AND a job stored before these settings were kept is not reused either
        older = make_image(tmp_path / "older.png")
        store.create_job(older, older.name, 1, [0], dataclasses.replace(job_options(base), text_settings=""))
        assert store.find_job(older, job_options(base)) is None
        assert store.latest_job_of(older) is not None  # found to say why it was read again
    finally:
        store.close()


def test_settings_that_change_speed_only_keep_results_reusable() -> None:
    base = Settings()
    for key, value in (("llamacpp.n_threads", 2), ("llamacpp.n_gpu_layers", 0), ("vllm.max_in_flight", 2)):
        assert text_settings(base.with_value(key, value)) == text_settings(base), key


@pytest.mark.llamacpp
def test_long_names_and_another_documents_exports_through_the_cli(
    llamacpp_settings: Settings, tmp_path: Path
) -> None:
    # GIVEN a 255-byte and a 244-byte (80 Chinese characters) name, and a/report.png exported
    settings_mod.save(llamacpp_settings.with_value("generation.max_tokens", 16))
    long_name = make_image(tmp_path / "long" / ("x" * 251 + ".png"), "Long")
    chinese = make_image(tmp_path / "long" / ("报" * 80 + ".png"), "Chinese")
    out = tmp_path / "out"
    first = ocr_desktop("ocr", str(long_name), str(chinese), *FAST, "--format", "md,json", "--out", str(out))
    # THEN the run ends normally: both read and exported, the long name shortened and said so
    assert first.returncode == 0, first.stdout + first.stderr
    rows = summary_rows(first.stdout)
    assert rows[long_name.name][0] == "read" and "name shortened" in rows[long_name.name][-1]
    assert rows[chinese.name][0] == "read" and str(out / ("报" * 80 + ".md")) in rows[chinese.name][-1]
    assert "files: 4 written" in first.stdout
    # WHEN a/report.png and then, in a later run, b/report.png are exported to the same folder
    a = make_image(tmp_path / "a" / "report.png", "Report A")
    b = make_image(tmp_path / "b" / "report.png", "Report B")
    assert ocr_desktop("ocr", str(a), *FAST, "--format", "md", "--out", str(out)).returncode == 0
    kept = (out / "report.md").read_bytes()
    second = ocr_desktop("ocr", str(b), *FAST, "--format", "md", "--out", str(out))
    # THEN b's export is numbered, a's is untouched, and the summary says why
    assert second.returncode == 0, second.stdout
    assert (out / "report.md").read_bytes() == kept
    assert "report (2).md" in summary_rows(second.stdout)["report.png"][-1]
    assert "holds another document's export" in summary_rows(second.stdout)["report.png"][-1]
