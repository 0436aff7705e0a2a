"""Draw what an engine read onto the page image, and map lines back to the page the customer sent.

>>> import numpy as np
>>> line = TextLine("HI", 0.9, ((10, 10), (50, 10), (50, 30), (10, 30)))
>>> page = Page("a.png", 1, 100, 60, (line,))
>>> draw(np.full((60, 100, 3), 255, np.uint8), page).shape
(60, 100, 3)
>>> shifted = np.array([[1, 0, 5], [0, 1, 0], [0, 0, 1]], dtype=float)
>>> to_original(page, shifted, (105, 60)).lines[0].quad[0]
(15.0, 10.0)
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kyc_ocr.domain import Page, TextLine
from kyc_ocr.errors import InputError

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def to_original(page: Page, transform: np.ndarray, orig_size: tuple[int, int]) -> Page:
    """``page`` with its quads mapped by the 3x3 ``transform`` (prepared -> original pixels)."""
    matrix = np.asarray(transform, dtype=np.float64)
    if np.allclose(matrix, np.eye(3)) and (page.width, page.height) == orig_size:
        return page
    lines = []
    for line in page.lines:
        pts = cv2.perspectiveTransform(np.array([line.quad], dtype=np.float64), matrix)[0]
        quad = tuple((round(float(x), 2), round(float(y), 2)) for x, y in pts)
        lines.append(TextLine(line.text, line.confidence, quad, line.char_confidences))  # type: ignore[arg-type]
    return Page(page.source, page.page, orig_size[0], orig_size[1], tuple(lines), page.engine, page.models)


def draw(image: np.ndarray, page: Page) -> np.ndarray:
    """An RGB copy of ``image`` with each line's quad outlined and its text written above it."""
    canvas = Image.fromarray(np.ascontiguousarray(image[:, :, :3])).convert("RGB")
    pen = ImageDraw.Draw(canvas)
    for line in page.lines:
        pts = [(float(x), float(y)) for x, y in line.quad]
        colour = (0, 160, 0) if line.confidence >= 0.9 else (230, 140, 0) if line.confidence >= 0.7 else (220, 0, 0)
        pen.line([*pts, pts[0]], fill=colour, width=2)
        height = max(10, int(abs(pts[3][1] - pts[0][1]) * 0.6))
        font = ImageFont.truetype(FONT, min(height, 28)) if Path(FONT).is_file() else ImageFont.load_default()
        x, y = pts[0][0], max(0.0, pts[0][1] - height - 2)
        label = f"{line.text} ({line.confidence:.2f})"
        box = pen.textbbox((x, y), label, font=font)
        pen.rectangle(box, fill=(255, 255, 255))
        pen.text((x, y), label, font=font, fill=colour)
    return np.asarray(canvas)


def page_paths(out: Path, count: int) -> list[Path]:
    """Where each of ``count`` annotated pages goes: ``OUT.png``, then ``OUT-p2.png``, ``OUT-p3.png`` ...

    >>> [p.name for p in page_paths(Path("a/out.png"), 3)]
    ['out.png', 'out-p2.png', 'out-p3.png']
    """
    suffix = out.suffix or ".png"
    return [out.with_suffix(suffix) if k == 0 else out.with_name(f"{out.stem}-p{k + 1}{suffix}")
            for k in range(count)]


def save(image: np.ndarray, path: Path) -> None:
    """Write an RGB image (format from the suffix); :class:`InputError` when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot write {path}: {err}") from err
