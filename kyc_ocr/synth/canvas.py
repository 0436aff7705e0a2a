"""A drawing surface that records the ground truth of everything it prints.

Every call to :meth:`Canvas.text` draws one line with Pillow and records its
exact ink box as a quad, the canonical field it carries, and (for digital
PDFs) the drawing operation itself, so the same page can be re-emitted as a
PDF with a real text layer at the same positions.

>>> c = Canvas(200, 60)
>>> i = c.text(10, 10, "HELLO", "dejavu-sans", 20, field="surname")
>>> c.field("surname", "HELLO", [i])
>>> doc = c.finish()
>>> doc.lines[0].text, doc.lines[0].field, doc.image.shape
('HELLO', 'surname', (60, 200, 3))
>>> x0, y0, x1, y1 = doc.field_box("surname")
>>> 9 <= x0 < 14 and 10 <= y0 < 18 and 60 < x1 < 90
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from kyc_ocr.synth.fonts import get_font

Color = tuple[int, int, int]
INK: Color = (22, 22, 28)


@dataclass
class GtLine:
    """One printed line: its exact text, its quad (4x2 pixels, clockwise from top-left), its field."""

    text: str
    quad: np.ndarray
    field: str | None = None


@dataclass
class GtField:
    """A canonical field: normalised value, the lines that print it, and an optional extra area."""

    value: str
    lines: tuple[int, ...] = ()
    quad: np.ndarray | None = None  # e.g. a barcode's area when no text line carries the field


@dataclass
class DrawOp:
    """A recorded drawing operation (for re-emitting the page as a digital PDF)."""

    kind: str  # "text" | "rect" | "line" | "image"
    args: dict[str, Any]


@dataclass
class RenderedDoc:
    """A rendered page with its ground truth; quads follow the image through augmentation."""

    image: np.ndarray  # (H, W, 3) uint8 RGB
    lines: list[GtLine]
    fields: dict[str, GtField]
    ops: list[DrawOp] = field(default_factory=list)
    dpi: float | None = None

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def field_quads(self, name: str) -> list[np.ndarray]:
        """Every quad that belongs to field ``name``."""
        spec = self.fields[name]
        quads = [self.lines[i].quad for i in spec.lines]
        if spec.quad is not None:
            quads.append(spec.quad)
        return quads

    def field_box(self, name: str) -> tuple[float, float, float, float]:
        """Axis-aligned box (x0, y0, x1, y1) around everything that prints field ``name``."""
        pts = np.concatenate(self.field_quads(name), axis=0)
        return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def box_quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """A 4x2 quad for an axis-aligned box.

    >>> box_quad(0, 0, 2, 1).tolist()
    [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]]
    """
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


class Canvas:
    """An RGB page being drawn; collects lines, fields and drawing operations."""

    def __init__(self, width: int, height: int, background: np.ndarray | Color = (255, 255, 255)) -> None:
        if isinstance(background, np.ndarray):
            self.image = Image.fromarray(background.astype(np.uint8), "RGB")
        else:
            self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[GtLine] = []
        self.fields: dict[str, GtField] = {}
        self.ops: list[DrawOp] = []

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def text_width(self, text: str, family: str, size: int, bold: bool = False) -> float:
        """Advance width of ``text`` in pixels."""
        return float(get_font(family, size, bold).getlength(text))

    def fit_size(self, text: str, family: str, size: int, max_width: float | None, bold: bool = False) -> int:
        """The largest size <= ``size`` at which ``text`` fits in ``max_width`` pixels (at least 40% of size)."""
        if max_width is None:
            return size
        floor = max(6, int(size * 0.4))
        while size > floor and self.text_width(text, family, size, bold) > max_width:
            size -= 1
        return size

    def text(
        self,
        x: float,
        y: float,
        text: str,
        family: str,
        size: int,
        *,
        bold: bool = False,
        field: str | None = None,
        fill: Color = INK,
        align: str = "left",
        max_width: float | None = None,
    ) -> int:
        """Draw one line with its top-left (ascender line) at (x, y); returns the line's index.

        ``align="right"`` puts the line's right edge at ``x``. ``max_width`` shrinks the font
        until the line fits.
        """
        size = self.fit_size(text, family, size, max_width, bold)
        font = get_font(family, size, bold)
        if align == "right":
            x -= font.getlength(text)
        x, y = round(x), round(y)
        self.draw.text((x, y), text, font=font, fill=fill, anchor="la")
        mask, (ox, oy) = font.getmask2(text, "L", anchor="la")
        ink = mask.getbbox() or (0, 0, mask.size[0], mask.size[1])  # exact ink, side bearings excluded
        quad = box_quad(x + ox + ink[0] - 1, y + oy + ink[1] - 1, x + ox + ink[2] + 1, y + oy + ink[3] + 1)
        self.lines.append(GtLine(text, quad, field))
        self.ops.append(DrawOp("text", {"x": x, "y": y, "text": text, "family": family, "size": size,
                                        "bold": bold, "fill": fill, "ascent": font.getmetrics()[0]}))
        return len(self.lines) - 1

    def field(self, name: str, value: str, lines: list[int] | tuple[int, ...] = (),
              quad: np.ndarray | None = None) -> None:
        """Record the canonical field ``name`` with its normalised ``value``."""
        self.fields[name] = GtField(value, tuple(lines), quad)

    def rect(self, box: tuple[float, float, float, float], fill: Color | None = None,
             outline: Color | None = None, width: int = 1) -> None:
        """Draw a rectangle (recorded for PDF output)."""
        self.draw.rectangle([round(v) for v in box], fill=fill, outline=outline, width=width)
        self.ops.append(DrawOp("rect", {"box": tuple(box), "fill": fill, "outline": outline, "width": width}))

    def line(self, x0: float, y0: float, x1: float, y1: float, fill: Color = INK, width: int = 1) -> None:
        """Draw a straight rule (recorded for PDF output)."""
        self.draw.line([(x0, y0), (x1, y1)], fill=fill, width=width)
        self.ops.append(DrawOp("line", {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "fill": fill, "width": width}))

    def paste(self, patch: np.ndarray, x: int, y: int, mask: np.ndarray | None = None) -> None:
        """Paste an RGB array (optionally through a 0..255 mask); recorded for PDF output."""
        img = Image.fromarray(patch.astype(np.uint8), "RGB")
        alpha = None if mask is None else Image.fromarray(mask.astype(np.uint8), "L")
        self.image.paste(img, (int(x), int(y)), alpha)
        if alpha is not None:
            img = img.copy()
            img.putalpha(alpha)
        self.ops.append(DrawOp("image", {"x": int(x), "y": int(y), "image": img}))

    def finish(self, dpi: float | None = None) -> RenderedDoc:
        """The finished page as a :class:`RenderedDoc`."""
        return RenderedDoc(np.asarray(self.image, dtype=np.uint8).copy(), self.lines, self.fields, self.ops, dpi)
