"""A catalog entry pinned by revision and full SHA-256 per file: the download is verified against
our own pin, and a file the Hub now serves differently is refused (docs/layout.md)."""

from __future__ import annotations

import hashlib

import pytest

from ocr_desktop.models import catalog, hub
from ocr_desktop.models.catalog import CatalogEntry, ModelFile
from tests.test_models import MODEL_BYTES, REPO, FakeHub, fake_hub  # noqa: F401  (fixture)


def _pinned(sha256: str) -> CatalogEntry:
    return CatalogEntry(
        "test-pinned",
        "layout",
        REPO,
        "a pinned layout model",
        files=(ModelFile("GLM-OCR-test.gguf", "model", len(MODEL_BYTES), sha256),),
        download_bytes=len(MODEL_BYTES),
    )


def test_a_file_matching_its_pin_is_accepted(
    fake_hub: FakeHub,  # noqa: F811  (the imported fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        catalog, "CATALOG", (*catalog.CATALOG, _pinned(hashlib.sha256(MODEL_BYTES).hexdigest()))
    )
    paths = hub.pull("test-pinned")
    assert paths["model"].read_bytes() == MODEL_BYTES
    assert all(check.ok for check in hub.verify("test-pinned"))


def test_a_file_the_hub_serves_differently_from_the_pin_is_refused(
    fake_hub: FakeHub,  # noqa: F811  (the imported fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a catalog pin of the file as it was, and a Hub whose metadata announces (and serves)
    # a replaced upload with its own, consistent sha256
    old = hashlib.sha256(b"the file as it was pinned").hexdigest()
    monkeypatch.setattr(catalog, "CATALOG", (*catalog.CATALOG, _pinned(old)))
    # WHEN it is pulled
    with pytest.raises(hub.ModelError) as caught:
        hub.pull("test-pinned")
    # THEN verification fails on our pin, not on the Hub's word, and says what to do
    message = str(caught.value.message)
    assert "pinned" in message and "models rm test-pinned" in message
    [check] = hub.verify("test-pinned")
    assert not check.ok and old[:12] in check.detail
