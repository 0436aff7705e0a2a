"""Fonts the synthetic documents are printed in.

The MRZ is always OCR-B (Debian ``fonts-ocr-b``); the rest of a document is
set in one family drawn per document from a few sans and serif faces
(Debian ``fonts-dejavu``, ``fonts-liberation2``, ``fonts-freefont-ttf``), so
extraction cannot learn one typeface.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from PIL import ImageFont

from kyc_ocr.errors import ConfigError

log = logging.getLogger(__name__)

_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

#: family -> (regular file, bold file); file names as Debian installs them.
FAMILIES: dict[str, tuple[str, str]] = {
    "dejavu-sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu-sans-condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "dejavu-serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "liberation-sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "liberation-serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "free-sans": ("FreeSans.ttf", "FreeSansBold.ttf"),
    "free-serif": ("FreeSerif.ttf", "FreeSerifBold.ttf"),
}
SANS = ("dejavu-sans", "dejavu-sans-condensed", "liberation-sans", "free-sans")
SERIF = ("dejavu-serif", "liberation-serif", "free-serif")
MRZ_FAMILY = "ocr-b"
_MRZ_FILE = "OCRB.otf"

_PACKAGES = "apt-get install fonts-ocr-b fonts-dejavu fonts-liberation2 fonts-freefont-ttf"


@functools.cache
def font_path(file_name: str) -> Path:
    """Absolute path of an installed font file; :class:`ConfigError` when absent."""
    for root in _DIRS:
        if root.is_dir():
            for hit in sorted(root.rglob(file_name)):
                return hit
    raise ConfigError(f"font {file_name} is not installed (try: {_PACKAGES})")


def family_file(family: str, bold: bool = False) -> Path:
    """Path of the regular or bold face of a family (``"ocr-b"`` for the MRZ font).

    >>> family_file("dejavu-sans").name
    'DejaVuSans.ttf'
    """
    if family == MRZ_FAMILY:
        return font_path(_MRZ_FILE)
    try:
        regular, heavy = FAMILIES[family]
    except KeyError as err:
        raise ConfigError(f"unknown font family {family!r}; known: {', '.join([*FAMILIES, MRZ_FAMILY])}") from err
    return font_path(heavy if bold else regular)


@functools.lru_cache(maxsize=512)
def get_font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A cached Pillow font of ``size`` pixels."""
    return ImageFont.truetype(str(family_file(family, bold)), max(4, int(size)))


def all_families() -> tuple[str, ...]:
    """Every family used for non-MRZ text."""
    return SANS + SERIF
