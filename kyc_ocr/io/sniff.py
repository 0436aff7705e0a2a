"""Recognise what a file is from its first bytes, never from its name.

>>> sniff(b"\\x89PNG\\r\\n\\x1a\\n....")
('image', 'image/png')
>>> sniff(b"%PDF-1.7\\n")
('pdf', 'application/pdf')
>>> sniff(b"II*\\x00\\x08\\x00")
('image', 'image/tiff')
>>> describe(b"Dear customer, please find attached")
'looks like text'
>>> describe(b"PK\\x03\\x04rest")
'looks like a ZIP archive or Office document'
"""

from __future__ import annotations

# (prefix, offset, kind, media type); checked in order
_MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image", "image/png"),
    (b"II*\x00", 0, "image", "image/tiff"),
    (b"MM\x00*", 0, "image", "image/tiff"),
    (b"II+\x00", 0, "image", "image/tiff"),  # BigTIFF
    (b"MM\x00+", 0, "image", "image/tiff"),
    (b"WEBP", 8, "image", "image/webp"),
    (b"BM", 0, "image", "image/bmp"),
    (b"GIF87a", 0, "image", "image/gif"),
    (b"GIF89a", 0, "image", "image/gif"),
)

PDF_SIGNATURE = b"%PDF-"
PDF_SEARCH = 1024  # PDF readers accept a few junk bytes before the header

_OTHER: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip data"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image (not supported)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(kind, media_type)`` of a supported file from its first bytes, ``kind`` being ``image`` or ``pdf``.

    ``None`` when the bytes are neither a supported image nor a PDF.
    """
    for magic, offset, kind, media in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if media == "image/webp" and head[:4] != b"RIFF":
                continue
            return kind, media
    if PDF_SIGNATURE in head[:PDF_SEARCH]:
        return "pdf", "application/pdf"
    return None


def describe(head: bytes) -> str:
    """A few words on what unsupported bytes look like, for the error message."""
    for magic, what in _OTHER:
        if head.startswith(magic):
            return f"looks like {what}"
    sample = head[:512]
    if sample.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "looks like HTML"
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as err:
        text = sample[: err.start].decode("utf-8") if err.start >= len(sample) - 3 else ""
    if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
        return "looks like text"
    return "unknown binary data"
