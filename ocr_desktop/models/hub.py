"""Downloading, verifying, locating and removing catalog models in the Hugging Face cache.

Files go into huggingface_hub's standard cache (``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else
``~/.cache/huggingface/hub``), so models already fetched by other tools are reused and the other
tools reuse ours. huggingface_hub resumes a file whose connection drops (an HTTP Range request
from where it stopped); files already complete are skipped when a pull is run again.
Model files the user already has are accepted from any path (``resolve_llamacpp_files``).

huggingface_hub reads ``HF_ENDPOINT``/``HF_HOME`` once, at import; this module passes the endpoint
and cache folder on every call instead, so they follow the environment at call time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocr_desktop.messages import Message
from ocr_desktop.models.catalog import CatalogEntry, ModelFile, get_entry, hash_matches

if TYPE_CHECKING:
    from ocr_desktop.settings import Settings

log = logging.getLogger(__name__)


def _pull_hint(name: str) -> Message:
    return Message(
        "download it with `ocr-desktop models pull {name}` or choose files in Settings → llama.cpp", name=name
    )


class ModelError(Exception):
    """A model cannot be found, fetched or trusted; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelNotFoundError(ModelError):
    """The model files are not on this machine."""


class HubUnreachableError(ModelError):
    """The Hub cannot be reached (offline, DNS, proxy, timeout)."""


@dataclass(frozen=True)
class DownloadProgress:
    filename: str
    done_bytes: int
    total_bytes: int | None
    bytes_per_s: float


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True)
class FileCheck:
    """The outcome of verifying one file."""

    filename: str
    path: Path | None
    ok: bool
    detail: str  # "size and sha256 match the Hub" / what is wrong


