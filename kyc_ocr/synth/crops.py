"""Single-line text crops for recogniser training and tests.

>>> crop = render_text_crop("L898902C36UTO7408122F1204159", family="ocr-b", size=32, seed=1, augment=False)
>>> crop.image.ndim, crop.image.shape[2], crop.image.shape[1] > crop.image.shape[0]
(3, 3, True)
>>> crop.text, crop.family
('L898902C36UTO7408122F1204159', 'ocr-b')
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from kyc_ocr.errors import InputError
from kyc_ocr.synth import background as art
from kyc_ocr.synth.canvas import Canvas
from kyc_ocr.synth.fonts import all_families


@dataclass(frozen=True)
class TextCrop:
    """A rendered line: RGB image tightly around the text (plus ``margin``), its text and font."""

    image: np.ndarray
    text: str
    family: str
    size: int


def render_text_crop(text: str, *, family: str | None = None, size: int = 32, seed: int = 0, augment: bool = True,
                     margin: int = 6, guilloche: bool | None = None) -> TextCrop:
    """Render ``text`` in one line and crop it; ``augment`` adds small skew, blur, noise and JPEG.

    ``family`` is one of :func:`~kyc_ocr.synth.fonts.all_families` or ``"ocr-b"`` (random when ``None``).
    """
    if not text or not text.strip() or "\n" in text:
        raise InputError("render_text_crop needs one non-empty line of text")
    rng = np.random.default_rng(seed)
    family = family or str(rng.choice(all_families()))
    probe = Canvas(8, 8)
    width = int(probe.text_width(text, family, size)) + 4 * size
    height = 3 * size
    use_guilloche = bool(rng.random() < 0.4) if guilloche is None else guilloche
    bg = art.guilloche(width, height, rng) if use_guilloche else np.full((height, width, 3), int(rng.integers(225, 256)),
                                                                       np.uint8)
    c = Canvas(width, height, bg)
    shade = int(rng.integers(0, 70))
    c.text(2 * size, size, text, family, size, fill=(shade, shade, shade + int(rng.integers(0, 30))))
    img = np.asarray(c.image)
    quad = c.lines[0].quad
    if augment:
        angle = float(rng.uniform(-2.0, 2.0))
        rot = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        img = cv2.warpAffine(img, rot, (width, height), borderMode=cv2.BORDER_REPLICATE)
        quad = np.concatenate([quad, np.ones((4, 1))], axis=1) @ rot.T
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.1, 1.0)))
        noisy = img.astype(np.float32) + rng.standard_normal(img.shape[:2] + (1,), dtype=np.float32) * float(
            rng.uniform(0, 6))
        img = noisy.clip(0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=int(rng.integers(55, 95)))
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    x0, y0 = np.floor(quad.min(axis=0)).astype(int) - margin
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + margin
    crop = img[max(0, y0):min(height, y1), max(0, x0):min(width, x1)].copy()
    return TextCrop(crop, text, family, size)


__all__ = ["TextCrop", "render_text_crop"]
