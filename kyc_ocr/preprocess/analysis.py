"""Cheap measurements on a downscaled grey copy of a page: text blobs, line direction, noise, blur.

Nothing here changes a page; the steps in :mod:`kyc_ocr.preprocess` decide
from these numbers.

>>> noise_sigma(np.full((50, 50), 128, np.uint8))
0.0
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ANALYSIS_SIDE = 1200  # longest side of the grey copy the text analysis runs on
_LAPLACE = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def grey_small(image: np.ndarray, max_side: int = ANALYSIS_SIDE) -> tuple[np.ndarray, float]:
    """Grey copy whose longest side is at most ``max_side``, and its scale (small px per image px)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, max_side / max(grey.shape[:2]))
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey), scale


@dataclass(frozen=True)
class Blobs:
    """Character-sized dark components: boxes (N, 4) as x, y, w, h; centres (N, 2); median height."""

    boxes: np.ndarray
    centres: np.ndarray
    height: float

    def __len__(self) -> int:
        return len(self.boxes)


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Dark-on-light ink (255) from a local threshold that ignores faint background patterns."""
    block = max(15, (min(grey.shape[:2]) // 24) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 18)


def text_blobs(grey: np.ndarray) -> Blobs:
    """Connected ink components shaped like characters (no photos, rules, frames or specks)."""
    mask = ink_mask(grey)
    count, _, stats, centres = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return Blobs(np.zeros((0, 4)), np.zeros((0, 2)), 0.0)
    stats, centres = stats[1:], centres[1:]
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    limit = max(8, min(grey.shape[:2]) // 8)
    keep = (h >= 4) & (w >= 1) & (h <= limit) & (w <= limit) & (area >= 6) & (area <= 0.9 * w * h) & (w <= 15 * h)
    boxes, centres = stats[keep, :4].astype(np.float64), centres[keep].astype(np.float64)
    height = float(np.median(boxes[:, 3])) if len(boxes) else 0.0
    return Blobs(boxes, centres, height)


def _profile_scores(centres: np.ndarray, angles_deg: np.ndarray, bin_size: float) -> np.ndarray:
    """Sharpness of the projection of ``centres`` across lines running at each angle (higher: more aligned)."""
    rad = np.deg2rad(angles_deg)
    offsets = centres @ np.stack([-np.sin(rad), np.cos(rad)])  # (N, A): distance across a line at that angle
    bins = np.floor(offsets / bin_size).astype(np.int64)
    bins -= bins.min(axis=0)
    span = int(bins.max()) + 2
    flat = (bins + np.arange(len(angles_deg)) * span).ravel()
    counts = np.bincount(flat, minlength=span * len(angles_deg)).reshape(len(angles_deg), span).astype(np.float64)
    pairs = counts[:, :-1] + counts[:, 1:]  # a window of two bins: a line straddling a bin edge still counts
    return (pairs**2).sum(axis=1)


def line_angle(blobs: Blobs) -> tuple[float, float]:
    """Direction of the text lines in degrees, in [-90, 90) (0: horizontal; y down, so + is clockwise).

    Returns ``(angle, strength)``: strength is how much better the text aligns
    at that angle than across it (1.0: no preference).
    """
    if len(blobs) < 8 or blobs.height <= 0:
        return 0.0, 1.0
    centres = blobs.centres - blobs.centres.mean(axis=0)
    bin_size = max(1.0, blobs.height / 2)
    coarse = np.arange(-90.0, 90.0, 1.0)
    scores = _profile_scores(centres, coarse, bin_size)
    best = float(coarse[int(np.argmax(scores))])
    fine = best + np.arange(-1.5, 1.55, 0.1)
    fine_scores = _profile_scores(centres, fine, bin_size)
    angle = float(fine[int(np.argmax(fine_scores))])
    across = _profile_scores(centres, np.array([angle + 90.0]), bin_size)[0]
    angle = (angle + 90.0) % 180.0 - 90.0
    return round(angle, 2), float(fine_scores.max() / max(across, 1.0))


def noise_sigma(grey: np.ndarray) -> float:
    """Robust estimate of the standard deviation of pixel noise (grey levels).

    The image is filtered with a mask that cancels smooth shading and straight
    edges (Immerkaer 1996); the median absolute response over the image, not
    the mean, keeps text edges from counting as noise.
    """
    response = np.abs(cv2.filter2D(grey.astype(np.float32), -1, _LAPLACE, borderType=cv2.BORDER_REFLECT))
    return round(float(np.median(response[1:-1, 1:-1])) / (0.6745 * 6.0), 3)


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian after stretching contrast to 0..255 (low: blurred)."""
    lo, hi = np.percentile(grey, (1, 99))
    stretched = np.clip((grey.astype(np.float32) - lo) * (255.0 / max(hi - lo, 1.0)), 0, 255).astype(np.float32)
    return round(float(cv2.Laplacian(stretched, cv2.CV_32F).var()), 2)
