"""Label-preserving augmentation: every geometric change is one 3x3 homography.

The same matrix warps the image and maps every line quad and field quad, so
ground truth stays exact. Presets:

* ``clean``: the rendered page as is;
* ``scan``: grey scanner bed, slight scale and skew (up to 3 degrees), sometimes a
  quarter turn, streaks, noise, mild blur;
* ``photo``: the document placed in perspective on a cluttered table
  (up to 5 degrees of skew plus corner jitter), sometimes a quarter turn,
  shadow gradient, brightness/contrast, noise, gaussian or motion blur.

>>> h = np.array([[1.0, 0, 10], [0, 1.0, 5], [0, 0, 1]])
>>> apply_h(h, np.array([[0.0, 0.0], [2.0, 3.0]])).tolist()
[[10.0, 5.0], [12.0, 8.0]]
"""

from __future__ import annotations

import logging
from dataclasses import replace

import cv2
import numpy as np

from kyc_ocr.errors import InputError
from kyc_ocr.synth import background as art
from kyc_ocr.synth.canvas import GtField, GtLine, RenderedDoc

log = logging.getLogger(__name__)

PRESETS = ("clean", "scan", "photo")


def apply_h(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through the homography ``h``."""
    pts = np.asarray(pts, dtype=np.float64)
    homo = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ h.T
    return homo[:, :2] / homo[:, 2:3]


def _quarter_turn(k: int, width: float, height: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Matrix of ``k`` clockwise quarter turns of a width x height image, and the new size."""
    k %= 4
    mats = {
        0: np.eye(3),
        1: np.array([[0, -1, height], [1, 0, 0], [0, 0, 1]], np.float64),
        2: np.array([[-1, 0, width], [0, -1, height], [0, 0, 1]], np.float64),
        3: np.array([[0, 1, 0], [-1, 0, width], [0, 0, 1]], np.float64),
    }
    size = (int(width), int(height)) if k % 2 == 0 else (int(height), int(width))
    return mats[k], size


def warp(doc: RenderedDoc, h: np.ndarray, size: tuple[int, int], backdrop: np.ndarray) -> RenderedDoc:
    """Warp ``doc`` by ``h`` onto ``backdrop`` (H, W, 3) of ``size`` = (W, H); quads follow exactly."""
    w, hh = size
    image = np.ascontiguousarray(backdrop, dtype=np.uint8).copy()
    cv2.warpPerspective(doc.image, h, (w, hh), dst=image, flags=cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_TRANSPARENT)
    lines = [GtLine(ln.text, apply_h(h, ln.quad), ln.field) for ln in doc.lines]
    fields = {k: GtField(f.value, f.lines, None if f.quad is None else apply_h(h, f.quad)) for k, f in doc.fields.items()}
    return RenderedDoc(image, lines, fields, [], doc.dpi)


def _scan_geometry(doc: RenderedDoc, rng: np.random.Generator) -> tuple[np.ndarray, tuple[int, int]]:
    w, h = doc.width, doc.height
    margin = rng.uniform(0.03, 0.08) * max(w, h)
    scale = rng.uniform(0.92, 1.04)
    angle = np.deg2rad(rng.uniform(-3.0, 3.0))
    out_w, out_h = int((w + 2 * margin) * scale), int((h + 2 * margin) * scale)
    c, s = np.cos(angle) * scale, np.sin(angle) * scale
    to_origin = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]], np.float64)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)
    to_centre = np.array([[1, 0, out_w / 2], [0, 1, out_h / 2], [0, 0, 1]], np.float64)
    return to_centre @ rot @ to_origin, (out_w, out_h)


