"""A document's type judged from its first bytes (never from its extension), what an
unsupported file seems to be, and how a path is named for people."""

from __future__ import annotations

import os
from pathlib import Path

#: Kinds of document the app reads, as ``Document.kind`` names them.
SUPPORTED_KINDS = ("pdf", "png", "jpeg", "webp", "bmp", "gif", "tiff")
SUPPORTED_DESCRIPTION = "PDF, PNG, JPEG, WebP, BMP, GIF or TIFF"
_SNIFF_BYTES = 1024  # PDF readers accept the %PDF- header anywhere in the first 1024 bytes


def display_name(path: Path) -> str:
    """The file name for people: bytes that are not UTF-8 become U+FFFD instead of surrogates
    (which Qt, log files and JSON encoders reject)."""
    return os.fsencode(path.name).decode("utf-8", "replace")


def read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SNIFF_BYTES)


def sniff_bytes(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    # "BM" alone would match any text starting with those letters; the DIB header size pins it.
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    if b"%PDF-" in head:
        return "pdf"
    return None


def sniff(path: Path) -> str | None:
    """The document kind of ``path`` judged from its first bytes (one of ``SUPPORTED_KINDS``),
    or None when it is not a supported type or cannot be read."""
    try:
        return sniff_bytes(read_head(path))
    except OSError:
        return None


_KNOWN_OTHER_TYPES = (
    (b"PK\x03\x04", "a ZIP archive (or a Word, OpenDocument or EPUB file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"%!PS", "a PostScript file"),
    (b"AT&TFORM", "a DjVu document"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"P1", "a PBM/PGM/PPM image"),
)


def describe_unsupported(head: bytes) -> str:
    """Say what an unsupported file seems to be, so the message can suggest a conversion."""
    for magic, description in _KNOWN_OTHER_TYPES:
        if head.startswith(magic):
            return description
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC/HEIF photo"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video or MP4-family file"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<svg", b"<?xml")):
        return "an SVG or XML file"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file of unknown type"
    return "a text file"


def display_path(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", "replace")
