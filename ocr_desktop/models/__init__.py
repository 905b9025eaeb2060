"""GLM-OCR model files: the catalog, downloads into the Hugging Face cache, local paths.

huggingface_hub is imported lazily inside the functions that use it.
"""

from ocr_desktop.models.catalog import CATALOG, CatalogEntry, ModelFile, UnknownModelError, get_entry
from ocr_desktop.models.hub import (
    DownloadProgress,
    FileCheck,
    HubUnreachableError,
    ModelError,
    ModelNotFoundError,
    model_paths,
    pull,
    remove,
    resolve_llamacpp_files,
    verify,
)

__all__ = [
    "CATALOG",
    "CatalogEntry",
    "DownloadProgress",
    "FileCheck",
    "HubUnreachableError",
    "ModelError",
    "ModelFile",
    "ModelNotFoundError",
    "UnknownModelError",
    "get_entry",
    "model_paths",
    "pull",
    "remove",
    "resolve_llamacpp_files",
    "verify",
]