def hub_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    hf_home = os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface"
    return Path(hf_home) / "hub"


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def cached_path(entry: CatalogEntry, file: ModelFile) -> Path | None:
    """Where ``file`` of ``entry`` is in the Hub cache, or None if it is not (completely) downloaded."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        entry.repo_id, file.filename, cache_dir=hub_cache_dir(), revision=entry.revision
    )
    return Path(found) if isinstance(found, str) else None


def _snapshot_dir(entry: CatalogEntry) -> Path | None:
    """The downloaded snapshot of a whole-repository entry (the vLLM checkpoint)."""
    repo_dir = hub_cache_dir() / f"models--{entry.repo_id.replace('/', '--')}"
    ref = repo_dir / "refs" / entry.revision
    if not ref.is_file():
        return None
    snapshot = repo_dir / "snapshots" / ref.read_text(encoding="utf-8").strip()
    return snapshot if (snapshot / "config.json").is_file() else None


def model_paths(name: str) -> dict[str, Path]:
    """The local files of catalog model ``name`` by role ("model", "mmproj"; "snapshot" for vLLM).

    Raises ModelNotFoundError when they are not downloaded.
    """
    entry = get_entry(name)
    if not entry.files:
        snapshot = _snapshot_dir(entry)
        if snapshot is None:
            raise ModelNotFoundError(
                Message("model '{name}' is not downloaded — {hint}", name=name, hint=_pull_hint(name))
            )
        return {"snapshot": snapshot}
    paths: dict[str, Path] = {}
    for f in entry.files:
        path = cached_path(entry, f)
        if path is None:
            raise ModelNotFoundError(
                Message(
                    "model file not found: {file} of '{name}' — {hint}",
                    file=f.filename,
                    name=name,
                    hint=_pull_hint(name),
                )
            )
        paths[f.role] = path
    return paths


def resolve_llamacpp_files(settings: Settings) -> tuple[Path, Path]:
    """The (text GGUF, mmproj GGUF) pair the settings select: explicit paths, else the catalog model.

    With a model path but no projector path, a single ``mmproj*.gguf`` beside the model is used.
    Raises ModelNotFoundError with what to do.
    """
    ls = settings.llamacpp
    hint = _pull_hint(ls.catalog_model or "glm-ocr-q8_0")
    if not ls.model_path:
        entry = get_entry(ls.catalog_model)
        if entry.runtime != "llamacpp":
            raise ModelNotFoundError(
                f"catalog model '{entry.name}' is for {entry.runtime}, not llama.cpp — choose a GGUF "
                "model (llamacpp.catalog_model = glm-ocr-q8_0 or glm-ocr-f16)"
            )
        paths = model_paths(entry.name)
        return paths["model"], paths["mmproj"]
    model = Path(ls.model_path).expanduser()
    if not model.is_file():
        raise ModelNotFoundError(Message("model file not found: {path} — {hint}", path=str(model), hint=hint))
    if ls.mmproj_path:
        mmproj = Path(ls.mmproj_path).expanduser()
    else:
        beside = sorted(model.parent.glob("mmproj*.gguf"))
        if len(beside) != 1:
            raise ModelNotFoundError(
                f"no vision projector chosen for {model.name}: choose the mmproj GGUF that belongs to it "
                "in Settings → llama.cpp (llamacpp.mmproj_path)"
            )
        mmproj = beside[0]
    if not mmproj.is_file():
        raise ModelNotFoundError(
            Message("vision projector file not found: {path} — {hint}", path=str(mmproj), hint=hint)
        )
    return model, mmproj


def _progress_bar_class(notify: ProgressCallback) -> type[Any]:
    """A tqdm class huggingface_hub drives per file, reporting to ``notify`` instead of drawing."""
    from huggingface_hub.utils import tqdm as hf_tqdm

    class ReportingBar(hf_tqdm):
        monitor_interval = 0  # no tqdm monitor thread: this bar never draws, so never stalls

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # A disabled tqdm draws nothing and counts nothing, so the bytes are counted here.
            self._filename = str(kwargs.get("desc") or "")
            self._total = kwargs.get("total")
            self._initial = self._done = int(kwargs.get("initial") or 0)  # resumed bytes
            self._started = time.monotonic()
            super().__init__(*args, **{**kwargs, "disable": True})
            self._report()

        def update(self, n: float | None = 1) -> bool | None:
            self._done += int(n or 0)
            self._report()
            return None

        def _report(self) -> None:
            elapsed = max(time.monotonic() - self._started, 1e-6)
            notify(
                DownloadProgress(
                    filename=self._filename,
                    done_bytes=self._done,
                    total_bytes=int(self._total) if self._total else None,
                    bytes_per_s=(self._done - self._initial) / elapsed,
                )
            )

    return ReportingBar


def _check_disk_space(entry: CatalogEntry) -> None:
    if not entry.download_bytes:
        return
    cache = hub_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache).free
    if free < entry.download_bytes:
        raise ModelError(
            Message(
                "not enough disk space for '{name}': needs {needed:.2f} GB in {cache}, {free:.2f} GB free "
                "— free some space or set HF_HOME to a larger disk",
                name=entry.name,
                needed=entry.download_bytes / 1e9,
                cache=str(cache),
                free=free / 1e9,
            )
        )


def _hub_failure(entry: CatalogEntry, exc: Exception) -> ModelError:
    """Turn a huggingface_hub/HTTP exception into a message a person can act on."""
    from huggingface_hub import errors

    repo, hub = entry.repo_id, hub_endpoint()
    if isinstance(exc, errors.OfflineModeIsEnabled) or _offline():
        return HubUnreachableError(
            Message(
                "cannot download '{name}': offline mode is on (HF_HUB_OFFLINE) — unset it, or copy the "
                "model files here and choose them in Settings → llama.cpp",
                name=entry.name,
            )
        )
    if isinstance(exc, errors.RepositoryNotFoundError):
        return ModelError(
            Message("{repo} on {hub} was not found (or needs a login: `hf auth login`)", repo=repo, hub=hub)
        )
    if isinstance(exc, errors.HfHubHTTPError):
        return ModelError(
            Message(
                "the Hub refused the download of '{name}' from {repo} on {hub}: {reason}",
                name=entry.name,
                repo=repo,
                hub=hub,
                reason=str(exc),
            )
        )
    return HubUnreachableError(
        Message(
            "cannot reach the Hugging Face Hub at {hub} to download '{name}' ({reason}) — check the network "
            "connection or proxy and run the command again (files already downloaded are kept)",
            hub=hub,
            name=entry.name,
            reason=str(exc),
        )
    )


def _check_hub_reachable(entry: CatalogEntry) -> None:
    """Fail fast when offline: huggingface_hub retries an unreachable Hub for ~25 s before giving up."""
    import httpx

    if _offline():
        raise _hub_failure(entry, ConnectionError("offline mode"))
    try:
        httpx.head(hub_endpoint(), timeout=10)  # any HTTP answer, even an error status, means reachable
    except httpx.TransportError as exc:
        raise _hub_failure(entry, exc) from exc


def pull(name: str, progress: ProgressCallback | None = None) -> dict[str, Path]:
    """Download catalog model ``name`` (resuming partial files), then verify it against the Hub.

    Returns the local paths by role. Raises ModelError with what to do.
    """
    from huggingface_hub import hf_hub_download, snapshot_download

    entry = get_entry(name)
    _check_disk_space(entry)
    _check_hub_reachable(entry)
    bar = _progress_bar_class(progress or (lambda _progress: None))
    cache = hub_cache_dir()
    try:
        if not entry.files:
            snapshot_download(
                entry.repo_id,
                revision=entry.revision,
                cache_dir=cache,
                endpoint=hub_endpoint(),
                tqdm_class=bar,
            )
        for f in entry.files:
            hf_hub_download(
                entry.repo_id,
                f.filename,
                revision=entry.revision,
                cache_dir=cache,
                endpoint=hub_endpoint(),
                tqdm_class=bar,
            )
    except ModelError:
        raise
    except Exception as exc:  # huggingface_hub raises many types (HTTP, OS, connection); all are reported
        log.debug("download of %s failed", name, exc_info=True)
        raise _hub_failure(entry, exc) from exc
    failed = [check for check in verify(name) if not check.ok]
    if failed:
        details = "; ".join(f"{c.filename}: {c.detail}" for c in failed)
        raise ModelError(
            Message(
                "'{name}' downloaded but failed verification ({details}) — "
                "run `ocr-desktop models rm {name}` and pull it again",
                name=name,
                details=details,
            )
        )
    return model_paths(name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _hub_file_metadata(entry: CatalogEntry) -> dict[str, tuple[int | None, str | None]]:
    """filename → (size, sha256) from the Hub's model info (sha256 only for LFS files)."""
    from huggingface_hub import HfApi

    info = HfApi(endpoint=hub_endpoint()).model_info(
        entry.repo_id, revision=entry.revision, files_metadata=True
    )
    return {
        s.rfilename: (s.lfs.size if s.lfs else s.size, s.lfs.sha256 if s.lfs else None)
        for s in info.siblings or []
    }


