"""PDF pages rendered with PDFium (pypdfium2), with the text layer of digital PDFs.

The page count and every page's pixel size at the requested dpi are checked
before anything is rendered, so a PDF with thousands of pages or a page of
200 x 200 inches fails at once. A page's own text (a digital PDF) comes back
as :class:`~kyc_ocr.domain.TextLine` objects in pixel coordinates of the
rendered page (top-left origin), one per printed line or per run of text
separated by a wide gap, which is how an OCR detector would cut it. Text in
the invisible render mode (an OCR layer under a scan) is ignored, so such a
page is read by OCR like any scan.

PDFium is not thread-safe: every call goes through one lock.
"""

from __future__ import annotations

import ctypes
import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from kyc_ocr.domain import Box, TextLine, quad_from_box
from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
POINTS_PER_INCH = 72.0
GAP_FACTOR = 1.5  # a horizontal gap wider than this many line heights starts a new line
_FAR = 7200.0  # page-space distance used to read PDFium's page->device affine map precisely


@dataclass(frozen=True)
class RenderedPage:
    """One rendered PDF page: RGB ``uint8`` image, the dpi used, and its text layer (``None`` for scans)."""

    image: np.ndarray
    dpi: float
    text_layer: tuple[TextLine, ...] | None


def group_lines(chars: Iterable[tuple[str, Box]], gap_factor: float = GAP_FACTOR) -> list[tuple[str, Box]]:
    """Group characters in reading order into lines ``(text, box)``; boxes are (x0, y0, x1, y1), y down.

    A line ends at a line break, where the next character does not overlap the
    line vertically, jumps backwards, or sits more than ``gap_factor`` line
    heights to the right. Whitespace (or a character with an empty box) only
    marks a space between words.

    >>> c = lambda ch, x: (ch, (float(x), 0.0, x + 8.0, 10.0))
    >>> group_lines([c("A", 0), c("B", 9), (" ", (17, 10, 20, 10)), c("C", 21), c("D", 80), ("\\n", (0, 0, 0, 0)),
    ...              ("E", (0.0, 20.0, 8.0, 30.0))])
    [('AB C', (0.0, 0.0, 29.0, 10.0)), ('D', (80.0, 0.0, 88.0, 10.0)), ('E', (0.0, 20.0, 8.0, 30.0))]
    """
    lines: list[tuple[str, Box]] = []
    text: list[str] = []
    box: list[float] = []
    space = False

    def flush() -> None:
        nonlocal space
        joined = "".join(text).strip()
        if joined:
            lines.append((joined, (box[0], box[1], box[2], box[3])))
        text.clear()
        box.clear()
        space = False

    for ch, (x0, y0, x1, y1) in chars:
        if ch in "\r\n\x0c\x0b":
            flush()
            continue
        if ch.isspace() or x1 <= x0 or y1 <= y0:
            space = space or bool(text)
            continue
        if box:
            height = max(box[3] - box[1], y1 - y0)
            overlap = min(box[3], y1) - max(box[1], y0)
            gap = x0 - box[2]
            if overlap < 0.3 * min(box[3] - box[1], y1 - y0) or gap > gap_factor * height or gap < -height:
                flush()
        if box:
            text.append(" " if space else "")
            box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        else:
            box.extend((x0, y0, x1, y1))
        text.append(ch)
        space = False
    flush()
    return lines


def _page_to_pixels(page: pdfium.PdfPage, width: int, height: int) -> np.ndarray:
    """2x3 affine map from PDF user space to pixels of the page rendered at ``width`` x ``height``."""
    src, dst = [], []
    for px, py in ((0.0, 0.0), (_FAR, 0.0), (0.0, _FAR)):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        ok = pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, width, height, 0, px, py, ctypes.byref(dx), ctypes.byref(dy))
        if not ok:
            raise InputError("PDF page geometry cannot be read")
        src.append((px, py, 1.0))
        dst.append((float(dx.value), float(dy.value)))
    return np.linalg.solve(np.array(src), np.array(dst)).T  # rows: x', y'


def _horizontal(textpage: pdfium.PdfTextPage, index: int, affine: np.ndarray, matrix: pdfium_c.FS_MATRIX) -> bool:
    """Whether a character runs left to right in the rendered page (its text matrix's x axis, mapped)."""
    if not pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
        return True
    dx, dy = affine[:, :2] @ np.array([matrix.a, matrix.b])
    return bool(dx > 0 and abs(dy) <= 0.2 * dx)


