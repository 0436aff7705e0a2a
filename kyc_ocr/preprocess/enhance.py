"""Photometric clean-up for dark, noisy or blurred photos; pixels move nowhere (identity transform).

Each fix runs only when its measurement says so, so a clean scan is returned
untouched: CLAHE on the L channel when the page is dark or flat, non-local
means when the noise estimate is high, an unsharp mask when the Laplacian
variance says the page is blurred.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.preprocess.analysis import grey_small, noise_sigma, sharpness

log = logging.getLogger(__name__)

DARK_MEDIAN = 110  # median lightness (0..255) below which a page counts as dark
FLAT_RANGE = 110  # spread of lightness between the 2nd and 98th percentile below which it counts as flat
NOISY_SIGMA = 6.0  # grey levels of noise above which it is denoised
BLURRY = 120.0  # Laplacian variance (contrast-stretched) below which it is sharpened (400 sharpened too often: CER rose)


@dataclass(frozen=True)
class Quality:
    """What the measurements say about a page."""

    median: float
    spread: float
    noise: float
    sharpness: float

    @property
    def dark_or_flat(self) -> bool:
        return self.median < DARK_MEDIAN or self.spread < FLAT_RANGE

    @property
    def noisy(self) -> bool:
        return self.noise > NOISY_SIGMA

    @property
    def blurry(self) -> bool:
        return self.sharpness < BLURRY


def measure(image: np.ndarray) -> Quality:
    """Lightness, spread, noise and sharpness measured on a grey copy at most 1200 px across."""
    grey, _ = grey_small(image)
    lo, med, hi = np.percentile(grey, (2, 50, 98))
    return Quality(float(med), float(hi - lo), noise_sigma(grey), sharpness(grey))


def clahe(image: np.ndarray) -> np.ndarray:
    """Lightness stretched to the full range (1st-99th percentile), then local contrast (CLAHE).

    Only the L channel of Lab changes, so colours keep their hue.
    """
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    light = lab[:, :, 0]
    lo, hi = np.percentile(light[::4, ::4], (1, 99))
    if hi - lo > 8:
        lut = np.clip((np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
        light = cv2.LUT(light, lut)
    tiles = (8, max(2, round(8 * image.shape[0] / max(image.shape[1], 1))))
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=2.0, tileGridSize=tiles).apply(light)
    return np.ascontiguousarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def denoise(image: np.ndarray, sigma: float) -> np.ndarray:
    """Non-local means with a strength matched to the measured noise."""
    strength = float(min(max(sigma * 0.9, 3.0), 15.0))
    return np.ascontiguousarray(cv2.fastNlMeansDenoisingColored(image, None, strength, strength, 5, 15))


def unsharp(image: np.ndarray, amount: float = 0.8, sigma: float = 1.2) -> np.ndarray:
    """Unsharp mask: ``image + amount * (image - blur(image))``."""
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return np.ascontiguousarray(cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0))


def enhance(image: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The page with the fixes its measurements call for, and the names of the fixes applied."""
    quality = measure(image)
    applied: list[str] = []
    out = image
    if quality.noisy:
        out = denoise(out, quality.noise)
        applied.append(f"denoise(sigma={quality.noise:.1f})")
    if quality.dark_or_flat:
        out = clahe(out)
        applied.append("clahe")
    if quality.blurry and not quality.noisy:  # sharpening would bring the noise back
        out = unsharp(out)
        applied.append(f"unsharp(sharpness={quality.sharpness:.0f})")
    return out, applied