def verify(name: str) -> list[FileCheck]:
    """Check each downloaded file's size and sha256 against the Hub's metadata and the catalog.

    Without a network the cache's own record is used: an LFS file's blob is named by its sha256.
    Raises ModelNotFoundError when the model is not downloaded.
    """
    entry = get_entry(name)
    paths = model_paths(name)
    try:
        remote = _hub_file_metadata(entry)
        source = "the Hub"
    except Exception as exc:  # any failure to reach the Hub falls back to offline checks
        log.info("verifying %s offline: %s", name, exc)
        remote, source = {}, "the download record (Hub unreachable)"
    files = entry.files or tuple(
        ModelFile(str(p.relative_to(paths["snapshot"])), "file")
        for p in sorted(paths["snapshot"].rglob("*"))
        if p.is_file()
    )
    root = paths.get("snapshot")
    checks = []
    for f in files:
        path = root / f.filename if root else paths[f.role]
        size, sha = remote.get(f.filename, (None, None))
        size = size if size is not None else f.size
        checks.append(_check_file(f, path, size, sha, source))
    return checks


def _check_file(f: ModelFile, path: Path, size: int | None, sha: str | None, source: str) -> FileCheck:
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return FileCheck(f.filename, path, False, f"size {actual_size:,} B, expected {size:,} B")
    blob_name = path.resolve().name
    # The Hub's current metadata wins; offline, the blob's name (huggingface_hub names an LFS blob
    # after the sha256 the Hub announced); last, the catalog's record (possibly abbreviated).
    expected = sha or (blob_name if len(blob_name) == 64 else None) or f.sha256
    if expected is None:
        return FileCheck(f.filename, path, True, f"size matches {source} (no sha256 published for this file)")
    actual = _sha256(path)
    if not hash_matches(expected, actual):
        return FileCheck(f.filename, path, False, f"sha256 {actual[:12]}… does not match {expected[:12]}…")
    # A full SHA-256 in the catalog is our own pin: the file must be that one even when the Hub
    # (a moving branch, a replaced upload) now announces another.
    if f.sha256 is not None and _is_full_sha256(f.sha256) and f.sha256.lower() != actual:
        return FileCheck(
            f.filename, path, False, f"sha256 {actual[:12]}… is not the catalog's pinned {f.sha256[:12]}…"
        )
    return FileCheck(f.filename, path, True, f"size and sha256 match {source}")


def _is_full_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text)


def remove(name: str) -> int:
    """Delete catalog model ``name`` from the Hub cache; return the bytes freed.

    Only this entry's files go: two entries may share a repository (the Q8_0 and F16 GGUFs).
    """
    entry = get_entry(name)
    freed = 0
    if not entry.files:
        snapshot = _snapshot_dir(entry)
        if snapshot is None:
            raise ModelNotFoundError(f"model '{name}' is not downloaded")
        repo_dir = snapshot.parent.parent
        freed = sum(p.stat().st_size for p in repo_dir.rglob("*") if p.is_file() and not p.is_symlink())
        shutil.rmtree(repo_dir)
        return freed
    found = False
    for f in entry.files:
        link = cached_path(entry, f)
        if link is None:
            continue
        found = True
        blob = link.resolve()
        if blob != link and blob.exists():
            freed += blob.stat().st_size
            blob.unlink()
        link.unlink(missing_ok=True)
    if not found:
        raise ModelNotFoundError(f"model '{name}' is not downloaded")
    return freed
