"""Procedural artwork: guilloche backgrounds, photo placeholders, signatures, clutter.

Everything is drawn from a :class:`numpy.random.Generator`, so the same seed
gives the same pixels.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Color = tuple[int, int, int]

#: pale security-print tints (RGB) a card or passport page is printed on
TINTS: tuple[Color, ...] = ((232, 240, 248), (240, 234, 246), (236, 246, 236), (248, 240, 228), (244, 236, 236))


def guilloche(width: int, height: int, rng: np.random.Generator, tint: Color | None = None) -> np.ndarray:
    """A pale background of interfering sine rosettes and waves, (H, W, 3) uint8."""
    base = np.array(tint if tint is not None else TINTS[int(rng.integers(len(TINTS)))], dtype=np.float32)
    scale = 4  # draw at a quarter of the size, then resize: 16x fewer sines
    h, w = max(2, height // scale), max(2, width // scale)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    field = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(2, 4))):  # rosettes
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = np.hypot(xx - cx, yy - cy)
        theta = np.arctan2(yy - cy, xx - cx)
        petals, freq = int(rng.integers(6, 18)), rng.uniform(0.25, 0.6)
        field += np.sin(r * freq + rng.uniform(2, 6) * np.sin(petals * theta))
    for _ in range(int(rng.integers(1, 3))):  # waves
        fx, fy = rng.uniform(0.02, 0.08), rng.uniform(0.3, 0.7)
        field += np.sin(yy * fy + 4.0 * np.sin(xx * fx + rng.uniform(0, 6)))
    lines = np.abs(field) / max(1.0, float(np.abs(field).max()))
    ink = (lines < 0.08).astype(np.float32) * 0.5 + (lines < 0.2).astype(np.float32) * 0.25
    accent = np.array([rng.uniform(-60, -20), rng.uniform(-50, -10), rng.uniform(-40, 0)], np.float32)
    small = np.clip(base[None, None, :] + ink[..., None] * accent[None, None, :], 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(small, "RGB").resize((width, height), Image.Resampling.BILINEAR))


def portrait(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A drawn head-and-shoulders silhouette on a light photo background, (H, W, 3) uint8."""
    bg = tuple(int(v) for v in rng.integers(200, 240, 3))
    img = Image.new("RGB", (width, height), bg)
    d = ImageDraw.Draw(img)
    tone = int(rng.integers(60, 170))
    skin = (tone + 40, tone + 20, tone)
    cloth = tuple(int(v) for v in rng.integers(20, 120, 3))
    cx = width / 2 + rng.uniform(-0.05, 0.05) * width
    d.ellipse([cx - width * 0.48, height * 0.72, cx + width * 0.48, height * 1.35], fill=cloth)
    d.rectangle([cx - width * 0.09, height * 0.5, cx + width * 0.09, height * 0.78], fill=skin)
    hw, hh = width * rng.uniform(0.2, 0.26), height * rng.uniform(0.24, 0.3)
    d.ellipse([cx - hw, height * 0.42 - hh, cx + hw, height * 0.42 + hh], fill=skin)
    hair = tuple(int(v) for v in rng.integers(10, 90, 3))
    d.chord([cx - hw * 1.05, height * 0.42 - hh * 1.08, cx + hw * 1.05, height * 0.42 + hh * 0.6], 180, 360, fill=hair)
    return np.asarray(img.filter(ImageFilter.GaussianBlur(1.2)))


def _bezier(p: np.ndarray, steps: int = 24) -> np.ndarray:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) ** 3) * p[0] + 3 * ((1 - t) ** 2) * t * p[1] + 3 * (1 - t) * t ** 2 * p[2] + t ** 3 * p[3]


def signature(width: int, height: int, rng: np.random.Generator, ink: Color = (20, 30, 110)) -> np.ndarray:
    """An (H, W) alpha mask (0..255) of a handwritten-looking scribble made of cubic Beziers."""
    img = Image.new("L", (width, height), 0)
    d = ImageDraw.Draw(img)
    x = width * 0.05
    pts = []
    for _ in range(int(rng.integers(3, 7))):
        ctrl = np.array([[x, height * rng.uniform(0.3, 0.8)]] + [
            [x + width * rng.uniform(0.02, 0.2), height * rng.uniform(0.05, 0.95)] for _ in range(3)])
        ctrl[:, 0] = np.sort(ctrl[:, 0])
        pts.extend(_bezier(ctrl).tolist())
        x = float(ctrl[-1, 0])
        if x > width * 0.9:
            break
    d.line([tuple(p) for p in pts], fill=255, width=max(2, height // 25), joint="curve")
    return np.asarray(img)


def clutter(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A table-top: wood-like grain plus random objects (papers, mugs, pens), (H, W, 3) uint8."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.array([rng.uniform(90, 170), rng.uniform(60, 120), rng.uniform(30, 80)], np.float32)
    grain = np.sin((yy * rng.uniform(0.02, 0.06)) + 3 * np.sin(xx * rng.uniform(0.002, 0.01) + yy * 0.01))
    light = (xx / width - 0.5) * rng.uniform(-40, 40) + (yy / height - 0.5) * rng.uniform(-40, 40)
    wood = base[None, None, :] + grain[..., None] * 18 + light[..., None]
    img = Image.fromarray(np.clip(wood, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 9))):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        x0, y0 = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 1.0) * height
        w, h = rng.uniform(0.05, 0.4) * width, rng.uniform(0.05, 0.4) * height
        shape = int(rng.integers(3))
        if shape == 0:
            d.ellipse([x0, y0, x0 + w, y0 + w], fill=colour)
        elif shape == 1:
            d.rectangle([x0, y0, x0 + w, y0 + h], fill=colour)
        else:
            d.line([(x0, y0), (x0 + w, y0 + h)], fill=colour, width=int(rng.integers(4, 16)))
    return np.asarray(img.filter(ImageFilter.GaussianBlur(1.5)))