def _chars(textpage: pdfium.PdfTextPage, affine: np.ndarray) -> tuple[list[tuple[str, Box]], int]:
    """Visible characters running left to right, with pixel boxes, in PDFium's reading order.

    Also returns how many visible characters run in another direction (rotated text).
    """
    out: list[tuple[str, Box]] = []
    turned = 0
    count = textpage.count_chars()
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    matrix = pdfium_c.FS_MATRIX()
    pending_high = 0
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if 0xD800 <= code <= 0xDBFF:  # UTF-16 surrogate pair: combine with the next char
            pending_high = code
            continue
        if 0xDC00 <= code <= 0xDFFF and pending_high:
            code = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)
        pending_high = 0
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, i)
        if obj and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
            continue
        ch = chr(code) if 0 < code < 0x110000 else ""
        if not ch or (not ch.isprintable() and not ch.isspace()) or pdfium_c.FPDFText_HasUnicodeMapError(
                textpage.raw, i) == 1:
            continue
        if not pdfium_c.FPDFText_GetCharBox(textpage.raw, i, left, right, bottom, top):  # PDFium's order: l, r, b, t
            continue
        if not ch.isspace() and not _horizontal(textpage, i, affine, matrix):
            turned += 1
            continue
        pts = affine @ np.array([[left.value, right.value], [top.value, bottom.value], [1.0, 1.0]])
        xs, ys = pts[0], pts[1]
        out.append((ch, (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))))
    return out, turned


def text_layer(page: pdfium.PdfPage, width: int, height: int) -> tuple[TextLine, ...] | None:
    """The page's visible text as lines in pixel coordinates, or ``None`` when it has none.

    A page where more than a fifth of the text does not run left to right in the
    rendered image (a sideways page) gets ``None`` too: OCR, after the
    orientation step, reads it better than a text layer cut into single letters.
    A few rotated characters (a vertical stamp) are left out.
    """
    textpage = page.get_textpage()
    try:
        chars, turned = _chars(textpage, _page_to_pixels(page, width, height))
    finally:
        textpage.close()
    visible = sum(not ch.isspace() for ch, _ in chars)
    if turned > 0.2 * (turned + visible):
        log.debug("PDF page text mostly not horizontal (%d of %d chars): no text layer", turned, turned + visible)
        return None
    lines = group_lines(chars)
    if not lines:
        return None
    return tuple(TextLine(text, 1.0, quad_from_box(box)) for text, box in lines)


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(f"{name}: encrypted PDF (it needs a password); send an unprotected copy") from None
        if err.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(f"{name}: encrypted PDF with an unsupported security handler") from None
        raise InputError(f"{name}: corrupt or truncated PDF ({err})") from None


def _check_sizes(doc: pdfium.PdfDocument, name: str, scale: float, max_pixels: int) -> None:
    for i in range(len(doc)):
        w_pt, h_pt = doc.get_page_size(i)
        if not (math.isfinite(w_pt) and math.isfinite(h_pt)) or w_pt <= 0 or h_pt <= 0:
            raise InputError(f"{name}: page {i + 1} has an invalid size ({w_pt} x {h_pt} pt)")
        w, h = math.ceil(w_pt * scale), math.ceil(h_pt * scale)
        if w * h > max_pixels:
            raise InputError(f"{name}: page {i + 1} of {w_pt:.0f} x {h_pt:.0f} pt renders to {w}x{h} = "
                             f"{w * h:,} pixels, over the limit of {max_pixels:,}")


def _render(doc: pdfium.PdfDocument, index: int, scale: float, dpi: float) -> RenderedPage:
    page = doc[index]
    try:
        # pypdfium2 sizes the bitmap with ceil(points * scale); the tiny shave keeps an exact
        # 1240.0000001 at 1240 px (A4 at 150 dpi) instead of adding a column of page edge
        bitmap = page.render(scale=scale * (1 - 1e-7), rev_byteorder=True)
        try:
            image = np.array(bitmap.to_numpy()[:, :, :3], dtype=np.uint8, copy=True)
        finally:
            bitmap.close()
        layer = text_layer(page, image.shape[1], image.shape[0])
    finally:
        page.close()
    return RenderedPage(np.ascontiguousarray(image), dpi, layer)


def decode_pdf(data: bytes, name: str, *, dpi: float, max_pixels: int, max_pages: int) -> list[RenderedPage]:
    """Render every page of a PDF at ``dpi``; limits are checked before rendering anything."""
    scale = dpi / POINTS_PER_INCH
    with _LOCK:
        doc = _open(data, name)
        try:
            count = len(doc)
            if count == 0:
                raise InputError(f"{name}: the PDF has no pages")
            if count > max_pages:
                raise InputError(f"{name}: {count} pages, more than the limit of {max_pages}")
            _check_sizes(doc, name, scale, max_pixels)
            pages = [_render(doc, i, scale, dpi) for i in range(count)]
        except pdfium.PdfiumError as err:
            raise InputError(f"{name}: corrupt PDF ({err})") from None
        finally:
            doc.close()
    log.debug("rendered %d PDF page(s) at %s dpi, %d with a text layer", len(pages), dpi,
              sum(p.text_layer is not None for p in pages))
    return pages

