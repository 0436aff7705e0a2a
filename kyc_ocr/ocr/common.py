"""Helpers every engine shares: input checks, text-layer pages, confidence filtering.

>>> check_crops([np.zeros((10, 40), np.uint8)])[0].shape
(10, 40, 3)
>>> check_crops([np.zeros((0, 40, 3), np.uint8)])
Traceback (most recent call last):
...
kyc_ocr.errors.InputError: crop 0 is empty (shape (0, 40, 3))
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from kyc_ocr.domain import Page, PageImage
from kyc_ocr.errors import InputError

MIN_CONFIDENCE = 0.5  # lines read with less are dropped (rapidocr's text_score)
TEXT_LAYER_SUFFIX = "+text_layer"


def as_rgb(image: np.ndarray, what: str) -> np.ndarray:
    """A ``uint8`` (H, W, 3) view of ``image`` (grey and RGBA accepted), or :class:`InputError`."""
    if not isinstance(image, np.ndarray):
        raise InputError(f"{what} is not an image array (got {type(image).__name__})")
    if image.size == 0 or image.ndim not in (2, 3) or min(image.shape[:2]) < 1:
        raise InputError(f"{what} is empty (shape {image.shape})")
    if image.dtype != np.uint8:
        raise InputError(f"{what} must be uint8, got {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2RGB)
    if image.shape[2] != 3:
        raise InputError(f"{what} has {image.shape[2]} channels; expected 1, 3 or 4")
    return image


def check_crops(crops: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Validate crops for ``recognize``: RGB ``uint8``, non-empty."""
    return [as_rgb(crop, f"crop {i}") for i, crop in enumerate(crops)]


def check_pages(pages: Sequence[PageImage]) -> list[PageImage]:
    """Validate pages for ``read``."""
    for page in pages:
        if not isinstance(page, PageImage):
            raise InputError(f"expected PageImage objects, got {type(page).__name__}")
        as_rgb(page.image, f"{page.source} page {page.page}")
    return list(pages)


def page_rgb(page: PageImage) -> np.ndarray:
    """The page's pixels as contiguous RGB ``uint8`` (H, W, 3)."""
    return np.ascontiguousarray(as_rgb(page.image, f"{page.source} page {page.page}"))


def text_layer_page(page: PageImage, engine: str) -> Page:
    """A page answered from its PDF text layer, without OCR."""
    assert page.text_layer is not None
    return Page(page.source, page.page, page.width, page.height, tuple(page.text_layer),
                engine=engine + TEXT_LAYER_SUFFIX, models=())


def pad_for_detection(image: np.ndarray, max_ratio: float = 8.0, min_height: int = 30) -> tuple[np.ndarray, int]:
    """Pad very flat images (a single text line) above and below so the detector sees context.

    Returns the padded image and the top padding (to shift quads back).

    >>> padded, top = pad_for_detection(np.full((20, 400, 3), 255, np.uint8))
    >>> padded.shape, top
    ((100, 400, 3), 40)
    """
    h, w = image.shape[:2]
    if h > min_height and w / h <= max_ratio:
        return image, 0
    target = max(int(w / max_ratio), min_height) * 2
    top = max(0, (target - h) // 2)
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    fill = tuple(int(v) for v in np.median(border, axis=0))
    return cv2.copyMakeBorder(image, top, top, 0, 0, cv2.BORDER_CONSTANT, value=fill), top
