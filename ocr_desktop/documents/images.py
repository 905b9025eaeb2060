"""Image files through Pillow: the pre-flight (frames, decompression bombs) and decoding a frame
into a model-ready page (EXIF orientation, transparency flattened on white, RGB, budget)."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, ImageOps

from ocr_desktop.documents.errors import DocumentError
from ocr_desktop.documents.pages import PageImage, fit_or_refuse, refuse_blank
from ocr_desktop.messages import Message

_PILLOW_FORMATS = {
    "png": ("PNG",),
    "jpeg": ("JPEG", "MPO"),  # MPO: camera JPEGs with a second preview picture; page 1 is the photo
    "webp": ("WEBP",),
    "bmp": ("BMP",),
    "gif": ("GIF",),
    "tiff": ("TIFF",),
}
_ORIENTATION_TAG = 0x0112
_ROTATING_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def image_error(where: str, kind: str, exc: BaseException, page_index: int | None = None) -> DocumentError:
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        # Pillow's message holds the pixel count: "Image size (900000000 pixels) exceeds limit…"
        stated = re.search(r"\((\d+) pixels\)", str(exc))
        return DocumentError(
            f"{where}: {_bomb_text(int(stated.group(1)) if stated else None)}", page_index=page_index
        )
    reason = str(exc) or type(exc).__name__
    return DocumentError(
        Message(
            "{where} looks like a {kind} image but cannot be decoded ({reason}) — the file is damaged or "
            "incomplete; copy or download it again",
            where=where,
            kind=kind.upper(),
            reason=reason,
        ),
        page_index=page_index,
    )


def _bomb_text(pixels: int | None, size: tuple[int, int] | None = None) -> str:
    limit = Image.MAX_IMAGE_PIXELS or 0
    dimensions = f"{size[0]}×{size[1]} = " if size else ""
    stated = f"the image is {dimensions}{pixels / 1e6:.0f} megapixels, " if pixels else ""
    return (
        f"{stated}over Pillow's {limit / 1e6:.0f}-megapixel safety limit against decompression bombs — "
        "scale it down (a 300 DPI A4 scan is 8.7 megapixels) and open it again"
    )


def _check_frame_size(where: str, size: tuple[int, int], page_index: int | None) -> None:
    """Refuse decompression bombs before decoding. Pillow itself only warns between its limit and
    twice its limit; the app refuses from the limit on, because memory is shared with the model.
    Pillow's limit itself is left as it is: whoever raises it for huge scans does so on purpose."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit and size[0] * size[1] > limit:
        raise DocumentError(f"{where}: {_bomb_text(size[0] * size[1], size)}", page_index=page_index)


def open_image(path: Path, name: str, kind: str) -> Image.Image:
    try:
        # formats= keeps Pillow from guessing another type than the one sniffed.
        return Image.open(path, formats=_PILLOW_FORMATS[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning arrives as an exception where warnings are errors (the test suite); where
        # they are not, _check_frame_size refuses the same image right after.
        raise image_error(name, kind, exc) from None
    except OSError as exc:
        raise image_error(name, kind, exc) from None


def image_preflight(path: Path, name: str, kind: str) -> int:
    with open_image(path, name, kind) as image:
        _check_frame_size(name, image.size, None)
        if kind != "tiff":
            return 1  # GIF, WebP: the first frame is the page; MPO: the main picture
        try:
            # Walks the IFD chain without decoding any frame.
            return int(getattr(image, "n_frames", 1))
        except Exception as exc:  # Pillow's TIFF reader raises many types on bad IFDs
            raise image_error(name, kind, exc) from None


def _stored_to_display(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in _ROTATING_ORIENTATIONS else size


def frame_to_page(
    image: Image.Image, *, where: str, index: int, kind: str, source: Path, max_pixels: int
) -> PageImage:
    """Decode the current frame of ``image`` (page ``index`` of ``source``, named ``where`` in
    messages) into a model-ready page (EXIF orientation applied, transparency flattened on
    white, RGB, resized to the budget)."""
    _check_frame_size(where, image.size, index)
    try:
        # Reading EXIF may read past the pixel data (a PNG's eXIf chunk), so it can fail too.
        orientation = image.getexif().get(_ORIENTATION_TAG, 1)
        original = _stored_to_display(image.size, orientation)
        target = fit_or_refuse(where, index, original, max_pixels)
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the target: a
            # 12-megapixel photo then decodes in a fraction of the time and memory.
            image.draft("RGB", _stored_to_display(target, orientation))
        image.load()
        rgb = _flatten_to_rgb(ImageOps.exif_transpose(image))
        if rgb.size != target:
            rgb = rgb.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except DocumentError:
        raise
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, zlib.error…
        raise image_error(where, kind, exc, index) from None
    refuse_blank(rgb, where, index)
    return PageImage(rgb, index, source, original)


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit scans: Pillow's plain conversion clips everything above 255 to white.
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")
