"""Raster images (JPEG, PNG, TIFF, WebP, BMP, GIF) decoded with Pillow, guarded.

Pixel counts are checked from the header before any pixel is decoded;
truncated files are refused rather than decoded partially (a half-grey
passport would OCR as a different document; Pillow's global
``ImageFile.LOAD_TRUNCATED_IMAGES`` is left alone). A PNG that lost only its
closing ``IEND`` chunk still holds every pixel and is accepted. Multi-page
TIFF frames are pages; other formats give their first frame; EXIF
orientation is applied; transparency is composed over white paper. Every Pillow failure becomes an
:class:`~kyc_ocr.errors.InputError` naming the source.
"""

from __future__ import annotations

import io
import logging
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

# What Pillow raises on malformed data. Its plugins parse untrusted bytes with
# plain Python, so index/struct/key errors escape from them too; all of them
# mean "this file is corrupt" here and become an InputError.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
    struct.error, zlib.error, ZeroDivisionError, OverflowError, Image.DecompressionBombError,
    MemoryError, RecursionError,
)

_WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Decoded:
    """One decoded frame: RGB ``uint8`` (H, W, 3) and the resolution the file states."""

    image: np.ndarray
    dpi: float | None


def _dpi(value: object) -> float | None:
    """The horizontal resolution a file states (Pillow's ``info["dpi"]``), when it is plausible.

    >>> _dpi((300, 300)), _dpi((0, 0)), _dpi(None)
    (300.0, None, None)
    """
    if isinstance(value, tuple) and value:
        value = value[0]
    try:
        dpi = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(dpi, 2) if 10 <= dpi <= 10_000 else None


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Any Pillow mode -> RGB ``uint8``; transparency over white, 16-bit and float scaled to 8 bits."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        if im.mode == "F" and top <= 1.0:
            top = 1.0
        grey = np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, _WHITE)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        im = canvas
    elif im.mode != "RGB":
        im = im.convert("RGB")
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))


def _check_pixels(name: str, size: tuple[int, int], max_pixels: int, what: str = "image") -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise InputError(f"{name}: {what} has no pixels ({w}x{h})")
    if w * h > max_pixels:
        raise InputError(f"{name}: {what} of {w}x{h} = {w * h:,} pixels exceeds the limit of {max_pixels:,} "
                         "(possible decompression bomb)")


def _frames(im: Image.Image, name: str, media: str, max_pages: int) -> Iterator[int]:
    """Frame indices that are pages: every TIFF frame, the first frame of anything else."""
    if media != "image/tiff":
        yield 0
        return
    count = int(getattr(im, "n_frames", 1))
    if count > max_pages:
        raise InputError(f"{name}: {count} pages, more than the limit of {max_pages}")
    yield from range(count)


def _open(data: bytes, name: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as err:
        raise InputError(f"{name}: image too large to decode safely ({err})") from None
    except UnidentifiedImageError:
        raise InputError(f"{name}: corrupt or unsupported image (the header cannot be read)") from None
    except DECODE_ERRORS as err:
        raise InputError(f"{name}: corrupt image ({type(err).__name__}: {err})") from None


def decode_image(data: bytes, name: str, media: str, *, max_pixels: int, max_pages: int) -> list[Decoded]:
    """Every page of an image file, decoded to RGB with EXIF orientation applied."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        log.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is set globally; truncated images may be accepted")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF" chatter; real failures raise
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = _open(data, name)
        try:
            return [_decode_frame(im, k, name, max_pixels) for k in _frames(im, name, media, max_pages)]
        except Image.DecompressionBombWarning as err:
            raise InputError(f"{name}: image too large to decode safely ({err})") from None
        except InputError:
            raise
        except DECODE_ERRORS as err:
            raise InputError(f"{name}: corrupt or truncated image ({type(err).__name__}: {err})") from None
        finally:
            im.close()


def _decode_frame(im: Image.Image, index: int, name: str, max_pixels: int) -> Decoded:
    if index:
        im.seek(index)
    what = f"page {index + 1}" if index else "image"
    _check_pixels(name, im.size, max_pixels, what)
    im.load()
    dpi = _dpi(im.info.get("dpi"))
    upright = ImageOps.exif_transpose(im) or im
    return Decoded(_to_rgb(upright), dpi)
