"""Loading documents safely: paths or bytes in, decoded pages out.

:func:`load` accepts a path, bytes, or a sequence of them and returns one
:class:`~kyc_ocr.domain.PageImage` per page (RGB ``uint8``, EXIF orientation
applied, 1-based page numbers, the SHA-256 of the whole input). The type is
recognised from the first bytes, never from the file name. JPEG, PNG, TIFF
(every frame a page), WebP, BMP, GIF (first frame) and PDF (rendered at
``Settings.pdf_dpi``, with the text layer of digital pages) are read.

Everything that can go wrong with the input (missing file, directory, empty
or oversized file, unknown type, corrupt or truncated data, decompression
bomb, too many pages, encrypted PDF, wrong Python type) raises
:class:`~kyc_ocr.errors.InputError` with a one-line message naming the source.

>>> load(b"hello world")
Traceback (most recent call last):
...
kyc_ocr.errors.InputError: <bytes:b94d27b9934d>: not a supported image or PDF (looks like text)
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from kyc_ocr.config import Settings
from kyc_ocr.domain import PageImage
from kyc_ocr.errors import InputError
from kyc_ocr.io.images import decode_image
from kyc_ocr.io.pdf import decode_pdf
from kyc_ocr.io.sniff import describe, sniff

log = logging.getLogger(__name__)

Source = str | os.PathLike[str] | bytes | bytearray | memoryview

__all__ = ["Source", "load", "load_one", "source_name"]


def source_name(source: Source, data: bytes | None = None) -> str:
    """How a source is named in pages and messages: its path, or ``<bytes:...>`` with a digest prefix.

    >>> source_name(b"abc")
    '<bytes:ba7816bf8f01>'
    >>> source_name(Path("scans") / "id.png")
    'scans/id.png'
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<bytes:{hashlib.sha256(bytes(source) if data is None else data).hexdigest()[:12]}>"
    return os.fspath(source)


def _read(source: Source, settings: Settings) -> tuple[str, bytes]:
    """``(name, data)`` of one source, with the size checks done before reading a file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = source_name(source, data)
    elif isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if not name:
            raise InputError("empty path given as a source")
        data = _read_file(Path(name), name, settings.max_file_bytes)
    else:
        raise InputError(f"unsupported source of type {type(source).__name__}; give a path or bytes")
    if not data:
        raise InputError(f"{name}: empty file (0 bytes)")
    if len(data) > settings.max_file_bytes:
        raise InputError(f"{name}: {len(data):,} bytes, over the limit of {settings.max_file_bytes:,}")
    return name, data


def _read_file(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise InputError(f"{name}: is a directory, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{name}: {size:,} bytes, over the limit of {max_bytes:,}")
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or type(err).__name__})") from None


def load_one(source: Source, settings: Settings | None = None) -> list[PageImage]:
    """Every page of one document (path or bytes)."""
    settings = settings or Settings()
    name, data = _read(source, settings)
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data[:2048])
    if kind is None:
        raise InputError(f"{name}: not a supported image or PDF ({describe(data[:2048])})")
    family, media = kind
    pages: list[PageImage] = []
    if family == "pdf":
        rendered = decode_pdf(data, name, dpi=float(settings.pdf_dpi), max_pixels=settings.max_pixels,
                              max_pages=settings.max_pages)
        for k, r in enumerate(rendered, 1):
            size = (int(r.image.shape[1]), int(r.image.shape[0]))
            pages.append(PageImage(r.image, name, k, digest, media, r.dpi, r.text_layer, orig_size=size))
    else:
        decoded = decode_image(data, name, media, max_pixels=settings.max_pixels, max_pages=settings.max_pages)
        for k, d in enumerate(decoded, 1):
            size = (int(d.image.shape[1]), int(d.image.shape[0]))
            pages.append(PageImage(d.image, name, k, digest, media, d.dpi, orig_size=size))
    log.debug("loaded %s: %s, %d page(s)", name, media, len(pages))
    return pages


def load(sources: Source | Sequence[Source], settings: Settings | None = None) -> list[PageImage]:
    """Every page of every source, in order; see the module docstring for what is accepted."""
    settings = settings or Settings()
    if isinstance(sources, (str, os.PathLike, bytes, bytearray, memoryview)):
        return load_one(sources, settings)
    if not isinstance(sources, Sequence):
        raise InputError(f"unsupported source of type {type(sources).__name__}; give a path, bytes or a list of them")
    checked: list[Source] = []
    for source in sources:  # every type is checked before anything is decoded
        if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
            raise InputError(f"unsupported source of type {type(source).__name__}; give a path or bytes")
        checked.append(source)
    pages: list[PageImage] = []
    for source in checked:
        pages.extend(load_one(source, settings))
    return pages
