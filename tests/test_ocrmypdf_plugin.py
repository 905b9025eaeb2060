"""``ocrmypdf --plugin ocr_desktop.ocrmypdf_plugin``: the real ``ocrmypdf`` command reads a PDF
through the app's pipeline and the real llama.cpp backend (the generated test model), and the
store's results are reused: a second run's, and the app's own reading of the same file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.core.store import JobStore
from ocr_desktop.pipeline import Pipeline, PipelineListener
from ocr_desktop.settings import Settings
from tests.fixtures.files import make_pdf
from tests.fixtures.model import TestModel
from tests.test_searchable_pdf import comparable, pdftotext

pytestmark = pytest.mark.llamacpp

ROOT = Path(__file__).resolve().parents[1]


def ocrmypdf(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrmypdf", "--plugin", "ocr_desktop.ocrmypdf_plugin", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_ocrmypdf_reads_a_pdf_through_the_plugin(llamacpp_settings: Settings, tmp_path: Path) -> None:
    # GIVEN the app's settings naming the generated model (whole-page reading, short answers)
    settings = llamacpp_settings.with_value("generation.max_tokens", 24).with_value("reading.mode", "page")
    settings_mod.save(settings, paths.settings_file())
    source = make_pdf(tmp_path / "in.pdf", ["Invoice 1000 paid", "Second page total 42"])
    # WHEN ocrmypdf reads it with the plugin (no Ghostscript: plain PDF output; one worker)
    first = ocrmypdf("--output-type", "pdf", "-j", "1", source, tmp_path / "out.pdf")
    # THEN it succeeds, and the layer of each page holds what the model read for that page
    assert first.returncode == 0, first.stderr
    store = JobStore()
    try:
        jobs = store.list_jobs()
        assert len(jobs) == 2
        texts = [
            store.document_result(job.id).pages[0].text for job in sorted(jobs, key=lambda j: j.created_at)
        ]
    finally:
        store.close()
    assert all(texts)
    for number, text in enumerate(texts, 1):
        # -raw: the layer's own order (the model's), so the words read as the model wrote them
        layer = comparable(pdftotext(tmp_path / "out.pdf", "-raw", "-f", str(number), "-l", str(number)))
        assert comparable(text) in layer
    # AND a second run takes the pages from the store: no page is read again
    second = ocrmypdf("--output-type", "pdf", "-j", "1", source, tmp_path / "again.pdf")
    assert second.returncode == 0, second.stderr
    store = JobStore()
    try:
        assert len(store.list_jobs()) == 2
    finally:
        store.close()
    assert pdftotext(tmp_path / "again.pdf") == pdftotext(tmp_path / "out.pdf")


def test_ocrmypdf_reuses_the_apps_own_reading_of_the_file(
    llamacpp_settings: Settings, test_model: TestModel, tmp_path: Path
) -> None:
    # GIVEN the app's settings naming a copy of the generated model (whole pages, short answers)
    model = tmp_path / "model"
    model.mkdir()
    gguf, mmproj = (Path(shutil.copy2(f, model)) for f in (test_model.gguf, test_model.mmproj))
    settings = (
        llamacpp_settings.with_value("llamacpp.model_path", str(gguf))
        .with_value("llamacpp.mmproj_path", str(mmproj))
        .with_value("generation.max_tokens", 24)
        .with_value("reading.mode", "page")
    )
    settings_mod.save(settings, paths.settings_file())
    settings = settings_mod.load_file().settings  # as the plugin will load them
    source = make_pdf(tmp_path / "in.pdf", ["Invoice 1000 paid", "Second page total 42"])
    # AND the app's pipeline has read the two-page PDF into the store (as the window or the CLI do)
    store = JobStore()
    pipeline = Pipeline(store, settings, PipelineListener())
    pipeline.start()
    try:
        pipeline.submit(source)
        assert pipeline.wait_idle(300)
    finally:
        assert pipeline.shutdown()
    (job,) = store.list_jobs()
    read = store.document_result(job.id)
    store.close()
    assert [p.page_index for p in read.pages] == [0, 1] and all(p.text.strip() for p in read.pages)
    # AND the model file is then broken in place, its size and time kept: the store still takes
    # the results as read with these settings, but any page read now would fail to load the model
    stamp = gguf.stat()
    gguf.write_bytes(b"\0" * stamp.st_size)
    os.utime(gguf, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    # WHEN ocrmypdf reads the same file with the plugin and the same settings and store
    run = ocrmypdf("--output-type", "pdf", "-j", "1", source, tmp_path / "out.pdf")
    # THEN it succeeds, no page was read again (no job, no page image handed to the pipeline, the
    # job's rows as they were), and each page's layer holds the text the app stored
    assert run.returncode == 0, run.stderr
    assert "taken from the store" in run.stderr
    assert "could not read" not in run.stderr
    store = JobStore()
    try:
        assert store.list_jobs() == [job]
        assert store.document_result(job.id) == read
    finally:
        store.close()
    assert not (paths.cache_dir() / "ocrmypdf-pages").exists()
    for page in read.pages:
        number = str(page.page_index + 1)
        layer = comparable(pdftotext(tmp_path / "out.pdf", "-raw", "-f", number, "-l", number))
        assert comparable(page.text) in layer
