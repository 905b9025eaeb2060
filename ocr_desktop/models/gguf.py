"""Reading a GGUF file's header (metadata key/values) without loading the model.

Cheap enough to run before every load: it tells a text model from a vision projector, catches
files that are not GGUF at all (a truncated download, an HTML error page saved as .gguf), and
gives the dimensions the memory estimate needs. Only the header is read; tensors are not touched.
Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (little-endian, version 2 and 3).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ocr_desktop.messages import Message

MAGIC = b"GGUF"

#: Arrays up to this many items are kept; longer ones (the vocabulary) are skipped over.
MAX_KEPT_ARRAY = 64

_SCALARS = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}
_STRING, _ARRAY = 8, 9


class GgufError(ValueError):
    """The file is not a readable GGUF file; the message says which file and why."""


@dataclass(frozen=True)
class GgufHeader:
    path: Path
    version: int
    tensor_count: int
    metadata: dict[str, Any] = field(repr=False)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def is_projector(self) -> bool:
        """A multimodal projector (mmproj) rather than a language model."""
        return self.architecture == "clip"

    def arch_value(self, key: str, default: Any = None) -> Any:
        """``{architecture}.{key}``, e.g. ``arch_value("block_count")``."""
        return self.metadata.get(f"{self.architecture}.{key}", default)


def read_gguf_header(path: Path) -> GgufHeader:
    """Read the metadata of ``path``. Raises GgufError for anything that is not a valid GGUF header."""
    try:
        with path.open("rb") as f:
            if f.read(4) != MAGIC:
                raise GgufError(
                    Message(
                        "{path} is not a GGUF file (wrong magic bytes) — it may be damaged or incomplete",
                        path=str(path),
                    )
                )
            version, tensor_count, kv_count = struct.unpack("<IQQ", _read(f, 20))
            if version not in (2, 3):
                raise GgufError(
                    Message(
                        "{path} has GGUF version {version}, which is not supported (2 or 3 are)",
                        path=str(path),
                        version=version,
                    )
                )
            metadata: dict[str, Any] = {}
            for _ in range(kv_count):
                key = _read_string(f)
                (value_type,) = struct.unpack("<I", _read(f, 4))
                value = _read_value(f, value_type)
                if value is not _SKIPPED:
                    metadata[key] = value
    except GgufError:
        raise
    except (struct.error, UnicodeDecodeError, EOFError, MemoryError) as exc:
        raise GgufError(
            Message(
                "{path} has a damaged GGUF header ({reason}) — download it again",
                path=str(path),
                reason=str(exc),
            )
        ) from None
    return GgufHeader(path, version, tensor_count, metadata)


_SKIPPED = object()


def _read(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise EOFError("the file ends inside the header")
    return data


def _read_string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(f, 8))
    if length > 1 << 26:  # 64 MiB: no real key or value is this long; the header is garbage
        raise EOFError(f"implausible string length {length}")
    return _read(f, length).decode("utf-8")


def _read_value(f: BinaryIO, value_type: int) -> Any:
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, _read(f, struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _read_string(f)
    if value_type == _ARRAY:
        item_type, count = struct.unpack("<IQ", _read(f, 12))
        if count <= MAX_KEPT_ARRAY:
            return [_read_value(f, item_type) for _ in range(count)]
        if item_type in _SCALARS:
            f.seek(count * struct.calcsize(_SCALARS[item_type]), 1)
        else:
            for _ in range(count):
                _read_value(f, item_type)
        return _SKIPPED
    raise EOFError(f"unknown GGUF value type {value_type}")