def _photo_geometry(doc: RenderedDoc, rng: np.random.Generator) -> tuple[np.ndarray, tuple[int, int]]:
    w, h = doc.width, doc.height
    out_w, out_h = int(w * rng.uniform(1.2, 1.4)), int(h * rng.uniform(1.2, 1.4))
    fill = rng.uniform(0.7, 0.85)
    scale = min(out_w * fill / w, out_h * fill / h)
    angle = np.deg2rad(rng.uniform(-5.0, 5.0))
    c, s = np.cos(angle), np.sin(angle)
    centre = np.array([out_w / 2 + rng.uniform(-0.05, 0.05) * out_w, out_h / 2 + rng.uniform(-0.05, 0.05) * out_h])
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    local = (src - [w / 2, h / 2]) * scale
    dst = local @ np.array([[c, s], [-s, c]]) + centre
    jitter = rng.uniform(-0.04, 0.04, size=(4, 2)) * [w * scale, h * scale]
    dst = dst + jitter
    dst[:, 0] = dst[:, 0].clip(4, out_w - 4)
    dst[:, 1] = dst[:, 1].clip(4, out_h - 4)
    return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)), (out_w, out_h)


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return img + rng.standard_normal((*img.shape[:2], 1), dtype=np.float32) * np.float32(sigma)


def _motion_kernel(rng: np.random.Generator) -> np.ndarray:
    size = int(rng.integers(5, 10))
    k: np.ndarray = np.zeros((size, size), np.float32)
    k[size // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    k = cv2.warpAffine(k, rot, (size, size))
    return k / max(float(k.sum()), 1e-6)


def _scan_look(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    contrast = np.float32(rng.uniform(0.9, 1.15))
    out = img.astype(np.float32) * contrast + np.float32(128 * (1 - contrast) + rng.uniform(-10, 10))
    for _ in range(int(rng.integers(0, 4))):  # streaks along the scan direction
        x = int(rng.integers(0, out.shape[1]))
        out[:, x:x + int(rng.integers(1, 4))] -= rng.uniform(10, 40)
    out = _noise(out, rng, rng.uniform(0.6, 1.5)).clip(0, 255).astype(np.uint8)
    return cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 0.8))


def _photo_look(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    hh, ww = img.shape[:2]
    theta = rng.uniform(0, 2 * np.pi)
    xs = (np.cos(theta) * np.arange(ww, dtype=np.float32) / ww)[None, :]
    ys = (np.sin(theta) * np.arange(hh, dtype=np.float32) / hh)[:, None]
    ramp = xs + ys
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    shade = 1.0 - np.float32(rng.uniform(0.15, 0.4)) * ramp
    contrast = np.float32(rng.uniform(0.8, 1.1))
    tint = rng.uniform(0.93, 1.05, size=3).astype(np.float32) * contrast
    offset = np.float32(128 * (1 - contrast) + rng.uniform(-25, 20))
    out = img.astype(np.float32) * tint[None, None, :]
    out *= shade[..., None]
    out = _noise(out + offset, rng, rng.uniform(2.0, 7.0))
    out8 = out.clip(0, 255).astype(np.uint8)
    if rng.random() < 0.4:
        return cv2.filter2D(out8, -1, _motion_kernel(rng))
    return cv2.GaussianBlur(out8, (0, 0), rng.uniform(0.5, 1.3))


def augment(doc: RenderedDoc, preset: str, rng: np.random.Generator) -> RenderedDoc:
    """Apply ``preset`` (clean, scan, photo) to ``doc``; quads and boxes are transformed with the image."""
    if preset not in PRESETS:
        raise InputError(f"unknown augmentation preset {preset!r}; choose from {', '.join(PRESETS)}")
    if preset == "clean":
        return replace(doc, lines=list(doc.lines), fields=dict(doc.fields))
    geometry = _scan_geometry if preset == "scan" else _photo_geometry
    h, (w, hh) = geometry(doc, rng)
    turns = int(rng.integers(1, 4)) if rng.random() < (0.1 if preset == "scan" else 0.15) else 0
    turn, (w, hh) = _quarter_turn(turns, w, hh)
    h = turn @ h
    if preset == "scan":
        backdrop: np.ndarray = np.full((hh, w, 3), int(rng.integers(190, 236)), np.uint8)
        out = warp(doc, h, (w, hh), backdrop)
        return replace(out, image=_scan_look(out.image, rng))
    small = art.clutter(max(2, w // 2), max(2, hh // 2), rng)
    backdrop = cv2.resize(small, (w, hh), interpolation=cv2.INTER_LINEAR)
    out = warp(doc, h, (w, hh), backdrop)
    return replace(out, image=_photo_look(out.image, rng))
